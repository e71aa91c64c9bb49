"""Shape checks shared by the losses."""

from __future__ import annotations

import torch
from torch import Tensor


def check_views(z_a: Tensor, z_b: Tensor, name: str) -> None:
    """Raise ``ValueError`` unless ``z_a`` and ``z_b`` are both ``[B, D]`` with ``B >= 2``."""
    if z_a.shape != z_b.shape or z_a.ndim != 2:
        raise ValueError(
            f"{name}: views must both be [B, D], got {tuple(z_a.shape)} and {tuple(z_b.shape)}"
        )
    if z_a.shape[0] < 2:
        raise ValueError(f"{name} needs a batch of at least 2, got {z_a.shape[0]}")


def check_temperature(temperature: float) -> None:
    """Raise ``ValueError`` unless ``temperature > 0``."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")


def check_modalities(z: Tensor, present: Tensor | None, name: str) -> Tensor:
    """Check ``z [B, M, D]`` (B, M >= 2) and ``present [B, M]`` (bool); return ``present``.

    ``None`` means every modality is present.
    """
    if z.ndim != 3:
        raise ValueError(f"{name}: z must be [B, M, D], got {tuple(z.shape)}")
    b, m, _ = z.shape
    if b < 2:
        raise ValueError(f"{name} needs a batch of at least 2, got {b}")
    if m < 2:
        raise ValueError(f"{name} needs at least 2 modalities, got {m}")
    if present is None:
        return torch.ones(b, m, dtype=torch.bool, device=z.device)
    if present.shape != (b, m) or present.dtype != torch.bool:
        raise ValueError(
            f"{name}: present must be a bool tensor [B, M] = [{b}, {m}], "
            f"got {present.dtype} {tuple(present.shape)}"
        )
    return present
