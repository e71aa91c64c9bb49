"""Time-axis distortions resampled by linear interpolation: random crop and smooth time warp."""

from __future__ import annotations

import torch
from torch import Tensor

from crossl.augment.interpolation import knot_curve, position_dtype, resample_linear
from crossl.augment.params import check_param
from crossl.errors import CrosslError


def random_crop_bounds(
    batch_size: int,
    generator: torch.Generator,
    min_scale: float = 0.5,
    *,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Draw crop bounds ``[B, 2]``: (start, length) as fractions of the window, for :func:`crop_and_resize`.

    The length is uniform in ``[min_scale, 1]`` and the start uniform over the places where the crop
    fits. ``device`` defaults to the generator's.

    >>> b = random_crop_bounds(4, torch.Generator().manual_seed(0), 0.8)
    >>> bool(((b[:, 1] >= 0.8) & (b.sum(dim=1) <= 1)).all())
    True
    """
    check_param("crop_and_resize", "min_scale", min_scale)
    device = generator.device if device is None else device
    u = torch.rand(batch_size, 2, generator=generator, device=device, dtype=dtype)
    length = min_scale + (1 - min_scale) * u[:, 0]
    start = (1 - length) * u[:, 1]
    return torch.stack([start, length], dim=1)


def crop_and_resize(
    x: Tensor,
    generator: torch.Generator,
    min_scale: float = 0.5,
    bounds: Tensor | None = None,
) -> Tensor:
    """Cut a random sub-window and stretch it back to the full length by linear interpolation.

    The sub-window spans a fraction of the window drawn uniformly in ``[min_scale, 1]`` (default 0.5)
    at a uniformly random start. ``bounds [B, 2]`` imposes the crops instead, as (start, length)
    fractions of the window (see :func:`random_crop_bounds`): the same bounds keep modalities of
    different lengths aligned in time. Bounds (0, 1) give the window back.

    >>> x = torch.arange(5.0).reshape(1, 1, 5)
    >>> crop_and_resize(x, torch.Generator(), bounds=torch.tensor([[0.5, 0.5]]))
    tensor([[[2.0000, 2.5000, 3.0000, 3.5000, 4.0000]]])
    """
    check_param("crop_and_resize", "min_scale", min_scale)
    b, _, t = x.shape
    dtype = position_dtype(x)
    if bounds is None:
        bounds = random_crop_bounds(b, generator, min_scale, device=x.device, dtype=dtype)
    elif bounds.shape != (b, 2):
        raise CrosslError(
            f"crop bounds have shape {tuple(bounds.shape)}, expected ({b}, 2): (start, length) per sample"
        )
    bounds = bounds.to(device=x.device, dtype=dtype)
    steps = torch.arange(t, device=x.device, dtype=dtype)
    positions = bounds[:, :1] * (t - 1) + steps * bounds[:, 1:]
    return resample_linear(x, positions)


def time_warp(x: Tensor, generator: torch.Generator, sigma: float = 0.2, knots: int = 4) -> Tensor:
    """Speed up and slow down time smoothly at random; the first and last steps stay in place.

    Speeds ``exp(sigma · N(0, 1))`` (log-normal around 1, ``sigma`` default 0.2) are drawn at
    ``knots + 2`` evenly spaced points (``knots`` default 4), interpolated linearly over the window
    and summed into a monotone map from ``[0, T-1]`` onto itself, at which ``x`` is read by linear
    interpolation. All channels of a sample share the warp.

    >>> x = torch.arange(6.0).reshape(1, 1, 6)
    >>> y = time_warp(x, torch.Generator().manual_seed(0))
    >>> y[0, 0, 0].item(), y[0, 0, -1].item(), bool((y.diff() > 0).all())
    (0.0, 5.0, True)
    """
    check_param("time_warp", "sigma", sigma)
    check_param("time_warp", "knots", knots)
    b, _, t = x.shape
    if t < 2:
        return x.clone()
    dtype = position_dtype(x)
    log_speed = torch.randn(b, 1, knots + 2, generator=generator, device=x.device, dtype=dtype)
    speed = knot_curve(torch.exp(sigma * log_speed), t - 1, cubic=False)[:, 0]
    elapsed = speed.cumsum(dim=-1)
    positions = torch.cat([elapsed.new_zeros(b, 1), elapsed / elapsed[:, -1:] * (t - 1)], dim=1)
    return resample_linear(x, positions)
