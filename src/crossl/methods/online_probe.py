"""Online linear probe: a classifier trained on detached features while a method pretrains."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn
from torchmetrics.classification import MulticlassAccuracy, MulticlassF1Score


class OnlineProbe(nn.Module):
    """A linear classifier on detached features, scored on held-out windows every epoch.

    Its gradients never reach the backbone, so it tracks how linearly separable the
    representation is without shaping it (solo-learn's online linear evaluation).

    >>> import torch
    >>> probe = OnlineProbe(8, 3)
    >>> probe.loss(torch.randn(4, 8), torch.tensor([0, 1, -1, 2])).shape
    torch.Size([])
    """

    def __init__(self, feature_dim: int, num_classes: int):
        super().__init__()
        self.linear = nn.Linear(feature_dim, num_classes)
        self.accuracy = MulticlassAccuracy(num_classes, average="micro")
        self.macro_f1 = MulticlassF1Score(num_classes, average="macro")

    def loss(self, features: Tensor, labels: Tensor) -> Tensor:
        """Cross-entropy on the labelled windows (label -1 is skipped; 0 when none is labelled)."""
        labelled = labels >= 0
        if not labelled.any():
            return self.linear.weight.sum() * 0.0
        return F.cross_entropy(self.linear(features.detach()[labelled]), labels[labelled])

    def update(self, features: Tensor, labels: Tensor) -> None:
        """Accumulate held-out predictions for :meth:`compute`."""
        labelled = labels >= 0
        if labelled.any():
            logits = self.linear(features.detach()[labelled])
            self.accuracy.update(logits, labels[labelled])
            self.macro_f1.update(logits, labels[labelled])

    def compute(self) -> dict[str, float] | None:
        """Accuracy and macro-F1 since the last reset (None if nothing was scored), then reset."""
        if not self.accuracy.update_called:
            return None
        scores = {
            "accuracy": float(self.accuracy.compute()),
            "macro_f1": float(self.macro_f1.compute()),
        }
        self.reset()
        return scores

    def reset(self) -> None:
        """Forget the accumulated held-out predictions."""
        self.accuracy.reset()
        self.macro_f1.reset()
