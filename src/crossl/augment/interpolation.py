"""Vectorised resampling along the time axis, shared by the warping augmentations."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def position_dtype(x: Tensor) -> torch.dtype:
    """The dtype used for time positions: ``x``'s dtype, at least float32."""
    return torch.promote_types(x.dtype, torch.float32)


def resample_linear(x: Tensor, positions: Tensor) -> Tensor:
    """Read ``x [B, C, T]`` at fractional time ``positions [B, T_out]`` by linear interpolation.

    Positions are clamped to ``[0, T - 1]``; every channel of a sample is read at the same positions.
    Integer positions return the samples exactly.

    >>> resample_linear(torch.tensor([[[0.0, 10.0, 20.0]]]), torch.tensor([[0.5, 2.0]]))
    tensor([[[ 5., 20.]]])
    """
    b, c, t = x.shape
    t_out = positions.shape[-1]
    if t == 1:
        return x.expand(b, c, t_out).clone()
    pos = positions.clamp(0, t - 1)
    left = pos.floor().long().clamp(max=t - 2)
    weight = (pos - left.to(pos.dtype)).to(x.dtype)[:, None, :]
    index = torch.cat([left, left + 1], dim=-1)[:, None, :].expand(b, c, 2 * t_out)
    neighbours = x.gather(-1, index)
    return torch.lerp(neighbours[..., :t_out], neighbours[..., t_out:], weight)


def knot_curve(values: Tensor, length: int, cubic: bool) -> Tensor:
    """Interpolate ``values [B, K, N]`` at N evenly spaced knots over ``length`` steps: ``[B, K, length]``.

    The first and last knots sit on the first and last steps. ``cubic`` uses cubic convolution
    (smooth first derivative), otherwise the curve is piecewise linear. Interpolation is linear in
    the values, so it is one product with an ``[N, length]`` weight matrix.

    >>> knot_curve(torch.tensor([[[0.0, 2.0]]]), 3, cubic=False)
    tensor([[[0., 1., 2.]]])
    """
    n = values.shape[-1]
    eye = torch.eye(n, device=values.device, dtype=position_dtype(values))
    if cubic:
        weights = F.interpolate(
            eye[None, None], size=(n, length), mode="bicubic", align_corners=True
        )[0, 0]
    else:
        weights = F.interpolate(eye[None], size=length, mode="linear", align_corners=True)[0]
    return values @ weights.to(values.dtype)
