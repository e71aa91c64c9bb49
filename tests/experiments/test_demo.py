import json

from crossl.experiments.demo import run_demo

TINY = [
    "epochs=1",
    "limit_windows=256",
    "supervised_epochs=1",
    "label_fractions=[0.1,1.0]",
    "eval_seeds=[0]",
    "probe_c_grid=[1.0]",
]


def test_demo_runs_every_model_and_writes_the_report(tmp_path):
    messages = []
    doc = run_demo(tmp_path, overrides=TINY, progress=messages.append, progress_bar=False)
    models = {r["model"] for r in doc["evaluations"]}
    assert models == {"crossl", "random-init", "supervised"}
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert on_disk["evaluations"] == doc["evaluations"]
    supervised = [r for r in doc["evaluations"] if r["model"] == "supervised"]
    assert {tuple(r["modalities"]) for r in supervised} == {("acc", "gyro"), ("acc",), ("gyro",)}
    assert all(r["protocol"] == "end-to-end" for r in supervised)
    report = (tmp_path / "report.md").read_text()
    assert "| supervised |" in report and "| random-init (aggregator) |" in report
    assert (tmp_path / "label_efficiency.png").is_file() and (tmp_path / "last.ckpt").is_file()
    assert any("supervised" in m for m in messages)
