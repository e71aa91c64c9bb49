"""The allowed values of the augmentations' parameters, checked with a clear message."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from crossl.errors import CrosslError


@dataclass(frozen=True)
class _Rule:
    integer: bool
    low: float
    high: float
    low_open: bool
    high_open: bool
    text: str

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        if self.integer and not isinstance(value, int):
            return False
        if not isinstance(value, int | float) or not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


_INF = math.inf
RULES: dict[str, _Rule] = {
    "fraction": _Rule(False, 0.0, 1.0, True, True, "a number in (0, 1)"),
    "scale": _Rule(False, 0.0, _INF, False, True, "a number >= 0"),
    "sigma": _Rule(False, 0.0, _INF, False, True, "a number >= 0"),
    "min_scale": _Rule(False, 0.0, 1.0, True, False, "a number in (0, 1]"),
    "knots": _Rule(True, 0, _INF, False, True, "an integer >= 0"),
    "max_width": _Rule(True, 1, _INF, False, True, "an integer >= 1"),
    "segments": _Rule(True, 1, _INF, False, True, "an integer >= 1"),
}


def check_param(augmentation: str, name: str, value: Any) -> None:
    """Raise :class:`CrosslError` unless ``value`` is allowed for the parameter ``name``.

    >>> check_param("blockout", "fraction", 0.2)
    >>> check_param("blockout", "fraction", 1.5)
    Traceback (most recent call last):
    crossl.errors.CrosslError: blockout: fraction=1.5 must be a number in (0, 1)
    """
    rule = RULES.get(name)
    if rule is not None and not rule.accepts(value):
        raise CrosslError(f"{augmentation}: {name}={value!r} must be {rule.text}")
