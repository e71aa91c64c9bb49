"""The demo: pretrain CroSSL on HAPT, probe it at few labels, compare with baselines, write a report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L

from crossl.config import FEATURES, Config, load_config
from crossl.eval.grid import Progress, probe_rows, supervised_rows
from crossl.experiments.pretrain import PRETRAIN_OUTPUTS, load_data, pretrain
from crossl.experiments.report import write_report
from crossl.experiments.results import results_document
from crossl.experiments.resume import RESUME_NAME
from crossl.experiments.runtime import resolve_accelerator
from crossl.io import write_json
from crossl.methods.base import build_backbone
from crossl.run_folder import run_folder

QUICK_OVERRIDES = ["epochs=5", "supervised_epochs=5", "supervised_patience=4"]
"""What the quick demo changes in the ``crossl`` preset so that it ends within minutes on a laptop."""
DEMO_OUTPUTS = (*PRETRAIN_OUTPUTS, "report.md", "*.png")


def run_demo(
    out_dir: str | Path,
    full: bool = False,
    overrides: list[str] | None = None,
    progress: Progress | None = None,
    progress_bar: bool = True,
) -> dict[str, Any]:
    """Pretrain CroSSL, then probe it and the random-init and supervised baselines; return the results.

    The quick demo probes the preset's feature kind; ``full`` probes both (aggregator and encoders).
    Writes ``out_dir/last.ckpt``, ``results.json``, ``report.md`` and its plots.
    """
    out_dir = Path(out_dir)
    cfg = load_config("crossl", ([] if full else QUICK_OVERRIDES) + list(overrides or []))
    cfg.check_one_process("crossl demo")
    stopped = (out_dir / RESUME_NAME).is_file()  # an interrupted demo continues its pretraining
    with run_folder(out_dir, () if stopped else DEMO_OUTPUTS, "demo"):
        return _demo(cfg, out_dir, full, progress, progress_bar, stopped)


def _demo(
    cfg: Config,
    out_dir: Path,
    full: bool,
    progress: Progress | None,
    progress_bar: bool,
    resume: bool,
) -> dict[str, Any]:
    data = load_data(cfg)
    if progress:
        progress(f"pretraining CroSSL for {cfg.epochs} epochs on {len(data.splits.train)} windows")
    outcome = pretrain(cfg, out_dir, data, progress=progress_bar, resume=resume)
    kinds = FEATURES if full else (cfg.features,)
    L.seed_everything(cfg.seed, verbose=False)
    untrained = build_backbone(cfg, data.modality_shapes)
    rows = []
    for model, backbone in (("crossl", outcome.module.backbone), ("random-init", untrained)):
        for features in kinds:
            rows += probe_rows(backbone, data, cfg, model, features, progress)
    rows += supervised_rows(data, cfg, resolve_accelerator(cfg.device), progress)
    doc = results_document(cfg, outcome.summary, rows)
    write_json(out_dir / "results.json", doc)
    command = "crossl demo" + (" --full" if full else "") + f" --out {out_dir}"
    write_report(doc, out_dir, command)
    return doc
