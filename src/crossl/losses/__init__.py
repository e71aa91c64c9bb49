"""Self-supervised objectives as pure functions plus thin modules.

Every loss takes ``gather_distributed``: with it, each process passes its own shard of the batch
and, once DDP averages the parameter gradients, training matches one process on the whole batch.
"""

from crossl.losses.barlow_twins import BarlowTwinsLoss, barlow_twins_loss
from crossl.losses.cocoa import COCOALoss, cocoa_loss
from crossl.losses.cross_modal_infonce import CrossModalInfoNCELoss, cross_modal_infonce_loss
from crossl.losses.distributed import gather, rank, world_size
from crossl.losses.nt_xent import NTXentLoss, nt_xent_loss
from crossl.losses.vicreg import VICRegLoss, vicreg_loss, vicreg_terms, weigh_vicreg_terms

__all__ = [
    "BarlowTwinsLoss",
    "COCOALoss",
    "CrossModalInfoNCELoss",
    "NTXentLoss",
    "VICRegLoss",
    "barlow_twins_loss",
    "cocoa_loss",
    "cross_modal_infonce_loss",
    "gather",
    "nt_xent_loss",
    "rank",
    "vicreg_loss",
    "vicreg_terms",
    "weigh_vicreg_terms",
    "world_size",
]
