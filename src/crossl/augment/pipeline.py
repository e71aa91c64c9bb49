"""``Pipeline``: configured augmentation steps, each applied to a random subset of a batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from crossl.augment.interpolation import position_dtype
from crossl.augment.registry import AUGMENTATIONS, accepted_params, check_spec
from crossl.augment.rotation import random_rotation_matrices
from crossl.augment.spec import AugmentSpec, as_spec
from crossl.augment.warping import random_crop_bounds
from crossl.errors import CrosslError


def _draw_matrices(spec: AugmentSpec, x: Tensor, generator: torch.Generator) -> Tensor:
    return random_rotation_matrices(x.shape[0], generator, x.device, x.dtype)


def _draw_bounds(spec: AugmentSpec, x: Tensor, generator: torch.Generator) -> Tensor:
    min_scale = spec.params.get("min_scale", accepted_params(spec.name)["min_scale"])
    dtype = position_dtype(x)
    return random_crop_bounds(x.shape[0], generator, min_scale, device=x.device, dtype=dtype)


_SHAREABLE: dict[str, tuple[str, Callable[[AugmentSpec, Tensor, torch.Generator], Tensor]]] = {
    "rotation": ("matrices", _draw_matrices),
    "crop_and_resize": ("bounds", _draw_bounds),
}


IN_SENSOR_UNITS = frozenset({"rotation"})
"""Steps that act on the sensor's own values: given a standardisation, they undo it first."""


@dataclass
class _Draw:
    uniform: Tensor
    value: Tensor


class SharedDraws:
    """Random draws that several pipelines share during one call, e.g. one rotation per device.

    The ``k``-th step named ``name`` (for ``name`` in ``names``) of every pipeline called with the
    same ``SharedDraws`` uses the same random value (rotation matrices, crop bounds) and the same
    per-sample uniform numbers ``u``, applying where ``u < p`` with its own ``p``: equal
    probabilities give equal decisions. The first pipeline to reach the step draws them, with its
    own parameters.

    >>> shared = SharedDraws(["rotation"])
    >>> pipe, g = Pipeline([AugmentSpec("rotation")]), torch.Generator().manual_seed(0)
    >>> x = torch.randn(2, 3, 5, generator=g)
    >>> torch.equal(pipe(x, g, shared), pipe(x, g, shared))
    True
    """

    def __init__(self, names: Iterable[str] = tuple(_SHAREABLE)) -> None:
        self.names = frozenset(names)
        unknown = self.names - set(_SHAREABLE)
        if unknown:
            raise CrosslError(f"cannot share {sorted(unknown)}: only {sorted(_SHAREABLE)}")
        self._draws: dict[tuple[str, int], _Draw] = {}

    def draw(self, spec: AugmentSpec, k: int, x: Tensor, generator: torch.Generator) -> _Draw:
        key = (spec.name, k)
        if key not in self._draws:
            uniform = torch.rand(x.shape[0], generator=generator, device=x.device)
            self._draws[key] = _Draw(uniform, _SHAREABLE[spec.name][1](spec, x, generator))
        return self._draws[key]


class Pipeline:
    """Augmentation steps applied in order; step ``i`` transforms each sample with probability ``p_i``.

    Steps are :class:`AugmentSpec` records or mappings with the same keys, checked at construction
    (unknown name or parameter, bad probability or value: :class:`CrosslError`). A pipeline without
    steps returns its input.

    >>> pipe = Pipeline([AugmentSpec("jitter", p=0.8, params={"sigma": 0.05}), {"name": "sign_flip"}])
    >>> pipe(torch.zeros(4, 3, 16), torch.Generator().manual_seed(0)).shape
    torch.Size([4, 3, 16])
    """

    def __init__(self, steps: Sequence[AugmentSpec | Mapping[str, Any]] | None = ()) -> None:
        steps = () if steps is None else steps
        if isinstance(steps, AugmentSpec | Mapping | str):
            raise CrosslError(f"augmentation steps must be a list of steps, got {steps!r}")
        self.steps: tuple[AugmentSpec, ...] = tuple(as_spec(s) for s in steps)
        for spec in self.steps:
            check_spec(spec)

    def __len__(self) -> int:
        return len(self.steps)

    def __bool__(self) -> bool:
        return bool(self.steps)

    def __repr__(self) -> str:
        return f"Pipeline({list(self.steps)!r})"

    def __call__(
        self,
        x: Tensor,
        generator: torch.Generator,
        shared: SharedDraws | None = None,
        units: tuple[Tensor, Tensor] | None = None,
    ) -> Tensor:
        """Augment ``x [B, C, T]`` with random numbers from ``generator`` (on ``x``'s device).

        ``shared`` makes the steps it names use draws shared with other pipelines (see
        :class:`SharedDraws`). ``units`` = (mean, std) ``[C]`` says that ``x`` was standardised
        per channel; the steps of :data:`IN_SENSOR_UNITS` then act on ``x · std + mean``.
        """
        if x.ndim != 3 or not x.is_floating_point():
            raise CrosslError(
                f"augmentations take a float tensor [batch, channels, time], got {x.dtype} "
                f"{tuple(x.shape)}"
            )
        seen: Counter[str] = Counter()
        for spec in self.steps:
            k = seen[spec.name]
            seen[spec.name] += 1
            if spec.p == 0:
                continue
            params = dict(spec.params)
            if units is not None and spec.name in IN_SENSOR_UNITS:
                params["mean"], params["std"] = units
            if shared is not None and spec.name in shared.names:
                draw = shared.draw(spec, k, x, generator)
                params[_SHAREABLE[spec.name][0]] = draw.value
                apply = draw.uniform < spec.p
            elif spec.p < 1:
                apply = torch.rand(x.shape[0], generator=generator, device=x.device) < spec.p
            else:
                apply = None
            y = AUGMENTATIONS[spec.name](x, generator, **params)
            x = y if apply is None else torch.where(apply[:, None, None], y, x)
        return x
