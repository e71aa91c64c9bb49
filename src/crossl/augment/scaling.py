"""Multiplicative augmentations: a constant factor per channel, or a smooth curve over time."""

from __future__ import annotations

import torch
from torch import Tensor

from crossl.augment.interpolation import knot_curve
from crossl.augment.params import check_param


def scaling(x: Tensor, generator: torch.Generator, sigma: float = 0.1) -> Tensor:
    """Multiply each channel by a factor drawn from N(1, ``sigma``²) per sample (default 0.1).

    >>> g = torch.Generator().manual_seed(0)
    >>> y = scaling(torch.ones(2, 3, 8), g)
    >>> bool((y == y[..., :1]).all())  # constant over time
    True
    """
    check_param("scaling", "sigma", sigma)
    b, c, _ = x.shape
    factor = 1 + sigma * torch.randn(b, c, 1, generator=generator, device=x.device, dtype=x.dtype)
    return x * factor


def magnitude_warp(
    x: Tensor, generator: torch.Generator, sigma: float = 0.2, knots: int = 4
) -> Tensor:
    """Multiply by a smooth random curve around 1, drawn per sample and per channel.

    The curve takes values from N(1, ``sigma``²) (default 0.2) at ``knots + 2`` evenly spaced
    points (``knots`` defaults to 4; the two ends are knots too) and is interpolated between them
    by cubic convolution.

    >>> g = torch.Generator().manual_seed(0)
    >>> magnitude_warp(torch.zeros(2, 3, 50), g).abs().max().item()
    0.0
    """
    check_param("magnitude_warp", "sigma", sigma)
    check_param("magnitude_warp", "knots", knots)
    b, c, t = x.shape
    values = torch.randn(b, c, knots + 2, generator=generator, device=x.device, dtype=x.dtype)
    return x * knot_curve(1 + sigma * values, t, cubic=True)
