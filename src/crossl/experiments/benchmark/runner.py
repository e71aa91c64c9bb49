"""``crossl benchmark``: run a grid of jobs, one file each, resumable; then results and report.

Layout of ``out_dir``: ``pretrain/<method>-<config hash>/`` (checkpoints, shared by every study
that pretrains the same config), ``jobs/<job>.json`` (one finished job's records, written
atomically: a re-run skips it), ``results.jsonl`` (every record, one per line; a run into a
folder that holds one, e.g. committed without ``jobs/``, skips the jobs it records), ``summary.csv``,
``report.md`` + PNGs, ``report.html``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import Callback

from crossl.config import Config, override_config
from crossl.data.container import random_absence
from crossl.data.hapt_protocols import PROTOCOLS as HAPT_PROTOCOLS
from crossl.data.hapt_protocols import get_protocol
from crossl.data.label_subsets import label_fraction_indices
from crossl.data.labelled_split import LabelledSplit
from crossl.data.protocols import PreparedData, prepare_data
from crossl.errors import CrosslError
from crossl.eval.embedding_map import tsne_points
from crossl.eval.features import chunk_windows, split_features
from crossl.eval.metrics import classification_metrics
from crossl.eval.probes import FINETUNE, fit_frozen_probe
from crossl.eval.supervised import predict_labels, train_supervised
from crossl.experiments.benchmark.config import DROPOUT, REFIT, BenchmarkConfig
from crossl.experiments.benchmark.plan import (
    GivenModel,
    Job,
    Model,
    fold_overrides,
    model_config,
    plan_jobs,
)
from crossl.experiments.benchmark.report import write_benchmark_report
from crossl.experiments.checkpoint import LoadedCheckpoint, load_checkpoint
from crossl.experiments.epoch_lines import epoch_line
from crossl.experiments.pretrain import pretrain
from crossl.experiments.resume import RESUME_NAME
from crossl.experiments.runtime import quiet_lightning, resolve_accelerator, torch_device
from crossl.io import write_json, write_text
from crossl.methods.base import MethodModule, build_backbone
from crossl.nn.backbone import MultimodalBackbone
from crossl.run_folder import run_folder


class GridProgressLike(Protocol):
    """What the runner reports to: :class:`GridProgress` or anything with its four methods (the
    CLI's progress bar)."""

    def start(self, total: int, done: int) -> None: ...

    def job(self, label: str) -> None: ...

    def status(self, text: str) -> None: ...

    def job_done(self) -> None: ...


class GridProgress:
    """What the runner reports; the CLI turns it into a progress bar. Does nothing by default."""

    def start(self, total: int, done: int) -> None:
        """The grid has ``total`` jobs, ``done`` of them finished by an earlier run."""

    def job(self, label: str) -> None:
        """A job starts."""

    def status(self, text: str) -> None:
        """Progress inside the running job (e.g. a pretraining epoch)."""

    def job_done(self) -> None:
        """The running job finished and is stored."""


def versions() -> dict[str, str]:
    """Versions of everything that shapes the numbers, stored in each record."""
    names = ("crossl", "torch", "lightning", "scikit-learn", "numpy")
    out = {name: version(name) for name in names}
    out["python"] = platform.python_version()
    out["device"] = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
    return out


class _EpochStatus(Callback):
    def __init__(self, progress: GridProgressLike, label: str):
        self.progress, self.label = progress, label

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        if isinstance(module, MethodModule):
            self.progress.status(f"{self.label}: {epoch_line(trainer, module)}")


@dataclass
class _Loaded:
    """One model's network and data (its labelled windows split once), with the features
    computed so far."""

    model: Model
    data: PreparedData
    backbone: MultimodalBackbone | None
    features: dict[tuple, np.ndarray]
    labelled: dict[str, LabelledSplit] = field(init=False)

    def __post_init__(self) -> None:
        splits = self.data.splits
        self.labelled = {k: splits.labelled_split(k) for k in ("train", "val", "test")}


class BenchmarkRunner:
    """Runs the jobs of one grid into ``out_dir``; finished jobs on disk are skipped."""

    def __init__(
        self,
        bcfg: BenchmarkConfig,
        out_dir: str | Path,
        command: str = "crossl benchmark",
        progress: GridProgressLike | None = None,
        shard: tuple[int, int] = (0, 1),
        title: str = "",
    ):
        self.bcfg = bcfg
        self.title = title or f"Benchmark {bcfg.name}"
        self.shard = shard
        self.out_dir = Path(out_dir)
        self.command = command
        self.progress: GridProgressLike = progress or GridProgress()
        self.accelerator = resolve_accelerator(bcfg.device)
        self.device = torch_device(self.accelerator)
        self._data: dict[tuple, PreparedData] = {}
        self._loaded: _Loaded | None = None
        self._given: LoadedCheckpoint | None = None
        self._versions = versions()

    def data_for(
        self,
        cfg: Config,
        dataset: str | None = None,
        given: bool = False,
        root: str | None = None,
    ) -> PreparedData:
        """Normalised splits of ``dataset`` (default the config's; ``root`` its folder when it is
        another dataset), prepared once per run. Another HAPT protocol than the config's is
        resampled to the config's sampling rate and window length; a dataset read from a cache is
        taken as it is (the encoders pool over time). ``given``: normalised with the statistics
        stored in ``bcfg.checkpoint``."""
        dataset = dataset or cfg.dataset
        data_dir = root or (cfg.data.root if dataset == cfg.dataset else None)
        resample_to = None
        in_memory = {cfg.dataset, dataset} <= set(HAPT_PROTOCOLS)
        if dataset != cfg.dataset and in_memory:
            source, target = get_protocol(cfg.dataset), get_protocol(dataset)
            if (source.sampling_rate_hz, source.window) != (target.sampling_rate_hz, target.window):
                resample_to = (source.sampling_rate_hz, source.window)
        key = (dataset, data_dir, cfg.data.fold, cfg.limit_windows, cfg.seed, resample_to, given)
        if key not in self._data:
            # the grid runs fold by fold: another fold's splits are not needed again
            self._data = {k: v for k, v in self._data.items() if k[2] == cfg.data.fold}
            self._data[key] = prepare_data(
                dataset,
                data_dir,
                limit_windows=cfg.limit_windows,
                seed=cfg.seed,
                stats=self.given().stats if given else None,
                resample_to=resample_to,
                fold=cfg.data.fold,
                memory_budget_mb=cfg.data.memory_budget_mb,
            )
        return self._data[key]

    def given(self) -> LoadedCheckpoint:
        """The model of ``bcfg.checkpoint``, read once."""
        if self._given is None:
            if self.bcfg.checkpoint is None:
                raise CrosslError("this grid evaluates no checkpoint")
            self._given = load_checkpoint(self.bcfg.checkpoint)
        return self._given

    def given_model(self) -> GivenModel:
        """The config of ``bcfg.checkpoint`` and a digest of its weights (the backbone's
        tensors: the same network gives the same digest from any file that holds it)."""
        loaded = self.given()
        state = loaded.backbone.state_dict()
        h = hashlib.sha256()
        for name in sorted(state):
            h.update(name.encode())
            h.update(state[name].detach().cpu().contiguous().numpy().tobytes())
        return GivenModel(loaded.config, h.hexdigest()[:10])

    def _model_data(self, model: Model, evaluated: bool = False) -> PreparedData:
        """The data ``model`` was pretrained on, or with ``evaluated`` the data it is evaluated
        on; the given checkpoint's model, and the baselines built on its network, are normalised
        with its statistics."""
        given = model.checkpoint is not None or (
            self.bcfg.checkpoint is not None and not model.pretrained
        )
        if not evaluated:
            return self.data_for(model.config, given=given)
        return self.data_for(model.config, model.eval_dataset, given, model.eval_root)

    def jobs(self) -> list[Job]:
        """The grid's jobs in run order."""
        given = self.given_model() if self.bcfg.checkpoint else None
        first: str | Config = given.config if given else (self.bcfg.methods or ["crossl"])[0]
        seed = given.config.seed if given else self.bcfg.pretrain_seeds[0]
        folds: Sequence[int | None] = self.bcfg.folds or [None]
        for fold in reversed(folds):  # an unknown fold fails here, not later
            cfg = model_config(self.bcfg, first, seed, self.bcfg.dataset, fold_overrides(fold))
            data = self.data_for(cfg, given=given is not None)
        jobs = plan_jobs(self.bcfg, list(data.modality_shapes), data.devices, given)
        for model in {j.model.name: j.model for j in jobs if j.protocol == FINETUNE}.values():
            self.finetune_config(model)
        return jobs

    def finetune_config(self, model: Model) -> Config:
        """The config ``model`` is fine-tuned with: its own, trained as ``supervised``, with the
        grid's ``finetune_overrides`` (one recipe for every network)."""
        # fine-tuning trains on labelled windows: the authors' pretraining data do not apply
        overrides = ["method=supervised", "pretrain_protocol=crossl", *self.bcfg.finetune_overrides]
        return override_config(model.config, overrides)

    def job_path(self, job: Job) -> Path:
        """Where a finished job's records are stored."""
        return self.out_dir / "jobs" / job.file_name

    def in_shard(self, jobs: Sequence[Job]) -> list[Job]:
        """The jobs of this runner's shard ``(i, n)``: whole pretrainings go to one shard, so
        shards run side by side (processes, GPUs, machines) without repeating work."""
        index, count = self.shard
        groups: dict[str, int] = {}
        for job in jobs:
            groups.setdefault(_group(job.model), len(groups))
        return [j for j in jobs if groups[_group(j.model)] % count == index]

    def run(self, what: str = "benchmark") -> list[dict[str, Any]]:
        """Run every unfinished job of the shard; once the whole grid is finished, write
        ``results.jsonl`` and the report and return all records (else an empty list). ``what``
        names the run in the folder lock's messages."""
        quiet_lightning()
        jobs = self.jobs()  # a fold the data lack, or a missing cache, fails before DIR exists
        index, count = self.shard
        tag = f"shard-{index}-of-{count}" if count > 1 else ""
        with run_folder(self.out_dir, what=what, tag=tag):
            return self._run(jobs)

    def _run(self, jobs: list[Job]) -> list[dict[str, Any]]:
        write_json(self.out_dir / "benchmark.json", self.bcfg.to_dict())
        mine = self.in_shard(jobs)
        self.restore_jobs(mine)
        self.progress.start(len(mine), sum(self.job_path(j).exists() for j in mine))
        for job in mine:
            if self.job_path(job).exists():
                continue
            self.progress.job(job.label)
            start = time.perf_counter()
            records = self.execute(job)
            for r in records:
                r.setdefault("seconds", round(time.perf_counter() - start, 2))
            write_json(self.job_path(job), {"key": job.key, "records": records})
            self.progress.job_done()
        if not all(self.job_path(j).exists() for j in jobs):
            return []
        records = self.collect(jobs)
        self.write_outputs(records, self.command)
        return records

    def restore_jobs(self, jobs: Sequence[Job]) -> int:
        """Store the jobs whose records the folder's ``results.jsonl`` already holds (e.g. a
        committed results file without its ``jobs/``, on another machine), so that they are not
        run again; returns how many. A job's records come whole: the file is written from
        finished jobs only, and a record names its job (``cell``)."""
        path = self.out_dir / "results.jsonl"
        if not path.is_file():
            return 0
        by_job: dict[str, list[dict[str, Any]]] = {}
        for record in read_results(path):
            by_job.setdefault(record["cell"].split("/test:")[0], []).append(record)
        restored = 0
        for job in jobs:
            if job.key in by_job and not self.job_path(job).exists():
                write_json(self.job_path(job), {"key": job.key, "records": by_job[job.key]})
                restored += 1
        return restored

    def report_partial(self) -> tuple[int, int]:
        """Write results and report from the jobs finished so far, without running any;
        the report's title says how many of the grid's jobs it holds. Returns (done, total)."""
        jobs = self.jobs()
        finished = [j for j in jobs if self.job_path(j).exists()]
        if not finished:
            raise CrosslError(f"{self.out_dir} holds no finished job of this grid yet")
        title = f"{len(finished)} of {len(jobs)} jobs" if len(finished) < len(jobs) else ""
        self.write_outputs(self.collect(finished), self.command, title)
        return len(finished), len(jobs)

    def collect(self, jobs: Sequence[Job]) -> list[dict[str, Any]]:
        """Records of ``jobs`` in plan order, read back from their files."""
        records = []
        for job in jobs:
            records += json.loads(self.job_path(job).read_text())["records"]
        return records

    def write_outputs(self, records: list[dict[str, Any]], command: str, partial: str = "") -> None:
        """``results.jsonl`` (one record per line), ``summary.csv``, ``report.md``, ``report.html``;
        ``partial`` (e.g. "120 of 400 jobs") marks a report of an unfinished grid."""
        lines = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
        write_text(self.out_dir / "results.jsonl", lines)
        title = self.title + (f" (partial: {partial})" if partial else "")
        write_benchmark_report(records, self.out_dir, command, title)

    def _common(self, job: Job) -> dict[str, Any]:
        m = job.model
        return {
            "kind": job.kind,
            "cell": job.key,
            "study": m.study,
            "method": m.method,
            "variant": m.variant,
            "pretrain_seed": m.pretrain_seed,
            "fold": m.config.data.fold,
            "dataset": m.eval_dataset,
            "config": m.config.to_dict(),
            "benchmark": self.bcfg.name,
            "versions": self._versions,
        }

    def execute(self, job: Job) -> list[dict[str, Any]]:
        """Run one job and return its records."""
        if job.kind == "pretrain":
            return [self._pretrain_record(job)]
        loaded = self._load(job.model)
        if job.kind == "embedding":
            return [self._embedding_record(job, loaded)]
        if job.protocol == FINETUNE:
            return self._finetune_records(job, loaded)
        return self._probe_records(job, loaded)

    def _pretrain_dir(self, model: Model) -> Path:
        return self.out_dir / "pretrain" / model.config_key

    def _ensure_pretrained(self, model: Model) -> dict[str, Any]:
        """Pretrain ``model`` unless an identical config was pretrained already (or it is the
        given checkpoint); its summary."""
        if model.checkpoint is not None:
            return dict(self.given().metadata.get("pretrain") or {})
        folder = self._pretrain_dir(model)
        results = folder / "results.json"
        if not results.exists():
            status = _EpochStatus(self.progress, f"{model.name}: pretraining")
            data = self.data_for(model.config)
            stopped = (folder / RESUME_NAME).is_file()  # an interrupted grid continues it
            pretrain(model.config, folder, data, False, [status], resume=stopped)
        return json.loads(results.read_text())["pretrain"]

    def _pretrain_record(self, job: Job) -> dict[str, Any]:
        summary = self._ensure_pretrained(job.model)
        data = self._model_data(job.model)
        record = self._common(job) | summary
        record["dataset"] = job.model.config.dataset
        record["fit_subjects"] = data.splits.subjects_of("train")
        return record

    def _load(self, model: Model) -> _Loaded:
        if self._loaded is not None and self._loaded.model == model:
            return self._loaded
        cfg = model.config
        if model.checkpoint is not None:
            backbone = self.given().backbone
        elif model.pretrained:
            self._ensure_pretrained(model)
            backbone = load_checkpoint(self._pretrain_dir(model) / "last.ckpt").backbone
        elif model.method == "random-init":
            L.seed_everything(model.pretrain_seed, verbose=False)
            backbone = build_backbone(cfg, self._model_data(model).modality_shapes)
        else:
            backbone = None
        data = self._model_data(model, evaluated=True)
        if backbone is not None:
            backbone = backbone.to(self.device)
            _check_transferable(self._model_data(model), data, model)
        self._loaded = _Loaded(model, data, backbone, {})
        return self._loaded

    def _features(
        self, loaded: _Loaded, split: str, present: tuple[str, ...], dropout_seed: int | None
    ) -> np.ndarray:
        """Features of a split's labelled windows with only ``present`` modalities (then random
        drop-out drawn with ``dropout_seed``), computed once per model, in chunks that fit the
        config's memory budget."""
        key = (split, present, dropout_seed)
        if key not in loaded.features:
            windows = loaded.labelled[split]
            availability = None
            if dropout_seed is not None:
                keep = torch.tensor([m in present for m in windows.modality_names])
                g = torch.Generator().manual_seed(dropout_seed)
                availability = random_absence(windows.present & keep, self.bcfg.modality_dropout, g)
            assert loaded.backbone is not None
            cfg = loaded.model.config
            window_bytes = 4 * sum(c * t for c, t in loaded.data.modality_shapes.values())
            loaded.features[key] = split_features(
                loaded.backbone,
                windows,
                cfg.features,
                present,
                availability,
                chunk_windows(window_bytes, cfg.data.memory_budget_mb),
            )
        return loaded.features[key]

    def _embedding_record(self, job: Job, loaded: _Loaded) -> dict[str, Any]:
        test = loaded.labelled["test"]
        x = self._features(loaded, "test", tuple(test.modality_names), None)
        points, labels = tsne_points(x, test.labels.numpy(), seed=job.model.pretrain_seed)
        return self._common(job) | {
            "features": loaded.model.config.features,
            "points": points,
            "labels": labels,
            "class_names": list(loaded.data.class_names),
        }

    def _eval_record(
        self,
        job: Job,
        loaded: _Loaded,
        present: tuple[str, ...],
        y_pred: np.ndarray,
        fit_subjects: torch.Tensor,
        n_train: int,
        hyper: dict[str, Any],
    ) -> dict[str, Any]:
        test = loaded.labelled["test"]
        class_names = list(loaded.data.class_names)
        metrics = classification_metrics(test.labels.numpy(), y_pred, class_names)
        return self._common(job) | {
            "cell": f"{job.key}/test:{'+'.join(present)}",
            "protocol": job.protocol,
            "probe_training": job.probe_training,
            "features": loaded.model.config.features,
            "label_fraction": job.label_fraction,
            "eval_seed": job.eval_seed,
            "modalities": list(present),
            "all_modalities": test.modality_names,
            **metrics,
            "n_train": n_train,
            "n_test": len(test),
            "hyper": hyper,
            "fit_subjects": _subjects(fit_subjects),
            "test_subjects": _subjects(test.subjects),
        }

    def _probe_records(self, job: Job, loaded: _Loaded) -> list[dict[str, Any]]:
        """A frozen probe fitted on the training users, its hyper-parameter chosen on the
        validation users; with ``probe_protocol=authors`` (linear only, checked when planned)
        fitted on the training and validation users together with C = 1, as the CroSSL authors'
        anchor."""
        cfg = loaded.model.config
        authors = cfg.probe_protocol == "authors"
        fit_splits = ("train", "val") if authors else ("train",)
        labels = torch.cat([loaded.labelled[s].labels for s in fit_splits])
        subjects = torch.cat([loaded.labelled[s].subjects for s in fit_splits])
        idx = label_fraction_indices(labels, job.label_fraction, job.eval_seed).numpy()
        dropout_seed = job.eval_seed if job.probe_training == DROPOUT else None
        x_fit = np.concatenate(
            [self._features(loaded, s, job.train_modalities, dropout_seed) for s in fit_splits]
        )[idx]
        y_fit = labels.numpy()[idx]
        if authors:  # nothing is chosen: the one C is "chosen" on the fitted windows
            x_val, y_val, c_grid = x_fit, y_fit, [1.0]
        else:
            names = loaded.labelled["train"].modality_names
            val_present = job.train_modalities if job.probe_training == REFIT else names
            x_val = self._features(loaded, "val", tuple(val_present), None)
            y_val, c_grid = loaded.labelled["val"].labels.numpy(), cfg.probe_c_grid
        probe, hyper = fit_frozen_probe(
            job.protocol,
            x_fit,
            y_fit,
            x_val,
            y_val,
            len(loaded.data.class_names),
            job.eval_seed,
            c_grid,
        )
        return [
            self._eval_record(
                job,
                loaded,
                present,
                probe.predict(self._features(loaded, "test", present, None)),
                subjects[idx],
                len(idx),
                hyper | {"probe_protocol": cfg.probe_protocol},
            )
            for present in job.test_subsets
        ]

    def _finetune_records(self, job: Job, loaded: _Loaded) -> list[dict[str, Any]]:
        data = loaded.data
        cfg = self.finetune_config(loaded.model)
        if job.probe_training == DROPOUT:
            cfg = replace(cfg, modality_dropout=self.bcfg.modality_dropout)
        train = loaded.labelled["train"].windows()  # fine-tuning reads its split into memory
        idx = label_fraction_indices(train.labels, job.label_fraction, job.eval_seed)
        subset = train.select(idx)
        run = train_supervised(
            cfg,
            data.modality_shapes,
            subset,
            data.splits.val,
            len(data.class_names),
            job.eval_seed,
            self.accelerator,
            init_backbone=loaded.backbone,
            stats=data.stats,
        )
        test = loaded.labelled["test"].windows()
        records = [
            self._eval_record(
                job,
                loaded,
                present,
                predict_labels(run.module, test.with_present(present)),
                subset.subjects,
                len(idx),
                dict(run.settings),
            )
            for present in job.test_subsets
        ]
        return [r | {"config": cfg.to_dict()} for r in records]


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """The records of a ``results.jsonl`` written by ``crossl benchmark``.

    A missing file, or a line that is not a JSON record, is a :class:`CrosslError`.
    """
    path = Path(path)
    if not path.is_file():
        raise CrosslError(f"{path} does not exist: give the results.jsonl of a benchmark")
    records = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict) or "kind" not in record:
            raise CrosslError(f"{path}, line {number}: not a benchmark record (truncated file?)")
        records.append(record)
    if not records:
        raise CrosslError(f"{path} holds no records")
    return records


def _group(model: Model) -> str:
    return model.config_key if model.pretrained else model.name


def _subjects(subjects: torch.Tensor) -> list[int]:
    return sorted(int(s) for s in torch.unique(subjects.cpu()))


def _check_transferable(source: PreparedData, target: PreparedData, model: Model) -> None:
    """A network transfers when the target has the source's modalities, in order, with the same
    channel counts (the encoders pool over time, so window lengths may differ)."""
    src = {k: v[0] for k, v in source.modality_shapes.items()}
    dst = {k: v[0] for k, v in target.modality_shapes.items()}
    if list(src.items()) != list(dst.items()):
        raise CrosslError(
            f"{model.name}: pretrained on {model.config.dataset} with modalities (channels) {src}, "
            f"but {model.eval_dataset} has {dst}: transfer needs the same names and channels"
        )
