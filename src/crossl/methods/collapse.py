"""Collapse diagnostics of an embedding batch: spread of the dimensions and effective rank."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def normalised_std(z: Tensor) -> Tensor:
    """Mean over dimensions of the std of the L2-normalised embeddings, times ``sqrt(D)``.

    About 1 for embeddings spread over the sphere, 0 when every window maps to the same
    direction (complete collapse).

    >>> round(normalised_std(torch.eye(4)).item(), 3)
    0.866
    """
    if z.ndim != 2 or z.shape[0] < 2:
        raise ValueError(f"need an embedding batch [B >= 2, D], got {tuple(z.shape)}")
    zn = F.normalize(z.double(), dim=1)
    return zn.std(dim=0, unbiased=False).mean() * z.shape[1] ** 0.5


def effective_rank(z: Tensor) -> Tensor:
    """Effective rank (Roy & Vetterli, 2007) of the centred batch: exp of the entropy of its
    normalised singular values. Between 1 (one direction) and ``min(B - 1, D)``.

    >>> round(effective_rank(torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])).item(), 3)
    2.0
    """
    if z.ndim != 2 or z.shape[0] < 2:
        raise ValueError(f"need an embedding batch [B >= 2, D], got {tuple(z.shape)}")
    zc = z.double() - z.double().mean(dim=0)
    s = torch.linalg.svdvals(zc)
    if s.sum() <= 0:
        return torch.tensor(1.0, dtype=torch.float64)
    p = s / s.sum()
    p = p[p > 0]
    return torch.exp(-(p * p.log()).sum())


def collapse_warning(std: float, rank: float) -> str | None:
    """A message when the embeddings have collapsed (all windows near one direction), else None."""
    if rank < 1.5 or std < 0.05:
        return (
            f"the embeddings are collapsing (normalised std {std:.3f}, effective rank {rank:.2f}): "
            "raise the variance/negative terms, lower the learning rate or change the masking"
        )
    return None
