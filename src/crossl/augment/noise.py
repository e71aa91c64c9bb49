"""Additive Gaussian noise: absolute (``jitter``) or relative to each channel's spread (``noise``)."""

from __future__ import annotations

import torch
from torch import Tensor

from crossl.augment.params import check_param


def _gaussian(x: Tensor, generator: torch.Generator) -> Tensor:
    return torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)


def noise(x: Tensor, generator: torch.Generator, scale: float = 0.1) -> Tensor:
    """Add Gaussian noise whose std is ``scale`` (default 0.1) times the channel's std over time.

    The std is taken per sample and per channel, so quiet channels get little noise.

    >>> g = torch.Generator().manual_seed(0)
    >>> noise(torch.ones(2, 3, 16), g).eq(1).all().item()  # a constant channel has std 0
    True
    """
    check_param("noise", "scale", scale)
    centred = x - x.mean(dim=-1, keepdim=True)
    std = torch.linalg.vector_norm(centred, dim=-1, keepdim=True) / x.shape[-1] ** 0.5
    return x + scale * std * _gaussian(x, generator)


def jitter(x: Tensor, generator: torch.Generator, sigma: float = 0.05) -> Tensor:
    """Add Gaussian noise of standard deviation ``sigma`` (default 0.05), in the data's units.

    >>> g = torch.Generator().manual_seed(0)
    >>> round(float((jitter(torch.zeros(64, 3, 128), g, sigma=0.5)).std()), 1)
    0.5
    """
    check_param("jitter", "sigma", sigma)
    return x + sigma * _gaussian(x, generator)
