"""``RawWindows``: a source that is published already cut into windows (UCI-HAR, UEA/UCR, ``.npz``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossl.errors import CrosslError


@dataclass
class RawWindows:
    """Windows as a dataset publishes them, before the protocol maps labels and splits.

    ``signals[name]`` is ``[N, C_m, T_m]`` float32 (NaN marks a missing sample), ``labels [N]``
    the raw label codes (int64), ``subjects [N]`` int64, ``partition [N]`` int8: 0 for the
    published training part, 1 for the published test part (all 0 when the source has no
    official split).

    >>> rw = RawWindows({"acc": np.zeros((2, 3, 8), np.float32)}, np.array([1, 2]),
    ...                 np.array([5, 6]), np.array([0, 1], np.int8))
    >>> len(rw)
    2
    """

    signals: dict[str, np.ndarray]
    labels: np.ndarray
    subjects: np.ndarray
    partition: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.labels)
        for name, x in self.signals.items():
            if x.ndim != 3 or x.shape[0] != n:
                raise CrosslError(
                    f"windows of {name!r} have shape {x.shape}, expected ({n}, channels, time)"
                )
        for what, arr in (("subjects", self.subjects), ("partition", self.partition)):
            if arr.shape != (n,):
                raise CrosslError(f"{what} has shape {arr.shape}, expected ({n},)")

    def __len__(self) -> int:
        return len(self.labels)
