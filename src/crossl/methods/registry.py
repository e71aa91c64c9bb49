"""Method registry: name -> Lightning module class."""

from __future__ import annotations

from crossl.errors import CrosslError
from crossl.methods.barlow import BarlowTwins
from crossl.methods.base import MethodModule
from crossl.methods.cmc import CMC
from crossl.methods.cocoa import COCOA
from crossl.methods.crossl import CroSSL
from crossl.methods.mae import MaskedReconstruction
from crossl.methods.simclr import SimCLR
from crossl.methods.supervised import Supervised
from crossl.methods.vicreg import VICReg

METHODS: dict[str, type[MethodModule]] = {
    "crossl": CroSSL,
    "simclr": SimCLR,
    "vicreg": VICReg,
    "barlow": BarlowTwins,
    "cocoa": COCOA,
    "cmc": CMC,
    "mae": MaskedReconstruction,
    "supervised": Supervised,
}


def method_names() -> list[str]:
    """Names accepted by ``method=``."""
    return list(METHODS)


def get_method(name: str) -> type[MethodModule]:
    """The module class registered as ``name``."""
    if name not in METHODS:
        raise CrosslError(f"unknown method {name!r}: choose one of {', '.join(METHODS)}")
    return METHODS[name]
