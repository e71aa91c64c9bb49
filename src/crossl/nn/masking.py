"""Latent masking of the modality embeddings: hides only present modalities, never all of them."""

from __future__ import annotations

import torch
from torch import Tensor

from crossl.errors import CrosslError


def hide_units(available: Tensor, ratio: float, generator: torch.Generator | None = None) -> Tensor:
    """Choose units to hide in each row of ``available [B, U]`` (bool); return ``hidden [B, U]``.

    Row ``b`` hides ``k_b`` of its ``n_b`` available units, chosen uniformly at random, where ``k_b``
    is ``ratio · n_b`` rounded stochastically (so its mean is exactly ``ratio · n_b``) and capped at
    ``n_b - 1``: an unavailable unit is never hidden, and a row with any available unit keeps one.

    >>> avail = torch.tensor([[True, True, False]])
    >>> hide_units(avail, 0.5, torch.Generator().manual_seed(0))[0, 2].item()
    False
    """
    if not 0.0 <= ratio < 1.0:
        raise CrosslError(f"masking ratio {ratio} must be in [0, 1)")
    n = available.sum(dim=1)
    target = ratio * n.to(torch.float32)
    base = target.floor()
    u = torch.rand(n.shape, generator=generator, device=available.device)
    k = (base + (u < target - base).to(base.dtype)).long()
    k = torch.minimum(k, (n - 1).clamp_min(0))
    scores = torch.rand(available.shape, generator=generator, device=available.device)
    scores = scores.masked_fill(~available, 2.0)
    ranks = scores.argsort(dim=1).argsort(dim=1)
    return ranks < k[:, None]


def latent_keep_mask(
    present: Tensor,
    dim: int,
    strategy: str,
    ratio: float,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Float mask ``[B, M, dim]``: 1 where an embedding entry stays visible, 0 where it is hidden.

    ``spatial`` hides whole modalities, ``random`` single entries of the ``[M, dim]`` grid. Entries of
    missing modalities (``present`` False) are 0 as well: they hold no information either way.

    >>> present = torch.ones(1000, 2, dtype=torch.bool)
    >>> keep = latent_keep_mask(present, 4, "spatial", 0.25, torch.Generator().manual_seed(0))
    >>> abs((1 - keep.mean().item()) - 0.25) < 0.03
    True
    """
    b, m = present.shape
    if strategy == "spatial":
        hidden = hide_units(present, ratio, generator)[:, :, None].expand(b, m, dim)
    elif strategy == "random":
        available = present[:, :, None].expand(b, m, dim).reshape(b, m * dim)
        hidden = hide_units(available, ratio, generator).reshape(b, m, dim)
    else:
        raise CrosslError(f"unknown masking strategy {strategy!r}: use spatial or random")
    return (present[:, :, None] & ~hidden).to(torch.float32)
