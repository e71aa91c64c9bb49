"""Resumable pretraining: a checkpoint of the whole training state after every epoch.

``DIR/resume.ckpt`` holds what Lightning restores (weights, optimiser, loop counters) plus every
random state the next epoch draws from: the batch order's generator (here), the training step's
generator and the global torch generator (:meth:`crossl.methods.base.MethodModule.on_save_checkpoint`).
A pretraining resumed from it therefore ends with the same weights and numbers as one that was
never stopped (same machine, CPU). It is written atomically after each epoch's validation and
removed once ``last.ckpt`` and ``results.json`` are written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.callbacks import Checkpoint

from crossl.config import Config, config_from_dict
from crossl.data.batches import TrainBatches
from crossl.errors import CrosslError
from crossl.experiments.checkpoint import save_checkpoint

RESUME_NAME = "resume.ckpt"


class EpochCheckpoint(Checkpoint):
    """Save ``path`` at the end of every epoch but the last (after validation and the module's
    own epoch-end hook, as Lightning's checkpoint callbacks are), with the state of ``batches``'
    generator, so that the batch order of the epochs after a resume is the same."""

    def __init__(self, path: Path, batches: TrainBatches):
        self.path = path
        self.batches = batches

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.current_epoch + 1 < (trainer.max_epochs or 0):
            save_checkpoint(trainer, self.path)

    def state_dict(self) -> dict[str, Any]:
        generator: torch.Generator | None = getattr(self.batches, "generator", None)
        return {"batch_order": generator.get_state() if generator is not None else None}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        generator: torch.Generator | None = getattr(self.batches, "generator", None)
        if generator is not None and state_dict.get("batch_order") is not None:
            generator.set_state(state_dict["batch_order"])


def stopped_run(out_dir: Path) -> tuple[Config, int] | None:
    """The config and the number of finished epochs of the stopped pretraining in ``out_dir``,
    or None when there is none."""
    path = out_dir / RESUME_NAME
    if not path.is_file():
        return None
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        return config_from_dict(ckpt["crossl"]["config"]), int(ckpt["epoch"]) + 1
    except (RuntimeError, KeyError, TypeError, ValueError, EOFError) as err:
        raise CrosslError(
            f"{path} is unreadable ({type(err).__name__}): remove it to start the run over"
        ) from None


def check_resumable(cfg: Config, out_dir: Path, resume: bool) -> tuple[Path, int] | None:
    """The checkpoint to resume from and its finished epochs (``resume``), or None for a new
    run; raise
    :class:`CrosslError` for a new run into a folder holding a stopped one, for ``resume`` without
    a stopped run, and for a config that differs from the stopped run's."""
    stopped = stopped_run(out_dir)
    path = out_dir / RESUME_NAME
    if stopped is None:
        if resume:
            raise CrosslError(f"{out_dir} holds no stopped pretraining to resume (no {path.name})")
        return None
    old, epochs = stopped
    if not resume:
        raise CrosslError(
            f"{out_dir} holds a pretraining stopped after epoch {epochs} of {old.epochs}: "
            f"continue it with --resume, or remove {path} to start over"
        )
    changed = [k for k, v in cfg.to_dict().items() if old.to_dict()[k] != v]
    if changed:
        diffs = ", ".join(f"{k}={getattr(old, k)!r} (now {getattr(cfg, k)!r})" for k in changed)
        raise CrosslError(
            f"the stopped run in {out_dir} was started with {diffs}: resume it with its own "
            "config (crossl pretrain --out DIR --resume, without overrides)"
        )
    return path, epochs
