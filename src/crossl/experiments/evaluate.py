"""``crossl evaluate``: one checkpoint evaluated as a grid of the benchmark (the same jobs,
records, ``summary.csv`` and report as ``crossl benchmark`` gives for that model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crossl.config import Config, override_config, override_key
from crossl.errors import CrosslError
from crossl.experiments.benchmark.config import BenchmarkConfig, validate_benchmark
from crossl.experiments.benchmark.plan import GRID_KEYS
from crossl.experiments.benchmark.runner import BenchmarkRunner, GridProgressLike
from crossl.experiments.checkpoint import load_checkpoint
from crossl.experiments.command_line import command_line

EVALUATE_KEYS = (
    "device",
    "dataset",
    "data",
    "features",
    "probes",
    "label_fractions",
    "eval_seeds",
    "probe_c_grid",
    "probe_protocol",
    "missing_modalities",
    "probe_dropout",
)
"""The config keys an evaluation honours; the others describe the pretrained model."""


def check_evaluation_overrides(cfg: Config, overrides: list[str] | None) -> None:
    """Refuse an override that an evaluation cannot honour (a pretraining setting such as
    ``code_size``), naming the checkpoint's value, so that a results file never records a
    setting that did not run."""
    for item in overrides or []:
        key = override_key(item)
        top = key.split(".", 1)[0]
        if top not in EVALUATE_KEYS:
            raise CrosslError(
                f"evaluate cannot change {key}: the checkpoint was pretrained with "
                f"{top}={getattr(cfg, top)!r}; an evaluation changes only "
                f"{', '.join(EVALUATE_KEYS)}"
            )


def evaluation_grid(
    checkpoint: str | Path, overrides: list[str] | None = None, untrained: bool = False
) -> BenchmarkConfig:
    """The grid that evaluates ``checkpoint``: its config's evaluation settings (``probes``,
    ``label_fractions``, ``eval_seeds``, ``missing_modalities``, ``probe_dropout``) after
    ``overrides``, the other overrides applied to the model; with ``untrained`` the same network
    at its initialisation (seeded with the checkpoint's seed) as baseline ``random-init``."""
    pretrained = load_checkpoint(checkpoint).config
    check_evaluation_overrides(pretrained, overrides)
    cfg = override_config(pretrained, overrides)
    grid_set = {*GRID_KEYS, "data.root"}  # the grid passes data.root as its data_root
    keys = [override_key(o) for o in overrides or []]
    model_overrides = [o for o, k in zip(overrides or [], keys, strict=True) if k not in grid_set]
    grid = BenchmarkConfig(
        name="evaluate",
        dataset=cfg.dataset,
        data_root=cfg.data.root,
        checkpoint=str(checkpoint),
        methods=[],
        baselines=["random-init"] if untrained else [],
        overrides=model_overrides,
        pretrain_seeds=[cfg.seed],
        eval_seeds=list(cfg.eval_seeds),
        protocols=list(cfg.probes),
        label_fractions=list(cfg.label_fractions),
        missing_modalities=cfg.missing_modalities,
        modality_dropout=cfg.probe_dropout if cfg.missing_modalities else 0.0,
        tsne=False,
        # where it runs now, not where it was pretrained: auto unless device= is given
        device=cfg.device if "device" in keys else "auto",
    )
    validate_benchmark(grid)
    return grid


def evaluate_checkpoint(
    checkpoint: str | Path,
    overrides: list[str] | None,
    out_dir: str | Path,
    progress: GridProgressLike | None = None,
    untrained: bool = False,
    command: str = "",
) -> list[dict[str, Any]]:
    """Evaluate a checkpoint's frozen features (and, with ``probes=[...,finetune]``, its
    fine-tuned network) on its protocol's test users; write ``results.jsonl``, ``summary.csv``
    and the report into ``out_dir`` and return the records.

    ``overrides`` change evaluation keys (:data:`EVALUATE_KEYS`: ``probes``,
    ``label_fractions``, ``eval_seeds``, ``features``, ``probe_protocol``, ``data.root``, ...;
    any other key is refused with one line); the data are normalised with the checkpoint's
    training statistics. A re-run into the same folder skips the jobs it finished. ``command``
    is recorded as how the results were made (default: the equivalent ``crossl evaluate``).
    """
    grid = evaluation_grid(checkpoint, overrides, untrained)
    untrained_flag = ["--untrained"] if untrained else []
    command = command or command_line(
        "crossl",
        "evaluate",
        "--checkpoint",
        checkpoint,
        "--out",
        out_dir,
        *untrained_flag,
        *(overrides or []),
    )
    title = f"Evaluation of {checkpoint}"
    return BenchmarkRunner(grid, out_dir, command, progress, title=title).run(what="evaluation")
