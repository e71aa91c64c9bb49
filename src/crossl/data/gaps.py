"""Gaps in a recording (NaN samples): short ones are interpolated, long ones stay missing."""

from __future__ import annotations

import numpy as np


def fill_gaps(x: np.ndarray, max_gap: int) -> np.ndarray:
    """``x [T, C]`` with every run of at most ``max_gap`` NaN samples filled, per channel.

    Inner runs are interpolated linearly between their neighbours; a run at the start or end is
    filled with the nearest value. Longer runs stay NaN, so the windows that touch them can be
    marked missing. A channel with no finite value stays NaN.

    >>> x = np.array([[0.0], [np.nan], [np.nan], [3.0], [np.nan], [np.nan], [np.nan], [7.0]])
    >>> fill_gaps(x, max_gap=2)[:, 0].tolist()
    [0.0, 1.0, 2.0, 3.0, nan, nan, nan, 7.0]
    """
    out = np.array(x, dtype=np.float32, copy=True)
    if max_gap < 1:
        return out
    for c in range(out.shape[1]):
        col = out[:, c]
        missing = np.isnan(col)
        if not missing.any() or missing.all():
            continue
        fillable = missing & (_run_lengths(missing) <= max_gap)
        known = np.flatnonzero(~missing)
        col[fillable] = np.interp(np.flatnonzero(fillable), known, col[known])
    return out


def _run_lengths(mask: np.ndarray) -> np.ndarray:
    """For each True element of ``mask``, the length of the run of Trues it belongs to."""
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lengths = np.zeros(len(mask), dtype=np.int64)
    lengths[mask] = np.repeat(ends - starts, ends - starts)
    return lengths
