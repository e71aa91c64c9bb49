"""Per-modality encoders plus the cross-modal aggregator: the network every method trains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn

from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.nn.aggregator import build_aggregator
from crossl.nn.tcn import TCNEncoder


class MultimodalBackbone(nn.Module):
    """One :class:`TCNEncoder` per modality and an aggregator (``mlp``, ``mean`` or ``attention``,
    see :func:`crossl.nn.aggregator.build_aggregator`) over their embeddings.

    >>> net = MultimodalBackbone({"acc": (3, 128), "gyro": (3, 128)})
    >>> ws = WindowSet({"acc": torch.zeros(2, 3, 128), "gyro": torch.zeros(2, 3, 128)},
    ...                torch.zeros(2).long(), torch.zeros(2).long())
    >>> net.features(ws, "aggregator").shape, net.features(ws, "encoders").shape
    (torch.Size([2, 32]), torch.Size([2, 192]))
    """

    def __init__(
        self,
        modality_shapes: Mapping[str, tuple[int, int]],
        code_size: int = 96,
        kernel_sizes: Sequence[int] = (24, 16, 8),
        dropout: float = 0.1,
        aggregator_hidden: Sequence[int] = (64, 32),
        aggregator_out: int = 32,
        aggregator_flags: bool = True,
        aggregator: str = "mlp",
    ):
        super().__init__()
        self.modality_names = list(modality_shapes)
        self.encoders = nn.ModuleDict(
            {
                name: TCNEncoder(channels, code_size, kernel_sizes, dropout)
                for name, (channels, _length) in modality_shapes.items()
            }
        )
        self.aggregator = build_aggregator(
            aggregator,
            len(modality_shapes),
            code_size,
            aggregator_hidden,
            aggregator_out,
            aggregator_flags,
        )
        self.code_size = code_size

    def embed(self, batch: WindowSet) -> Tensor:
        """Stacked modality embeddings ``[B, M, D]``; missing modalities are zero."""
        if batch.modality_names != self.modality_names:
            raise CrosslError(
                f"the model was built for modalities {self.modality_names}, "
                f"the data has {batch.modality_names}"
            )
        emb = torch.stack(
            [self.encoders[name](batch.modalities[name]) for name in self.modality_names], dim=1
        )
        return emb * batch.present[:, :, None].to(emb.dtype)

    def features(self, batch: WindowSet, kind: str = "aggregator") -> Tensor:
        """Representation for downstream use: the aggregator output or the concatenated encoders."""
        return self.features_from_embeddings(self.embed(batch), batch.present, kind)

    def features_from_embeddings(self, emb: Tensor, present: Tensor, kind: str) -> Tensor:
        """:meth:`features` from embeddings ``[B, M, D]`` already computed by :meth:`embed`."""
        if kind == "encoders":
            return emb.flatten(1)
        if kind == "aggregator":
            keep = present[:, :, None].expand(-1, -1, self.code_size).to(emb.dtype)
            return self.aggregator(emb, keep, present)
        raise CrosslError(f"unknown features {kind!r}: use aggregator or encoders")

    def feature_dim(self, kind: str) -> int:
        """Width of :meth:`features` for ``kind``."""
        if kind == "encoders":
            return self.code_size * len(self.modality_names)
        return self.aggregator.out_dim

    def conv_weight_l2(self) -> Tensor:
        """Sum of squared conv kernels over all encoders."""
        return torch.stack([e.conv_weight_l2() for e in self.encoders.values()]).sum()
