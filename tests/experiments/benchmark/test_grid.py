"""The benchmark grid: plan, leakage, missing modalities, resumption after a crash, CLI errors."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
import yaml

from crossl.cli import main
from crossl.data.hapt_protocols import HAPT_TEST_USERS
from crossl.errors import CrosslError
from crossl.experiments.benchmark.config import REFIT, load_benchmark_config
from crossl.experiments.benchmark.plan import Job, plan_jobs, plan_models
from crossl.experiments.benchmark.runner import BenchmarkRunner, GridProgress
from crossl.experiments.pretrain import load_data
from crossl.nn.backbone import MultimodalBackbone

TINY = {
    "name": "tiny",
    "methods": ["crossl"],
    "baselines": ["random-init", "supervised"],
    "overrides": ["epochs=1", "limit_windows=200", "code_size=8", "batch_size=32"],
    "finetune_overrides": ["batch_size=32", "supervised_epochs=1", "supervised_min_steps=2"],
    "pretrain_seeds": [0],
    "eval_seeds": [0, 1],
    "protocols": ["linear", "finetune"],
    "label_fractions": [0.05, 1.0],
    "modality_dropout": 0.5,
    "tsne": False,
}


def tiny_config(tmp_path, **changes):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY | changes))
    return load_benchmark_config(str(path))


def test_shipped_configs_load():
    for name in ("hapt-quick", "hapt"):
        assert load_benchmark_config(name).dataset == "hapt"
    folds = {"pamap2": list(range(8)), "wesad": list(range(15)), "sleepedf": None}
    for name, expected in folds.items():
        bcfg = load_benchmark_config(name, ["data_root=/data/cache"])
        assert (bcfg.dataset, bcfg.folds) == (name, expected)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("nonsense=1", "nonsense"),
        ("methods=[crossl,nope]", "unknown method 'nope'"),
        ("methods=[supervised]", "listed under baselines"),
        ("protocols=[svm]", "unknown 'svm'"),
        ("label_fractions=[0.0]", "must be a non-empty list"),
        ("modality_dropout=1.0", "must be in [0, 1)"),
        ("eval_seeds", "not of the form key=value"),
    ],
)
def test_bad_benchmark_settings_are_refused(override, message):
    with pytest.raises(CrosslError, match=re.escape(message)):
        load_benchmark_config("hapt-quick", [override])


def test_a_checkpoint_is_not_scored_on_the_folds_whose_test_subjects_it_trained_on():
    with pytest.raises(CrosslError, match="checkpoint and folds"):
        load_benchmark_config("pamap2", ["data_root=/data/cache", "checkpoint=crossl-hapt"])
    with pytest.raises(CrosslError, match="set pretrain_seeds of the grid"):
        tiny = load_benchmark_config("hapt-quick", ["overrides=[seed=3]"])
        plan_models(tiny)


def test_plan_counts_by_hand(tmp_path):
    bcfg = tiny_config(tmp_path)
    jobs = plan_jobs(bcfg, ["acc", "gyro"])
    by_model: dict[str, list[Job]] = {}
    for job in jobs:
        by_model.setdefault(job.model.method, []).append(job)
    # crossl: 1 pretraining; linear: 5 % x 2 seeds + 100 % once (deterministic) + drop-out probe
    # + 2 refits; finetune: 2 fractions x 2 seeds + drop-out fine-tune at 100 % (first seed).
    assert [j.kind for j in by_model["crossl"]].count("pretrain") == 1
    linear = [j for j in by_model["crossl"] if j.protocol == "linear"]
    assert len(linear) == 2 + 1 + 1 + 2
    assert len([j for j in by_model["crossl"] if j.protocol == "finetune"]) == 4 + 1
    # random-init has no fine-tuning (that is the supervised baseline) and no pretraining.
    assert {j.protocol for j in by_model["random-init"]} == {"linear"}
    assert {j.protocol for j in by_model["supervised"]} == {"finetune"}
    # the 100 % all-sensor probe is tested with every modality subset; refits only with theirs.
    full = next(j for j in linear if j.label_fraction == 1.0 and j.probe_training != REFIT)
    assert full.test_subsets == (("acc", "gyro"), ("acc",), ("gyro",))
    refits = [j for j in linear if j.probe_training == REFIT]
    assert [j.test_subsets for j in refits] == [(("acc",),), (("gyro",),)]
    assert len({j.key for j in jobs}) == len(jobs)
    assert len({j.file_name for j in jobs}) == len(jobs)


def test_the_untrained_network_is_probed_with_every_feature_kind_of_the_methods(tmp_path):
    bcfg = tiny_config(tmp_path, methods=["crossl", "simclr"], pretrain_seeds=[0, 1])
    untrained = [m for m in plan_models(bcfg) if m.method == "random-init"]
    assert [(m.variant, m.pretrain_seed, m.config.features) for m in untrained] == [
        ("", 0, "aggregator"),
        ("encoders", 0, "encoders"),
        ("", 1, "aggregator"),
        ("encoders", 1, "encoders"),
    ]
    a, b = (m.config.to_dict() for m in untrained[:2])
    assert {k for k in a if a[k] != b[k]} == {"features"}
    only_crossl = [m for m in plan_models(tiny_config(tmp_path)) if m.method == "random-init"]
    assert [m.variant for m in only_crossl] == [""]


def test_one_seed_at_full_labels_runs_every_probe_once_at_100_percent(tmp_path):
    def count(bcfg, method, protocol, fraction):
        jobs = plan_jobs(bcfg, ["acc", "gyro"])
        return sum(
            j.model.method == method
            and j.protocol == protocol
            and j.label_fraction == fraction
            and j.probe_training == "all-sensors"
            for j in jobs
        )

    every = tiny_config(tmp_path, protocols=["linear", "mlp", "finetune"])
    once = tiny_config(tmp_path, protocols=["linear", "mlp", "finetune"], one_seed_at_full=True)
    for protocol, method in [("mlp", "crossl"), ("finetune", "crossl"), ("finetune", "supervised")]:
        assert count(every, method, protocol, 1.0) == 2 and count(once, method, protocol, 1.0) == 1
        assert count(every, method, protocol, 0.05) == count(once, method, protocol, 0.05) == 2
    assert count(every, "crossl", "linear", 1.0) == count(once, "crossl", "linear", 1.0) == 1


def test_folds_plan_the_main_and_masking_studies_once_per_fold(tmp_path):
    masking = {"strategies": ["random"], "ratios": [0.25], "label_fractions": [1.0]}
    single = plan_jobs(tiny_config(tmp_path, tsne=True, masking=masking), ["acc", "gyro"])
    bcfg = tiny_config(tmp_path, tsne=True, masking=masking, folds=[2, 0])
    jobs = plan_jobs(bcfg, ["acc", "gyro"])
    maps = [j for j in single if j.kind == "embedding"]
    assert [j.model.method for j in maps] == ["crossl", "random-init"]
    # every job once per fold, fold 2 first, except the t-SNE maps: first fold only
    assert [j.model.fold for j in jobs] == [2] * len(single) + [0] * (len(single) - len(maps))
    assert [j.model.fold for j in jobs if j.kind == "embedding"] == [2, 2]
    for job in jobs:
        assert job.model.config.data.fold == job.model.fold
        assert job.model.name.endswith(f"fold{job.model.fold}")
    assert len({j.key for j in jobs}) == len(jobs)
    # without folds: the names of a single split, on fold 0 of the config
    assert all(j.model.fold is None and "fold" not in j.model.name for j in single)
    assert {j.model.config.data.fold for j in single} == {0}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"folds": []}, "give distinct fold numbers"),
        ({"folds": [1, 1]}, "give distinct fold numbers"),
        ({"folds": [-1]}, "give distinct fold numbers"),
        ({"folds": [0, 1], "overrides": ["data.fold=1"]}, "keep only folds"),
    ],
)
def test_bad_folds_are_refused(tmp_path, changes, message):
    with pytest.raises(CrosslError, match=message):
        tiny_config(tmp_path, **changes)


def test_folds_of_a_dataset_without_them_fail_before_any_job(tmp_path):
    runner = BenchmarkRunner(tiny_config(tmp_path, folds=[0, 1]), tmp_path / "out")
    with pytest.raises(CrosslError, match=r"data.fold=1: hapt has one fixed split"):
        runner.run()
    assert not (tmp_path / "out").exists()


def test_other_settings_never_reuse_a_job_of_the_same_folder(tmp_path):
    keys = {j.key for j in plan_jobs(tiny_config(tmp_path), ["acc", "gyro"])}
    longer = tiny_config(tmp_path, overrides=[*TINY["overrides"], "epochs=2"])
    pretrained = [j.key for j in plan_jobs(longer, ["acc", "gyro"]) if j.model.pretrained]
    assert pretrained and not keys & set(pretrained)
    recipe = tiny_config(tmp_path, finetune_overrides=["supervised_epochs=2"], modality_dropout=0.3)
    for job in plan_jobs(recipe, ["acc", "gyro"]):
        changed = job.protocol == "finetune" or job.probe_training == "modality-dropout"
        assert (job.key in keys) != changed, job.key


def test_masking_variant_equal_to_main_config_shares_its_pretraining(tmp_path):
    bcfg = tiny_config(
        tmp_path,
        masking={
            "strategies": ["paired", "spatial"],
            "ratios": [0.5, 0.25],
            "ratios_by_strategy": {"paired": [0.5]},
            "label_fractions": [1.0],
        },
    )
    models = {(m.study, m.variant): m for m in plan_models(bcfg)}
    main_crossl = models[("main", "")]
    # the crossl preset draws paired views with ratio 0.5
    assert models[("masking", "paired@0.5")].config_key == main_crossl.config_key
    assert models[("masking", "spatial@0.5")].config_key != main_crossl.config_key


def test_masking_points_that_are_the_same_experiment_are_refused_when_planned(tmp_path):
    study = {"strategies": ["spatial", "paired"], "ratios": [0.25, 0.5, 0.75]}
    bcfg = tiny_config(tmp_path, masking=study)
    with pytest.raises(CrosslError, match=r"spatial@0.75 is the same experiment as spatial@0.5"):
        plan_jobs(bcfg, ["acc", "gyro"])
    # with three modalities every point is its own: spatial@0.75 hides 2 of 3, paired@0.25 one
    assert plan_jobs(bcfg, ["a", "b", "c"])
    below_one = tiny_config(tmp_path, masking={"strategies": ["paired"], "ratios": [0.1, 0.25]})
    with pytest.raises(CrosslError, match=r"paired@0.25 is the same experiment as paired@0.1"):
        plan_jobs(below_one, ["a", "b", "c"])  # both hide exactly one of three
    per_strategy = study | {"ratios_by_strategy": {"spatial": [0.25, 0.5], "paired": [0.5]}}
    jobs = plan_jobs(tiny_config(tmp_path, masking=per_strategy), ["acc", "gyro"])
    variants = {j.model.variant for j in jobs if j.model.study == "masking"}
    assert variants == {"spatial@0.25", "spatial@0.5", "paired@0.5"}


def test_temporal_points_above_the_patch_cap_are_refused_when_planned(tmp_path):
    study = {"strategies": ["temporal", "spatiotemporal"], "ratios": [0.5, 0.75]}
    patched = TINY["overrides"] + ["latent_patches=2"]
    bcfg = tiny_config(tmp_path, masking=study, overrides=patched)
    with pytest.raises(CrosslError, match=r"temporal@0.75 is the same experiment as temporal@0.5"):
        plan_jobs(bcfg, ["acc", "gyro"])  # with 2 patches temporal hides at most one
    tokens = study | {"strategies": ["spatiotemporal"]}  # 4 tokens: 0.5 hides two, 0.75 three
    assert plan_jobs(tiny_config(tmp_path, masking=tokens, overrides=patched), ["acc", "gyro"])


def test_masking_study_tests_every_sensor_subset_with_the_three_probe_trainings(tmp_path):
    study = {"strategies": ["paired"], "ratios": [0.5], "label_fractions": [0.01, 1.0]}
    jobs = plan_jobs(tiny_config(tmp_path, masking=study), ["acc", "gyro"])
    evals = [j for j in jobs if j.model.study == "masking" and j.kind == "eval"]
    at_full = [j for j in evals if j.label_fraction == 1.0]
    trainings = sorted((j.probe_training, j.test_subsets) for j in at_full)
    everything = (("acc", "gyro"), ("acc",), ("gyro",))
    assert trainings == [
        ("all-sensors", everything),
        ("modality-dropout", everything),
        ("refit", (("acc",),)),
        ("refit", (("gyro",),)),
    ]
    assert all(j.test_subsets == (("acc", "gyro"),) for j in evals if j.label_fraction < 1.0)


def test_unknown_masking_strategy_in_a_study_is_refused(tmp_path):
    with pytest.raises(CrosslError, match=r"masking\.strategies: unknown 'exact'"):
        tiny_config(tmp_path, masking={"strategies": ["exact"]})


class CrashAfter(GridProgress):
    """Raises when the job after ``n`` finished ones starts: that job is lost, as in a kill."""

    def __init__(self, n: int):
        self.n, self.done = n, 0

    def job(self, label: str) -> None:
        if self.done == self.n:
            raise KeyboardInterrupt

    def job_done(self) -> None:
        self.done += 1


def test_killed_and_restarted_grid_gives_the_same_summary(tmp_path):
    bcfg = tiny_config(tmp_path)
    whole = BenchmarkRunner(bcfg, tmp_path / "whole")
    records = whole.run()
    assert records
    runner = BenchmarkRunner(bcfg, tmp_path / "resumed", progress=CrashAfter(4))
    with pytest.raises(KeyboardInterrupt):
        runner.run()
    stored = sorted((tmp_path / "resumed" / "jobs").glob("*.json"))
    assert len(stored) == 4
    assert not (tmp_path / "resumed" / "summary.csv").exists()
    BenchmarkRunner(bcfg, tmp_path / "resumed").run()
    for name in ("summary.csv",):
        assert (tmp_path / "whole" / name).read_bytes() == (
            tmp_path / "resumed" / name
        ).read_bytes()
    assert "report.html" in {p.name for p in (tmp_path / "resumed").iterdir()}
    # the report can be rebuilt from results.jsonl alone
    assert (
        main(["report", str(tmp_path / "whole" / "results.jsonl"), "--out", str(tmp_path / "r")])
        == 0
    )
    assert (tmp_path / "r" / "summary.csv").read_bytes() == (
        tmp_path / "whole" / "summary.csv"
    ).read_bytes()

    lines = (tmp_path / "whole" / "results.jsonl").read_text().splitlines()
    evals = [json.loads(line) for line in lines]
    evals = [r for r in evals if r["kind"] == "eval"]
    assert {r["protocol"] for r in evals} == {"linear", "finetune"}
    test_users = set(HAPT_TEST_USERS)
    for r in [json.loads(line) for line in lines]:
        # nothing from a test user reaches pretraining or probe fitting
        assert not test_users & set(r["fit_subjects"]), r["cell"]
        if r["kind"] == "eval":
            assert set(r["test_subjects"]) <= test_users
            assert {"macro_f1", "cohen_kappa", "balanced_accuracy", "per_class_f1"} <= set(r)
            assert r["config"]["method"] and r["versions"]["torch"]


def test_missing_modality_reaches_the_aggregator_as_absent(tmp_path, monkeypatch):
    bcfg = tiny_config(
        tmp_path,
        protocols=["linear", "finetune"],
        overrides=[*TINY["overrides"], "features=aggregator"],
    )
    runner = BenchmarkRunner(bcfg, tmp_path / "out")
    jobs = runner.jobs()
    seen: list[torch.Tensor] = []
    original = MultimodalBackbone.features_from_embeddings

    def spy(self, emb, present, kind):
        seen.append(present.detach().cpu().clone())
        return original(self, emb, present, kind)

    monkeypatch.setattr(MultimodalBackbone, "features_from_embeddings", spy)
    for protocol in ("linear", "finetune"):
        job = next(
            j
            for j in jobs
            if j.model.method == "crossl"
            and j.protocol == protocol
            and j.test_subsets[-1:] == (("gyro",),)
        )
        runner.execute(next(j for j in jobs if j.kind == "pretrain"))
        seen.clear()
        records = runner.execute(job)
        assert [r["modalities"] for r in records] == [["acc", "gyro"], ["acc"], ["gyro"]]
        # the last batches are the test windows with only the gyroscope present
        last = seen[-1]
        assert last.shape[1] == 2 and not last[:, 0].any() and last[:, 1].all()
        assert any(p[:, 0].all() and not p[:, 1].any() for p in seen)


def test_report_from_a_truncated_results_file_is_refused(capsys, tmp_path):
    results = tmp_path / "results.jsonl"
    results.write_text('{"kind": "eval", "cell": "a"}\n{"kind": "ev')
    assert main(["report", str(results), "--out", str(tmp_path / "r")]) == 2
    assert "line 2: not a benchmark record" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
    assert main(["report", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "r")]) == 2


def test_cli_errors_are_one_line(capsys, tmp_path):
    assert main(["benchmark", "--config", "nope", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown benchmark 'nope'" in err
    args = ["benchmark", "--config", "hapt-quick", "--out", str(tmp_path), "--shard", "2/2"]
    assert main(args) == 2
    assert "--shard '2/2' must be I/N" in capsys.readouterr().err


def test_config_keys_leave_out_later_keys_at_their_default():
    from dataclasses import replace

    from crossl.config import load_config
    from crossl.experiments.benchmark.plan import Model, digest

    cfg = load_config("crossl", ["epochs=3"])
    model = Model("main", "crossl", "", 0, cfg, True, "hapt")
    later = ("device", "precision", "pretrain_protocol", "probes", "trainer")
    before = {k: v for k, v in cfg.to_dict().items() if k not in later}
    assert model.config_key == f"crossl-{digest(before)}"
    bf16 = replace(model, config=replace(cfg, precision="bf16-mixed"))
    authors = replace(model, config=replace(cfg, pretrain_protocol="authors"))
    assert len({model.config_key, bf16.config_key, authors.config_key}) == 3


def test_the_authors_protocol_fits_on_training_and_validation_users_with_c_1(tmp_path):
    authors = [*TINY["overrides"], "probe_protocol=authors"]
    bcfg = tiny_config(tmp_path, baselines=[], protocols=["linear"], overrides=authors)
    runner = BenchmarkRunner(bcfg, tmp_path / "out")
    jobs = runner.jobs()
    runner.execute(next(j for j in jobs if j.kind == "pretrain"))
    job = next(j for j in jobs if j.kind == "eval" and j.label_fraction == 1.0)
    [record, *_] = runner.execute(job)
    data = load_data(job.model.config)  # the same 200 training windows
    fitted = set(data.splits.train.subjects.tolist()) | set(data.splits.val.subjects.tolist())
    assert set(record["fit_subjects"]) == fitted  # the validation users are fitted on too
    assert record["hyper"] == {"C": 1.0, "probe_protocol": "authors"}
    assert record["n_train"] == len(data.splits.train.labelled()) + len(data.splits.val.labelled())
    with pytest.raises(CrosslError, match="probe_protocol=authors is defined for the linear"):
        plan_jobs(tiny_config(tmp_path, protocols=["linear", "knn"], overrides=authors), ["acc"])


def test_a_grid_continues_a_pretraining_that_was_interrupted(tmp_path):
    from lightning.pytorch.callbacks import Callback

    from crossl.experiments.pretrain import pretrain

    class Killed(RuntimeError):
        pass

    class KillAtSecondEpoch(Callback):
        def on_train_epoch_start(self, trainer, pl_module):
            if trainer.current_epoch == 1:
                raise Killed

    two_epochs = [*TINY["overrides"], "epochs=2"]
    bcfg = tiny_config(tmp_path, baselines=[], protocols=["linear"], overrides=two_epochs)
    runner = BenchmarkRunner(bcfg, tmp_path / "out")
    job = next(j for j in runner.jobs() if j.kind == "pretrain")
    folder = tmp_path / "out" / "pretrain" / job.model.config_key
    with pytest.raises(Killed):
        pretrain(job.model.config, folder, progress=False, callbacks=[KillAtSecondEpoch()])
    assert (folder / "resume.ckpt").is_file()
    [record] = runner.execute(job)
    assert record["epochs"] == 2 and (folder / "last.ckpt").is_file()
    assert not (folder / "resume.ckpt").exists()


class CountJobs(GridProgress):
    def __init__(self):
        self.started = 0

    def job(self, label: str) -> None:
        self.started += 1


def test_a_committed_results_file_is_a_resume_point(tmp_path):
    bcfg = tiny_config(tmp_path, protocols=["linear"], baselines=["random-init"])
    whole = BenchmarkRunner(bcfg, tmp_path / "whole")
    whole.run()
    lines = (tmp_path / "whole" / "results.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    # another machine: the results file alone, less the records of one evaluation job
    dropped = next(r["cell"].split("/test:")[0] for r in records if r["kind"] == "eval")
    kept = [
        line for line, r in zip(lines, records, strict=True) if not r["cell"].startswith(dropped)
    ]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "results.jsonl").write_text("\n".join(kept) + "\n")
    counter = CountJobs()
    BenchmarkRunner(bcfg, tmp_path / "other", progress=counter).run()
    assert counter.started == 1  # only the job whose records were missing ran
    again = (tmp_path / "other" / "results.jsonl").read_text().splitlines()
    untimed = [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in again]
    assert untimed == [{k: v for k, v in r.items() if k != "seconds"} for r in records]
    assert (tmp_path / "whole" / "summary.csv").read_bytes() == (
        tmp_path / "other" / "summary.csv"
    ).read_bytes()


def test_evaluate_offers_every_probe_and_gives_the_benchmark_records_of_its_checkpoint(tmp_path):
    from crossl.experiments.benchmark.config import PROTOCOLS
    from crossl.experiments.evaluate import evaluate_checkpoint

    quick_finetune = ["supervised_epochs=1", "supervised_min_steps=2"]
    bcfg = tiny_config(
        tmp_path,
        baselines=[],
        overrides=[*TINY["overrides"], *quick_finetune],
        finetune_overrides=[],
        protocols=list(PROTOCOLS),
        eval_seeds=[0],
    )
    grid = BenchmarkRunner(bcfg, tmp_path / "grid").run()
    [checkpoint] = (tmp_path / "grid" / "pretrain").glob("crossl-*/last.ckpt")
    probes = f"probes=[{','.join(PROTOCOLS)}]"
    evaluated = evaluate_checkpoint(
        checkpoint, [probes, "label_fractions=[0.05,1.0]", "eval_seeds=[0]"], tmp_path / "eval"
    )

    def same(records):  # the cell keys of the given checkpoint also name its weights
        drop = ("seconds", "benchmark", "cell")
        return [{k: v for k, v in r.items() if k not in drop} for r in records]

    assert {r["protocol"] for r in evaluated if r["kind"] == "eval"} == set(PROTOCOLS)
    assert len(evaluated) == len(grid) > 30
    assert same(evaluated) == same(grid)
    assert [r["cell"].replace(f"/{_weights(r)}", "") for r in evaluated] == [
        r["cell"] for r in grid
    ]
    # another network with the same config, evaluated into the same folder, is evaluated anew
    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=True)
    name = next(k for k in ckpt["state_dict"] if k.startswith("backbone."))
    ckpt["state_dict"][name] = ckpt["state_dict"][name] + 0.5
    other = tmp_path / "other.ckpt"
    torch.save(ckpt, other)
    again = evaluate_checkpoint(
        other, [probes, "label_fractions=[0.05,1.0]", "eval_seeds=[0]"], tmp_path / "eval"
    )
    assert {_weights(r) for r in again}.isdisjoint({_weights(r) for r in evaluated})
    assert [r["macro_f1"] for r in again[1:]] != [r["macro_f1"] for r in evaluated[1:]]


def _weights(record: dict) -> str:
    return next(part for part in record["cell"].split("/") if part.startswith("weights-"))


def _npz_cache(root, seed: int):
    from crossl.data import prepare_dataset

    rng = np.random.default_rng(seed)
    labels = np.arange(120) % 3
    signals = {m: rng.normal(size=(120, 3, 32)) + labels[:, None, None] for m in ("acc", "gyro")}
    (root / "raw").mkdir(parents=True)
    np.savez(root / "raw" / "w.npz", **signals, labels=labels, subjects=np.arange(120) // 12)
    prepare_dataset("npz", root / "raw", root / "cache", {"rate_hz": 16})
    return str(root / "cache")


def test_a_transfer_study_between_two_prepared_caches_runs(tmp_path):
    source, target = _npz_cache(tmp_path / "a", 0), _npz_cache(tmp_path / "b", 1)
    bcfg = tiny_config(
        tmp_path,
        dataset="npz",
        data_root=source,
        baselines=[],
        protocols=["linear"],
        label_fractions=[1.0],
        eval_seeds=[0],
        missing_modalities=False,
        modality_dropout=0.0,
        transfer=[{"source": "npz", "target": "npz", "target_root": target}],
    )
    records = BenchmarkRunner(bcfg, tmp_path / "out").run()
    evals = {r["study"]: r for r in records if r["kind"] == "eval"}
    assert set(evals) == {"main", "transfer"} and evals["transfer"]["variant"] == "npz→npz"
    # the same pretrained network, probed on the other cache's windows
    assert evals["main"]["config"] == evals["transfer"]["config"]
    assert evals["main"]["n_test"] > 0 and evals["transfer"]["macro_f1"] > 0.5
    assert evals["main"]["macro_f1"] != evals["transfer"]["macro_f1"]


def test_a_transfer_target_read_from_a_cache_needs_its_folder(tmp_path):
    with pytest.raises(CrosslError, match="target_root=CACHE_DIR"):
        tiny_config(tmp_path, transfer=[{"source": "hapt", "target": "pamap2"}])
