"""Barlow Twins (Zbontar et al., ICML 2021) on multimodal windows."""

from __future__ import annotations

from torch import Tensor

from crossl.losses import barlow_twins_loss
from crossl.methods.two_view import TwoViewMethod


class BarlowTwins(TwoViewMethod):
    """Drive the cross-correlation of the two augmented views' (batch-normalised) projections to
    the identity; ``cfg.barlow_lambda`` weighs the off-diagonal (redundancy) term."""

    def view_loss(self, z_a: Tensor, z_b: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        loss = barlow_twins_loss(
            z_a, z_b, lambda_=self.cfg.barlow_lambda, gather_distributed=self.gather_distributed
        )
        return loss, {}
