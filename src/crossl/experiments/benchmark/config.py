"""Typed configuration of a benchmark grid: a YAML file plus ``key=value`` overrides."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from crossl.config import (
    check_fractions,
    dotlist,
    merge_structured,
    override_key,
    read_yaml,
    resolve_yaml,
)
from crossl.errors import CrosslError
from crossl.eval.probes import FROZEN_PROBES, PROBES
from crossl.nn.masking import MASKING_STRATEGIES
from crossl.shipped import benchmark_dir

FROZEN_PROTOCOLS = tuple(FROZEN_PROBES)
PROTOCOLS = PROBES
BASELINES = ("random-init", "supervised")
ALL_SENSORS = "all-sensors"
REFIT = "refit"
DROPOUT = "modality-dropout"
PROBE_TRAININGS = (ALL_SENSORS, REFIT, DROPOUT)
"""How a missing-modality probe is trained: with every sensor, refitted without the missing ones,
or with random modality drop-out."""


@dataclass
class MaskingStudy:
    """CroSSL pretrained once per masking strategy × ratio, probed linearly at a few fractions.

    ``ratios_by_strategy`` replaces ``ratios`` for the strategies it names (e.g. ``paired`` with
    two modalities has a single distinct ratio). Two points that are the same experiment (see
    :func:`crossl.nn.masking.effective_ratio`) are refused when the grid is planned.
    """

    strategies: list[str] = field(default_factory=lambda: ["spatial", "random"])
    ratios: list[float] = field(default_factory=lambda: [0.1, 0.25, 0.5, 0.75])
    ratios_by_strategy: dict[str, list[float]] = field(default_factory=dict)
    label_fractions: list[float] = field(default_factory=lambda: [0.01, 1.0])
    pretrain_seeds: list[int] = field(default_factory=lambda: [0])

    def points(self) -> list[tuple[str, float]]:
        """The study's (strategy, ratio) points in run order.

        >>> MaskingStudy(["spatial", "paired"], [0.1, 0.5], {"paired": [0.5]}).points()
        [('spatial', 0.1), ('spatial', 0.5), ('paired', 0.5)]
        """
        return [
            (s, r) for s in self.strategies for r in self.ratios_by_strategy.get(s, self.ratios)
        ]


@dataclass
class TransferStudy:
    """Pretrain on ``source``, evaluate on ``target`` (modalities matched by name and channels).

    ``source_root`` / ``target_root``: the cache folders of a source / target read from a
    prepared cache (the grid's ``data_root`` serves the grid's own ``dataset``).
    """

    source: str = "hapt"
    target: str = "hapt-transitions"
    methods: list[str] = field(default_factory=lambda: ["crossl"])
    protocols: list[str] = field(default_factory=lambda: ["linear"])
    source_root: str | None = None
    target_root: str | None = None

    def root(self, which: str, bcfg: BenchmarkConfig) -> str | None:
        """The data folder of the ``source`` or ``target``: its own root, else the grid's
        ``data_root`` when it is the grid's dataset.

        >>> t = TransferStudy("pamap2", "hapt", source_root="/c/pamap2")
        >>> grid = BenchmarkConfig(dataset="pamap2", data_root="/c/pamap2-fold")
        >>> t.root("source", grid), t.root("target", grid)
        ('/c/pamap2', None)
        """
        dataset, own = getattr(self, which), getattr(self, f"{which}_root")
        return own or (bcfg.data_root if dataset == bcfg.dataset else None)


@dataclass
class BenchmarkConfig:
    """Every setting of ``crossl benchmark``; each field is a ``key=value`` override.

    ``overrides`` apply to every pretraining and evaluation config (after the method's preset);
    ``method_overrides[name]`` to one method only. ``finetune_overrides`` apply to fine-tuning
    and the supervised baseline (batch size, epochs). ``modality_groups`` groups modalities into
    devices for the missing-modality study (default: the devices of the dataset). ``folds`` runs
    the main and masking studies once per leave-one-subject-out fold (``data.fold``) and averages
    over them; ``null`` keeps the single split of the config.
    """

    name: str = "benchmark"
    dataset: str = "hapt"
    data_root: str | None = None
    checkpoint: str | None = None
    """A pretrained model evaluated as it is (a ``last.ckpt`` or shipped weights' name), beside
    the methods the grid pretrains; its own config, with ``overrides``. The baselines then take
    its network rather than the ``crossl`` preset's."""
    methods: list[str] = field(default_factory=lambda: ["crossl"])
    baselines: list[str] = field(default_factory=lambda: list(BASELINES))
    overrides: list[str] = field(default_factory=list)
    method_overrides: dict[str, list[str]] = field(default_factory=dict)
    finetune_overrides: list[str] = field(default_factory=list)
    pretrain_seeds: list[int] = field(default_factory=lambda: [0])
    folds: list[int] | None = None
    eval_seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    protocols: list[str] = field(default_factory=lambda: list(PROTOCOLS))
    label_fractions: list[float] = field(default_factory=lambda: [0.01, 0.05, 0.1, 1.0])
    one_seed_at_full: bool = False
    """At 100 % labels run every probe with the first evaluation seed only: the labelled subset
    is the same for every seed there, only the MLP's and fine-tuning's own draws differ (the
    linear and kNN probes draw nothing and always run once)."""
    missing_modalities: bool = True
    modality_groups: dict[str, list[str]] = field(default_factory=dict)
    modality_dropout: float = 0.0
    masking: MaskingStudy | None = None
    transfer: list[TransferStudy] = field(default_factory=list)
    tsne: bool = True
    device: str = "auto"

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy, stored with every result."""
        return asdict(self)


def load_benchmark_config(name_or_path: str, overrides: list[str] | None = None) -> BenchmarkConfig:
    """Read a benchmark YAML (a shipped name or a path), apply ``key=value`` overrides, validate."""
    layers = [read_yaml(resolve_yaml(name_or_path, benchmark_dir(), "benchmark"))]
    cfg: BenchmarkConfig = merge_structured(BenchmarkConfig, layers + dotlist(overrides))
    validate_benchmark(cfg)
    return cfg


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise CrosslError(message)


def validate_benchmark(cfg: BenchmarkConfig) -> None:
    """Check names and values; raise :class:`CrosslError` naming the key and the fix."""
    from crossl.data.catalog import RECIPES
    from crossl.data.hapt_protocols import protocol_names
    from crossl.methods.registry import get_method, method_names

    datasets = protocol_names()
    _require(cfg.dataset in datasets, f"dataset={cfg.dataset!r}: choose one of {datasets}")
    _require(
        cfg.dataset not in RECIPES or bool(cfg.data_root),
        f"dataset={cfg.dataset} reads a prepared cache: run crossl datasets prepare "
        f"{cfg.dataset} --raw RAW_DIR --out CACHE_DIR, then pass data_root=CACHE_DIR",
    )
    known = [m for m in method_names() if not get_method(m).needs_labels]
    for m in cfg.methods:
        if m in method_names() and get_method(m).needs_labels:
            raise CrosslError(
                f"methods: {m} trains on labels; the supervised baseline is listed under "
                "baselines (trained on each label fraction), not as a pretraining method"
            )
        _require(m in known, f"methods: unknown method {m!r}: choose from {', '.join(known)}")
    for name in cfg.method_overrides:
        _require(name in cfg.methods, f"method_overrides: {name!r} is not in methods")
    for b in cfg.baselines:
        _require(b in BASELINES, f"baselines: unknown {b!r}: choose from {', '.join(BASELINES)}")
    _require(
        bool(cfg.methods or cfg.baselines or cfg.checkpoint),
        "methods, baselines and checkpoint are all empty: nothing to evaluate",
    )
    for p in cfg.protocols:
        _require(p in PROTOCOLS, f"protocols: unknown {p!r}: choose from {', '.join(PROTOCOLS)}")
    _require(bool(cfg.protocols), "protocols is empty: choose from " + ", ".join(PROTOCOLS))
    for key in ("pretrain_seeds", "eval_seeds", "label_fractions"):
        _require(bool(getattr(cfg, key)), f"{key} is empty")
    check_fractions("label_fractions", cfg.label_fractions)
    _require(
        cfg.checkpoint is None or cfg.folds is None,
        "checkpoint and folds: a checkpoint was pretrained on one split, and the other folds' "
        "test subjects are among its training subjects; evaluate it alone on its own fold",
    )
    if cfg.folds is not None:
        distinct = len(set(cfg.folds)) == len(cfg.folds)
        _require(
            bool(cfg.folds) and distinct and min(cfg.folds) >= 0,
            f"folds={cfg.folds}: give distinct fold numbers from 0, e.g. [0, 1, 2], or null",
        )
        _require(
            "data.fold" not in map(override_key, cfg.overrides),
            "folds and data.fold in overrides both choose the split: keep only folds",
        )
    _require(
        0.0 <= cfg.modality_dropout < 1.0,
        f"modality_dropout={cfg.modality_dropout} must be in [0, 1)",
    )
    if cfg.masking is not None:
        check_fractions("masking.label_fractions", cfg.masking.label_fractions)
        for s in [*cfg.masking.strategies, *cfg.masking.ratios_by_strategy]:
            _require(
                s in MASKING_STRATEGIES,
                f"masking.strategies: unknown {s!r}: choose from {', '.join(MASKING_STRATEGIES)}",
            )
        for _, r in cfg.masking.points():
            _require(0.0 <= r < 1.0, f"masking.ratios: {r} must be in [0, 1)")
    names = [f"{t.source}→{t.target}" for t in cfg.transfer]
    _require(len(set(names)) == len(names), f"transfer: {names} repeats a source→target pair")
    for t in cfg.transfer:
        for which in ("source", "target"):
            d = getattr(t, which)
            _require(d in datasets, f"transfer: unknown dataset {d!r}: choose one of {datasets}")
            _require(
                d not in RECIPES or bool(t.root(which, cfg)),
                f"transfer: {d} reads a prepared cache: give its folder as "
                f"transfer {which}_root=CACHE_DIR",
            )
        for m in t.methods:
            _require(m in known, f"transfer.methods: unknown method {m!r}")
        for p in t.protocols:
            _require(p in FROZEN_PROTOCOLS, f"transfer.protocols: {p!r} is not a frozen probe")
