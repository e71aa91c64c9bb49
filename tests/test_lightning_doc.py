import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).parents[1] / "docs" / "lightning.md"


def test_the_documented_trainer_example_runs_and_prints_what_the_doc_says(tmp_path, monkeypatch):
    text = DOC.read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    printed = re.search(r"prints `(.*?)`", text).group(1)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {})
    assert out.getvalue().strip().splitlines()[-1] == printed
    assert (tmp_path / "runs" / "own-trainer" / "crossl.ckpt").is_file()
