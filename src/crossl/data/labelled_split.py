"""The labelled windows of one split, read in chunks: what evaluation needs of a split without
holding its signals in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from torch import Tensor

from crossl.data.container import WindowSet


@dataclass(frozen=True)
class LabelledSplit:
    """Labels, subjects and availability flags of a split's labelled windows (in memory), and
    ``read(start, stop)``, their signals as a :class:`WindowSet` (from memory, or from a prepared
    cache).

    >>> ws = WindowSet({"acc": torch.ones(5, 3, 8)}, torch.tensor([0, -1, 1, 1, 0]),
    ...                torch.zeros(5).long())
    >>> split = LabelledSplit.in_memory(ws)
    >>> len(split), [len(chunk) for _, chunk in split.chunks(3)]
    (4, [3, 1])
    """

    labels: Tensor
    subjects: Tensor
    present: Tensor
    modality_names: list[str]
    read: Callable[[int, int], WindowSet]

    def __len__(self) -> int:
        return len(self.labels)

    def windows(self) -> WindowSet:
        """Every labelled window of the split, read into memory."""
        return self.read(0, len(self))

    def chunks(self, size: int) -> Iterator[tuple[int, WindowSet]]:
        """``(start, windows)`` of consecutive runs of at most ``size`` windows."""
        for start in range(0, len(self), size):
            yield start, self.read(start, min(start + size, len(self)))

    @classmethod
    def in_memory(cls, windows: WindowSet) -> LabelledSplit:
        """The labelled windows of ``windows``, already in memory."""
        labelled = windows.labelled()

        def read(start: int, stop: int) -> WindowSet:
            if (start, stop) == (0, len(labelled)):
                return labelled
            return labelled.select(torch.arange(start, stop))

        return cls(
            labelled.labels, labelled.subjects, labelled.present, labelled.modality_names, read
        )
