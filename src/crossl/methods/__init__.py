"""Training methods as Lightning modules on a shared base, and their registry."""

from crossl.methods.barlow import BarlowTwins
from crossl.methods.base import MethodModule, StepOutput, build_backbone
from crossl.methods.cmc import CMC
from crossl.methods.cocoa import COCOA
from crossl.methods.collapse import effective_rank, normalised_std
from crossl.methods.crossl import CroSSL
from crossl.methods.mae import MaskedReconstruction, time_patch_mask
from crossl.methods.online_probe import OnlineProbe
from crossl.methods.registry import get_method, method_names
from crossl.methods.simclr import SimCLR
from crossl.methods.supervised import Supervised
from crossl.methods.vicreg import VICReg

__all__ = [
    "CMC",
    "COCOA",
    "BarlowTwins",
    "CroSSL",
    "MaskedReconstruction",
    "MethodModule",
    "OnlineProbe",
    "SimCLR",
    "StepOutput",
    "Supervised",
    "VICReg",
    "build_backbone",
    "effective_rank",
    "get_method",
    "method_names",
    "normalised_std",
    "time_patch_mask",
]
