"""Typed run configuration: presets in YAML, ``key=value`` overrides, validation with clear errors."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, cast

import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from crossl.augment.spec import AugmentSpec
from crossl.errors import CrosslError
from crossl.nn.aggregator import AGGREGATORS
from crossl.nn.masking import MASKING_STRATEGIES, PATCH_STRATEGIES
from crossl.shipped import preset_dir, preset_names

FEATURES = ("aggregator", "encoders")
PROBE_PROTOCOLS = ("crossl", "authors")
PRETRAIN_PROTOCOLS = ("crossl", "authors")
SCHEDULES = ("none", "cosine")
PRECISIONS = ("32-true", "bf16-mixed")
LOGGERS = ("csv", "tensorboard", "mlflow", "wandb")
STRATEGIES = ("auto", "ddp")
TrainerPrecision = Literal["32-true", "bf16-mixed"]


@dataclass
class DataConfig:
    """Where the data are and how they are read (``data.root=DIR`` etc. on the command line)."""

    # A prepared cache (crossl datasets prepare) for every dataset but HAPT; for HAPT, the folder
    # of the official UCI download (unset: the embedded copy).
    root: str | None = None
    # Leave-one-subject-out datasets (pamap2, wesad): which subject is left out for testing.
    fold: int = 0
    # Training windows larger than this are streamed from the cache during pretraining.
    memory_budget_mb: float = 4096.0


@dataclass
class TrainerConfig:
    """How Lightning runs pretraining (``trainer.devices=2 trainer.strategy=ddp`` etc.)."""

    # processes per node, one per device (CPU processes with gloo, or GPUs with NCCL)
    devices: int = 1
    num_nodes: int = 1
    # auto: one process; ddp: one process per device, each with its own share of every epoch
    # (batch_size windows per process and step), losses gathered across processes
    strategy: str = "auto"


@dataclass
class Config:
    """Every setting of a pretraining + evaluation run; each field is a ``key=value`` override.

    >>> cfg = load_config("crossl", ["epochs=3", "masking_ratio=0.5"])
    >>> cfg.epochs, cfg.masking_ratio
    (3, 0.5)
    """

    dataset: str = "hapt"
    data: DataConfig = field(default_factory=DataConfig)
    method: str = "crossl"
    seed: int = 0
    limit_windows: int | None = None
    device: str = "auto"
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    # 32-true, or bf16-mixed: convolutions and matrix products in bfloat16 under autocast
    # (Lightning's precision plugin), faster on CPUs with AMX / AVX-512 BF16 and on recent GPUs
    precision: str = "32-true"
    # where the training curves go: csv, tensorboard, mlflow (extra mlflow), wandb (extra wandb)
    loggers: list[str] = field(default_factory=lambda: ["csv", "tensorboard"])

    epochs: int = 30
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    schedule: str = "cosine"
    warmup_epochs: int = 0
    weight_l2: float = 0.0

    code_size: int = 96
    kernel_sizes: list[int] = field(default_factory=lambda: [24, 16, 8])
    dropout: float = 0.1
    encoder_dropout_in_pretraining: bool = False
    aggregator_hidden: list[int] = field(default_factory=lambda: [64, 32])
    aggregator_out: int = 32
    aggregator_flags: bool = True
    # mlp (the authors'), mean or attention over the visible modalities (crossl.nn.aggregator)
    aggregator: str = "mlp"
    # >1: encoder outputs pooled per time patch, one aggregator token per (modality, patch), for
    # masking_strategy=temporal / spatiotemporal (crossl.nn.backbone)
    latent_patches: int = 1
    expander: list[int] = field(default_factory=list)

    masking_strategy: str = "spatial"
    masking_ratio: float = 0.1
    sim_coeff: float = 10.0
    std_coeff: float = 10.0
    cov_coeff: float = 100.0
    temperature: float = 0.1
    barlow_lambda: float = 5.0e-3
    cocoa_lambda: float = 0.5
    mae_mask_ratio: list[float] = field(default_factory=lambda: [0.4, 0.75])
    mae_patch_size: int = 8

    augment: list[AugmentSpec] = field(default_factory=list)
    augment_per_modality: dict[str, list[AugmentSpec]] = field(default_factory=dict)
    augment_same_crop: bool = True

    online_probe: bool = True
    online_probe_lr: float = 1.0e-3

    features: str = "encoders"
    # what crossl evaluate fits on the checkpoint: frozen-feature probes (linear, knn, mlp) and
    # finetune (the whole network trained as supervised from the checkpoint's weights)
    probes: list[str] = field(default_factory=lambda: ["linear"])
    label_fractions: list[float] = field(default_factory=lambda: [0.01, 0.1, 1.0])
    eval_seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    probe_c_grid: list[float] = field(default_factory=lambda: [0.01, 0.1, 1.0, 10.0])
    # crossl: probes fitted on the training users, C chosen on the validation users; authors: as
    # the CroSSL authors' anchor, fitted on training + validation users with C = 1
    probe_protocol: str = "crossl"
    # crossl: pretraining sees every window of the training users, labelled or not; authors: as
    # the CroSSL authors' anchor, the labelled windows of the training + validation users
    pretrain_protocol: str = "crossl"
    missing_modalities: bool = True
    # The missing-modality probe fitted under modality drop-out: each present sensor of each
    # training window is dropped with this probability (never all of a window's).
    probe_dropout: float = 0.5
    # Supervised training and fine-tuning: each present sensor of each training window is dropped
    # with this probability (never all of a window's), to train for sensors that go missing.
    modality_dropout: float = 0.0

    supervised_epochs: int = 40
    supervised_min_steps: int = 300
    # validations without improvement of the validation loss before supervised training stops
    # (with few labels the validation runs every few epochs: crossl.eval.supervised)
    supervised_patience: int = 8

    def trainer_precision(self) -> TrainerPrecision:
        """:attr:`precision` (one of :data:`PRECISIONS`, checked by :func:`validate`) as the
        Lightning ``Trainer`` argument."""
        return cast(TrainerPrecision, self.precision)

    def world_size(self) -> int:
        """How many processes pretrain together (:attr:`trainer` devices × nodes)."""
        return self.trainer.devices * self.trainer.num_nodes

    def check_one_process(self, command: str) -> None:
        """Refuse :attr:`trainer` settings of several processes in a workflow that runs its
        pretraining in one (``command``: what the user ran)."""
        if self.world_size() > 1:
            raise CrosslError(
                f"{command} pretrains in one process, but trainer.devices={self.trainer.devices} "
                f"trainer.num_nodes={self.trainer.num_nodes} asks for {self.world_size()}: "
                "pretrain under DDP with crossl pretrain, then evaluate its checkpoint"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy, for JSON files and checkpoints."""
        return asdict(self)


def resolve_yaml(name_or_path: str, folder: Path, what: str = "preset") -> Path:
    """A YAML file given by path, or by name among the ``*.yaml`` of ``folder``.

    Raises :class:`CrosslError` naming the choices when neither exists.
    """
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise CrosslError(
                f"config file {path} does not exist: give a YAML file or a {what} name"
            )
        return path
    candidate = folder / f"{name_or_path}.yaml"
    if not candidate.is_file():
        names = sorted(p.stem for p in folder.glob("*.yaml"))
        raise CrosslError(
            f"unknown {what} {name_or_path!r}: choose one of {', '.join(names)} "
            f"or give a path to a .yaml file{did_you_mean(name_or_path, names)}"
        )
    return candidate


def read_yaml(path: Path) -> Any:
    """The YAML file at ``path`` as an OmegaConf layer; unreadable YAML is a :class:`CrosslError`."""
    try:
        layer = OmegaConf.load(path)
    except (OmegaConfBaseException, yaml.YAMLError, ValueError, OSError) as err:
        detail = " ".join(str(err).split())
        raise CrosslError(f"config file {path} is not valid YAML: {detail}") from None
    if not isinstance(layer, DictConfig):
        raise CrosslError(
            f"config file {path} must hold key: value lines at its top level, not a list"
        )
    return layer


def merge_structured(schema: type, layers: list[Any]) -> Any:
    """``layers`` merged onto the dataclass ``schema`` and converted to it; an unknown key or a
    value of the wrong type is a :class:`CrosslError` naming the key."""
    try:
        merged = OmegaConf.merge(OmegaConf.structured(schema), *layers)
        return OmegaConf.to_object(merged)
    except OmegaConfBaseException as err:
        raise CrosslError(_omegaconf_message(err)) from None


def _omegaconf_message(err: OmegaConfBaseException) -> str:
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    key = getattr(err, "full_key", None)
    return f"config key {key!r}: {first}" if key else first


def _merge(layers: list[Any]) -> Config:
    cfg: Config = merge_structured(Config, layers)
    validate(cfg)
    if cfg.data.root is not None:
        # the shell leaves "~" in data.root=~/... alone, and YAML never expands it; absolute, so
        # that a checkpoint's config still finds its data from another working directory
        cfg.data.root = os.path.abspath(os.path.expanduser(cfg.data.root))
    return cfg


def override_key(item: str) -> str:
    """The key of a ``key=value`` override.

    >>> override_key(" data.root = /x"), override_key("epochs=2")
    ('data.root', 'epochs')
    """
    return item.split("=", 1)[0].strip()


def dotlist(overrides: list[str] | None) -> list[Any]:
    """``key=value`` overrides as an OmegaConf layer (none for no overrides)."""
    bad = [o for o in overrides or [] if "=" not in o]
    if bad:
        raise CrosslError(f"override {bad[0]!r} is not of the form key=value (e.g. epochs=10)")
    if not overrides:
        return []
    try:
        return [OmegaConf.from_dotlist(list(overrides))]
    except OmegaConfBaseException as err:
        raise CrosslError(_omegaconf_message(err)) from None


def preset_for(overrides: list[str] | None) -> str:
    """The preset a run starts from when none is named: the one of ``method=NAME`` if given
    (``method=simclr`` starts from the simclr preset), else ``crossl``.

    >>> preset_for(["epochs=2", "method=simclr"]), preset_for(["epochs=2"])
    ('simclr', 'crossl')
    """
    methods = [o.split("=", 1)[1].strip() for o in overrides or [] if o.startswith("method=")]
    if methods and methods[-1] in preset_names():
        return methods[-1]
    return "crossl"


def load_config(
    preset: str | None = "crossl",
    overrides: list[str] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Config:
    """Build a validated :class:`Config` from a preset (name or YAML path), typed ``settings``
    (e.g. ``{"epochs": 5, "data": {"fold": 1}}``) and then ``key=value`` overrides.

    Raises :class:`CrosslError` for an unknown key, a value of the wrong type or an invalid choice.

    >>> load_config("crossl", ["batch_size=16"], {"epochs": 3, "batch_size": 32}).batch_size
    16
    """
    layers = [] if preset is None else [read_yaml(resolve_yaml(preset, preset_dir()))]
    typed = [dict(settings)] if settings else []
    return _merge(layers + typed + dotlist(overrides))


def override_config(cfg: Config, overrides: list[str] | None) -> Config:
    """A copy of ``cfg`` with ``key=value`` overrides applied and validated."""
    return _merge([OmegaConf.structured(cfg), *dotlist(overrides)])


def config_from_dict(data: dict[str, Any]) -> Config:
    """Rebuild a :class:`Config` saved by :meth:`Config.to_dict` (keys unknown to this version fail)."""
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise CrosslError(f"saved config has keys this crossl does not know: {', '.join(unknown)}")
    return _merge([data])


def check_fractions(key: str, fractions: list[float]) -> None:
    """Raise :class:`CrosslError` unless ``fractions`` is a non-empty list of values in (0, 1]."""
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise CrosslError(f"{key}={fractions} must be a non-empty list of values in (0, 1]")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise CrosslError(
            f"{name}={value!r} is not valid: choose one of {', '.join(choices)}"
            + did_you_mean(value, choices)
        )


def did_you_mean(value: str, choices: Sequence[str]) -> str:
    """``" (did you mean X?)"`` for the closest of ``choices`` to a mistyped ``value``, or "".

    >>> did_you_mean("atention", ["mlp", "mean", "attention"]), did_you_mean("nope", ["mlp"])
    (' (did you mean attention?)', '')
    """
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _check_probes(probes: list[str]) -> None:
    from crossl.eval.probes import PROBES

    if not probes:
        raise CrosslError(f"probes=[] must name at least one of {', '.join(PROBES)}")
    for name in probes:
        _check_choice("probes", name, PROBES)


def validate(cfg: Config) -> None:
    """Check values and choices; raise :class:`CrosslError` naming the key and the fix."""
    from crossl.data.hapt_protocols import protocol_names
    from crossl.methods.registry import get_method, method_names

    _check_choice("dataset", cfg.dataset, tuple(protocol_names()))
    _check_choice("method", cfg.method, tuple(method_names()))
    if cfg.masking_strategy in PATCH_STRATEGIES and cfg.latent_patches < 2:
        raise CrosslError(
            f"masking_strategy={cfg.masking_strategy} needs embeddings with a time axis, which the "
            "pooled encoder does not produce: set latent_patches (e.g. latent_patches=2, two time "
            "patches per window)"
        )
    _check_choice("masking_strategy", cfg.masking_strategy, MASKING_STRATEGIES)
    _check_choice("aggregator", cfg.aggregator, AGGREGATORS)
    _check_choice("probe_protocol", cfg.probe_protocol, PROBE_PROTOCOLS)
    _check_choice("pretrain_protocol", cfg.pretrain_protocol, PRETRAIN_PROTOCOLS)
    if cfg.pretrain_protocol == "authors" and get_method(cfg.method).needs_labels:
        raise CrosslError(
            "pretrain_protocol=authors adds the validation users' windows without labels, so it "
            f"is for self-supervised methods: leave pretrain_protocol=crossl for method={cfg.method}"
        )
    _check_choice("features", cfg.features, FEATURES)
    _check_choice("schedule", cfg.schedule, SCHEDULES)
    _check_choice("precision", cfg.precision, PRECISIONS)
    _check_choice("trainer.strategy", cfg.trainer.strategy, STRATEGIES)
    for name in ("devices", "num_nodes"):
        if getattr(cfg.trainer, name) < 1:
            raise CrosslError(f"trainer.{name}={getattr(cfg.trainer, name)} must be at least 1")
    if cfg.world_size() > 1 and cfg.trainer.strategy != "ddp":
        raise CrosslError(
            f"trainer.devices={cfg.trainer.devices} trainer.num_nodes={cfg.trainer.num_nodes} "
            "runs several processes: add trainer.strategy=ddp"
        )
    for name in cfg.loggers:
        _check_choice("loggers", name, LOGGERS)
    if not 0.0 <= cfg.masking_ratio < 1.0:
        raise CrosslError(f"masking_ratio={cfg.masking_ratio} must be in [0, 1)")
    positive = (
        "epochs",
        "batch_size",
        "code_size",
        "aggregator_out",
        "latent_patches",
        "supervised_epochs",
        "supervised_patience",
    )
    for name in positive:
        if getattr(cfg, name) < 1:
            raise CrosslError(f"{name}={getattr(cfg, name)} must be at least 1")
    if cfg.supervised_min_steps < 0:
        raise CrosslError(f"supervised_min_steps={cfg.supervised_min_steps} must be at least 0")
    if cfg.lr <= 0:
        raise CrosslError(f"lr={cfg.lr} must be positive")
    check_fractions("label_fractions", cfg.label_fractions)
    _check_probes(cfg.probes)
    if not cfg.eval_seeds:
        raise CrosslError("eval_seeds=[] must name at least one seed, e.g. eval_seeds=[0,1,2]")
    if not cfg.probe_c_grid or any(c <= 0 for c in cfg.probe_c_grid):
        raise CrosslError(
            f"probe_c_grid={cfg.probe_c_grid} must be a non-empty list of positive inverse "
            "regularisation strengths, e.g. probe_c_grid=[0.01,0.1,1.0,10.0]"
        )
    for name in (
        "weight_decay",
        "weight_l2",
        "warmup_epochs",
        "sim_coeff",
        "std_coeff",
        "cov_coeff",
    ):
        if getattr(cfg, name) < 0:
            raise CrosslError(f"{name}={getattr(cfg, name)} must be at least 0")
    if cfg.data.fold < 0:
        raise CrosslError(f"data.fold={cfg.data.fold} must be at least 0")
    if cfg.data.memory_budget_mb <= 0:
        raise CrosslError(f"data.memory_budget_mb={cfg.data.memory_budget_mb} must be positive")
    if cfg.limit_windows is not None and cfg.limit_windows < 1:
        raise CrosslError(f"limit_windows={cfg.limit_windows} must be at least 1")
    if len(cfg.kernel_sizes) != 3 or any(k < 1 for k in cfg.kernel_sizes):
        raise CrosslError(f"kernel_sizes={cfg.kernel_sizes} must be three positive integers")
    if not 0 <= cfg.dropout < 1:
        raise CrosslError(f"dropout={cfg.dropout} must be in [0, 1)")
    if not 0 < cfg.probe_dropout < 1:
        raise CrosslError(
            f"probe_dropout={cfg.probe_dropout} must be in (0, 1): the probability that a present "
            "sensor is dropped from a window the drop-out probe is fitted on"
        )
    if not 0 <= cfg.modality_dropout < 1:
        raise CrosslError(
            f"modality_dropout={cfg.modality_dropout} must be in [0, 1): the probability that a "
            "present sensor is dropped from a training window (0 turns it off)"
        )
    _validate_method_settings(cfg)


def _validate_method_settings(cfg: Config) -> None:
    from crossl.augment import Augmenter
    from crossl.methods.registry import get_method

    for name in ("temperature", "online_probe_lr"):
        if getattr(cfg, name) <= 0:
            raise CrosslError(f"{name}={getattr(cfg, name)} must be positive")
    for name in ("barlow_lambda", "cocoa_lambda"):
        if getattr(cfg, name) < 0:
            raise CrosslError(f"{name}={getattr(cfg, name)} must be at least 0")
    low_high = cfg.mae_mask_ratio
    if len(low_high) != 2 or not 0 < low_high[0] <= low_high[1] < 1:
        raise CrosslError(
            f"mae_mask_ratio={low_high} must be [low, high] with 0 < low <= high < 1, "
            "e.g. [0.4, 0.75]"
        )
    if cfg.mae_patch_size < 1:
        raise CrosslError(f"mae_patch_size={cfg.mae_patch_size} must be at least 1")
    method = get_method(cfg.method)
    if method.needs_augmentation and not (cfg.augment or cfg.augment_per_modality):
        raise CrosslError(
            f"method {cfg.method} compares two augmented views and needs augment=[...]: "
            f"start from its preset (--config {cfg.method}) or see docs/augmentations.md"
        )
    if cfg.features == "aggregator" and not method.trains_aggregator:
        raise CrosslError(
            f"method {cfg.method} does not train the aggregator, so its aggregator features "
            "would be random: use features=encoders"
        )
    Augmenter(cfg.augment, cfg.augment_per_modality, cfg.augment_same_crop)
