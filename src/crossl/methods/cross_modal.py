"""Shared shape of the cross-modal methods: modalities of the same window are each other's views."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor, nn

from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.methods.base import MethodModule, StepOutput
from crossl.nn.heads import mlp_head


class CrossModalMethod(MethodModule):
    """Encode the (optionally augmented) batch once, map each modality's embedding through its own
    head (``cfg.expander``) and apply :meth:`modality_loss` to ``[B, M, D']`` with ``present``.

    The aggregator is not part of the objective (``trains_aggregator = False``): downstream use
    reads the encoders, and the aggregator is trained downstream with labels.
    """

    trains_aggregator: ClassVar[bool] = False

    def build_heads(self) -> None:
        if len(self.modality_shapes) < 2:
            raise CrosslError(
                f"method {self.cfg.method} contrasts modalities with each other and needs at least "
                f"two, the data has {list(self.modality_shapes)}"
            )
        self.heads = nn.ModuleDict(
            {name: mlp_head(self.cfg.code_size, self.cfg.expander) for name in self.modality_shapes}
        )

    def modality_loss(self, z: Tensor, present: Tensor) -> Tensor:
        """The objective over per-modality embeddings ``[B, M, D']``."""
        raise NotImplementedError

    def step(self, batch: WindowSet) -> StepOutput:
        emb = self.backbone.embed(self.augment(batch))
        z = torch.stack(
            [self.heads[name](emb[:, i]) for i, name in enumerate(self.backbone.modality_names)],
            dim=1,
        )
        loss = self.modality_loss(z, batch.present)
        return StepOutput(loss, {}, self.probe_features(emb, batch.present))
