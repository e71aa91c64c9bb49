"""Windows of recordings with several sampling rates, gap handling and label mapping, by hand."""

import numpy as np
import pytest

from crossl.data.cutting import CutSpec, cut_raw_windows, cut_recording
from crossl.data.gaps import fill_gaps
from crossl.data.label_map import DROPPED, UNLABELLED, LabelMap
from crossl.data.raw_windows import RawWindows
from crossl.data.recording import Recording
from crossl.errors import CrosslError


def two_rate_recording(seconds=10):
    fast = np.arange(seconds * 100, dtype=np.float32)[:, None]
    slow = 1000 + np.arange(seconds * 4, dtype=np.float32)[:, None]
    labels = np.repeat([1, 2], seconds // 2)
    return Recording(
        7, {"ecg": fast, "eda": slow}, labels, {"ecg": 100.0, "eda": 4.0}, 1.0, "s7.pkl"
    )


def spec(window_s=2.0, stride_s=1.0, **rates):
    rates = {"ecg": 100.0, "eda": 4.0, **rates}
    return CutSpec(("ecg", "eda"), window_s, stride_s, rates, {"ecg": 0.05, "eda": 0.5})


def test_each_modality_is_cut_at_its_own_rate_at_the_same_times():
    block = cut_recording(two_rate_recording(), spec(), LabelMap({1: 0, 2: 1}))
    assert len(block) == 9
    assert block.signals["ecg"].shape == (9, 1, 200)
    assert block.signals["eda"].shape == (9, 1, 8)
    for k in range(9):
        assert block.signals["ecg"][k, 0, 0] == 100 * k
        assert block.signals["eda"][k, 0, 0] == 1000 + 4 * k
    assert block.labels.tolist() == [0, 0, 0, 0, UNLABELLED, 1, 1, 1, 1]
    assert block.subjects.tolist() == [7] * 9 and block.present.all()


def test_short_gaps_are_interpolated_and_long_gaps_make_the_modality_absent():
    rec = two_rate_recording()
    rec.signals["ecg"][102:105] = np.nan
    rec.signals["ecg"][600:700] = np.nan
    block = cut_recording(rec, spec(), LabelMap({1: 0, 2: 1}))
    np.testing.assert_allclose(block.signals["ecg"][1, 0, :6], [100, 101, 102, 103, 104, 105])
    ecg_present = block.present[:, 0].tolist()
    assert ecg_present == [True, True, True, True, True, False, False, True, True]
    assert (block.signals["ecg"][5] == 0).all()
    assert block.present[:, 1].all()


def test_a_window_with_no_modality_left_is_dropped():
    rec = two_rate_recording()
    rec.signals["ecg"][600:700] = np.nan
    rec.signals["eda"][24:28] = np.nan
    block = cut_recording(rec, spec(), LabelMap({1: 0, 2: 1}))
    assert len(block) == 7
    assert block.signals["ecg"][:, 0, 0].tolist() == [0, 100, 200, 300, 400, 700, 800]


def test_drop_codes_remove_windows_and_unknown_codes_are_refused():
    rec = two_rate_recording()
    rec.labels[3] = 9
    block = cut_recording(rec, spec(), LabelMap({1: 0, 2: 1}, drop=frozenset({9})))
    assert block.signals["ecg"][:, 0, 0].tolist() == [0, 100, 400, 500, 600, 700, 800]
    with pytest.raises(CrosslError, match=r"s7.pkl.*label code 9 is outside"):
        cut_recording(rec, spec(), LabelMap({1: 0, 2: 1}))


def test_resampling_to_the_protocol_rate():
    block = cut_recording(two_rate_recording(), spec(ecg=50.0), LabelMap({1: 0, 2: 1}))
    assert block.signals["ecg"].shape == (9, 1, 100)
    np.testing.assert_allclose(
        block.signals["ecg"][4, 0, 10:90], 400 + 2 * np.arange(10, 90), atol=0.5
    )


def test_a_window_that_is_not_a_whole_number_of_samples_is_refused():
    with pytest.raises(CrosslError, match="whole number of samples"):
        cut_recording(two_rate_recording(), spec(window_s=2.1), LabelMap({1: 0, 2: 1}))


def test_recording_too_short_for_one_window_gives_no_windows():
    block = cut_recording(two_rate_recording(seconds=2), spec(window_s=4.0), LabelMap({1: 0}))
    assert len(block) == 0 and block.signals["eda"].shape == (0, 1, 16)


def test_published_windows_keep_their_partition_and_gap_rules():
    x = np.arange(4 * 2 * 10, dtype=np.float32).reshape(4, 2, 10)
    x[1, 0, 3] = np.nan
    x[2, 1, 2:9] = np.nan
    raw = RawWindows(
        {"acc": x}, np.array([0, 1, 1, 0]), np.array([1, 1, 2, 2]), np.array([0, 0, 1, 1], np.int8)
    )
    cut = CutSpec(("acc",), 10.0, 10.0, {"acc": 1.0}, {"acc": 2.0})
    block = cut_raw_windows(raw, cut, LabelMap({0: 0, 1: 1}))
    assert len(block) == 3
    assert block.signals["acc"][1, 0, 3] == x[1, 0, 2] + 1
    assert block.partition.tolist() == [0, 0, 1] and block.subjects.tolist() == [1, 1, 2]


def test_fill_gaps_by_hand():
    x = np.array([[np.nan, 1.0], [2.0, np.nan], [np.nan, np.nan], [4.0, np.nan], [5.0, 9.0]])
    out = fill_gaps(x, max_gap=1)
    assert out[:, 0].tolist() == [2.0, 2.0, 3.0, 4.0, 5.0]
    assert np.isnan(out[1:4, 1]).all()
    assert fill_gaps(x, max_gap=3)[:, 1].tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]


def test_label_map_by_hand():
    m = LabelMap({3: 0, 4: 0, 1: 1}, ignore=frozenset({0}), drop=frozenset({6}))
    codes = np.array([[3, 4], [0, -1], [6, 1]])
    assert m.apply(codes).tolist() == [[0, 0], [UNLABELLED, UNLABELLED], [DROPPED, 1]]
    with pytest.raises(CrosslError, match="known codes: \\[0, 1, 3, 4, 6\\]"):
        m.apply(np.array([2]))


def test_recording_durations_must_agree():
    with pytest.raises(CrosslError, match="truncated or mismatched"):
        Recording(1, {"a": np.zeros((300, 1))}, np.zeros(10), {"a": 100.0}, 1.0)
