import pytest
import torch

from crossl.data.label_subsets import label_fraction_indices
from crossl.errors import CrosslError

LABELS = torch.tensor([0] * 500 + [1] * 300 + [2] * 7 + [-1] * 50)


def test_stratified_with_at_least_one_per_class():
    idx = label_fraction_indices(LABELS, 0.01, seed=3)
    assert torch.bincount(LABELS[idx]).tolist() == [5, 3, 1]
    idx = label_fraction_indices(LABELS, 0.1, seed=3)
    assert torch.bincount(LABELS[idx]).tolist() == [50, 30, 1]


def test_never_unlabelled_and_full_fraction_is_everything_labelled():
    assert (LABELS[label_fraction_indices(LABELS, 0.3, seed=0)] >= 0).all()
    assert len(label_fraction_indices(LABELS, 1.0, seed=0)) == 807


def test_seeded_and_nested():
    for seed in range(5):
        a = label_fraction_indices(LABELS, 0.01, seed)
        b = label_fraction_indices(LABELS, 0.05, seed)
        c = label_fraction_indices(LABELS, 0.1, seed)
        assert torch.equal(a, label_fraction_indices(LABELS, 0.01, seed))
        assert set(a.tolist()) <= set(b.tolist()) <= set(c.tolist())
    assert not torch.equal(
        label_fraction_indices(LABELS, 0.1, 0), label_fraction_indices(LABELS, 0.1, 1)
    )


def test_every_window_equally_likely_over_many_seeds():
    counts = torch.zeros(len(LABELS))
    for seed in range(400):
        counts[label_fraction_indices(LABELS, 0.1, seed)] += 1
    rate = counts[:500] / 400  # class 0: 50 of 500 each time
    assert rate.mean().item() == pytest.approx(0.1)
    assert rate.min().item() > 0.02 and rate.max().item() < 0.2


def test_bad_fraction():
    with pytest.raises(CrosslError):
        label_fraction_indices(LABELS, 0.0, 0)
    with pytest.raises(CrosslError, match="no labelled"):
        label_fraction_indices(torch.tensor([-1, -1]), 0.5, 0)
