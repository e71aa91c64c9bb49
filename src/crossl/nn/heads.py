"""Heads between a representation and a loss: projector / expander MLPs."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn


def mlp_head(in_dim: int, widths: Sequence[int]) -> nn.Module:
    """(Linear -> BatchNorm -> ReLU) for every width but the last, then Linear.

    The SimCLR projector and the VICReg / Barlow Twins expander have this shape. Empty ``widths``
    gives the identity, so the loss reads the representation itself.

    >>> import torch
    >>> mlp_head(32, [64, 16])(torch.zeros(4, 32)).shape
    torch.Size([4, 16])
    """
    layers: list[nn.Module] = []
    for i, width in enumerate(widths):
        layers.append(nn.Linear(in_dim, width))
        if i < len(widths) - 1:
            layers += [nn.BatchNorm1d(width), nn.ReLU()]
        in_dim = width
    return nn.Sequential(*layers) if layers else nn.Identity()


def head_out_dim(in_dim: int, widths: Sequence[int]) -> int:
    """Width of :func:`mlp_head`'s output."""
    return widths[-1] if widths else in_dim
