"""Pretraining: one method on one protocol's training users, checkpoint + ``results.json``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightning as L
from lightning.pytorch.callbacks import Callback

from crossl.config import Config
from crossl.data.batches import EpochBatches
from crossl.data.protocols import PreparedData, prepare_data
from crossl.errors import CrosslError
from crossl.experiments.checkpoint import save_checkpoint
from crossl.experiments.epoch_lines import EpochLines
from crossl.experiments.loggers import build_loggers
from crossl.experiments.results import crossl_version, results_document
from crossl.experiments.resume import RESUME_NAME, EpochCheckpoint, check_resumable
from crossl.experiments.runtime import (
    process_rank,
    quiet_lightning,
    resolve_accelerator,
    torch_device,
)
from crossl.io import write_json
from crossl.methods.base import MethodModule
from crossl.methods.registry import get_method
from crossl.run_folder import move_previous_run, run_folder

log = logging.getLogger(__name__)

VAL_BATCH = 256
PRETRAIN_OUTPUTS = ("last.ckpt", "results.json", "logs")
"""What a pretraining writes into its folder (an earlier run's are moved aside first)."""


@dataclass
class PretrainOutcome:
    """What pretraining produced."""

    module: MethodModule
    summary: dict[str, Any]
    checkpoint: Path
    rank: int = 0
    """The process's rank under DDP (only rank 0 wrote the files)."""


def load_data(cfg: Config) -> PreparedData:
    """The protocol's normalised splits for ``cfg``."""
    return prepare_data(
        cfg.dataset,
        cfg.data.root,
        limit_windows=cfg.limit_windows,
        seed=cfg.seed,
        fold=cfg.data.fold,
        memory_budget_mb=cfg.data.memory_budget_mb,
    )


def pretrain(
    cfg: Config,
    out_dir: str | Path,
    data: PreparedData | None = None,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
    resume: bool = False,
) -> PretrainOutcome:
    """Train ``cfg.method`` on the training users and save ``out_dir/last.ckpt`` + ``results.json``.

    Self-supervised methods see every training window, labelled or not; ``supervised`` sees the
    labelled ones; ``pretrain_protocol=authors`` the labelled windows of the training and
    validation users, as the CroSSL authors' anchor (the validation windows without their labels,
    so that the online probe never trains on the users it is scored on; the diagnostics then
    score users seen in pretraining). Every epoch the labelled validation-user windows score the
    online probe and the collapse diagnostics; their history is in the summary. ``callbacks`` are extra Lightning
    callbacks (e.g. progress reports). ``out_dir`` is locked while the run writes to it, and an
    earlier run's files there are first moved to ``out_dir/previous/`` (see
    :func:`crossl.run_folder.run_folder`). The training state is saved after every epoch
    (:mod:`crossl.experiments.resume`); ``resume`` continues the stopped run in ``out_dir``.

    With ``trainer.strategy=ddp`` and several ``trainer.devices`` (or nodes), Lightning starts one
    process per device, each running this function on its own share of every epoch; the
    process of rank 0 holds the folder and writes the checkpoint and ``results.json``, the
    others return the same trained module (their outcome's ``rank`` says which they are).
    """
    out_dir = Path(out_dir)
    rank = process_rank(cfg.trainer.devices, cfg.world_size())
    if rank != 0:  # a process started for DDP: rank 0 holds the folder and writes the files
        stopped = check_resumable(cfg, out_dir, resume)
        return _pretrain(cfg, out_dir, data, False, callbacks, stopped, rank)
    with run_folder(out_dir, what="pretraining"):
        stopped = check_resumable(cfg, out_dir, resume)  # with the lock: not a live run's state
        if not stopped:
            move_previous_run(out_dir, PRETRAIN_OUTPUTS)
        return _pretrain(cfg, out_dir, data, progress, callbacks, stopped, rank)


def build_module(cfg: Config, data: PreparedData) -> MethodModule:
    """The LightningModule of ``cfg.method`` for ``data``, with the metadata its checkpoints
    carry (crossl version, dataset, class names, the training normalisation)."""
    metadata = {
        "crossl_version": crossl_version(),
        "dataset": cfg.dataset,
        "class_names": list(data.class_names),
        "normalisation": data.stats.to_dict(),
    }
    return get_method(cfg.method)(cfg, data.modality_shapes, metadata, len(data.class_names))


def _strategy(cfg: Config, module: MethodModule) -> str:
    """Lightning's strategy for ``cfg``: under DDP, a method whose step leaves some parameters
    without a gradient (e.g. an aggregator it does not train) needs DDP to look for them."""
    if cfg.trainer.strategy == "ddp" and not module.trains_every_parameter:
        return "ddp_find_unused_parameters_true"
    return cfg.trainer.strategy


def _pretrain(
    cfg: Config,
    out_dir: Path,
    data: PreparedData | None,
    progress: bool,
    callbacks: Sequence[Callback],
    stopped: tuple[Path, int] | None,
    rank: int,
) -> PretrainOutcome:
    quiet_lightning()
    accelerator = resolve_accelerator(cfg.device)
    data = data or load_data(cfg)
    L.seed_everything(cfg.seed, verbose=False)
    module = build_module(cfg, data)
    world = cfg.world_size()
    device = torch_device(accelerator, rank % cfg.trainer.devices)
    authors = cfg.pretrain_protocol == "authors"
    loader = data.train_batches(
        cfg.batch_size,
        cfg.seed,
        device,
        labelled=module.needs_labels or authors,
        shard=(rank, world),
        with_validation=authors,
    )
    if len(loader) == 0:
        raise CrosslError(
            f"no full batch of batch_size={cfg.batch_size} for each of {world} process(es) in the "
            "training windows: lower batch_size or train on more windows"
        )
    # Validation batches of a bounded size: their activations, not the data, set the peak memory.
    val_batch = max(cfg.batch_size, VAL_BATCH)
    val_loader = EpochBatches(data.splits.val.labelled().to(device), val_batch, shuffle=False)
    # a bar on a terminal; in a log file one line per epoch instead of thousands of redraws
    resume_from = stopped[0] if stopped else None
    # the epochs after a resume are logged in a folder of their own, beside the first ones
    log_version = f"resumed-after-epoch-{stopped[1]}" if stopped else ""
    epochs = EpochCheckpoint(out_dir / RESUME_NAME, loader)
    bar = progress and sys.stderr.isatty()
    lines = [EpochLines()] if progress and not bar else []
    trainer = L.Trainer(
        max_epochs=cfg.epochs,
        accelerator=accelerator,
        devices=cfg.trainer.devices,
        num_nodes=cfg.trainer.num_nodes,
        strategy=_strategy(cfg, module),
        sync_batchnorm=world > 1 and accelerator == "gpu",
        precision=cfg.trainer_precision(),
        logger=build_loggers(cfg.loggers, out_dir, log_version) or False,
        enable_checkpointing=True,
        enable_progress_bar=bar,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        log_every_n_steps=max(1, min(50, len(loader))),
        callbacks=[*callbacks, *lines, epochs],
    )
    if (trainer.global_rank, trainer.world_size) != (rank, world):
        raise CrosslError(
            f"this process is rank {trainer.global_rank} of {trainer.world_size} for Lightning but "
            f"{rank} of {world} from its environment: start it with torchrun or let Lightning "
            "start the processes (crossl pretrain trainer.devices=N trainer.strategy=ddp)"
        )
    n_windows = len(loader) * loader.batch_size * world
    log.info("pretraining %s on %d windows for %d epochs", cfg.method, n_windows, cfg.epochs)
    trainer.fit(module, train_dataloaders=loader, val_dataloaders=val_loader, ckpt_path=resume_from)
    seconds = epochs.seconds()  # across resumes
    rates = module.throughput[1:] or module.throughput  # this process's share, in step with all
    summary = {
        "epochs": trainer.current_epoch,
        "seconds": round(seconds, 2),
        "windows_per_second": round(world * sum(rates) / len(rates), 1),  # rank 0's × processes
        "final_loss": float(trainer.callback_metrics["train/loss"]),
        "train_windows": n_windows,
        "processes": world,
        "history": module.history,
    }
    module.metadata["pretrain"] = summary
    checkpoint = save_checkpoint(trainer, out_dir / "last.ckpt")
    if rank == 0:
        write_json(out_dir / "results.json", results_document(cfg, summary, []))
        (out_dir / RESUME_NAME).unlink(missing_ok=True)
    return PretrainOutcome(module, summary, checkpoint, rank)
