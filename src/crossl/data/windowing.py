"""Sliding windows over recordings; a window never crosses a recording boundary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from crossl.data.container import WindowSet
from crossl.data.recording import Recording
from crossl.errors import CrosslError


def window_starts(length: int, window: int, stride: int) -> np.ndarray:
    """Start indices of the full windows of ``window`` samples every ``stride`` samples.

    >>> window_starts(10, 4, 3).tolist()
    [0, 3, 6]
    """
    if window < 1 or stride < 1:
        raise CrosslError(f"window ({window}) and stride ({stride}) must be positive")
    if length < window:
        return np.zeros(0, dtype=np.int64)
    return np.arange(0, length - window + 1, stride, dtype=np.int64)


def window_labels(
    labels: np.ndarray, starts: np.ndarray, window: int, class_of: Mapping[int, int]
) -> np.ndarray:
    """Class of each window: ``class_of[code]`` when all its samples carry that one code, else -1."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    views = sliding_window_view(labels, window)[starts]
    uniform = (views == views[:, :1]).all(axis=1)
    lookup = np.vectorize(lambda c: class_of.get(int(c), -1), otypes=[np.int64])
    classes = lookup(views[:, 0])
    return np.where(uniform, classes, -1).astype(np.int64)


def window_recordings(
    recordings: Sequence[Recording],
    window: int,
    stride: int,
    class_of: Mapping[int, int],
    class_names: Sequence[str],
) -> WindowSet:
    """Cut every recording into windows and stack them into one :class:`WindowSet`."""
    if not recordings:
        raise CrosslError("no recordings to window")
    names = list(recordings[0].signals)
    parts: dict[str, list[np.ndarray]] = {n: [] for n in names}
    labels, subjects = [], []
    for rec in recordings:
        if list(rec.signals) != names:
            raise CrosslError(
                f"subject {rec.subject}: modalities {list(rec.signals)} differ from {names}"
            )
        starts = window_starts(len(rec), window, stride)
        for n in names:
            views = sliding_window_view(rec.signals[n], window, axis=0)[starts]
            parts[n].append(views.astype(np.float32))
        labels.append(window_labels(rec.labels, starts, window, class_of))
        subjects.append(np.full(len(starts), rec.subject, dtype=np.int64))
    return WindowSet(
        {n: torch.from_numpy(np.ascontiguousarray(np.concatenate(parts[n]))) for n in names},
        torch.from_numpy(np.concatenate(labels)),
        torch.from_numpy(np.concatenate(subjects)),
        class_names=list(class_names),
    )
