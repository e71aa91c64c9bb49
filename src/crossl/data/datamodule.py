"""A ``LightningDataModule`` over crossl's windows, for a crossl method in the user's own
``Trainer`` (own callbacks, loggers, strategy), with each rank's share under DDP."""

from __future__ import annotations

import lightning as L
import torch

from crossl.data.batches import EpochBatches, TrainBatches
from crossl.data.protocols import PreparedData


class WindowDataModule(L.LightningDataModule):
    """Training batches of ``data`` (:func:`crossl.prepare_data`, in memory or from a prepared
    cache) and its labelled validation windows, on the trainer's device.

    Each epoch is a new permutation seeded by ``seed``; under data parallelism every rank takes
    its own batches of that same permutation (disjoint, together the whole epoch; see
    :class:`~crossl.data.batches.EpochBatches`). ``labelled`` trains on the labelled windows
    only (the supervised baseline). Validation windows are not sharded: each rank scores all.

    >>> import crossl
    >>> dm = WindowDataModule(crossl.prepare_data("hapt", limit_windows=64), batch_size=16)
    >>> len(dm.train_dataloader()), len(dm.val_dataloader()) > 0
    (4, True)
    """

    def __init__(
        self,
        data: PreparedData,
        batch_size: int,
        seed: int = 0,
        labelled: bool = False,
        val_batch_size: int = 256,
    ):
        super().__init__()
        self.data = data
        self.batch_size = batch_size
        self.seed = seed
        self.labelled = labelled
        self.val_batch_size = val_batch_size

    def _device_and_shard(self) -> tuple[torch.device, tuple[int, int]]:
        trainer = self.trainer
        if trainer is None:  # used on its own, outside a Trainer
            return torch.device("cpu"), (0, 1)
        return trainer.strategy.root_device, (trainer.global_rank, trainer.world_size)

    def train_dataloader(self) -> TrainBatches:
        """This rank's shuffled, full training batches of every epoch."""
        device, shard = self._device_and_shard()
        return self.data.train_batches(self.batch_size, self.seed, device, self.labelled, shard)

    def val_dataloader(self) -> EpochBatches:
        """The labelled validation windows in order, in batches of ``val_batch_size``."""
        device, _ = self._device_and_shard()
        windows = self.data.splits.val.labelled().to(device)
        return EpochBatches(windows, self.val_batch_size, shuffle=False)
