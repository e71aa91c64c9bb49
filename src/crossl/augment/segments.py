"""Augmentations on contiguous time segments: blockout and segment permutation."""

from __future__ import annotations

import torch
from torch import Tensor

from crossl.augment.params import check_param


def blockout(x: Tensor, generator: torch.Generator, fraction: float = 0.1) -> Tensor:
    """Zero one contiguous block of ``round(fraction · T)`` steps in all channels (default 0.1).

    The block's start is uniform over the places where it fits, per sample.

    >>> y = blockout(torch.ones(2, 3, 20), torch.Generator().manual_seed(0), fraction=0.25)
    >>> (y[:, 0] == 0).sum(dim=1).tolist()
    [5, 5]
    """
    check_param("blockout", "fraction", fraction)
    b, _, t = x.shape
    n = round(fraction * t)
    if n == 0:
        return x.clone()
    start = torch.randint(0, t - n + 1, (b, 1), generator=generator, device=x.device)
    steps = torch.arange(t, device=x.device)
    block = (steps >= start) & (steps < start + n)
    return x.masked_fill(block[:, None, :], 0.0)


def permutation(x: Tensor, generator: torch.Generator, segments: int = 4) -> Tensor:
    """Cut the time axis into ``segments`` (default 4) near-equal pieces and shuffle them per sample.

    Segment ``i`` covers steps ``[i·T // S, (i+1)·T // S)`` (at most ``T`` segments). All channels
    of a sample move together.

    >>> y = permutation(torch.arange(8.0).reshape(1, 1, 8), torch.Generator().manual_seed(0), 2)
    >>> sorted(y[0, 0].tolist())
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    """
    check_param("permutation", "segments", segments)
    b, c, t = x.shape
    s = min(segments, t)
    if s == 1:
        return x.clone()
    starts = torch.arange(s + 1, device=x.device) * t // s
    lengths = starts.diff()
    order = torch.rand(b, s, generator=generator, device=x.device).argsort(dim=1)
    ends = lengths[order].cumsum(dim=1)
    steps = torch.arange(t, device=x.device).expand(b, t).contiguous()
    slot = torch.searchsorted(ends, steps, right=True)
    source = order.gather(1, slot)
    index = starts[source] + steps - (ends.gather(1, slot) - lengths[source])
    return x.gather(-1, index[:, None, :].expand(b, c, t))
