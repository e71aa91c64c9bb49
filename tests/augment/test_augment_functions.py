"""Properties every augmentation shares: shape, dtype, determinism, per-sample randomness."""

import pytest
import torch

from crossl.augment import AUGMENTATIONS, sign_flip, time_reversal


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def identical_windows(batch: int = 16, channels: int = 6, length: int = 64, dtype=torch.float32):
    """A batch in which every sample is the same window; each channel is a different signal."""
    t = torch.linspace(0, 1, length, dtype=torch.float64)
    rows = [torch.sin(2 * torch.pi * (c + 1) * t) + 0.3 * c * t + 0.1 * c for c in range(channels)]
    return torch.stack(rows).to(dtype).expand(batch, channels, length).contiguous()


DETERMINISTIC = {"time_reversal": time_reversal, "sign_flip": sign_flip}
RANDOM = sorted(set(AUGMENTATIONS) - set(DETERMINISTIC))


def test_registry_lists_every_augmentation():
    assert sorted(AUGMENTATIONS) == sorted(
        [
            "time_reversal",
            "sign_flip",
            "blockout",
            "noise",
            "crop_and_resize",
            "magnitude_warp",
            "time_warp",
            "random_smoothing",
            "jitter",
            "scaling",
            "permutation",
            "rotation",
        ]
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_shape_dtype_and_determinism(name, dtype):
    x = identical_windows(dtype=dtype)
    f = AUGMENTATIONS[name]
    y = f(x, gen(3))
    assert y.shape == x.shape and y.dtype == dtype and y.device == x.device
    assert torch.isfinite(y).all()
    assert torch.equal(y, f(x, gen(3)))
    assert torch.equal(x, identical_windows(dtype=dtype)), "the input must not be modified"


@pytest.mark.parametrize("name", RANDOM)
def test_random_augmentations_differ_across_samples_and_seeds(name):
    x = identical_windows()
    f = AUGMENTATIONS[name]
    y = f(x, gen(0))
    differs = [not torch.equal(y[0], y[i]) for i in range(1, len(y))]
    assert sum(differs) >= len(differs) // 2, "most samples should get their own parameters"
    assert not torch.equal(y, f(x, gen(1)))


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_deterministic_augmentations_follow_their_definition(name):
    x = torch.randn(4, 3, 10, generator=gen(0))
    expected = {"time_reversal": x[..., torch.arange(9, -1, -1)], "sign_flip": -x}[name]
    assert torch.equal(DETERMINISTIC[name](x, gen(0)), expected)
