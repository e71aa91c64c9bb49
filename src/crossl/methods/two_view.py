"""Shared shape of the augmentation-based methods: two augmented views, one backbone, a head, a loss."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor

from crossl.data.container import WindowSet
from crossl.methods.base import MethodModule, StepOutput
from crossl.nn.heads import mlp_head


class TwoViewMethod(MethodModule):
    """Encode two freshly augmented copies of the batch with the encoders and the aggregator, map
    both through the head (``cfg.expander``) and compare them with :meth:`view_loss`.

    Subclasses (SimCLR, VICReg, Barlow Twins) differ only in :meth:`view_loss`.
    """

    needs_augmentation: ClassVar[bool] = True

    def build_heads(self) -> None:
        self.head = mlp_head(self.backbone.aggregator.out_dim, self.cfg.expander)

    def view_loss(self, z_a: Tensor, z_b: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """The objective between the two heads' outputs, and the terms to log."""
        raise NotImplementedError

    def step(self, batch: WindowSet) -> StepOutput:
        views = [self.augment(batch) for _ in range(2)]
        embs = self.backbone.embed_views(views)
        # both views through the aggregator in one call (it has no batch statistics); the head
        # (BatchNorm) sees each view apart
        aggregated = self.backbone.features_from_embeddings(
            torch.cat(embs), batch.present.repeat(2, 1), "aggregator"
        )
        z = [self.head(view) for view in aggregated.chunk(2)]
        loss, terms = self.view_loss(z[0], z[1])
        return StepOutput(loss, terms, self.probe_features(embs[0], batch.present))
