"""Training batches streamed from a prepared dataset on disk, in bounded memory."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch

from crossl.data.cache.folder import DatasetCache
from crossl.data.container import WindowSet, concat
from crossl.data.normalisation import ChannelStats


class CacheBatches:
    """Shuffled batches of the windows at ``index`` of ``cache``, normalised with ``stats``.

    Each epoch the windows are cut into blocks of ``block`` consecutive windows (cheap to read),
    the blocks are put in a seeded random order, and a shuffle buffer of at most
    ``buffer_windows`` windows is filled from them; batches are drawn from the buffer in a
    random order. So one buffer (plus one batch) is in memory, and a batch mixes windows from
    many places of the dataset (many subjects). Batches are moved to ``device``.
    """

    def __init__(
        self,
        cache: DatasetCache,
        index: np.ndarray,
        stats: ChannelStats,
        batch_size: int,
        *,
        buffer_windows: int,
        seed: int = 0,
        device: torch.device | str = "cpu",
        block: int = 32,
    ):
        self.cache = cache
        self.index = np.sort(np.asarray(index, dtype=np.int64))
        self.stats = stats
        self.batch_size = batch_size
        self.buffer_windows = max(buffer_windows, batch_size)
        self.block = block
        self.device = torch.device(device)
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return len(self.index) // self.batch_size

    def _buffers(self) -> Iterator[WindowSet]:
        """The epoch's shuffle buffers, each read from disk in one pass of sorted rows."""
        blocks = np.array_split(self.index, math.ceil(len(self.index) / self.block))
        order = torch.randperm(len(blocks), generator=self.generator).tolist()
        start = 0
        while start < len(order):
            stop, size = start, 0
            while stop < len(order) and size < self.buffer_windows:
                size += len(blocks[order[stop]])
                stop += 1
            yield self.cache.windows(
                np.sort(np.concatenate([blocks[i] for i in order[start:stop]])), self.stats
            )
            start = stop

    def __iter__(self) -> Iterator[WindowSet]:
        carry: WindowSet | None = None
        served = 0
        for buffer in self._buffers():
            perm = torch.randperm(len(buffer), generator=self.generator)
            taken = 0
            if carry is not None:
                taken = min(self.batch_size - len(carry), len(buffer))
                carry = concat([carry, buffer.select(perm[:taken])])
                if len(carry) < self.batch_size:
                    continue
                yield carry.to(self.device)
                served, carry = served + 1, None
            while taken + self.batch_size <= len(buffer) and served < len(self):
                yield buffer.select(perm[taken : taken + self.batch_size]).to(self.device)
                taken += self.batch_size
                served += 1
            if taken < len(buffer) and served < len(self):
                carry = buffer.select(perm[taken:])
