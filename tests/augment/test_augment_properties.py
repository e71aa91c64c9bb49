"""The property each augmentation promises."""

import pytest
import torch

from crossl.augment import (
    blockout,
    crop_and_resize,
    jitter,
    magnitude_warp,
    noise,
    permutation,
    random_crop_bounds,
    random_smoothing,
    scaling,
    sign_flip,
    time_reversal,
    time_warp,
)
from crossl.errors import CrosslError


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_time_reversal_twice_is_identity():
    x = torch.randn(5, 3, 33, generator=gen(0))
    assert torch.equal(time_reversal(time_reversal(x, gen(0)), gen(1)), x)


def test_sign_flip_is_exact_negation():
    x = torch.randn(5, 3, 33, generator=gen(0))
    y = sign_flip(x, gen(0))
    assert torch.equal(y, -x) and torch.equal(y + x, torch.zeros_like(x))


@pytest.mark.parametrize(("fraction", "length"), [(0.1, 128), (0.25, 50), (0.5, 7)])
def test_blockout_zeroes_one_block_of_the_right_length(fraction, length):
    x = torch.rand(64, 4, length, generator=gen(0)) + 1  # never zero
    y = blockout(x, gen(1), fraction=fraction)
    zero = y == 0
    assert torch.equal(zero, zero[:, :1].expand_as(zero)), "all channels share the block"
    block = zero[:, 0]
    n = round(fraction * length)
    assert (block.sum(dim=1) == n).all()
    starts = block.int().argmax(dim=1)
    steps = torch.arange(length)
    expected = (steps >= starts[:, None]) & (steps < starts[:, None] + n)
    assert torch.equal(block, expected), "the zeroed steps are contiguous"
    assert torch.equal(y[~zero], x[~zero]), "the rest is untouched"
    assert len(starts.unique()) > 1 or length - n == 0


def test_blockout_rejects_bad_fraction():
    for bad in (0.0, 1.0, -0.2, 2):
        with pytest.raises(CrosslError, match="fraction"):
            blockout(torch.ones(1, 1, 10), gen(0), fraction=bad)


def test_noise_scales_with_each_channels_std():
    base = torch.randn(2000, 1, 64, generator=gen(0))
    x = torch.cat([base, 10 * base], dim=1)
    residual = noise(x, gen(1), scale=0.1) - x
    std = residual.std(dim=(0, 2))
    assert std[1] / std[0] == pytest.approx(10, rel=0.05)
    expected = 0.1 * x.std(dim=-1, correction=0).pow(2).mean(dim=0).sqrt()
    assert torch.allclose(std, expected, rtol=0.05)


def test_noise_leaves_constant_channels_alone():
    x = torch.full((4, 2, 32), 3.0)
    assert torch.equal(noise(x, gen(0)), x)


def test_jitter_residual_std_is_sigma():
    x = torch.randn(512, 3, 64, generator=gen(0)) * 5
    residual = jitter(x, gen(1), sigma=0.2) - x
    assert residual.std().item() == pytest.approx(0.2, rel=0.02)
    assert residual.mean().abs().item() < 0.01


def test_scaling_ratio_is_constant_over_time_per_channel():
    x = torch.rand(32, 3, 50, generator=gen(0)) + 0.5
    ratio = scaling(x, gen(1), sigma=0.3) / x
    assert torch.allclose(ratio, ratio[..., :1].expand_as(ratio), rtol=1e-5)
    per_channel = ratio[..., 0]
    assert (per_channel[:, 0] != per_channel[:, 1]).all(), "each channel draws its own factor"
    assert per_channel.mean().item() == pytest.approx(1, abs=0.1)


def test_crop_and_resize_full_bounds_is_identity():
    x = torch.randn(4, 3, 40, generator=gen(0))
    bounds = torch.tensor([[0.0, 1.0]]).expand(4, 2)
    assert torch.equal(crop_and_resize(x, gen(0), bounds=bounds), x)


def test_crop_and_resize_stays_within_the_input_range_and_crops_a_ramp():
    x = torch.randn(256, 3, 40, generator=gen(0))
    y = crop_and_resize(x, gen(1), min_scale=0.3)
    low, high = x.amin(dim=-1, keepdim=True), x.amax(dim=-1, keepdim=True)
    assert ((y >= low - 1e-6) & (y <= high + 1e-6)).all()
    ramp = torch.linspace(0, 1, 101).expand(256, 1, 101)
    out = crop_and_resize(ramp, gen(2), min_scale=0.3)[:, 0]
    length = out[:, -1] - out[:, 0]
    assert ((length >= 0.3 - 1e-5) & (length <= 1 + 1e-5)).all()
    assert torch.allclose(out.diff(dim=1), length[:, None] / 100, atol=1e-5)


def test_crop_bounds_are_shared_as_fractions_across_lengths():
    bounds = random_crop_bounds(8, gen(0), min_scale=0.5)
    ramps = [torch.linspace(0, 1, t).expand(8, 1, t) for t in (128, 64)]
    a, b = (crop_and_resize(r, gen(1), bounds=bounds)[:, 0] for r in ramps)
    assert torch.allclose(a[:, 0], bounds[:, 0], atol=1e-5)
    assert torch.allclose(a[:, [0, -1]], b[:, [0, -1]], atol=1e-5)


def test_crop_and_resize_checks_bounds_shape():
    with pytest.raises(CrosslError, match="bounds"):
        crop_and_resize(torch.zeros(4, 1, 8), gen(0), bounds=torch.zeros(4, 3))


def test_magnitude_warp_multiplier_averages_one_and_is_smooth():
    ones = torch.ones(4000, 2, 64)
    multiplier = magnitude_warp(ones, gen(0), sigma=0.2, knots=4)
    assert multiplier.mean().item() == pytest.approx(1, abs=0.01)
    assert multiplier.std().item() == pytest.approx(0.2, rel=0.25)
    assert multiplier.diff(dim=-1).abs().max() < 0.2, "the curve varies slowly between steps"
    assert not torch.equal(multiplier[:, 0], multiplier[:, 1]), "each channel has its own curve"


def test_time_warp_keeps_endpoints_and_monotone_ramps():
    ramp = torch.linspace(-1, 2, 80, dtype=torch.float64).expand(256, 2, 80)
    y = time_warp(ramp, gen(0), sigma=0.5, knots=6)
    assert torch.equal(y[..., 0], ramp[..., 0]) and torch.equal(y[..., -1], ramp[..., -1])
    assert (y.diff(dim=-1) >= 0).all()
    assert torch.equal(y[:, 0], y[:, 1]), "channels share the warp"
    assert (y - ramp).abs().amax(dim=(1, 2)).min() > 0, "every sample is warped"


def test_random_smoothing_width_one_is_identity_and_constants_are_kept():
    x = torch.randn(8, 3, 30, generator=gen(0))
    assert torch.equal(random_smoothing(x, gen(1), max_width=1), x)
    assert torch.equal(random_smoothing(x, gen(1), max_width=2), x)
    constant = torch.full((8, 3, 30), -2.5)
    assert torch.allclose(random_smoothing(constant, gen(1), max_width=15), constant)


def test_random_smoothing_is_a_centred_moving_average():
    x = torch.randn(64, 2, 40, generator=gen(0), dtype=torch.float64)
    y = random_smoothing(x, gen(1), max_width=5)
    padded = torch.nn.functional.pad(x, (2, 2), mode="replicate")
    candidates = {
        w: padded.unfold(-1, w, 1).mean(dim=-1)[..., 2 - w // 2 :][..., :40] for w in (3, 5)
    }
    candidates[1] = x
    widths = []
    for i in range(len(x)):
        match = [w for w, c in candidates.items() if torch.allclose(y[i], c[i], atol=1e-12)]
        assert len(match) == 1
        widths.append(match[0])
    assert set(widths) == {1, 3, 5}


def test_permutation_keeps_segments_and_moves_channels_together():
    t, s = 50, 4
    steps = torch.arange(t, dtype=torch.float64)
    x = torch.stack([steps, steps**2, -3 * steps + 7]).expand(64, 3, t).contiguous()
    y = permutation(x, gen(0), segments=s)
    source = y[:, 0].round().long()  # channel 0 is the time index itself
    assert torch.equal(y[:, 1], steps[source] ** 2)
    assert torch.equal(y[:, 2], -3 * steps[source] + 7)
    assert torch.equal(source.sort(dim=1).values, torch.arange(t).expand(64, t))
    bounds = (torch.arange(s + 1) * t // s).tolist()
    assert set(source[:, 0].tolist()) <= set(bounds[:-1])
    jumps = source.diff(dim=1) != 1
    assert (jumps.sum(dim=1) <= s - 1).all()
    for b, i in zip(*jumps.nonzero(as_tuple=True), strict=True):
        assert int(source[b, i]) + 1 in bounds[1:] and int(source[b, i + 1]) in bounds[:-1]
    assert len({tuple(r.tolist()) for r in source}) > 5


def sorted_segments(x: torch.Tensor, segments: int) -> torch.Tensor:
    """The segments of each sample as rows ``[B, segments, C * length]``, sorted by first value."""
    b, c, t = x.shape
    rows = x.reshape(b, c, segments, t // segments).transpose(1, 2).reshape(b, segments, -1)
    order = rows[..., 0].argsort(dim=1)
    return rows.gather(1, order[..., None].expand_as(rows))


def test_permutation_multiset_of_segments_is_kept():
    x = torch.randn(32, 3, 48, generator=gen(0))
    y = permutation(x, gen(1), segments=6)
    assert torch.equal(sorted_segments(x, 6), sorted_segments(y, 6))
    assert not torch.equal(x, y)


def test_permutation_with_one_segment_or_more_segments_than_steps():
    x = torch.randn(4, 3, 5, generator=gen(0))
    assert torch.equal(permutation(x, gen(0), segments=1), x)
    y = permutation(x, gen(0), segments=50)
    assert torch.equal(y.sort(dim=-1).values, x.sort(dim=-1).values)
    with pytest.raises(CrosslError, match="segments"):
        permutation(x, gen(0), segments=0)


def test_works_on_a_single_step_window():
    x = torch.randn(3, 3, 1, generator=gen(0))
    for f in (crop_and_resize, time_warp, permutation, random_smoothing, blockout):
        assert f(x, gen(0)).shape == x.shape
