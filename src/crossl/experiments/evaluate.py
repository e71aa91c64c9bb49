"""Evaluation of a pretrained checkpoint: linear probes at each label fraction, missing modalities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L

from crossl.config import override_config
from crossl.data.protocols import prepare_data
from crossl.eval.grid import Progress, probe_rows
from crossl.experiments.checkpoint import load_checkpoint
from crossl.experiments.results import results_document
from crossl.experiments.runtime import quiet_lightning
from crossl.io import write_json
from crossl.methods.base import build_backbone


def evaluate_checkpoint(
    checkpoint: str | Path,
    overrides: list[str] | None,
    out_dir: str | Path,
    progress: Progress | None = None,
    untrained: bool = False,
) -> dict[str, Any]:
    """Probe a checkpoint's frozen features on its protocol's test users; write ``results.json``.

    ``overrides`` change evaluation keys (``label_fractions``, ``eval_seeds``, ``features``,
    ``probe_protocol``, ``data.root``, ...); the data are normalised with the checkpoint's training
    statistics. With ``untrained`` the same network at its initialisation (seeded with the
    checkpoint's seed) is probed instead, as model ``random-init``.
    """
    quiet_lightning()
    loaded = load_checkpoint(checkpoint)
    cfg = override_config(loaded.config, overrides)
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
