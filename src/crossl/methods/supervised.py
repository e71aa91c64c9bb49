"""Supervised baseline: the same encoders and aggregator plus a linear head, trained with labels."""

from __future__ import annotations

from typing import ClassVar

import torch.nn.functional as F
from torch import Tensor, nn
from torchmetrics.classification import MulticlassF1Score

from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.methods.base import MethodModule, StepOutput


class Supervised(MethodModule):
    """End-to-end cross-entropy on the labelled windows (unlabelled ones are skipped).

    The head reads the same features the probes read (``cfg.features``), so the comparison with a
    pretrained backbone differs only in how the backbone was trained. Input augmentation
    (``cfg.augment``) applies here too, followed by modality drop-out (``cfg.modality_dropout``):
    training windows lose present sensors at random, validation windows never do.
    """

    needs_labels: ClassVar[bool] = True

    def build_heads(self) -> None:
        if not self.num_classes:
            raise CrosslError("the supervised method needs the number of classes")
        self.head = nn.Linear(self.backbone.feature_dim(self.cfg.features), self.num_classes)
        self.val_macro_f1 = MulticlassF1Score(self.num_classes, average="macro")

    @property
    def trains_every_parameter(self) -> bool:
        """The head reads the encoders' features without the aggregator when
        ``features=encoders``."""
        return self.cfg.features == "aggregator"

    def logits(self, batch: WindowSet) -> Tensor:
        return self.head(self.backbone.features(batch, self.cfg.features))

    def step(self, batch: WindowSet) -> StepOutput:
        batch = self.augment(batch)
        if self.cfg.modality_dropout > 0:
            batch = batch.with_random_absence(self.cfg.modality_dropout, self.generator)
        labelled = batch.labels >= 0
        features = self.backbone.features(batch, self.cfg.features)
        loss = F.cross_entropy(self.head(features)[labelled], batch.labels[labelled])
        return StepOutput(loss, {}, features)

    def validation_step(self, batch: WindowSet, batch_idx: int) -> None:
        features = self.backbone.features(batch, self.cfg.features)
        self.record_validation(features, batch.labels)
        labelled = batch.labels >= 0
        logits = self.head(features)[labelled]
        loss = F.cross_entropy(logits, batch.labels[labelled])
        self.val_macro_f1(logits, batch.labels[labelled])
        self.log("val/loss", loss, batch_size=int(labelled.sum()), prog_bar=True)
        self.log("val/macro_f1", self.val_macro_f1, batch_size=int(labelled.sum()))
