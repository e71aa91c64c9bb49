"""COCOA (Deldari et al., IMWUT 2022): cross-modality contrastive learning of sensor encoders."""

from __future__ import annotations

from torch import Tensor

from crossl.losses import cocoa_loss
from crossl.methods.cross_modal import CrossModalMethod


class COCOA(CrossModalMethod):
    """Pull together the embeddings of different modalities of the same window, push apart the
    same modality of different windows (``cfg.temperature``, ``cfg.cocoa_lambda``)."""

    def modality_loss(self, z: Tensor, present: Tensor) -> Tensor:
        return cocoa_loss(
            z,
            present,
            temperature=self.cfg.temperature,
            lambda_=self.cfg.cocoa_lambda,
            gather_distributed=self.gather_distributed,
        )
