"""``crossl benchmark`` on a prepared leave-one-subject-out cache, over two folds."""

import json

import pytest
import yaml
from small_raw_datasets import PAMAP2_SUBJECTS as SUBJECTS
from small_raw_datasets import write_pamap2, write_sleepedf, write_wesad

from crossl.cli import main

DEVICES = {"hand": ("hand_acc", "hand_gyro"), "chest": ("chest_acc", "chest_gyro")}
DEVICES |= {"ankle": ("ankle_acc", "ankle_gyro")}


WRITERS = {"pamap2": write_pamap2, "wesad": write_wesad, "sleepedf": write_sleepedf}


def prepared(tmp_path, name):
    WRITERS[name](tmp_path / "raw")
    cache = tmp_path / "cache"
    prepare = ["datasets", "prepare", name, "--raw", str(tmp_path / "raw")]
    assert main([*prepare, "--out", str(cache), "--no-progress"]) == 0
    return cache


def test_a_benchmark_over_two_folds_tests_each_left_out_subject(tmp_path, capsys):
    cache = prepared(tmp_path, "pamap2")
    grid = {
        "name": "loso",
        "dataset": "pamap2",
        "data_root": str(cache),
        "folds": [0, 1],
        "methods": ["crossl"],
        "baselines": ["random-init"],
        "overrides": ["epochs=1", "batch_size=8", "code_size=8", "online_probe=false"],
        "eval_seeds": [0],
        "protocols": ["linear"],
        "label_fractions": [1.0],
        "tsne": False,
    }
    config = tmp_path / "loso.yaml"
    config.write_text(yaml.safe_dump(grid))
    out = tmp_path / "run"
    args = ["benchmark", "--config", str(config), "--out", str(out), "--no-progress"]
    assert main(args) == 0
    capsys.readouterr()
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    evals = [r for r in records if r["kind"] == "eval"]
    assert {r["fold"] for r in records} == {0, 1}
    assert sorted(r["fold"] for r in records if r["kind"] == "pretrain") == [0, 1]
    for r in records:
        # fold k leaves out the k-th subject (by id) and validates on the next one
        test_subject = SUBJECTS[r["fold"]]
        assert test_subject not in r["fit_subjects"] and r["fit_subjects"], r["cell"]
        if r["kind"] == "eval":
            assert r["test_subjects"] == [test_subject]
    # the missing-modality study leaves out whole devices (IMUs), not single modalities
    tested = {tuple(r["modalities"]) for r in evals}
    everything = tuple(m for device in DEVICES.values() for m in device)
    assert everything in tested and (*DEVICES["chest"], *DEVICES["ankle"]) in tested
    assert DEVICES["hand"] in tested and ("hand_acc",) not in tested
    with (out / "summary.csv").open() as f:
        rows = [line.split(",") for line in f.read().splitlines()]
    header = rows[0]
    full = [
        dict(zip(header, row, strict=True))
        for row in rows[1:]
        if row[header.index("modalities")] == "+".join(everything)
        and row[header.index("probe_training")] == "all-sensors"
    ]
    assert {r["method"] for r in full} == {"crossl", "random-init"}
    assert all(r["n"] == "2" for r in full)  # one result per fold, averaged
    report = (out / "report.md").read_text()
    assert "folds: 0, 1; pretraining seeds: 0" in report
    assert "over folds × pretraining × evaluation seeds" in report


@pytest.mark.parametrize("name", ["pamap2", "wesad", "sleepedf"])
def test_every_method_of_a_shipped_dataset_grid_runs_on_its_data(name, tmp_path, capsys):
    cache = prepared(tmp_path, name)
    small = [
        f"data_root={cache}",
        "folds=null" if name == "sleepedf" else "folds=[1]",
        "baselines=[]",
        "protocols=[linear]",
        "label_fractions=[1.0]",
        "eval_seeds=[0]",
        "missing_modalities=false",
        "tsne=false",
        "overrides=[epochs=1, batch_size=8, online_probe=false]",
    ]
    out = tmp_path / "run"
    args = ["benchmark", "--config", name, "--out", str(out), "--no-progress", *small]
    assert main(args) == 0, capsys.readouterr().err
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    methods = {r["method"] for r in records if r["kind"] == "eval"}
    assert methods == {"crossl", "simclr", "vicreg", "barlow", "cocoa", "cmc", "mae"}


def test_a_dataset_grid_without_its_cache_says_how_to_make_one(capsys):
    assert main(["benchmark", "--config", "wesad", "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert "dataset=wesad reads a prepared cache: run crossl datasets prepare wesad" in err
    assert "data_root=CACHE_DIR" in err and "Traceback" not in err
