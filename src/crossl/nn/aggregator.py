"""Cross-modal aggregators: turn the stacked modality embeddings ``[B, M, D]`` into one vector.

Every aggregator takes ``embeddings [B, M, D]``, ``keep [B, M, D]`` (1 = visible: neither hidden by
latent masking nor missing) and ``present [B, M]`` (the sensor gave data), so that masked and
missing stay two notions up to here. ``mlp`` is the authors' (its input width is fixed, so a hidden
modality is a block of zeros plus a flag); ``mean`` and ``attention`` take any subset of modalities
as a smaller set, so their input does not change kind with the number of sensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import torch
from torch import Tensor, nn

from crossl.errors import CrosslError

AGGREGATORS = ("mlp", "mean", "attention")


def _output_head(width: int, hidden: Sequence[int], out_dim: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers += [nn.Linear(width, out_dim), nn.LayerNorm(out_dim, eps=1e-3)]
    return nn.Sequential(*layers)


class MLPAggregator(nn.Module):
    """The paper's aggregator: flatten ``[B, M·D]`` -> Dense 64 ReLU -> Dense 32 ReLU -> Dense 32 -> LayerNorm.

    ``keep [B, M, D]`` (1 = visible) tells it what is hidden, whether by latent masking or because
    the sensor is missing; the hidden entries are zeroed. With ``flags=True`` the fraction of each
    modality that is visible is appended to the input, so the aggregator can tell a zero that was
    hidden from a zero that was measured.

    >>> import torch
    >>> agg = MLPAggregator(num_modalities=2, dim=96)
    >>> agg(torch.randn(4, 2, 96), torch.ones(4, 2, 96)).shape
    torch.Size([4, 32])
    """

    def __init__(
        self,
        num_modalities: int,
        dim: int,
        hidden: Sequence[int] = (64, 32),
        out_dim: int = 32,
        flags: bool = True,
    ):
        super().__init__()
        self.flags = flags
        width = num_modalities * dim + (num_modalities if flags else 0)
        self.net = _output_head(width, hidden, out_dim)
        self.out_dim = out_dim
        for m in self.net:
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, embeddings: Tensor, keep: Tensor, present: Tensor | None = None) -> Tensor:
        keep = keep.to(embeddings.dtype)
        x = (embeddings * keep).flatten(1)
        if self.flags:
            x = torch.cat([x, keep.mean(dim=-1)], dim=1)
        return self.net(x)


def _visible_tokens(keep: Tensor) -> Tensor:
    """``[B, M]``: a modality token is visible when any of its entries is kept."""
    return keep.amax(dim=-1) > 0


class MeanAggregator(nn.Module):
    """Each modality's embedding through its own Linear + ReLU (width ``hidden[0]``), averaged over
    the visible modalities only, then the rest of ``hidden`` and a LayerNorm'd ``out_dim`` output.
    A hidden or missing modality contributes nothing (no gradient reaches it).

    >>> import torch
    >>> agg = MeanAggregator(num_modalities=3, dim=8)
    >>> keep = torch.ones(2, 3, 8); keep[:, 2] = 0
    >>> agg(torch.randn(2, 3, 8), keep, torch.ones(2, 3, dtype=torch.bool)).shape
    torch.Size([2, 32])
    """

    def __init__(
        self,
        num_modalities: int,
        dim: int,
        hidden: Sequence[int] = (64, 32),
        out_dim: int = 32,
    ):
        super().__init__()
        width = hidden[0] if hidden else dim
        self.weight = nn.Parameter(torch.empty(num_modalities, dim, width))
        self.bias = nn.Parameter(torch.zeros(num_modalities, width))
        bound = (6.0 / (dim + width)) ** 0.5
        nn.init.uniform_(self.weight, -bound, bound)
        self.head = _output_head(width, hidden[1:], out_dim)
        self.out_dim = out_dim

    def forward(self, embeddings: Tensor, keep: Tensor, present: Tensor | None = None) -> Tensor:
        keep = keep.to(embeddings.dtype)
        tokens = torch.relu(
            torch.einsum("bmd,mdh->bmh", embeddings * keep, self.weight) + self.bias
        )
        visible = _visible_tokens(keep).to(tokens.dtype)[:, :, None]
        pooled = (tokens * visible).sum(1) / visible.sum(1).clamp_min(1.0)
        return self.head(pooled)


class AttentionAggregator(nn.Module):
    """Attention over modality tokens: each embedding projected to ``width`` plus a learned modality
    embedding, a learned summary token in front, ``layers`` pre-norm Transformer layers whose
    key-padding mask removes the hidden and missing modalities; the summary token's output through
    a LayerNorm'd ``out_dim`` head. Outputs do not depend on hidden or missing tokens.

    >>> import torch
    >>> agg = AttentionAggregator(num_modalities=2, dim=8)
    >>> agg(torch.randn(4, 2, 8), torch.ones(4, 2, 8), torch.ones(4, 2, dtype=torch.bool)).shape
    torch.Size([4, 32])
    """

    def __init__(
        self,
        num_modalities: int,
        dim: int,
        width: int = 64,
        heads: int = 4,
        layers: int = 2,
        out_dim: int = 32,
    ):
        super().__init__()
        self.project = nn.Linear(dim, width)
        self.modality_embedding = nn.Parameter(torch.randn(num_modalities, width) * 0.02)
        self.summary = nn.Parameter(torch.randn(1, 1, width) * 0.02)
        layer = nn.TransformerEncoderLayer(
            width, heads, dim_feedforward=2 * width, dropout=0.0, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Sequential(
            nn.LayerNorm(width), nn.Linear(width, out_dim), nn.LayerNorm(out_dim, eps=1e-3)
        )
        self.out_dim = out_dim

    def forward(self, embeddings: Tensor, keep: Tensor, present: Tensor | None = None) -> Tensor:
        keep = keep.to(embeddings.dtype)
        b = embeddings.shape[0]
        tokens = self.project(embeddings * keep) + self.modality_embedding
        x = torch.cat([self.summary.expand(b, 1, -1), tokens], dim=1)
        padding = torch.cat(
            [torch.zeros(b, 1, dtype=torch.bool, device=x.device), ~_visible_tokens(keep)], dim=1
        )
        return self.head(self.encoder(x, src_key_padding_mask=padding)[:, 0])


Aggregator: TypeAlias = MLPAggregator | MeanAggregator | AttentionAggregator
"""Any of the aggregators :func:`build_aggregator` makes (each has ``out_dim``)."""


def build_aggregator(
    name: str,
    num_modalities: int,
    dim: int,
    hidden: Sequence[int] = (64, 32),
    out_dim: int = 32,
    flags: bool = True,
) -> Aggregator:
    """The aggregator called ``name`` (``mlp``, ``mean`` or ``attention``); ``attention`` takes its
    width from ``hidden[0]``, ``flags`` concerns ``mlp`` only.

    >>> build_aggregator("mean", 2, 96).out_dim
    32
    """
    if name == "mlp":
        return MLPAggregator(num_modalities, dim, hidden, out_dim, flags)
    if name == "mean":
        return MeanAggregator(num_modalities, dim, hidden, out_dim)
    if name == "attention":
        return AttentionAggregator(
            num_modalities, dim, hidden[0] if hidden else 64, out_dim=out_dim
        )
    raise CrosslError(f"unknown aggregator {name!r}: choose one of {', '.join(AGGREGATORS)}")
