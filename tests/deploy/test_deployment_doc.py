import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "deployment.md"


def test_the_documented_example_runs_and_prints_what_the_doc_says(tmp_path, monkeypatch):
    text = DOC.read_text()
    section = text.split("## In your own code", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    printed = re.search(r"prints `(.*?)`", section).group(1)
    (tmp_path / "runs").mkdir()
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {})
    assert out.getvalue().strip() == printed
