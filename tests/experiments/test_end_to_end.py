import json

import pytest
import torch

from crossl.cli import main
from crossl.data.hapt_protocols import HAPT_TEST_USERS
from crossl.eval.features import extract_features
from crossl.experiments.benchmark.runner import read_results
from crossl.experiments.checkpoint import load_checkpoint

SMOKE = ["epochs=2", "limit_windows=384", "batch_size=64", "seed=5"]
EVAL = ["label_fractions=[0.1,1.0]", "eval_seeds=[0,1]", "probe_c_grid=[1.0]"]


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    out = tmp_path_factory.mktemp("pretrain")
    assert main(["pretrain", "--out", str(out), "--no-progress", *SMOKE]) == 0
    return out


def test_pretrain_writes_checkpoint_results_and_logs(pretrained):
    doc = json.loads((pretrained / "results.json").read_text())
    assert doc["method"] == "crossl" and doc["dataset"] == "hapt" and doc["seed"] == 5
    assert doc["config"]["epochs"] == 2 and doc["evaluations"] == []
    pre = doc["pretrain"]
    assert pre["epochs"] == 2 and pre["train_windows"] == 384
    assert pre["windows_per_second"] > 0 and pre["seconds"] > 0
    assert torch.isfinite(torch.tensor(pre["final_loss"]))
    assert (pretrained / "last.ckpt").is_file()
    metrics = (pretrained / "logs" / "metrics.csv").read_text().splitlines()
    header = metrics[0].split(",")
    assert "train/loss" in header and "val/online_accuracy" in header
    loss_col = header.index("train/loss")
    assert sum(bool(row.split(",")[loss_col]) for row in metrics[1:]) == 2  # one per epoch
    assert list((pretrained / "logs").glob("events.out.tfevents.*"))
    assert not list(pretrained.glob(".*.tmp"))


def test_same_seed_same_numbers(pretrained, tmp_path):
    assert main(["pretrain", "--out", str(tmp_path), "--no-progress", *SMOKE]) == 0
    a = json.loads((pretrained / "results.json").read_text())["pretrain"]["final_loss"]
    b = json.loads((tmp_path / "results.json").read_text())["pretrain"]["final_loss"]
    assert a == b


def test_bf16_mixed_pretraining_trains_float32_weights(tmp_path):
    args = ["pretrain", "--out", str(tmp_path), "--no-progress", *SMOKE, "epochs=1"]
    assert main([*args, "precision=bf16-mixed"]) == 0
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["config"]["precision"] == "bf16-mixed"
    assert torch.isfinite(torch.tensor(doc["pretrain"]["final_loss"]))
    backbone = load_checkpoint(tmp_path / "last.ckpt").backbone
    assert all(p.dtype == torch.float32 for p in backbone.parameters())


def test_pretraining_into_a_log_prints_one_line_per_epoch(tmp_path, capsys):
    # under pytest stderr is not a terminal, as when `make demo > log`
    assert main(["pretrain", "--out", str(tmp_path), *SMOKE, "epochs=2"]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = [line for line in err.splitlines() if line.startswith("epoch ")]
    assert [line.split(":")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    assert all(" windows/s" in line and "loss " in line for line in lines)


def test_checkpoint_round_trip(pretrained, hapt_data):
    loaded = load_checkpoint(pretrained / "last.ckpt")
    assert loaded.config.seed == 5 and loaded.metadata["class_names"][0] == "WALKING"
    assert torch.allclose(loaded.stats.mean["acc"], hapt_data.stats.mean["acc"])
    batch = hapt_data.splits.val.select(range(16))
    feats = extract_features(loaded.backbone, batch, "aggregator")
    again = extract_features(
        load_checkpoint(pretrained / "last.ckpt").backbone, batch, "aggregator"
    )
    assert feats.shape == (16, 32) and (feats == again).all()


def _evals(out) -> list[dict]:
    return [r for r in read_results(out / "results.jsonl") if r["kind"] == "eval"]


def test_evaluate_writes_the_documented_records(pretrained, hapt_data, tmp_path, capsys):
    out = tmp_path / "eval"
    ckpt = str(pretrained / "last.ckpt")
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(out), "--no-progress", *EVAL]) == 0
    printed = capsys.readouterr().out
    assert "| crossl |" in printed and f"results: {out}/results.jsonl" in printed
    assert {"summary.csv", "report.md", "report.html"} <= {p.name for p in out.iterdir()}
    evals = _evals(out)
    everything = ("acc", "gyro")
    by = {
        (r["probe_training"], r["label_fraction"], r["eval_seed"], tuple(r["modalities"])): r
        for r in evals
    }
    assert len(by) == len(evals) == 3 + 2 + 3 + 2
    full = [by[("all-sensors", f, s, everything)] for f, s in [(0.1, 0), (0.1, 1), (1.0, 0)]]
    # the probe trained on all sensors meets each sensor missing; refit and drop-out at 100 %
    assert {k[3] for k in by if k[0] == "all-sensors" and k[1] == 1.0} == {
        everything,
        ("acc",),
        ("gyro",),
    }
    assert {k[3] for k in by if k[0] == "refit"} == {("acc",), ("gyro",)}
    assert {k[3] for k in by if k[0] == "modality-dropout"} == {everything, ("acc",), ("gyro",)}
    # the checkpoint's limit_windows=384 windows of the training users, their labelled ones probed
    train = hapt_data.splits.train
    limited = train.select(
        torch.randperm(len(train), generator=torch.Generator().manual_seed(5))[:384].sort().values
    )
    assert full[2]["n_train"] == len(limited.labelled()) < 384
    test_users = set(HAPT_TEST_USERS)
    for r in evals:
        assert r["method"] == "crossl" and r["protocol"] == "linear" and r["hyper"]["C"] == 1.0
        assert r["n_test"] == 2874 and 0 <= r["macro_f1"] <= 1
        assert not test_users & set(r["fit_subjects"]) and set(r["test_subjects"]) <= test_users
    # even two epochs on 384 windows learn more than chance (1/6) on unseen users
    assert full[2]["macro_f1"] > 0.5


def test_evaluate_under_the_authors_protocol_and_of_the_untrained_twin(pretrained, tmp_path):
    ckpt = str(pretrained / "last.ckpt")
    args = ["--no-progress", "label_fractions=[1.0]", "eval_seeds=[0]", "missing_modalities=false"]
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(tmp_path / "own"), *args]) == 0
    authors = [*args, "probe_protocol=authors", "probe_c_grid=[0.01]"]
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(tmp_path / "a"), *authors]) == 0
    [own], [theirs] = _evals(tmp_path / "own"), _evals(tmp_path / "a")
    # training + validation users' labelled windows, C = 1 whatever the grid says
    assert own["hyper"]["probe_protocol"] == "crossl"
    assert theirs["hyper"] == {"C": 1.0, "probe_protocol": "authors"}
    assert theirs["n_train"] > own["n_train"] and theirs["n_test"] == own["n_test"]
    out = tmp_path / "untrained"
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(out), "--untrained", *args]) == 0
    twin = {r["method"]: r for r in _evals(out)}
    assert twin["crossl"]["macro_f1"] == own["macro_f1"]
    assert twin["random-init"]["macro_f1"] != own["macro_f1"]
    assert twin["random-init"]["config"]["code_size"] == own["config"]["code_size"]


def test_pretraining_under_the_authors_protocol_sees_the_labelled_windows_of_21_users(tmp_path):
    from crossl.data.protocols import prepare_data

    args = [*SMOKE, "epochs=1", "pretrain_protocol=authors"]
    assert main(["pretrain", "--out", str(tmp_path), "--no-progress", *args]) == 0
    doc = json.loads((tmp_path / "results.json").read_text())
    splits = prepare_data("hapt", limit_windows=384, seed=5).splits
    labelled = len(splits.train.labelled()) + len(splits.val.labelled())
    assert len(splits.train.labelled()) < 384 < labelled
    assert doc["config"]["pretrain_protocol"] == "authors"
    assert doc["pretrain"]["train_windows"] == labelled // 64 * 64


def test_the_authors_pretraining_is_refused_for_the_supervised_baseline(tmp_path, capsys):
    args = ["pretrain", "--config", "supervised", "--out", str(tmp_path / "s")]
    assert main([*args, "pretrain_protocol=authors"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is for self-supervised methods" in err
    assert not (tmp_path / "s").exists()
