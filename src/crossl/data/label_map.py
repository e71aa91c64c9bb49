"""``LabelMap``: how a protocol turns a dataset's raw label codes into classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from crossl.errors import CrosslError

UNLABELLED = -1
DROPPED = -2


@dataclass(frozen=True)
class LabelMap:
    """Raw code → class index for the protocol's classes; ``ignore`` codes become unlabelled
    windows (still used by self-supervised pretraining), windows touching a ``drop`` code are
    removed. Code -1 (no label) is always unlabelled; any other code is outside the protocol.

    >>> LabelMap({1: 0, 4: 1}, ignore=frozenset({0}), drop=frozenset({9})).apply(
    ...     np.array([4, 0, -1, 9, 1])).tolist()
    [1, -1, -1, -2, 0]
    """

    classes: Mapping[int, int]
    ignore: frozenset[int] = field(default_factory=frozenset)
    drop: frozenset[int] = field(default_factory=frozenset)

    def apply(self, codes: np.ndarray, where: str = "labels") -> np.ndarray:
        """Class index per code, ``UNLABELLED`` (-1) or ``DROPPED`` (-2)."""
        values, inverse = np.unique(codes, return_inverse=True)
        mapped = np.empty(len(values), dtype=np.int64)
        for i, code in enumerate(values.tolist()):
            if code in self.classes:
                mapped[i] = self.classes[code]
            elif code in self.drop:
                mapped[i] = DROPPED
            elif code in self.ignore or code == UNLABELLED:
                mapped[i] = UNLABELLED
            else:
                known = sorted({*self.classes, *self.ignore, *self.drop})
                raise CrosslError(
                    f"{where}: label code {code} is outside the protocol (known codes: {known}); "
                    "check that the files belong to this dataset"
                )
        return mapped[inverse.reshape(-1)].reshape(np.shape(codes))

    def to_dict(self) -> dict[str, list[int] | dict[str, int]]:
        """Plain-Python copy, for manifests."""
        return {
            "classes": {str(k): v for k, v in self.classes.items()},
            "ignore": sorted(self.ignore),
            "drop": sorted(self.drop),
        }
