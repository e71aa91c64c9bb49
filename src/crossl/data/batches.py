"""Epoch-wise batch iteration over an in-memory :class:`WindowSet`, reshuffled with a seed each epoch."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Protocol

import torch

from crossl.data.container import WindowSet


class TrainBatches(Protocol):
    """What pretraining iterates over each epoch: a sized iterable of ``batch_size`` batches
    (:class:`EpochBatches` in memory, :class:`~crossl.data.cache.batches.CacheBatches` from disk)."""

    batch_size: int

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[WindowSet]: ...


class EpochBatches:
    """An iterable of batches for Lightning: each pass is a new seeded permutation.

    Batches are slices of the tensors already in memory (on the device where ``windows`` live),
    so there is no per-sample Python and no collation.

    Under data parallelism ``shard=(rank, world_size)`` gives each rank its own batches of the
    same seeded permutation: batch ``j`` of rank ``r`` is batch ``j·world_size + r`` of the
    epoch, so the ranks' batches are disjoint, together cover the epoch (but for the last
    ``< world_size`` batches), and every rank has as many.

    >>> ws = WindowSet({"a": torch.zeros(10, 1, 4)}, torch.zeros(10).long(), torch.zeros(10).long())
    >>> b = EpochBatches(ws, 4, seed=0, drop_last=True)
    >>> len(b), [len(x) for x in b]
    (2, [4, 4])
    >>> len(EpochBatches(ws, 2, shard=(1, 2)))
    2
    """

    def __init__(
        self,
        windows: WindowSet,
        batch_size: int,
        *,
        seed: int = 0,
        shuffle: bool = True,
        drop_last: bool = False,
        shard: tuple[int, int] = (0, 1),
    ):
        rank, world = shard
        if not 0 <= rank < world:
            raise ValueError(
                f"shard {shard} must be (rank, world_size) with 0 <= rank < world_size"
            )
        self.windows = windows
        self.shard = shard
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        n = len(self.windows)
        total = n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return total // self.shard[1]

    def __iter__(self) -> Iterator[WindowSet]:
        if self.shard[1] > 1:
            return self._sharded()
        return self.windows.batches(
            self.batch_size,
            shuffle=self.shuffle,
            generator=self.generator,
            drop_last=self.drop_last,
        )

    def _sharded(self) -> Iterator[WindowSet]:
        rank, world = self.shard
        n = len(self.windows)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        order = order.to(self.windows.device)
        for j in range(len(self)):
            start = (j * world + rank) * self.batch_size
            yield self.windows.select(order[start : start + self.batch_size])
