"""VICReg (Bardes et al., ICLR 2022) on multimodal windows: two augmented views, an expander."""

from __future__ import annotations

from torch import Tensor

from crossl.losses import vicreg_terms, weigh_vicreg_terms
from crossl.methods.two_view import TwoViewMethod


class VICReg(TwoViewMethod):
    """Variance-invariance-covariance regularisation between two augmented views, read after the
    expander (``cfg.expander``) with weights ``sim_coeff`` / ``std_coeff`` / ``cov_coeff``."""

    def view_loss(self, z_a: Tensor, z_b: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        cfg = self.cfg
        terms = vicreg_terms(z_a, z_b, gather_distributed=self.gather_distributed)
        return weigh_vicreg_terms(terms, cfg.sim_coeff, cfg.std_coeff, cfg.cov_coeff), terms
