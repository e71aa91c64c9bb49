"""``Recording``: one continuous multimodal recording of one subject, before windowing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossl.errors import CrosslError


@dataclass
class Recording:
    """Signals of one subject's recording: ``signals[name]`` is ``[T, C]``, ``labels`` is ``[T]``.

    All modalities share one sampling rate and length here; ``labels`` holds the dataset's raw
    activity codes (the protocol maps them to classes).
    """

    subject: int
    signals: dict[str, np.ndarray]
    labels: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.labels)
        for name, x in self.signals.items():
            if x.ndim != 2 or x.shape[0] != n:
                raise CrosslError(
                    f"subject {self.subject}: signal {name!r} has shape {x.shape}, "
                    f"expected ({n}, channels) to match its {n} labels"
                )

    def __len__(self) -> int:
        return len(self.labels)
