import json

import pytest

from crossl.cli import main
from crossl.experiments.benchmark.runner import read_results
from crossl.methods import method_names

SMOKE = ["limit_windows=256", "epochs=2", "batch_size=64", "seed=1"]
EVAL = ["label_fractions=[1.0]", "eval_seeds=[0]", "probe_c_grid=[1.0]", "missing_modalities=false"]


@pytest.mark.parametrize("name", method_names())
def test_pretrain_then_evaluate_every_method_on_hapt(name, tmp_path, capsys):
    pre, ev = tmp_path / "pretrain", tmp_path / "eval"
    assert main(["pretrain", "--config", name, "--out", str(pre), "--no-progress", *SMOKE]) == 0
    printed = capsys.readouterr().out
    assert f"pretrained {name} on hapt: 2 epochs" in printed and "| 2 |" in printed
    summary = json.loads((pre / "results.json").read_text())["pretrain"]
    assert [h["epoch"] for h in summary["history"]] == [0, 1]
    for h in summary["history"]:
        assert 0 <= h["online_accuracy"] <= 1 and 1 <= h["effective_rank"] <= 192
    assert main(["evaluate", "--checkpoint", str(pre / "last.ckpt"), "--out", str(ev), *EVAL]) == 0
    assert f"| {name} |" in capsys.readouterr().out
    [row] = [r for r in read_results(ev / "results.jsonl") if r["kind"] == "eval"]
    assert row["method"] == name and row["protocol"] == "linear" and 0 < row["macro_f1"] <= 1
