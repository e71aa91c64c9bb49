"""Cross-modal InfoNCE (CMC, Tian et al., ECCV 2020; CLIP-style pairs) on sensor modalities."""

from __future__ import annotations

from torch import Tensor

from crossl.losses import cross_modal_infonce_loss
from crossl.methods.cross_modal import CrossModalMethod


class CMC(CrossModalMethod):
    """Symmetric InfoNCE between every pair of modalities: the same window's other modality is
    the positive, the other windows' are the negatives; averaged over the pairs."""

    def modality_loss(self, z: Tensor, present: Tensor) -> Tensor:
        return cross_modal_infonce_loss(
            z,
            present,
            temperature=self.cfg.temperature,
            gather_distributed=self.gather_distributed,
        )
