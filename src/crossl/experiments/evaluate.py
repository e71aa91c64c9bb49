"""Evaluation of a pretrained checkpoint: linear probes at each label fraction, missing modalities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L

from crossl.config import Config, override_config
from crossl.data.protocols import prepare_data
from crossl.errors import CrosslError
from crossl.eval.grid import Progress, probe_rows
from crossl.experiments.checkpoint import LoadedCheckpoint, load_checkpoint
from crossl.experiments.results import results_document
from crossl.experiments.runtime import quiet_lightning
from crossl.io import write_json
from crossl.methods.base import build_backbone
from crossl.run_folder import run_folder

EVALUATE_OUTPUTS = ("results.json",)
EVALUATE_KEYS = (
    "dataset",
    "data",
    "features",
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
        key = item.split("=", 1)[0].strip()
        top = key.split(".", 1)[0]
        if top not in EVALUATE_KEYS:
            raise CrosslError(
                f"evaluate cannot change {key}: the checkpoint was pretrained with "
                f"{top}={getattr(cfg, top)!r}; an evaluation changes only "
                f"{', '.join(EVALUATE_KEYS)}"
            )


def evaluate_checkpoint(
    checkpoint: str | Path,
    overrides: list[str] | None,
    out_dir: str | Path,
    progress: Progress | None = None,
    untrained: bool = False,
) -> dict[str, Any]:
    """Probe a checkpoint's frozen features on its protocol's test users; write ``results.json``.

    ``overrides`` change evaluation keys (:data:`EVALUATE_KEYS`: ``label_fractions``,
    ``eval_seeds``, ``features``, ``probe_protocol``, ``data.root``, ...; any other key is refused
    with one line); the data are normalised with the checkpoint's training
    statistics. With ``untrained`` the same network at its initialisation (seeded with the
    checkpoint's seed) is probed instead, as model ``random-init``.
    """
    quiet_lightning()
    loaded = load_checkpoint(checkpoint)
    cfg = override_config(loaded.config, overrides)
    check_evaluation_overrides(loaded.config, overrides)
    with run_folder(out_dir, EVALUATE_OUTPUTS, "evaluation"):
        return _evaluate(loaded, cfg, out_dir, progress, untrained)


def _evaluate(
    loaded: LoadedCheckpoint,
    cfg: Config,
    out_dir: str | Path,
    progress: Progress | None,
    untrained: bool,
) -> dict[str, Any]:
    data = prepare_data(
        cfg.dataset,
        cfg.data.root,
        stats=loaded.stats,
        fold=cfg.data.fold,
        memory_budget_mb=cfg.data.memory_budget_mb,
    )
    backbone, model = loaded.backbone, cfg.method
    if untrained:
        L.seed_everything(cfg.seed, verbose=False)
        backbone, model = build_backbone(cfg, data.modality_shapes), "random-init"
    rows = probe_rows(backbone, data, cfg, model, cfg.features, progress)
    doc = results_document(cfg, loaded.metadata.get("pretrain"), rows)
    write_json(Path(out_dir) / "results.json", doc)
    return doc
