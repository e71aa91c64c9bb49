"""Resumable pretraining: a checkpoint of the whole training state after every epoch.

``DIR/resume.ckpt`` holds what Lightning restores (weights, optimiser, loop counters) plus every
random state the next epoch draws from: the batch order's generator, the training step's
generator and the global torch generator (:class:`EpochCheckpoint`'s state), those of every
process under DDP.
A pretraining resumed from it therefore ends with the same weights and numbers as one that was
never stopped (same machine, CPU). It is written atomically after each epoch's validation and
removed once ``last.ckpt`` and ``results.json`` are written.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.callbacks import Checkpoint

from crossl.config import Config, config_from_dict
from crossl.data.batches import TrainBatches
from crossl.errors import CrosslError
from crossl.experiments.checkpoint import read_checkpoint_file, save_checkpoint
from crossl.losses.distributed import all_ranks, rank, world_size
from crossl.methods.base import MethodModule

RESUME_NAME = "resume.ckpt"


class EpochCheckpoint(Checkpoint):
    """Save ``path`` at the end of every epoch but the last (after validation and the module's
    own epoch-end hook, as Lightning's checkpoint callbacks are). Its state, saved in every
    checkpoint and restored only when Lightning resumes from one, is every random state the next
    epoch draws from (``batches``' order, the training step's generator, torch's global
    generator) and the training time so far."""

    def __init__(self, path: Path, batches: TrainBatches):
        self.path = path
        self.batches = batches
        self.seconds_before = 0.0
        self._started = time.perf_counter()
        self._pending: dict[str, Any] | None = None
        self._module: MethodModule | None = None

    def seconds(self) -> float:
        """Training time of the whole run, across resumes."""
        return self.seconds_before + time.perf_counter() - self._started

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._started = time.perf_counter()

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self._pending is not None:  # the first epoch after a resume
            assert isinstance(pl_module, MethodModule)
            if self._pending["step"] is not None:
                pl_module.generator.set_state(self._pending["step"])
            torch.set_rng_state(self._pending["torch"])
            self._pending = None

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.current_epoch + 1 < (trainer.max_epochs or 0):
            save_checkpoint(trainer, self.path)

    def state_dict(self) -> dict[str, Any]:
        module = self._module
        step = module.generator.get_state() if module is not None else None
        mine = {
            "batch_order": self._batch_generator().get_state(),
            "step": step,
            "torch": torch.get_rng_state(),
        }
        # every process of a DDP run draws from its own streams: keep each one's, in rank order
        return {"ranks": all_ranks(mine), "seconds": self.seconds()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        states = state_dict.get("ranks", [state_dict])  # one process's, as written before DDP
        if len(states) != world_size():
            raise CrosslError(
                f"{self.path} was written by {len(states)} process(es) and this run has "
                f"{world_size()}: resume with the trainer settings it was started with"
            )
        mine = states[rank()]
        self._batch_generator().set_state(mine["batch_order"])
        self.seconds_before = float(state_dict["seconds"])
        self._pending = {"step": mine["step"], "torch": mine["torch"]}

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        self._module = pl_module if isinstance(pl_module, MethodModule) else None

    def _batch_generator(self) -> torch.Generator:
        generator = getattr(self.batches, "generator", None)
        if not isinstance(generator, torch.Generator):
            raise CrosslError("these training batches have no seeded generator to resume from")
        return generator


def stopped_run(out_dir: Path) -> tuple[Config, int] | None:
    """The config and the number of finished epochs of the stopped pretraining in ``out_dir``,
    or None when there is none."""
    path = out_dir / RESUME_NAME
    if not path.is_file():
        return None
    ckpt = read_checkpoint_file(path, "remove it to start the run over")
    try:
        return config_from_dict(ckpt["crossl"]["config"]), int(ckpt["epoch"]) + 1
    except (KeyError, TypeError, ValueError) as err:
        raise CrosslError(
            f"{path} is incomplete ({type(err).__name__}): remove it to start the run over"
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
