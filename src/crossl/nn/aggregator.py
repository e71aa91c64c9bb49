"""Cross-modal aggregators: turn the stacked modality embeddings ``[B, M, D]`` into one vector."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn


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
        layers: list[nn.Module] = []
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers += [nn.Linear(width, out_dim), nn.LayerNorm(out_dim, eps=1e-3)]
        self.net = nn.Sequential(*layers)
        self.out_dim = out_dim
        for m in self.net:
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, embeddings: Tensor, keep: Tensor) -> Tensor:
        keep = keep.to(embeddings.dtype)
        x = (embeddings * keep).flatten(1)
        if self.flags:
            x = torch.cat([x, keep.mean(dim=-1)], dim=1)
        return self.net(x)
