import pytest
import torch

from crossl.data.container import WindowSet
from crossl.data.normalisation import ChannelStats, fit_channel_stats, normalise
from crossl.data.splits import choose_validation_subjects, split_by_subjects
from crossl.errors import CrosslError


def windows():
    x = torch.arange(24, dtype=torch.float32).reshape(6, 2, 2)
    return WindowSet({"m": x}, torch.zeros(6).long(), torch.tensor([1, 1, 2, 2, 3, 3]))


def test_split_by_subjects_is_disjoint_and_complete():
    s = split_by_subjects(windows(), [1], [2], [3])
    assert s.train.subjects.tolist() == [1, 1]
    assert s.val.subjects.tolist() == [2, 2]
    assert s.test.subjects.tolist() == [3, 3]
    with pytest.raises(CrosslError, match="both the train and test"):
        split_by_subjects(windows(), [1, 3], [2], [3])


def test_validation_subjects_are_seeded():
    a = choose_validation_subjects(range(1, 22), 3, seed=0)
    assert a == choose_validation_subjects(range(1, 22), 3, seed=0)
    train, val = a
    assert len(val) == 3 and not set(train) & set(val) and len(train) == 18


def test_channel_stats_by_hand_and_present_only():
    ws = windows().select([0, 1])  # channel 0 values 0,1,4,5; channel 1 values 2,3,6,7
    stats = fit_channel_stats(ws)
    assert stats.mean["m"].tolist() == [2.5, 4.5]
    assert stats.std["m"][0].item() == pytest.approx(torch.tensor([0.0, 1, 4, 5]).std().item())
    ws.present[1, 0] = False
    assert fit_channel_stats(ws).mean["m"].tolist() == [0.5, 2.5]


def test_normalise_uses_given_stats_and_keeps_absent_zero():
    ws = windows()
    ws.present[5, 0] = False
    stats = ChannelStats({"m": torch.tensor([1.0, 2.0])}, {"m": torch.tensor([2.0, 4.0])})
    z = normalise(ws, stats).modalities["m"]
    assert z[0, 0].tolist() == [-0.5, 0.0]
    assert z[0, 1].tolist() == [0.0, 0.25]
    assert torch.count_nonzero(z[5]) == 0
    assert ChannelStats.from_dict(stats.to_dict()).mean["m"].tolist() == [1.0, 2.0]
