"""A pretrained backbone as one tensor-in, tensor-out module: what a device runs."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import torch
from torch import Tensor, nn

from crossl.config import FEATURES, did_you_mean
from crossl.data.normalisation import ChannelStats
from crossl.errors import CrosslError
from crossl.eval.features import absent_blocks_as_nan
from crossl.nn.backbone import MultimodalBackbone


class DeployableModel(nn.Module):
    """Encoders + aggregator of a pretrained crossl network, taking one window tensor
    ``[B, C, T]`` per modality **in sensor units** (the training users' standardisation is inside)
    and ``present [B, M]`` (bool), and giving the features ``[B, F]``.

    A device that loses a sensor sets its column of ``present`` to false; what its windows hold
    is then never read (zeros or NaN both work). ``features="aggregator"`` is the cross-modal
    embedding; ``"encoders"`` the concatenated modality embeddings, with NaN in the block of
    each absent modality (as crossl's probes see them). At least one modality must be present.

    >>> from crossl.nn import MultimodalBackbone
    >>> net = MultimodalBackbone({"acc": (3, 128), "gyro": (3, 128)})
    >>> stats = ChannelStats({m: torch.zeros(3) for m in ("acc", "gyro")},
    ...                      {m: torch.ones(3) for m in ("acc", "gyro")})
    >>> model = DeployableModel(net, stats)
    >>> present = torch.tensor([[True, False], [True, False]])  # the gyroscope is off
    >>> out = model(torch.randn(2, 3, 128), torch.full((2, 3, 128), float("nan")), present)
    >>> out.shape, bool(out.isfinite().all())
    (torch.Size([2, 32]), True)
    """

    def __init__(
        self, backbone: MultimodalBackbone, stats: ChannelStats, features: str = "aggregator"
    ):
        super().__init__()
        if features not in FEATURES:
            raise CrosslError(
                f"unknown features {features!r}{did_you_mean(features, FEATURES)}: "
                f"use one of {', '.join(FEATURES)}"
            )
        names = backbone.modality_names
        stats.check_matches({n: c for n, (c, _t) in backbone.modality_shapes.items()})
        self.backbone = backbone.eval()
        self.features = features
        self.modality_names = list(names)
        self.register_buffer("mean", torch.cat([stats.mean[n] for n in names])[None, :, None])
        self.register_buffer("std", torch.cat([stats.std[n] for n in names])[None, :, None])
        self.channels = [c for c, _t in backbone.modality_shapes.values()]

    @classmethod
    def from_checkpoint(cls, path: str | Path, features: str = "aggregator") -> DeployableModel:
        """The model of a ``last.ckpt`` written by ``crossl pretrain`` (a
        :class:`~crossl.errors.CrosslError` for any other file)."""
        from crossl.experiments.checkpoint import load_checkpoint

        loaded = load_checkpoint(path)
        return cls(loaded.backbone, loaded.stats, features)

    @property
    def window_shapes(self) -> dict[str, tuple[int, int]]:
        """``{modality: (channels, samples)}`` of the windows :meth:`forward` takes."""
        return dict(self.backbone.modality_shapes)

    def channel_stats(self) -> list[tuple[Tensor, Tensor]]:
        """Mean and std ``[1, C, 1]`` of each modality's channels, in input order."""
        mean, std = cast(Tensor, self.mean), cast(Tensor, self.std)
        starts = [sum(self.channels[:i]) for i in range(len(self.channels))]
        return [
            (mean[:, s : s + c], std[:, s : s + c])
            for s, c in zip(starts, self.channels, strict=True)
        ]

    def forward(self, *inputs: Tensor) -> Tensor:
        """``forward(x_1, ..., x_M, present)``: features of raw windows, one per modality in the
        order of :attr:`modality_names`."""
        *windows, present = inputs
        z = [(x - m) / s for x, (m, s) in zip(windows, self.channel_stats(), strict=True)]
        emb = self.backbone.embed_tensors(z, present)
        feats = self.backbone.features_from_embeddings(emb, present, self.features)
        if self.features == "encoders":
            feats = absent_blocks_as_nan(feats, present)
        return feats
