"""Time-series augmentations: batched functions ``f(x [B, C, T], generator, **params)`` and their composition.

Every function draws its random parameters per sample from ``generator`` (on ``x``'s device) and
keeps shape, dtype and device. :class:`Pipeline` chains configured steps, each applied with a
probability; :class:`Augmenter` applies pipelines to the modalities of a ``WindowSet`` batch.

>>> import torch
>>> g = torch.Generator().manual_seed(0)
>>> jitter(torch.zeros(8, 3, 128), g, sigma=0.05).shape
torch.Size([8, 3, 128])
"""

from crossl.augment.augmenter import Augmenter
from crossl.augment.flips import sign_flip, time_reversal
from crossl.augment.noise import jitter, noise
from crossl.augment.pipeline import Pipeline, SharedDraws
from crossl.augment.registry import AUGMENTATIONS, accepted_params, check_spec
from crossl.augment.rotation import random_rotation_matrices, rotation
from crossl.augment.scaling import magnitude_warp, scaling
from crossl.augment.segments import blockout, permutation
from crossl.augment.smoothing import random_smoothing
from crossl.augment.spec import AugmentSpec
from crossl.augment.warping import crop_and_resize, random_crop_bounds, time_warp

__all__ = [
    "AUGMENTATIONS",
    "AugmentSpec",
    "Augmenter",
    "Pipeline",
    "SharedDraws",
    "accepted_params",
    "blockout",
    "check_spec",
    "crop_and_resize",
    "jitter",
    "magnitude_warp",
    "noise",
    "permutation",
    "random_crop_bounds",
    "random_rotation_matrices",
    "random_smoothing",
    "rotation",
    "scaling",
    "sign_flip",
    "time_reversal",
    "time_warp",
]
