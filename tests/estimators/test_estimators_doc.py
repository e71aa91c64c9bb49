import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).parents[2] / "docs" / "estimators.md"


def test_the_documented_example_prints_what_the_doc_shows():
    text = DOC.read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", text, re.S).group(1).strip().splitlines()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {})
    printed = out.getvalue().strip().splitlines()
    assert printed[0] == shown[0]
    number = re.compile(r"accuracy (\d\.\d+)")
    got, want = (float(number.search(lines[1]).group(1)) for lines in (printed, shown))
    assert got == pytest.approx(want, abs=0.02)  # the same run; other CPUs round differently
    assert number.sub("", printed[1]) == number.sub("", shown[1])
