import pytest
import torch

from crossl.data.container import WindowSet, concat
from crossl.errors import CrosslError


def make(n=6, t=8):
    g = torch.Generator().manual_seed(0)
    return WindowSet(
        {"acc": torch.randn(n, 3, t, generator=g), "ecg": torch.randn(n, 1, 2 * t, generator=g)},
        labels=torch.arange(n) % 3 - (torch.arange(n) == 0).long() * 1,
        subjects=torch.arange(n) // 2,
    )


def test_defaults_and_modalities_of_different_shapes():
    ws = make()
    assert ws.modality_names == ["acc", "ecg"]
    assert ws.present.all() and ws.present.shape == (6, 2)
    assert ws.modalities["ecg"].shape == (6, 1, 16)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"modalities": {"a": torch.zeros(3, 4)}}, "expected \\[N, channels, time\\]"),
        ({"modalities": {"a": torch.zeros(2, 1, 4)}}, "2 windows but there are 3 labels"),
        ({"modalities": {"a": torch.zeros(3, 1, 4, dtype=torch.long)}}, "float"),
        ({"present": torch.ones(3, 2, dtype=torch.bool)}, "present must be"),
    ],
)
def test_bad_shapes_are_refused(kwargs, message):
    args = {
        "modalities": {"a": torch.zeros(3, 1, 4)},
        "labels": torch.zeros(3).long(),
        "subjects": torch.zeros(3).long(),
        **kwargs,
    }
    with pytest.raises(CrosslError, match=message):
        WindowSet(**args)


def test_nan_in_present_window_is_reported_but_not_in_absent_one():
    ws = make()
    ws.modalities["acc"][2, 0, 0] = float("nan")
    with pytest.raises(CrosslError, match="1 windows"):
        ws.check_finite()
    ws.present[2, 0] = False
    ws.check_finite()


def test_with_present_zeroes_and_flags_missing_modalities():
    ws = make()
    only_ecg = ws.with_present(["ecg"])
    assert not only_ecg.present[:, 0].any() and only_ecg.present[:, 1].all()
    assert torch.count_nonzero(only_ecg.modalities["acc"]) == 0
    assert torch.equal(only_ecg.modalities["ecg"], ws.modalities["ecg"])
    with pytest.raises(CrosslError, match="unknown modality"):
        ws.with_present(["gyro"])


def test_shuffled_batches_cover_every_window_once_and_are_seeded():
    ws = make(n=10)
    ws.labels = torch.arange(10)

    def order(seed):
        g = torch.Generator().manual_seed(seed)
        return torch.cat([b.labels for b in ws.batches(3, shuffle=True, generator=g)])

    assert sorted(order(0).tolist()) == list(range(10))
    assert torch.equal(order(0), order(0))
    assert not torch.equal(order(0), order(1))
    g = torch.Generator().manual_seed(0)
    assert [len(b) for b in ws.batches(3, shuffle=True, generator=g, drop_last=True)] == [3, 3, 3]


def test_select_labelled_and_concat_round_trip():
    ws = make()
    lab = ws.labelled()
    assert (lab.labels >= 0).all() and len(lab) == 5
    both = concat([ws.select([0, 1, 2]), ws.select([3, 4, 5])])
    for k in ws.modalities:
        assert torch.equal(both.modalities[k], ws.modalities[k])
    assert torch.equal(both.subjects, ws.subjects)
