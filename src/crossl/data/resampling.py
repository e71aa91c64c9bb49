"""Resampling of whole recordings to another sampling rate, before windowing."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from crossl.data.recording import Recording
from crossl.errors import CrosslError


def resample_recording(recording: Recording, from_hz: float, to_hz: float) -> Recording:
    """``recording`` at ``to_hz``: signals by polyphase filtering (anti-aliased when
    downsampling), labels by the nearest earlier sample, so every sample keeps a real code.

    >>> rec = Recording(1, {"acc": np.ones((100, 3))}, np.repeat([1, 2], 50))
    >>> out = resample_recording(rec, 50.0, 25.0)
    >>> out.signals["acc"].shape, out.labels[:3].tolist(), out.labels[-3:].tolist()
    ((50, 3), [1, 1, 1], [2, 2, 2])
    """
    if from_hz <= 0 or to_hz <= 0:
        raise CrosslError(f"sampling rates must be positive, got {from_hz} Hz and {to_hz} Hz")
    if from_hz == to_hz:
        return recording
    up, down = _ratio(from_hz, to_hz)
    signals = {name: resample_signal(x, from_hz, to_hz) for name, x in recording.signals.items()}
    n = len(next(iter(signals.values())))
    source = np.minimum((np.arange(n) * down) // up, len(recording.labels) - 1)
    return Recording(recording.subject, signals, recording.labels[source])


def _ratio(from_hz: float, to_hz: float) -> tuple[int, int]:
    ratio = Fraction(to_hz / from_hz).limit_denominator(1000)
    return ratio.numerator, ratio.denominator


def resample_signal(x: np.ndarray, from_hz: float, to_hz: float) -> np.ndarray:
    """``x [T, C]`` resampled from ``from_hz`` to ``to_hz`` by polyphase filtering, as float32.

    NaN samples spoil only the outputs whose filter reaches them, so a gap stays a (slightly
    wider) gap.

    >>> resample_signal(np.ones((100, 2)), 100.0, 25.0).shape
    (25, 2)
    """
    if from_hz == to_hz:
        return np.asarray(x, dtype=np.float32)
    from scipy.signal import resample_poly  # only resampling needs scipy.signal

    up, down = _ratio(from_hz, to_hz)
    return resample_poly(x.astype(np.float64), up, down, axis=0).astype(np.float32)
