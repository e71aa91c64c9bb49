"""A prepared dataset (cache folder) as :class:`PreparedData`: splits read on first use,
training windows streamed from disk when they do not fit the memory budget."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

import numpy as np
import torch

from crossl.data.cache.batches import CacheBatches
from crossl.data.cache.folder import DatasetCache, is_cache
from crossl.data.catalog import get_recipe
from crossl.data.container import WindowSet
from crossl.data.labelled_split import LabelledSplit
from crossl.data.normalisation import ChannelStats
from crossl.data.protocols import PreparedData
from crossl.errors import CrosslError

log = logging.getLogger(__name__)


class CachedSplits:
    """Train / validation / test windows of a cache, each read into memory when first used."""

    def __init__(self, cache: DatasetCache, index: dict[str, np.ndarray], stats: ChannelStats):
        self.cache, self.index, self.stats = cache, index, stats

    def _read(self, name: str) -> WindowSet:
        rows = self.index[name]
        log.info("reading %d %s windows from %s", len(rows), name, self.cache.folder)
        return self.cache.windows(rows, self.stats)

    @cached_property
    def train(self) -> WindowSet:
        return self._read("train")

    @cached_property
    def val(self) -> WindowSet:
        return self._read("val")

    @cached_property
    def test(self) -> WindowSet:
        return self._read("test")

    def subjects_of(self, name: str) -> list[int]:
        """The subjects of split ``name``, sorted, from the cache's index."""
        return sorted(int(s) for s in np.unique(self.cache.subjects[self.index[name]]))

    def labelled_split(self, name: str) -> LabelledSplit:
        """The labelled windows of split ``name``: signals read from the cache chunk by chunk
        (from memory if the split was read already)."""
        if name in self.__dict__:  # read by the cached property
            return LabelledSplit.in_memory(self.__dict__[name])
        rows = self.index[name][self.cache.labels[self.index[name]] >= 0]

        def read(start: int, stop: int) -> WindowSet:
            return self.cache.windows(rows[start:stop], self.stats)

        return LabelledSplit(
            torch.from_numpy(self.cache.labels[rows].astype(np.int64)),
            torch.from_numpy(self.cache.subjects[rows].astype(np.int64)),
            torch.from_numpy(self.cache.present[rows].copy()),
            self.cache.modality_names,
            read,
        )


def load_cached_data(
    name: str,
    root: str | None,
    *,
    fold: int = 0,
    limit_windows: int | None = None,
    seed: int = 0,
    stats: ChannelStats | None = None,
    memory_budget_mb: float = 4096.0,
) -> PreparedData:
    """The prepared dataset ``name`` in the cache folder ``root``, split by its rule (``fold``
    picks the left-out subject of leave-one-subject-out datasets) and normalised with statistics
    of the training subjects (or ``stats``). Training windows larger than ``memory_budget_mb``
    are streamed from disk during pretraining instead of being read into memory.
    """
    recipe = get_recipe(name)
    if not root:
        raise CrosslError(
            f"dataset={name} reads a prepared cache: run crossl datasets prepare {name} "
            f"--raw RAW_DIR --out CACHE_DIR, then pass data.root=CACHE_DIR"
        )
    if not Path(root).exists():
        raise CrosslError(
            f"data.root={root} does not exist: give the folder written by crossl datasets "
            f"prepare {name} --raw RAW_DIR --out CACHE_DIR"
        )
    if not is_cache(root):
        raise CrosslError(
            f"data.root={root} is not a prepared cache of {name}: run crossl datasets prepare "
            f"{name} --raw {root} --out CACHE_DIR (expected raw layout: {recipe.layout}), "
            "then pass data.root=CACHE_DIR"
        )
    cache = DatasetCache(root)
    if cache.name != name:
        raise CrosslError(
            f"data.root={root} holds a prepared {cache.name}, not {name}: set dataset={cache.name}"
        )
    cache.check_fresh()
    if stats is not None:
        stats.check_matches({k: c for k, (c, _) in cache.shapes.items()})
    index = cache.split(fold)
    for part, rows in index.items():
        if len(rows) == 0:
            raise CrosslError(
                f"the {part} split of {root} is empty: the dataset has too few subjects"
            )
    stats = stats or cache.stats(index["train"])
    if limit_windows is not None and limit_windows < len(index["train"]):
        g = torch.Generator().manual_seed(seed)
        keep = torch.randperm(len(index["train"]), generator=g)[:limit_windows].numpy()
        index["train"] = np.sort(index["train"][keep])
    budget = memory_budget_mb * 2**20
    stream = None
    if cache.nbytes(index["train"]) > budget:
        window_bytes = max(1, cache.nbytes(index["train"][:1]))
        buffer = int(budget // (2 * window_bytes))  # the other half: batches and their copies

        def stream(batch_size: int, seed: int, device: torch.device) -> CacheBatches:
            return CacheBatches(
                cache,
                index["train"],
                stats,
                batch_size,
                buffer_windows=buffer,
                seed=seed,
                device=device,
            )

    return PreparedData(
        CachedSplits(cache, index, stats),
        stats,
        cache.class_names,
        cache.shapes,
        cache.devices,
        None,
        stream,
    )
