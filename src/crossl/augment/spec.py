"""``AugmentSpec``: one step of an augmentation pipeline, as written in a config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from crossl.errors import CrosslError


@dataclass
class AugmentSpec:
    """One step of a pipeline: the augmentation's name, the probability it is applied to a sample, its parameters."""

    name: str
    p: float = 1.0
    params: dict[str, Any] = field(default_factory=dict)


def as_spec(step: AugmentSpec | Mapping[str, Any]) -> AugmentSpec:
    """An :class:`AugmentSpec` from a spec or a mapping such as ``{"name": "jitter", "p": 0.5}``.

    Mappings include OmegaConf ``DictConfig`` nodes, so a loaded config can be passed as is.

    >>> as_spec({"name": "jitter", "params": {"sigma": 0.1}})
    AugmentSpec(name='jitter', p=1.0, params={'sigma': 0.1})
    """
    if isinstance(step, AugmentSpec):
        return AugmentSpec(step.name, step.p, dict(step.params))
    if not isinstance(step, Mapping):
        raise CrosslError(
            f"an augmentation step must be a mapping with keys name, p, params; got {step!r}"
        )
    known = {f.name for f in fields(AugmentSpec)}
    unknown = sorted(str(k) for k in step if k not in known)
    if unknown:
        raise CrosslError(
            f"augmentation step {dict(step)!r}: unknown keys {unknown}, expected {sorted(known)}"
        )
    if "name" not in step:
        raise CrosslError(f"augmentation step {dict(step)!r} has no name")
    params = step.get("params") or {}
    if not isinstance(params, Mapping):
        raise CrosslError(
            f"augmentation {step['name']!r}: params must be a mapping, got {params!r}"
        )
    return AugmentSpec(
        str(step["name"]), step.get("p", 1.0), {str(k): v for k, v in params.items()}
    )
