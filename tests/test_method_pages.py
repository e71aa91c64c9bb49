"""Each method's page in docs/methods/ quotes its preset file as it is."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PAGES = sorted((ROOT / "docs" / "methods").glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_the_page_quotes_the_preset_it_names(page):
    text = page.read_text()
    quoted = re.search(r"`(src/crossl/configs/[\w-]+\.yaml)`:\n\n```yaml\n(.*?)```", text, re.S)
    assert quoted, f"{page.name} quotes no preset file"
    path, block = quoted.groups()
    assert block == (ROOT / path).read_text(), f"{page.name} quotes an old {path}"


def test_every_method_has_a_page():
    from crossl.methods.registry import METHODS

    assert {p.stem for p in PAGES} == set(METHODS)
