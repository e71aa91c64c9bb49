"""``crossl benchmark`` on a prepared leave-one-subject-out cache, over two folds."""

import json

import yaml
from pamap2_files import pamap2_table, write_pamap2_subject

from crossl.cli import main

SUBJECTS = (101, 102, 103, 104)
DEVICES = {"hand": ("hand_acc", "hand_gyro"), "chest": ("chest_acc", "chest_gyro")}
DEVICES |= {"ankle": ("ankle_acc", "ankle_gyro")}


def test_a_benchmark_over_two_folds_tests_each_left_out_subject(tmp_path, capsys):
    for s in SUBJECTS:
        write_pamap2_subject(tmp_path / "raw", s, pamap2_table(((1, 1600), (4, 1600))))
    cache = tmp_path / "cache"
    prepare = ["datasets", "prepare", "pamap2", "--raw", str(tmp_path / "raw")]
    assert main([*prepare, "--out", str(cache), "--no-progress"]) == 0
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
