import pytest

from crossl.errors import CrosslError
from crossl.experiments.benchmark.runner import read_results
from crossl.experiments.demo import demo_grid, run_demo

TINY = [
    "epochs=1",
    "limit_windows=256",
    "finetune_overrides=[batch_size=64,supervised_epochs=1,supervised_min_steps=2]",
    "label_fractions=[0.1,1.0]",
    "eval_seeds=[0]",
    "probe_c_grid=[1.0]",
]


def test_demo_overrides_go_to_the_grid_or_to_every_model():
    grid = demo_grid(overrides=["eval_seeds=[0]", "probes=[linear,knn]", "epochs=2"])
    assert grid.eval_seeds == [0] and grid.protocols == ["linear", "knn"]
    assert grid.overrides[-1] == "epochs=2" and grid.methods == ["crossl"]
    assert demo_grid(full=True).name == "demo-full"
    with pytest.raises(CrosslError, match="unknown 'svm'"):
        demo_grid(overrides=["probes=[svm]"])


def test_demo_runs_every_model_and_writes_the_report(tmp_path):
    records = run_demo(tmp_path, overrides=TINY)
    evals = [r for r in records if r["kind"] == "eval"]
    assert {r["method"] for r in evals} == {"crossl", "random-init", "supervised"}
    assert read_results(tmp_path / "results.jsonl") == records
    supervised = [r for r in evals if r["method"] == "supervised"]
    assert {tuple(r["modalities"]) for r in supervised} == {("acc", "gyro"), ("acc",), ("gyro",)}
    assert {r["protocol"] for r in supervised} == {"finetune"}
    assert {(r["protocol"], r["label_fraction"]) for r in evals if r["method"] == "crossl"} == {
        ("linear", 0.1),
        ("linear", 1.0),
    }
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# crossl demo") and "| supervised |" in report
    assert "| random-init |" in report and f"crossl demo --out {tmp_path} epochs=1" in report
    assert (tmp_path / "label_efficiency.png").is_file() and (tmp_path / "summary.csv").is_file()
    assert len(list((tmp_path / "pretrain").glob("crossl-*/last.ckpt"))) == 1
