"""SimCLR (Chen et al., ICML 2020) on multimodal windows: NT-Xent between two augmented views."""

from __future__ import annotations

from torch import Tensor

from crossl.losses import nt_xent_loss
from crossl.methods.two_view import TwoViewMethod


class SimCLR(TwoViewMethod):
    """Contrastive learning of two augmented views of each window: the other view is the positive,
    the 2N - 2 views of the other windows are the negatives (NT-Xent, ``cfg.temperature``)."""

    def view_loss(self, z_a: Tensor, z_b: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        loss = nt_xent_loss(
            z_a, z_b, temperature=self.cfg.temperature, gather_distributed=self.gather_distributed
        )
        return loss, {}
