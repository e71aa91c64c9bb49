"""Per-modality encoders plus the cross-modal aggregator: the network every method trains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import torch
from torch import Tensor, nn

from crossl.data.container import WindowSet, concat
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

    With ``latent_patches=P > 1`` each encoder's output is average-pooled over P equal time patches
    instead of the whole window: :meth:`embed_patches` gives ``[B, M, P·D]`` (a modality's patches
    one after the other), the aggregator sees M·P tokens, and the encoder features are the mean of
    the patches, i.e. exactly the pooled embedding of :meth:`embed`.
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
        latent_patches: int = 1,
    ):
        super().__init__()
        self.modality_names = list(modality_shapes)
        self.modality_shapes = {n: (int(c), int(t)) for n, (c, t) in modality_shapes.items()}
        for name, (_channels, length) in modality_shapes.items():
            if latent_patches < 1 or length % latent_patches:
                raise CrosslError(
                    f"latent_patches={latent_patches} does not divide the window of {name} "
                    f"({length} samples): choose a divisor of every modality's window length"
                )
        self.latent_patches = latent_patches
        self.encoders = nn.ModuleDict(
            {
                name: TCNEncoder(channels, code_size, kernel_sizes, dropout)
                for name, (channels, _length) in modality_shapes.items()
            }
        )
        self.aggregator = build_aggregator(
            aggregator,
            len(modality_shapes) * latent_patches,
            code_size,
            aggregator_hidden,
            aggregator_out,
            aggregator_flags,
        )
        self.code_size = code_size

    def encoder(self, name: str) -> TCNEncoder:
        """The encoder of modality ``name`` (``encoders[name]``, typed)."""
        return cast(TCNEncoder, self.encoders[name])

    def embed(self, batch: WindowSet) -> Tensor:
        """Stacked modality embeddings ``[B, M, D]``, pooled over the window; missing are zero."""
        return self.pooled(self.embed_patches(batch))

    def embed_patches(self, batch: WindowSet) -> Tensor:
        """Modality embeddings pooled per latent patch, ``[B, M, P·D]``; missing modalities are
        zero. With one patch, the pooled embeddings ``[B, M, D]``."""
        if batch.modality_names != self.modality_names:
            raise CrosslError(
                f"the model was built for modalities {self.modality_names}, "
                f"the data has {batch.modality_names}"
            )
        return self.embed_tensors([batch.modalities[n] for n in self.modality_names], batch.present)

    def embed_tensors(self, windows: Sequence[Tensor], present: Tensor) -> Tensor:
        """:meth:`embed_patches` of one tensor ``[B, C, T]`` per modality (in the order of
        ``modality_names``) and ``present [B, M]`` (bool, or 1 = present). The windows of an
        absent modality are never used: their embedding is zero whatever they hold, NaN
        included."""
        parts = [
            self._pool_patches(self.encoder(name).time_major(x))
            for name, x in zip(self.modality_names, windows, strict=True)
        ]
        emb = torch.stack(parts, dim=1)
        return torch.where(present[:, :, None].bool(), emb, torch.zeros((), dtype=emb.dtype))

    def _pool_patches(self, h: Tensor) -> Tensor:
        """``[B, P·D]``: time-major features ``[B, T, D]`` averaged over P equal time patches
        (patch-major: a patch's D values, then the next patch's)."""
        b, t, d = h.shape
        p = self.latent_patches
        return h.reshape(b, p, t // p, d).mean(2).reshape(b, p * d)

    def embed_views(self, views: Sequence[WindowSet]) -> list[Tensor]:
        """:meth:`embed_patches` of each view, from one encoder pass over all of them (one
        batch of ``len(views)`` times the size): the same embeddings, to float rounding, at
        the per-step cost of one pass."""
        emb = self.embed_patches(concat(views))
        return list(emb.split([len(v) for v in views]))

    def pooled(self, emb: Tensor) -> Tensor:
        """``[B, M, D]``: the mean over latent patches of ``[B, M, P·D]`` embeddings (as is when
        they are pooled already)."""
        b, m, width = emb.shape
        if width == self.code_size:
            return emb
        return emb.reshape(b, m, width // self.code_size, self.code_size).mean(2)

    def aggregate(self, emb: Tensor, keep: Tensor, present: Tensor) -> Tensor:
        """The aggregator over ``emb [B, M, P·D]`` with ``keep`` of the same shape (1 = visible)
        and ``present [B, M]``; each (modality, patch) is one token."""
        b, m, width = emb.shape
        p = width // self.code_size
        if p != self.latent_patches:
            raise CrosslError(
                f"the aggregator takes {self.latent_patches} latent patches per modality, got "
                f"embeddings of width {width}: compute them with embed_patches"
            )
        tokens = (b, m * p, self.code_size)
        present_tokens = present.repeat_interleave(p, dim=1)
        return self.aggregator(emb.reshape(tokens), keep.reshape(tokens), present_tokens)

    def forward(self, *inputs: Tensor) -> Tensor:
        """``forward(x_1, ..., x_M, present)``: the aggregator output ``[B, out]`` of one
        normalised window tensor ``[B, C, T]`` per modality (in the order of
        ``modality_names``) and ``present [B, M]``; a tensor-only path, for tracing and export.

        >>> net = MultimodalBackbone({"acc": (3, 64), "gyro": (3, 64)})
        >>> net(torch.zeros(2, 3, 64), torch.zeros(2, 3, 64), torch.ones(2, 2, dtype=torch.bool)).shape
        torch.Size([2, 32])
        """
        *windows, present = inputs
        return self.features_from_embeddings(
            self.embed_tensors(windows, present), present, "aggregator"
        )

    def features(self, batch: WindowSet, kind: str = "aggregator") -> Tensor:
        """Representation for downstream use: the aggregator output or the concatenated encoders."""
        return self.features_from_embeddings(self.embed_patches(batch), batch.present, kind)

    def features_from_embeddings(self, emb: Tensor, present: Tensor, kind: str) -> Tensor:
        """:meth:`features` from embeddings computed by :meth:`embed_patches` (or, for the
        encoder features, :meth:`embed`)."""
        if kind == "encoders":
            return self.pooled(emb).flatten(1)
        if kind == "aggregator":
            keep = present[:, :, None].expand(-1, -1, emb.shape[-1]).to(emb.dtype)
            return self.aggregate(emb, keep, present)
        raise CrosslError(f"unknown features {kind!r}: use aggregator or encoders")

    def feature_dim(self, kind: str) -> int:
        """Width of :meth:`features` for ``kind``."""
        if kind == "encoders":
            return self.code_size * len(self.modality_names)
        return self.aggregator.out_dim

    def conv_weight_l2(self) -> Tensor:
        """Sum of squared conv kernels over all encoders."""
        encoders = [cast(TCNEncoder, e) for e in self.encoders.values()]
        return torch.stack([e.conv_weight_l2() for e in encoders]).sum()
