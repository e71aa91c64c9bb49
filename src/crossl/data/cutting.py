"""Cutting recordings with per-modality sampling rates into windows of a fixed duration, with
gap handling: short gaps are interpolated, a modality with a longer gap in a window is marked
missing for that window (``present=False``, data zero)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from crossl.data.gaps import fill_gaps
from crossl.data.label_map import DROPPED, LabelMap
from crossl.data.raw_windows import RawWindows
from crossl.data.recording import Recording
from crossl.data.resampling import resample_signal
from crossl.errors import CrosslError


@dataclass
class WindowBlock:
    """Windows ready for the cache: ``signals[name] [n, C, T]`` float32 (zero where absent),
    ``present [n, M]``, ``labels [n]`` class index or -1, ``subjects [n]``, ``partition [n]``."""

    signals: dict[str, np.ndarray]
    present: np.ndarray
    labels: np.ndarray
    subjects: np.ndarray
    partition: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class CutSpec:
    """How to cut: window and stride in seconds, the output rate of each modality (resampled
    from the recording's rate when they differ) and the longest gap (s) that is interpolated."""

    modalities: tuple[str, ...]
    window_s: float
    stride_s: float
    rates: Mapping[str, float]
    max_gap_s: Mapping[str, float]

    def samples(self, name: str, seconds: float) -> int:
        """``seconds`` of modality ``name`` in samples; must be a whole number."""
        n = seconds * self.rates[name]
        if abs(n - round(n)) > 1e-6 or round(n) < 1:
            raise CrosslError(
                f"{seconds} s at {self.rates[name]:g} Hz is not a whole number of samples of "
                f"{name!r}: choose window_s / stride_s that fit every modality's rate"
            )
        return round(n)


def cut_recording(rec: Recording, spec: CutSpec, labels: LabelMap) -> WindowBlock:
    """Windows of ``spec.window_s`` every ``spec.stride_s`` seconds over ``rec``.

    A window is labelled with a class when all its label samples carry one code of that class,
    is unlabelled (-1) when they are mixed or ignored, and is dropped when any carries a drop
    code or when no modality is present in it.

    >>> rec = Recording(3, {"a": np.arange(8.0)[:, None]}, np.array([1] * 4 + [2] * 4),
    ...                 rates={"a": 2.0}, label_rate_hz=2.0)
    >>> spec = CutSpec(("a",), 2.0, 2.0, {"a": 2.0}, {"a": 0.0})
    >>> block = cut_recording(rec, spec, LabelMap({1: 0, 2: 1}))
    >>> block.signals["a"][:, 0].tolist(), block.labels.tolist()
    ([[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]], [0, 1])
    """
    where = f"subject {rec.subject}" + (f" ({rec.session})" if rec.session else "")
    missing = [m for m in spec.modalities if m not in rec.signals]
    if missing:
        raise CrosslError(f"{where}: the recording has no modality {missing}")
    signals = {m: _prepare_signal(rec, m, spec) for m in spec.modalities}
    label_rate = rec.label_rate_hz or rec.rate_of(spec.modalities[0])
    durations = [len(x) / spec.rates[m] for m, x in signals.items()]
    duration = min([*durations, len(rec.labels) / label_rate])
    n = int(np.floor((duration - spec.window_s) / spec.stride_s + 1e-9)) + 1
    if n < 1:
        return _empty(spec, signals)
    times = np.arange(n) * spec.stride_s
    classes = _window_classes(labels.apply(rec.labels, where), times, spec.window_s, label_rate)
    windows = {}
    for m, x in signals.items():
        length = spec.samples(m, spec.window_s)
        starts = np.round(times * spec.rates[m]).astype(np.int64)
        windows[m] = sliding_window_view(x, length, axis=0)[starts]
    subjects = np.full(n, rec.subject, dtype=np.int64)
    return _block(windows, classes, subjects, np.zeros(n, dtype=np.int8))


def cut_raw_windows(raw: RawWindows, spec: CutSpec, labels: LabelMap) -> WindowBlock:
    """The published windows of ``raw``, gap-filled, with a modality absent where a gap longer
    than ``spec.max_gap_s`` remains; windows with a drop code or no modality are removed."""
    classes = labels.apply(raw.labels)
    windows = {}
    for m in spec.modalities:
        if m not in raw.signals:
            raise CrosslError(f"the windows have no modality {m!r}: have {sorted(raw.signals)}")
        gap = round(spec.max_gap_s.get(m, 0.0) * spec.rates[m])
        x = raw.signals[m]
        windows[m] = np.stack([fill_gaps(w.T, gap).T for w in x]) if np.isnan(x).any() else x
    return _block(windows, classes, raw.subjects.astype(np.int64), raw.partition.astype(np.int8))


def _block(
    windows: Mapping[str, np.ndarray],
    classes: np.ndarray,
    subjects: np.ndarray,
    partition: np.ndarray,
) -> WindowBlock:
    """The windows a modality has no gap in are present, the others zero; windows with a drop
    code or no modality present are removed."""
    present = np.stack([np.isfinite(x).all(axis=(1, 2)) for x in windows.values()], axis=1)
    keep = (classes != DROPPED) & present.any(axis=1)
    return WindowBlock(
        {
            m: np.where(present[keep, i, None, None], x[keep], 0.0).astype(np.float32)
            for i, (m, x) in enumerate(windows.items())
        },
        present[keep],
        classes[keep],
        subjects[keep],
        partition[keep],
    )


def _prepare_signal(rec: Recording, name: str, spec: CutSpec) -> np.ndarray:
    rate = rec.rate_of(name)
    gap = round(spec.max_gap_s.get(name, 0.0) * rate)
    x = rec.signals[name]
    filled = fill_gaps(x, gap) if np.isnan(x).any() else np.asarray(x, dtype=np.float32)
    return resample_signal(filled, rate, spec.rates[name])


def _window_classes(
    classes: np.ndarray, times: np.ndarray, window_s: float, rate: float
) -> np.ndarray:
    """One class per window from per-sample classes: ``DROPPED`` when any sample is, the class
    when all samples agree, else unlabelled (-1)."""
    length = max(1, round(window_s * rate))
    starts = np.round(times * rate).astype(np.int64)
    views = sliding_window_view(classes, length)[starts]
    uniform = (views == views[:, :1]).all(axis=1)
    out = np.where(uniform, views[:, 0], -1)
    return np.where((views == DROPPED).any(axis=1), DROPPED, out)


def _empty(spec: CutSpec, signals: Mapping[str, np.ndarray]) -> WindowBlock:
    return WindowBlock(
        {
            m: np.zeros((0, x.shape[1], spec.samples(m, spec.window_s)), np.float32)
            for m, x in signals.items()
        },
        np.zeros((0, len(signals)), dtype=bool),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int8),
    )
