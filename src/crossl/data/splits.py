"""Subject-wise splits: every window of a subject lands in exactly one split."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from crossl.data.container import WindowSet
from crossl.data.labelled_split import LabelledSplit
from crossl.errors import CrosslError


@dataclass
class Splits:
    """Train / validation / test window sets with disjoint subjects."""

    train: WindowSet
    val: WindowSet
    test: WindowSet

    def labelled_split(self, name: str) -> LabelledSplit:
        """The labelled windows of split ``name`` (``train``, ``val`` or ``test``)."""
        return LabelledSplit.in_memory(getattr(self, name))

    def subjects_of(self, name: str) -> list[int]:
        """The subjects of split ``name``, sorted."""
        return sorted(int(s) for s in torch.unique(getattr(self, name).subjects))


class SplitWindows(Protocol):
    """Read-only train / validation / test windows: :class:`Splits`, or splits read on first use
    (:class:`~crossl.data.cache.prepared.CachedSplits`)."""

    @property
    def train(self) -> WindowSet: ...

    @property
    def val(self) -> WindowSet: ...

    @property
    def test(self) -> WindowSet: ...

    def labelled_split(self, name: str) -> LabelledSplit:
        """The labelled windows of split ``name``, read in chunks on demand."""
        ...

    def subjects_of(self, name: str) -> list[int]:
        """The subjects of split ``name``, sorted, without reading its windows."""
        ...


def choose_validation_subjects(
    candidates: Sequence[int], n_val: int, seed: int
) -> tuple[list[int], list[int]]:
    """Draw ``n_val`` validation subjects from ``candidates`` with a fixed seed; return (train, val).

    >>> choose_validation_subjects([1, 3, 5, 6], 1, seed=0)[1]
    [6]
    """
    pool = sorted(candidates)
    if not 0 < n_val < len(pool):
        raise CrosslError(f"cannot draw {n_val} validation subjects from {len(pool)} candidates")
    rng = np.random.default_rng(seed)
    val = sorted(int(s) for s in rng.choice(pool, size=n_val, replace=False))
    return [s for s in pool if s not in val], val


def windows_of_subjects(windows: WindowSet, subjects: Sequence[int]) -> WindowSet:
    """The windows recorded by any of ``subjects``."""
    mask = torch.isin(windows.subjects, torch.as_tensor(list(subjects), dtype=torch.int64))
    return windows.select(mask)


def split_by_subjects(
    windows: WindowSet, train: Sequence[int], val: Sequence[int], test: Sequence[int]
) -> Splits:
    """Split ``windows`` by subject lists, which must be disjoint."""
    groups = {"train": set(train), "val": set(val), "test": set(test)}
    for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
        both = groups[a] & groups[b]
        if both:
            raise CrosslError(f"subjects {sorted(both)} are in both the {a} and {b} splits")
    return Splits(
        windows_of_subjects(windows, train),
        windows_of_subjects(windows, val),
        windows_of_subjects(windows, test),
    )
