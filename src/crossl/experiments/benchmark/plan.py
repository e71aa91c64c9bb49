"""The jobs of a benchmark grid: which models exist and what is evaluated on each, in run order."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crossl.config import Config, load_config, override_config, override_key
from crossl.errors import CrosslError
from crossl.eval.probes import FINETUNE, FROZEN_PROBES
from crossl.experiments.benchmark.config import (
    ALL_SENSORS,
    DROPOUT,
    FROZEN_PROTOCOLS,
    REFIT,
    BenchmarkConfig,
    TransferStudy,
)
from crossl.nn.masking import effective_ratio, masking_units

DETERMINISTIC_PROTOCOLS = tuple(name for name, probe in FROZEN_PROBES.items() if not probe.seeded)
"""Probes whose fit depends only on the training subset: at 100 % labels they run once."""


def modality_group_subsets(groups: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    """Modalities present for every non-empty proper subset of the groups (e.g. devices),
    larger subsets first.

    >>> modality_group_subsets({"acc": ["acc"], "gyro": ["gyro"]})
    [('acc',), ('gyro',)]
    >>> modality_group_subsets({"phone": ["acc", "gyro"], "watch": ["ppg"]})
    [('acc', 'gyro'), ('ppg',)]
    """
    names = list(groups)
    return [
        tuple(m for g in combo for m in groups[g])
        for r in range(len(names) - 1, 0, -1)
        for combo in itertools.combinations(names, r)
    ]


def fraction_seeds(
    fractions: Sequence[float], seeds: Sequence[int], once_at_full: bool = True
) -> list[tuple[float, int]]:
    """(fraction, seed) cells. The 100 % subset is the same for every seed, so with
    ``once_at_full`` (a fit that depends on its training windows only) it runs for the first seed.

    >>> fraction_seeds([0.1, 1.0], [0, 1]), fraction_seeds([1.0], [0, 1], once_at_full=False)
    ([(0.1, 0), (0.1, 1), (1.0, 0)], [(1.0, 0), (1.0, 1)])
    """
    return [
        (fraction, seed)
        for fraction in fractions
        for seed in (seeds[:1] if once_at_full and fraction >= 1.0 else seeds)
    ]


def digest(settings: object) -> str:
    """A short hash of JSON-able ``settings``: equal settings, equal digest.

    >>> digest({"a": 1, "b": [2]}) == digest({"b": [2], "a": 1}), len(digest([]))
    (True, 10)
    """
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Model:
    """A representation to evaluate: a method pretrained with a seed, or a baseline network.

    ``pretrained`` is False for ``random-init`` and ``supervised`` (trained only on labels).
    ``config`` is the pretraining config (for baselines, the network's config).
    """

    study: str
    method: str
    variant: str
    pretrain_seed: int
    config: Config
    pretrained: bool
    eval_dataset: str
    fold: int | None = None
    """The leave-one-subject-out fold when the grid runs several (``folds``), else None."""
    checkpoint: str | None = None
    """Where a model given to the grid (``BenchmarkConfig.checkpoint``) is read from; None for
    the models the grid pretrains or builds."""
    eval_root: str | None = None
    """The cache folder of ``eval_dataset`` when it is another dataset read from a cache."""
    weights: str = ""
    """A digest of the given checkpoint's weights (empty for the models the grid makes): in
    every job key of that model, so that the results of another checkpoint with the same config
    are never taken for its own."""

    @property
    def name(self) -> str:
        """Display name, e.g. ``crossl s0``, ``crossl spatial@0.25 s0`` or ``crossl s0 fold3``."""
        fold = "" if self.fold is None else f"fold{self.fold}"
        parts = [self.method, self.variant, f"s{self.pretrain_seed}", fold]
        return " ".join(p for p in parts if p)

    @property
    def config_key(self) -> str:
        """Short hash of the pretraining config: equal configs share one pretraining."""
        cfg = {
            k: v
            for k, v in self.config.to_dict().items()
            if k not in ("device", "trainer")
            and not (k in LATER_KEY_DEFAULTS and v == LATER_KEY_DEFAULTS[k])
        }
        return f"{self.config.method}-{digest(cfg)}"


# Config keys added after run folders and committed results existed: left out of the hash while
# at their default, so those folders and results still resume (the runs did not change).
LATER_KEY_DEFAULTS = {
    key: getattr(Config(), key) for key in ("precision", "pretrain_protocol", "probes")
}


@dataclass(frozen=True)
class Job:
    """One unit of work, stored in one file: a pretraining, a t-SNE map, or a fitted probe
    (or fine-tuned network) evaluated with every modality subset it is meant for."""

    kind: str
    model: Model
    protocol: str = ""
    probe_training: str = ALL_SENSORS
    label_fraction: float = 1.0
    eval_seed: int = 0
    train_modalities: tuple[str, ...] = ()
    test_subsets: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    recipe: str = ""
    """Settings beyond the model's config that shape the job (fine-tuning recipe, drop-out)."""

    @property
    def key(self) -> str:
        """Unique, readable identifier, also the stem of the job's file name. It holds the
        model's config hash and the job's recipe, so a grid re-run into the same folder with other
        settings never mistakes another setting's result for its own."""
        m = self.model
        parts = [m.study, m.method, m.variant, f"s{m.pretrain_seed}", m.eval_dataset]
        parts += [m.config_key, f"weights-{m.weights}" if m.weights else "", self.kind, self.recipe]
        if self.kind == "eval":
            parts += [
                self.protocol,
                self.probe_training,
                "+".join(self.train_modalities),
                f"f{self.label_fraction:g}",
                f"e{self.eval_seed}",
            ]
        return "/".join(p for p in parts if p)

    @property
    def file_name(self) -> str:
        """A file-system-safe name for :attr:`key`, unique through a short hash."""
        safe = re.sub(r"[^A-Za-z0-9.@+_-]+", "_", self.key.replace("/", "__"))
        return f"{safe}-{hashlib.sha256(self.key.encode()).hexdigest()[:8]}.json"

    @property
    def label(self) -> str:
        """What the progress bar shows while the job runs."""
        if self.kind != "eval":
            return f"{self.model.name}: {self.kind}"
        extra = "" if self.probe_training == ALL_SENSORS else f" ({self.probe_training})"
        return (
            f"{self.model.name}: {self.protocol}{extra}, {self.label_fraction:.0%} labels, "
            f"seed {self.eval_seed}"
        )


def transfer_name(study: TransferStudy) -> str:
    """The variant name of a transfer study, e.g. ``hapt→hapt-transitions``."""
    return f"{study.source}→{study.target}"


GRID_KEYS = {
    "seed": "pretrain_seeds",
    "label_fractions": "label_fractions",
    "eval_seeds": "eval_seeds",
    "missing_modalities": "missing_modalities",
    "probe_dropout": "modality_dropout",
    "probes": "protocols",
}
"""Model config keys that the grid decides for every model, with the grid key that sets them."""


def model_config(
    bcfg: BenchmarkConfig,
    preset: str | Config,
    seed: int,
    dataset: str,
    extra: Sequence[str] = (),
    root: str | None = None,
) -> Config:
    """The config of one model: its preset (a name, or a checkpoint's config), the benchmark's
    overrides, then ``extra``; ``root`` is the data folder of ``dataset`` when it is not the
    grid's own."""
    name = preset if isinstance(preset, str) else preset.method
    overrides = list(bcfg.overrides) + list(bcfg.method_overrides.get(name, [])) + list(extra)
    for item in overrides:
        key = override_key(item)
        if key in GRID_KEYS:
            raise CrosslError(
                f"{item!r}: the grid sets {key} for every model; set {GRID_KEYS[key]} of the "
                "grid instead"
            )
    base = [f"dataset={dataset}", f"seed={seed}", f"device={bcfg.device}"]
    root = root or (bcfg.data_root if dataset == bcfg.dataset else None)
    if root:
        base.append(f"data.root={root}")
    if isinstance(preset, str):
        cfg = load_config(preset, base + overrides)
    else:  # evaluated in one process, however many pretrained it
        one = ["trainer.devices=1", "trainer.num_nodes=1", "trainer.strategy=auto"]
        cfg = override_config(preset, base + one + overrides)
    cfg.check_one_process("crossl benchmark")
    return cfg


@dataclass(frozen=True)
class GivenModel:
    """The model of ``BenchmarkConfig.checkpoint``: its config and a digest of its weights."""

    config: Config
    weights: str


def plan_models(bcfg: BenchmarkConfig, given: GivenModel | None = None) -> list[Model]:
    """Every model of the grid: main study (methods, baselines, the model of
    ``bcfg.checkpoint`` whose config is ``given``) and masking study (once per fold of
    ``bcfg.folds``, fold by fold), then transfer."""
    models = []
    folds: Sequence[int | None] = bcfg.folds or [None]
    for fold in folds:
        models += _split_models(bcfg, fold, given)
    for t in bcfg.transfer:
        for seed, method in itertools.product(bcfg.pretrain_seeds, t.methods):
            cfg = model_config(bcfg, method, seed, t.source, root=t.root("source", bcfg))
            name, root = transfer_name(t), t.root("target", bcfg)
            models.append(
                Model("transfer", method, name, seed, cfg, True, t.target, eval_root=root)
            )
    return models


def fold_overrides(fold: int | None) -> list[str]:
    """The config overrides that put a model on leave-one-subject-out ``fold`` (none for None).

    >>> fold_overrides(3), fold_overrides(None)
    (['data.fold=3'], [])
    """
    return [] if fold is None else [f"data.fold={fold}"]


def _split_models(
    bcfg: BenchmarkConfig, fold: int | None, given_model: GivenModel | None
) -> list[Model]:
    """The main and masking studies' models on one split (``fold``: see :class:`Model`)."""
    on_fold = fold_overrides(fold)
    models = []
    given = given_model.config if given_model else None
    if given_model is not None:
        cfg = model_config(bcfg, given_model.config, given_model.config.seed, bcfg.dataset, on_fold)
        models.append(
            Model(
                "main",
                cfg.method,
                "",
                cfg.seed,
                cfg,
                True,
                bcfg.dataset,
                fold,
                bcfg.checkpoint,
                weights=given_model.weights,
            )
        )
    for seed in bcfg.pretrain_seeds:
        kinds = []
        for method in bcfg.methods:
            cfg = model_config(bcfg, method, seed, bcfg.dataset, on_fold)
            models.append(Model("main", method, "", seed, cfg, True, bcfg.dataset, fold))
            kinds.append(cfg.features)
        for baseline in bcfg.baselines:
            cfg = model_config(bcfg, given or "crossl", seed, bcfg.dataset, on_fold)
            models.append(Model("main", baseline, "", seed, cfg, False, bcfg.dataset, fold))
            if baseline != "random-init":
                continue
            # the untrained network is probed with every feature kind the methods are probed with
            for kind in sorted(set(kinds) - {cfg.features}):
                other = model_config(
                    bcfg, given or "crossl", seed, bcfg.dataset, [*on_fold, f"features={kind}"]
                )
                models.append(Model("main", baseline, kind, seed, other, False, bcfg.dataset, fold))
    if bcfg.masking is not None:
        study = bcfg.masking
        for seed, (strategy, ratio) in itertools.product(study.pretrain_seeds, study.points()):
            extra = [f"masking_strategy={strategy}", f"masking_ratio={ratio}", *on_fold]
            cfg = model_config(bcfg, "crossl", seed, bcfg.dataset, extra)
            variant = f"{strategy}@{ratio:g}"
            models.append(Model("masking", "crossl", variant, seed, cfg, True, bcfg.dataset, fold))
    return models


def check_distinct_masking_points(
    points: Sequence[tuple[str, float]], num_modalities: int, patches: int = 1
) -> None:
    """Raise :class:`CrosslError` when two masking-study points are the same experiment with
    ``num_modalities`` modalities and ``patches`` latent patches (e.g. spatial at 0.5 and 0.75
    with two modalities: both hide one).

    >>> check_distinct_masking_points([("spatial", 0.5), ("spatial", 0.75)], 2)
    Traceback (most recent call last):
    crossl.errors.CrosslError: masking study: spatial@0.75 is the same experiment as spatial@0.5 with 2 modalities (spatial hides at most 1 of 2 modalities, effective ratio 0.5): drop one, or give spatial its own ratios under masking.ratios_by_strategy
    """
    seen: dict[tuple[str, float], float] = {}
    for strategy, ratio in points:
        key = (strategy, round(effective_ratio(strategy, ratio, num_modalities, patches), 9))
        if key in seen:
            n, what = masking_units(strategy, num_modalities, patches)
            hides = "hides from 1 to" if strategy == "paired" else "hides at most"
            raise CrosslError(
                f"masking study: {strategy}@{ratio:g} is the same experiment as "
                f"{strategy}@{seen[key]:g} with {num_modalities} modalities ({strategy} {hides} "
                f"{n - 1} of {n} {what}, effective ratio {key[1]:g}): drop one, "
                f"or give {strategy} its own ratios under masking.ratios_by_strategy"
            )
        seen[key] = ratio


def plan_jobs(
    bcfg: BenchmarkConfig,
    modality_names: Sequence[str],
    devices: Mapping[str, Sequence[str]] | None = None,
    given: GivenModel | None = None,
) -> list[Job]:
    """All jobs, grouped by model (so each model's network and features are loaded once);
    ``given`` is the model of ``bcfg.checkpoint``.

    The missing-modality study leaves out every proper subset of ``bcfg.modality_groups``, else
    of the dataset's ``devices``, else of the modalities one by one."""
    if bcfg.masking is not None:
        patches = model_config(bcfg, "crossl", 0, bcfg.dataset, []).latent_patches
        check_distinct_masking_points(bcfg.masking.points(), len(modality_names), patches)
    groups = bcfg.modality_groups or devices or {m: [m] for m in modality_names}
    subsets = modality_group_subsets(groups) if bcfg.missing_modalities else []
    everything = tuple(modality_names)
    jobs: list[Job] = []
    for model in plan_models(bcfg, given):
        model_jobs = _model_eval_jobs(bcfg, model, everything, subsets)
        _check_probe_protocol(model, model_jobs)
        if model.pretrained:
            jobs.append(Job("pretrain", model))
        first_seed = model.pretrain_seed == bcfg.pretrain_seeds[0]
        first_fold = model.fold is None or model.fold == bcfg.folds[0]  # type: ignore[index]
        main = model.study == "main" and model.method != "supervised"
        if main and bcfg.tsne and first_seed and first_fold:
            jobs.append(Job("embedding", model))
        jobs += model_jobs
    return jobs


def _check_probe_protocol(model: Model, jobs: Sequence[Job]) -> None:
    """The authors' protocol (train + validation users, C = 1) is defined for the linear probe
    only: kNN, MLP and fine-tuning choose k, stop early or validate on the validation users."""
    if model.config.probe_protocol != "authors":
        return
    other = sorted({j.protocol for j in jobs if j.kind == "eval" and j.protocol != "linear"})
    if other:
        raise CrosslError(
            f"probe_protocol=authors is defined for the linear probe only, but {model.name} "
            f"is also evaluated with {', '.join(other)}: set protocols=[linear] for that grid"
        )


def _model_eval_jobs(
    bcfg: BenchmarkConfig,
    model: Model,
    everything: tuple[str, ...],
    subsets: list[tuple[str, ...]],
) -> list[Job]:
    if model.study == "masking":
        protocols, fractions = ["linear"], bcfg.masking.label_fractions  # type: ignore[union-attr]
    elif model.study == "transfer":
        protocols = next(t.protocols for t in bcfg.transfer if transfer_name(t) == model.variant)
        fractions = bcfg.label_fractions
    elif model.method == "supervised" and not model.pretrained:  # the baseline, from scratch
        protocols, fractions = [FINETUNE], bcfg.label_fractions
    else:
        protocols = [p for p in bcfg.protocols if p != FINETUNE or model.pretrained]
        fractions = bcfg.label_fractions
    jobs = []
    main = model.study in ("main", "masking")  # the masking study also loses sensors
    for protocol in protocols:
        for fraction, seed in fraction_seeds(
            fractions, bcfg.eval_seeds, bcfg.one_seed_at_full or protocol in DETERMINISTIC_PROTOCOLS
        ):
            with_subsets = main and fraction >= 1.0
            tests = (everything, *subsets) if with_subsets else (everything,)
            first_seed = seed == bcfg.eval_seeds[0]
            trainings = [ALL_SENSORS]
            if with_subsets and first_seed and bcfg.modality_dropout > 0:
                trainings.append(DROPOUT)
            for training in trainings:
                recipe = _recipe(bcfg, protocol, training)
                jobs.append(
                    Job(
                        "eval", model, protocol, training, fraction, seed, everything, tests, recipe
                    )
                )
            if with_subsets and first_seed and protocol in FROZEN_PROTOCOLS:
                jobs += [
                    Job("eval", model, protocol, REFIT, fraction, seed, subset, (subset,))
                    for subset in subsets
                ]
    return jobs


def _recipe(bcfg: BenchmarkConfig, protocol: str, training: str) -> str:
    parts = []
    if protocol == FINETUNE:
        parts.append(f"ft-{digest(list(bcfg.finetune_overrides))}")
    if training == DROPOUT:
        parts.append(f"p{bcfg.modality_dropout:g}")
    return "-".join(parts)
