import json

from crossl.cli import main
from crossl.experiments.explain import explain_checkpoint


def test_the_shipped_network_lays_on_its_accelerometer(tmp_path):
    doc = explain_checkpoint("crossl-hapt", tmp_path, windows_per_class=1, steps=16)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "attribution.png",
        "explain.json",
        "report.md",
    ]
    assert json.loads((tmp_path / "explain.json").read_text()) == doc
    assert doc["accuracy"] > 0.9 and len(doc["windows"]) == 6  # one window per class
    laying = next(r for r in doc["occlusion"] if r["class"] == "LAYING")
    # lying down is told by the direction of gravity: only the accelerometer sees it
    assert laying["drop"]["acc"] > 0.3 > abs(laying["drop"]["gyro"])
    for w in doc["windows"]:
        assert abs(sum(w["shares"].values()) - 1) < 1e-6
    assert "| LAYING | 532 |" in (tmp_path / "report.md").read_text()


def test_a_file_that_is_not_a_checkpoint_is_exit_code_2(tmp_path, capsys):
    bad = tmp_path / "x.ckpt"
    bad.write_text("not a checkpoint")
    assert main(["explain", "--checkpoint", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "unreadable or corrupt" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
