"""Resampling recordings to another rate: signal values, lengths, labels, protocol windows."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from crossl.data.protocols import prepare_data
from crossl.data.recording import Recording
from crossl.data.resampling import resample_recording
from crossl.errors import CrosslError


def sine(rate: float, seconds: float, hz: float = 2.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return np.stack([np.sin(2 * np.pi * hz * t), np.cos(2 * np.pi * hz * t)], axis=1)


@pytest.mark.parametrize(("from_hz", "to_hz"), [(50.0, 25.0), (50.0, 100.0), (50.0, 32.0)])
def test_a_slow_sine_is_the_same_sine_at_the_new_rate(from_hz, to_hz):
    rec = Recording(3, {"acc": sine(from_hz, 10.0)}, np.ones(int(from_hz * 10), dtype=np.int64))
    out = resample_recording(rec, from_hz, to_hz)
    expected = sine(to_hz, 10.0)
    assert out.signals["acc"].shape == expected.shape
    inner = slice(int(to_hz), -int(to_hz))  # away from the filter's edge effects
    assert np.abs(out.signals["acc"][inner] - expected[inner]).max() < 0.02
    assert out.subject == 3 and out.signals["acc"].dtype == np.float32


def test_labels_follow_the_nearest_earlier_sample():
    labels = np.repeat([1, 2, 3], 50)
    rec = Recording(0, {"acc": np.zeros((150, 3))}, labels)
    up = resample_recording(rec, 50.0, 100.0)
    assert up.labels.tolist() == np.repeat([1, 2, 3], 100).tolist()
    down = resample_recording(rec, 50.0, 10.0)
    assert down.labels.tolist() == np.repeat([1, 2, 3], 10).tolist()


def test_same_rate_is_the_recording_itself_and_bad_rates_fail():
    rec = Recording(0, {"acc": np.zeros((10, 3))}, np.zeros(10, dtype=np.int64))
    assert resample_recording(rec, 50.0, 50.0) is rec
    with pytest.raises(CrosslError, match="must be positive"):
        resample_recording(rec, 50.0, 0.0)


def test_protocol_resampled_to_half_rate_keeps_the_windows(hapt_data):
    half = prepare_data("hapt", resample_to=(25.0, 64))
    pairs = [
        (getattr(hapt_data.splits, k), getattr(half.splits, k)) for k in ("train", "val", "test")
    ]
    for original, resampled in pairs:
        assert resampled.modalities["acc"].shape[1:] == (3, 64)
        # same window duration and stride-to-window ratio: about the same windows per subject
        assert abs(len(resampled) - len(original)) <= 2 * len(torch.unique(original.subjects))
        assert set(torch.unique(resampled.subjects).tolist()) == set(
            torch.unique(original.subjects).tolist()
        )
        counts = torch.bincount(resampled.labels[resampled.labels >= 0], minlength=6).float()
        reference = torch.bincount(original.labels[original.labels >= 0], minlength=6).float()
        assert torch.allclose(counts / counts.sum(), reference / reference.sum(), atol=0.01)
