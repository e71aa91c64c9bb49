"""The CroSSL paper's per-modality temporal convolutional encoder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
from torch import Tensor, nn


class ConvBlock(nn.Module):
    """Conv1d ('same' padding) -> LayerNorm over channels at each time step -> PReLU -> Dropout."""

    def __init__(self, c_in: int, c_out: int, kernel: int, dropout: float, ln_eps: float = 1e-3):
        super().__init__()
        self.conv = nn.Conv1d(c_in, c_out, kernel, padding="same")
        self.norm = nn.LayerNorm(c_out, eps=ln_eps)
        self.act = nn.PReLU(c_out, init=0.0)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv(x)
        h = self.norm(h.transpose(1, 2)).transpose(1, 2)
        return self.drop(self.act(h))


class TCNEncoder(nn.Module):
    """Three conv blocks with ``code/4``, ``code/2``, ``code`` filters, then global average pooling.

    Input ``[B, C, T]``, output ``[B, code]`` (``[B, code, T]`` with ``pool=False``). Conv kernels
    start from N(0, 0.05^2) and biases from 0, PReLU slopes from 0, as in the authors' Keras code.

    >>> enc = TCNEncoder(3)
    >>> enc(torch.zeros(2, 3, 128)).shape
    torch.Size([2, 96])
    """

    def __init__(
        self,
        in_channels: int,
        code_size: int = 96,
        kernel_sizes: Sequence[int] = (24, 16, 8),
        dropout: float = 0.1,
        pool: bool = True,
    ):
        super().__init__()
        widths = [in_channels, code_size // 4, code_size // 2, code_size]
        blocks = [
            ConvBlock(widths[i], widths[i + 1], k, dropout) for i, k in enumerate(kernel_sizes)
        ]
        self.blocks = nn.Sequential(*blocks)
        self.pool = pool
        self.out_dim = code_size
        for block in blocks:
            nn.init.normal_(block.conv.weight, std=0.05)
            assert block.conv.bias is not None  # Conv1d's default bias=True
            nn.init.zeros_(block.conv.bias)

    def forward(self, x: Tensor) -> Tensor:
        h = self.sequence(x)
        return h.mean(dim=-1) if self.pool else h

    def sequence(self, x: Tensor) -> Tensor:
        """The features before pooling, ``[B, code, T]`` (what masked reconstruction decodes)."""
        return self.blocks(x)

    def conv_weight_l2(self) -> Tensor:
        """Sum of squared conv kernels (the Keras L2 regulariser of the authors' code)."""
        return torch.stack([b.conv.weight.pow(2).sum() for b in self._conv_blocks()]).sum()

    def _conv_blocks(self) -> list[ConvBlock]:
        """The blocks of :attr:`blocks`, typed (all are :class:`ConvBlock`)."""
        return [cast(ConvBlock, b) for b in self.blocks]
