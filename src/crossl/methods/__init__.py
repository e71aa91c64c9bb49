"""Training methods as Lightning modules on a shared base, and their registry."""

from crossl.methods.base import MethodModule, build_backbone
from crossl.methods.crossl import CroSSL
from crossl.methods.registry import get_method, method_names
from crossl.methods.supervised import Supervised

__all__ = ["CroSSL", "MethodModule", "Supervised", "build_backbone", "get_method", "method_names"]
