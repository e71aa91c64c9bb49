import pytest
import torch

from crossl.errors import CrosslError
from crossl.nn.masking import hide_units, latent_keep_mask


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("m, ratio", [(2, 0.1), (2, 0.25), (2, 0.5), (4, 0.3), (6, 0.5)])
def test_spatial_fraction_hidden_matches_ratio(m, ratio):
    present = torch.ones(20000, m, dtype=torch.bool)
    keep = latent_keep_mask(present, 8, "spatial", ratio, gen())
    hidden = 1 - keep.mean().item()
    assert hidden == pytest.approx(ratio, abs=0.01)
    # whole modalities: every row of the D axis is all kept or all hidden
    assert ((keep.sum(-1) == 0) | (keep.sum(-1) == 8)).all()


def test_spatial_hides_the_exact_count_and_each_modality_equally_often():
    present = torch.ones(40000, 4, dtype=torch.bool)
    hidden = hide_units(present, 0.25, gen())  # 0.25 * 4 = exactly one modality
    assert (hidden.sum(1) == 1).all()
    assert hidden.float().mean(0).tolist() == pytest.approx([0.25] * 4, abs=0.01)


def test_random_fraction_hidden_matches_ratio():
    present = torch.ones(5000, 2, dtype=torch.bool)
    keep = latent_keep_mask(present, 96, "random", 0.1, gen())
    assert 1 - keep.mean().item() == pytest.approx(0.1, abs=0.002)
    per_row = 1 - keep.flatten(1).mean(1)
    assert per_row.std() < 0.01  # stochastic rounding: 19 or 20 of 192 per row


def test_missing_modality_is_never_chosen_and_never_all_hidden():
    g = gen(1)
    present = torch.rand(20000, 3, generator=g) < 0.6
    hidden = hide_units(present, 0.9, g)
    assert not (hidden & ~present).any()
    has_any = present.any(1)
    visible = present & ~hidden
    assert visible[has_any].any(1).all()
    # a sample with a single present modality is never masked
    single = present.sum(1) == 1
    assert not hidden[single].any()
    # among present modalities the ratio still applies where the cap allows it
    two = present.sum(1) == 2
    assert hidden[two].sum(1).float().mean().item() == pytest.approx(1.0)  # capped at n - 1


def test_keep_mask_zero_for_missing_modalities():
    present = torch.tensor([[True, False], [False, True]])
    for strategy in ("spatial", "random"):
        keep = latent_keep_mask(present, 5, strategy, 0.5, gen())
        assert keep[0, 1].sum() == 0 and keep[1, 0].sum() == 0
        assert keep[0, 0].sum() >= 1 and keep[1, 1].sum() >= 1


def test_seeded_and_validated():
    present = torch.ones(64, 3, dtype=torch.bool)
    a = latent_keep_mask(present, 4, "random", 0.3, gen(7))
    assert torch.equal(a, latent_keep_mask(present, 4, "random", 0.3, gen(7)))
    assert not torch.equal(a, latent_keep_mask(present, 4, "random", 0.3, gen(8)))
    with pytest.raises(CrosslError):
        latent_keep_mask(present, 4, "temporal", 0.3, gen())
    with pytest.raises(CrosslError):
        hide_units(present, 1.0, gen())
