"""The CroSSL paper's per-modality temporal convolutional encoder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from crossl.nn.dropout import Dropout


class ConvBlock(nn.Module):
    """Conv1d ('same' padding) -> LayerNorm over channels at each time step -> PReLU -> Dropout,
    on time-major features ``[B, T, C]``.

    The convolution runs as a channels-last 2-d convolution (oneDNN on CPU) over the time-major
    tensor (its memory is already channels-last), so neither it nor the LayerNorm over channels
    needs a transposed copy; it computes what ``self.conv`` computes on ``[B, C, T]``, to float
    rounding.
    """

    def __init__(self, c_in: int, c_out: int, kernel: int, dropout: float, ln_eps: float = 1e-3):
        super().__init__()
        self.conv = nn.Conv1d(c_in, c_out, kernel, padding="same")
        self.norm = nn.LayerNorm(c_out, eps=ln_eps)
        self.act = nn.PReLU(c_out, init=0.0)
        self.drop = Dropout(dropout)
        self.pad = ((kernel - 1) // 2, kernel - 1 - (kernel - 1) // 2)

    def forward(self, x: Tensor) -> Tensor:
        padded = F.pad(x, (0, 0, *self.pad))  # [B, T + k - 1, C]
        weight = self.conv.weight.unsqueeze(2).contiguous(memory_format=torch.channels_last)
        h = F.conv2d(padded.transpose(1, 2).unsqueeze(2), weight, self.conv.bias)
        h = self.norm(h.squeeze(2).transpose(1, 2))  # [B, T, C_out], contiguous
        return self.drop(F.prelu(h.transpose(1, 2), self.act.weight).transpose(1, 2))


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
        h = self.time_major(x)
        return h.mean(dim=1) if self.pool else h.transpose(1, 2)

    def sequence(self, x: Tensor) -> Tensor:
        """The features before pooling, ``[B, code, T]`` (what masked reconstruction decodes)."""
        return self.time_major(x).transpose(1, 2)

    def time_major(self, x: Tensor) -> Tensor:
        """The features before pooling, time-major ``[B, T, code]``, from ``x [B, C, T]``."""
        return self.blocks(x.transpose(1, 2).contiguous())

    def conv_weight_l2(self) -> Tensor:
        """Sum of squared conv kernels (the Keras L2 regulariser of the authors' code)."""
        return torch.stack([b.conv.weight.pow(2).sum() for b in self._conv_blocks()]).sum()

    def _conv_blocks(self) -> list[ConvBlock]:
        """The blocks of :attr:`blocks`, typed (all are :class:`ConvBlock`)."""
        return [cast(ConvBlock, b) for b in self.blocks]
