"""The augmentations by name, and the check of one configured step against them."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

from torch import Tensor

from crossl.augment.flips import sign_flip, time_reversal
from crossl.augment.noise import jitter, noise
from crossl.augment.params import check_param
from crossl.augment.rotation import rotation
from crossl.augment.scaling import magnitude_warp, scaling
from crossl.augment.segments import blockout, permutation
from crossl.augment.smoothing import random_smoothing
from crossl.augment.spec import AugmentSpec
from crossl.augment.warping import crop_and_resize, time_warp
from crossl.errors import CrosslError

AUGMENTATIONS: dict[str, Callable[..., Tensor]] = {
    f.__name__: f
    for f in (
        time_reversal,
        sign_flip,
        blockout,
        noise,
        crop_and_resize,
        magnitude_warp,
        time_warp,
        random_smoothing,
        jitter,
        scaling,
        permutation,
        rotation,
    )
}
"""Augmentation name → function ``f(x, generator, **params)``."""

RUNTIME_ARGUMENTS = frozenset({"bounds", "matrices", "mean", "std"})
"""Tensor arguments passed at call time (draws shared between modalities, the data's
standardisation), never configured."""


def accepted_params(name: str) -> dict[str, Any]:
    """The configurable parameters of augmentation ``name`` with their defaults.

    >>> accepted_params("time_warp")
    {'sigma': 0.2, 'knots': 4}
    """
    if name not in AUGMENTATIONS:
        raise CrosslError(f"unknown augmentation {name!r}: choose from {sorted(AUGMENTATIONS)}")
    parameters = list(inspect.signature(AUGMENTATIONS[name]).parameters.values())[2:]
    return {p.name: p.default for p in parameters if p.name not in RUNTIME_ARGUMENTS}


def check_spec(spec: AugmentSpec) -> None:
    """Raise :class:`CrosslError` unless ``spec`` names a known augmentation with valid settings.

    >>> check_spec(AugmentSpec("jitter", p=0.5, params={"sigma": 0.1}))
    >>> check_spec(AugmentSpec("jitter", params={"std": 0.1}))
    Traceback (most recent call last):
    crossl.errors.CrosslError: augmentation 'jitter' has no parameter 'std': it accepts ['sigma']
    """
    accepted = accepted_params(spec.name)
    p = spec.p
    if (
        isinstance(p, bool)
        or not isinstance(p, int | float)
        or not (math.isfinite(p) and 0 <= p <= 1)
    ):
        raise CrosslError(f"augmentation {spec.name!r}: p={p!r} must be a probability in [0, 1]")
    for key, value in spec.params.items():
        if key not in accepted:
            raise CrosslError(
                f"augmentation {spec.name!r} has no parameter {key!r}: it accepts {sorted(accepted)}"
            )
        check_param(spec.name, key, value)
