import pytest
import torch

from crossl.errors import CrosslError
from crossl.nn.masking import effective_ratio, hide_units, latent_keep_mask, view_keep_masks


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


@pytest.mark.parametrize("strategy", ["bernoulli", "bernoulli-random"])
def test_bernoulli_hides_each_present_unit_with_the_ratio_and_never_everything(strategy):
    present = torch.ones(40000, 3, dtype=torch.bool)
    for keep in view_keep_masks(present, 4, strategy, 0.3, gen()):
        units = keep[:, :, 0] if strategy == "bernoulli" else keep.flatten(1)
        per_unit = 1 - units.mean().item()
        # P(hidden | not all hidden) = p (1 - p^(U-1)) / (1 - p^U)
        u = units.shape[1]
        assert per_unit == pytest.approx(0.3 * (1 - 0.3 ** (u - 1)) / (1 - 0.3**u), abs=0.005)
        assert (units.sum(1) > 0).all()
        if strategy == "bernoulli":
            # the count hidden is binomial, not fixed: 0, 1 and 2 of 3 all occur
            assert set(torch.unique(3 - units.sum(1)).tolist()) == {0.0, 1.0, 2.0}


def test_bernoulli_draws_the_two_views_independently():
    present = torch.ones(40000, 2, dtype=torch.bool)
    a, b = view_keep_masks(present, 1, "bernoulli", 0.5, gen())
    hid_a, hid_b = (1 - a[:, 0, 0]), (1 - b[:, 0, 0])
    # independent views: P(both hide acc) = P(a hides acc) P(b hides acc)
    joint = (hid_a * hid_b).mean().item()
    assert joint == pytest.approx(hid_a.mean().item() * hid_b.mean().item(), abs=0.01)


def test_paired_views_half_full_plus_partial_half_complementary():
    present = torch.ones(40000, 3, dtype=torch.bool)
    a, b = view_keep_masks(present, 5, "paired", 0.5, gen(3))
    va, vb = a[:, :, 0].bool(), b[:, :, 0].bool()
    full_a, full_b = va.all(1), vb.all(1)
    assert not (full_a & full_b).any()  # never two full views
    one_full = full_a | full_b
    assert one_full.float().mean().item() == pytest.approx(0.5, abs=0.01)
    # the partial view beside a full one hides at least one modality, never all
    partial = torch.where(full_a[:, None], vb, va)[one_full]
    assert (partial.sum(1) >= 1).all() and (partial.sum(1) <= 2).all()
    # complementary pairs: each modality shown by exactly one view
    comp = ~one_full
    assert (va[comp] ^ vb[comp]).all()
    # which view is the full one is symmetric
    assert full_a.float().mean().item() == pytest.approx(0.25, abs=0.01)
    # whole modalities are hidden: every modality row is all kept or all hidden
    assert ((a.sum(-1) == 0) | (a.sum(-1) == 5)).all()


def test_paired_never_hides_a_missing_modality_nor_everything():
    g = gen(4)
    present = torch.rand(20000, 3, generator=g) < 0.6
    present[~present.any(1), 0] = True
    for keep in view_keep_masks(present, 4, "paired", 0.5, g):
        assert not keep[~present].any()
        assert (keep.flatten(1).sum(1) > 0).all()


def test_paired_on_one_modality_hides_entries_and_the_views_differ():
    present = torch.ones(5000, 1, dtype=torch.bool)
    a, b = view_keep_masks(present, 96, "paired", 0.5, gen(5))
    assert 1 - a.mean().item() == pytest.approx(0.5, abs=0.01)
    assert (a != b).any(dim=(1, 2)).all()


def test_exact_views_keep_the_draws_of_the_single_view_mask():
    present = torch.ones(64, 2, dtype=torch.bool)
    g = gen(9)
    expected = [latent_keep_mask(present, 4, "spatial", 0.5, g) for _ in range(2)]
    got = view_keep_masks(present, 4, "spatial", 0.5, gen(9))
    assert all(torch.equal(x, y) for x, y in zip(expected, got, strict=True))
    # two modalities at ratio 0.5: each view hides exactly one (never a full view)
    assert (got[0][:, :, 0].sum(1) == 1).all()


@pytest.mark.parametrize(
    "strategy, ratio, m, expected",
    [
        ("spatial", 0.75, 2, 0.5),
        ("spatial", 0.25, 2, 0.25),
        ("spatial", 0.9, 4, 0.75),
        ("paired", 0.1, 2, 0.5),
        ("paired", 0.9, 2, 0.5),
        ("bernoulli", 0.75, 2, 0.75),
        ("random", 0.75, 2, 0.75),
    ],
)
def test_effective_ratio(strategy, ratio, m, expected):
    assert effective_ratio(strategy, ratio, m) == pytest.approx(expected)


@pytest.mark.parametrize(
    "strategy, ratio, m, patches, expected",
    [
        ("temporal", 0.75, 2, 2, 0.5),  # one of two patches at most
        ("temporal", 0.25, 2, 2, 0.25),
        ("temporal", 0.75, 2, 4, 0.75),
        ("spatiotemporal", 0.9, 2, 2, 0.75),  # three of four tokens at most
        ("spatiotemporal", 0.5, 2, 2, 0.5),
        ("temporal", 0.5, 2, 1, 0.5),  # no patches: nothing to cap
    ],
)
def test_effective_ratio_of_the_patch_strategies(strategy, ratio, m, patches, expected):
    assert effective_ratio(strategy, ratio, m, patches) == pytest.approx(expected)


@pytest.mark.parametrize("ratio, hidden_max", [(0.75, 1), (0.9, 1)])
def test_temporal_masks_never_hide_more_than_the_cap(ratio, hidden_max):
    from crossl.nn.masking import patch_keep_mask

    present = torch.ones(4000, 2, dtype=torch.bool)
    keep = patch_keep_mask(present, 2, 4, "temporal", ratio, gen())  # 2 patches of 4 entries
    hidden = (keep.reshape(4000, 2, 2, 4) == 0).all(dim=-1).sum(dim=-1)  # per modality
    assert int(hidden.max()) == hidden_max
    same = patch_keep_mask(present, 2, 4, "temporal", 0.5, gen())
    assert torch.equal(keep, same)  # above the cap, the same draw as 0.5


def test_paired_is_not_a_single_view_mask():
    with pytest.raises(CrosslError, match="view_keep_masks"):
        latent_keep_mask(torch.ones(2, 2, dtype=torch.bool), 4, "paired", 0.5, gen())


def test_temporal_hides_whole_time_patches_in_every_modality_at_the_ratio():
    present = torch.ones(20000, 2, dtype=torch.bool)
    patches, d = 4, 3
    for keep in view_keep_masks(present, patches * d, "temporal", 0.5, gen(), patches=patches):
        grid = keep.reshape(20000, 2, patches, d)
        assert ((grid.sum(-1) == 0) | (grid.sum(-1) == d)).all()  # whole patches
        assert torch.equal(grid[:, 0], grid[:, 1])  # the same time patches in every modality
        assert (grid[:, 0, :, 0].sum(1) == 2).all()  # exactly 2 of 4 patches hidden


def test_spatiotemporal_hides_tokens_of_present_modalities_only_never_all():
    g = gen(2)
    present = torch.rand(20000, 3, generator=g) < 0.6
    present[~present.any(1), 1] = True
    a, b = view_keep_masks(present, 2 * 5, "spatiotemporal", 0.75, g, patches=2)
    for keep in (a, b):
        tokens = keep.reshape(20000, 3, 2, 5)[..., 0]
        assert not tokens[~present].any()
        assert (tokens.flatten(1).sum(1) >= 1).all()
        n = present.sum(1) * 2
        hidden = n - tokens.flatten(1).sum(1)
        # ratio 0.75 of the 2n present tokens, capped at 2n - 1
        expected = torch.minimum(0.75 * n.float(), (n - 1).float())
        assert (hidden.float() - expected).abs().max() < 1.0
    assert not torch.equal(a, b)


def test_patch_strategies_need_patches():
    present = torch.ones(4, 2, dtype=torch.bool)
    with pytest.raises(CrosslError, match="time axis"):
        view_keep_masks(present, 8, "temporal", 0.5, gen())
