"""Supervised training of the backbone + linear head on a labelled subset, early-stopped on validation:
from scratch (the supervised baseline) or from a pretrained backbone (fine-tuning)."""

from __future__ import annotations

import copy
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import Callback

from crossl.config import Config
from crossl.data.batches import EpochBatches
from crossl.data.container import WindowSet
from crossl.data.normalisation import ChannelStats
from crossl.errors import CrosslError
from crossl.methods.supervised import Supervised
from crossl.nn.backbone import MultimodalBackbone


class KeepBest(Callback):
    """Early stopping on validation loss that restores the best weights at the end; ``patience``
    counts validations without improvement."""

    def __init__(self, patience: int):
        self.patience = patience
        self.best = math.inf
        self.best_state: dict | None = None
        self.bad_epochs = 0

    def on_validation_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        loss = float(trainer.callback_metrics["val/loss"])
        if loss < self.best:
            self.best, self.bad_epochs = loss, 0
            self.best_state = copy.deepcopy(module.state_dict())
        else:
            self.bad_epochs += 1
            if self.bad_epochs >= self.patience:
                trainer.should_stop = True

    def on_fit_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        if self.best_state is not None:
            module.load_state_dict(self.best_state)


def supervised_batch_size(cfg: Config, n: int) -> int:
    """Batch size for ``n`` labelled windows: ``cfg.batch_size``, or smaller so an epoch has >= 4 steps."""
    return max(2, min(cfg.batch_size, math.ceil(n / 4)))


def supervised_epochs(cfg: Config, n: int, batch_size: int) -> int:
    """``cfg.supervised_epochs``, or more so that small subsets still get ``supervised_min_steps``.

    >>> from crossl.config import Config
    >>> supervised_epochs(Config(supervised_epochs=5, supervised_min_steps=300), 64, 8)
    38
    """
    steps_per_epoch = max(1, n // batch_size)
    return max(cfg.supervised_epochs, math.ceil(cfg.supervised_min_steps / steps_per_epoch))


def validation_interval(n_train: int, n_val: int) -> int:
    """Epochs between two validations, so that validating (a forward pass, about a third of the
    cost of a training window) costs at most about as much as the training between them. With
    few labels an epoch is a handful of steps and a validation pass over every validation
    window would cost many epochs of training.

    >>> validation_interval(60, 1500), validation_interval(7000, 1500)
    (9, 1)
    """
    return max(1, math.ceil(n_val / (3 * max(1, n_train))))


def copy_backbone_weights(target: MultimodalBackbone, source: MultimodalBackbone) -> None:
    """Copy the weights of ``source`` into ``target`` (``source`` itself is left as it is)."""
    if source.modality_names != target.modality_names:
        raise CrosslError(
            f"init_backbone was built for modalities {source.modality_names}, the data have "
            f"{target.modality_names}: fine-tune on data with the pretraining modalities"
        )
    ours = {k: tuple(v.shape) for k, v in target.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in source.state_dict().items()}
    differ = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
    if differ:
        name = differ[0]
        raise CrosslError(
            f"init_backbone does not fit the configured backbone: {name} is "
            f"{ours.get(name, 'missing')} here and {theirs.get(name, 'missing')} there; build both "
            "with the same modalities, code_size, kernel_sizes and aggregator settings"
        )
    target.load_state_dict(source.state_dict())


@dataclass
class SupervisedRun:
    """A network trained by :func:`train_supervised` and the settings that really ran: the
    batch size and epoch budget adapted to the number of labelled windows, the validation
    interval and the epochs trained before the early stop."""

    module: Supervised
    settings: dict[str, int]


def train_supervised(
    cfg: Config,
    modality_shapes: Mapping[str, tuple[int, int]],
    train: WindowSet,
    val: WindowSet,
    num_classes: int,
    seed: int,
    accelerator: str = "cpu",
    progress: bool = False,
    *,
    init_backbone: MultimodalBackbone | None = None,
    stats: ChannelStats | None = None,
) -> SupervisedRun:
    """Train :class:`Supervised` on the labelled ``train`` windows, from scratch or, with
    ``init_backbone``, fine-tuning a copy of its weights (encoders, aggregator and a new linear
    head trained end to end); the best validated weights are kept. ``stats``, the statistics the
    windows were standardised with, let the augmentations rotate in the sensor's units."""
    L.seed_everything(seed, verbose=False)
    metadata = {"normalisation": stats.to_dict()} if stats is not None else None
    module = Supervised(
        replace(cfg, online_probe=False), modality_shapes, metadata, num_classes=num_classes
    )
    if init_backbone is not None:
        copy_backbone_weights(module.backbone, init_backbone)
    train, val = train.labelled(), val.labelled()
    batch_size = supervised_batch_size(cfg, len(train))
    keep_best = KeepBest(cfg.supervised_patience)
    epochs = supervised_epochs(cfg, len(train), batch_size)
    # at least 4 validations, so early stopping and the choice of the best weights still work
    every = min(validation_interval(len(train), len(val)), max(1, epochs // 4))
    # whole intervals: epochs after the last validation would be trained and then discarded
    epochs = math.ceil(epochs / every) * every
    trainer = L.Trainer(
        max_epochs=epochs,
        accelerator=accelerator,
        devices=1,
        precision=cfg.trainer_precision(),
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=progress and sys.stderr.isatty(),  # no redraws in a log file
        enable_model_summary=False,
        num_sanity_val_steps=0,
        check_val_every_n_epoch=every,
        callbacks=[keep_best],
    )
    trainer.fit(
        module,
        train_dataloaders=EpochBatches(
            train, batch_size, seed=seed, drop_last=len(train) > batch_size
        ),
        val_dataloaders=EpochBatches(val, 1024, shuffle=False),
    )
    module.eval()
    settings = {
        "batch_size": batch_size,
        "max_epochs": epochs,
        "validation_every": every,
        "epochs_trained": trainer.current_epoch,
    }
    return SupervisedRun(module, settings)


@torch.no_grad()
def predict_labels(module: Supervised, windows: WindowSet) -> np.ndarray:
    """Class indices ``[N]`` predicted by a trained :class:`Supervised` module for ``windows``."""
    device = next(module.parameters()).device
    preds = [module.logits(b.to(device)).argmax(dim=1).cpu() for b in windows.batches(1024)]
    return torch.cat(preds).numpy()
