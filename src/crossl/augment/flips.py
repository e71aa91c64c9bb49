"""Deterministic flips: time reversal and sign flip."""

from __future__ import annotations

import torch
from torch import Tensor


def time_reversal(x: Tensor, generator: torch.Generator) -> Tensor:
    """Reverse the time axis of ``x [B, C, T]`` (no random parameters).

    >>> time_reversal(torch.tensor([[[1.0, 2.0, 3.0]]]), torch.Generator())
    tensor([[[3., 2., 1.]]])
    """
    return x.flip(-1)


def sign_flip(x: Tensor, generator: torch.Generator) -> Tensor:
    """Negate ``x [B, C, T]`` (no random parameters).

    >>> sign_flip(torch.tensor([[[1.0, -2.0]]]), torch.Generator())
    tensor([[[-1.,  2.]]])
    """
    return -x
