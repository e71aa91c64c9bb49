import numpy as np
import pytest

from crossl.data.recording import Recording
from crossl.data.windowing import window_labels, window_recordings, window_starts
from crossl.errors import CrosslError


def test_window_starts_by_hand():
    assert window_starts(10, 4, 3).tolist() == [0, 3, 6]
    assert window_starts(128, 128, 64).tolist() == [0]
    assert window_starts(127, 128, 64).tolist() == []
    with pytest.raises(CrosslError):
        window_starts(10, 0, 1)


def test_window_is_labelled_only_when_uniform_and_known():
    labels = np.array([1, 1, 1, 1, 2, 2, 2, 2, 9, 9, 9, 9])
    starts = window_starts(len(labels), 4, 2)
    got = window_labels(labels, starts, 4, {1: 0, 2: 1})
    # windows: [1111] [1122] [2222] [2299] [9999 -> unknown code]
    assert got.tolist() == [0, -1, 1, -1, -1]


def test_windows_never_cross_recordings():
    a = Recording(1, {"x": np.arange(10, dtype=np.float32)[:, None]}, np.ones(10, dtype=int))
    b = Recording(2, {"x": 100 + np.arange(6, dtype=np.float32)[:, None]}, np.ones(6, dtype=int))
    ws = window_recordings([a, b], window=4, stride=3, class_of={1: 0}, class_names=["one"])
    x = ws.modalities["x"][:, 0].numpy()
    assert x.tolist() == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9], [100, 101, 102, 103]]
    assert ws.subjects.tolist() == [1, 1, 1, 2]
    assert ws.modalities["x"].shape == (4, 1, 4)
