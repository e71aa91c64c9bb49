"""Epoch-wise batch iteration over an in-memory :class:`WindowSet`, reshuffled with a seed each epoch."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Protocol

import torch

from crossl.data.container import WindowSet


class TrainBatches(Protocol):
    """What pretraining iterates over each epoch: a sized iterable of ``batch_size`` batches
    (:class:`EpochBatches` in memory, :class:`~crossl.data.cache_batches.CacheBatches` from disk)."""

    batch_size: int

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[WindowSet]: ...


class EpochBatches:
    """An iterable of batches for Lightning: each pass is a new seeded permutation.

    Batches are slices of the tensors already in memory (on the device where ``windows`` live),
    so there is no per-sample Python and no collation.

    >>> ws = WindowSet({"a": torch.zeros(10, 1, 4)}, torch.zeros(10).long(), torch.zeros(10).long())
    >>> b = EpochBatches(ws, 4, seed=0, drop_last=True)
    >>> len(b), [len(x) for x in b]
    (2, [4, 4])
    """

    def __init__(
        self,
        windows: WindowSet,
        batch_size: int,
        *,
        seed: int = 0,
        shuffle: bool = True,
        drop_last: bool = False,
    ):
        self.windows = windows
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        n = len(self.windows)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[WindowSet]:
        return self.windows.batches(
            self.batch_size,
            shuffle=self.shuffle,
            generator=self.generator,
            drop_last=self.drop_last,
        )
