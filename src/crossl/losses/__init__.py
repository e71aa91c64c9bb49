"""Self-supervised objectives as pure functions plus thin modules."""

from crossl.losses.vicreg import VICRegLoss, vicreg_loss, vicreg_terms

__all__ = ["VICRegLoss", "vicreg_loss", "vicreg_terms"]
