"""Missing sensors at probe time: an absent modality's encoder block is filled with the training mean.

:func:`crossl.eval.features.extract_features` marks the encoder features of an absent modality as
NaN. A probe fitted on those features fills every NaN with the mean of that feature over its own
training windows (0 where no training window had it), so after the probe's standardisation a
missing block is exactly 0: it adds nothing to a linear probe's logits, instead of the constant
shift that a block of raw zeros (−mean/std after standardisation) would add.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class MeanFill:
    """Per-feature training means, and the fill of NaN entries with them.

    >>> fill = MeanFill.fit(np.array([[1.0, np.nan], [3.0, np.nan]]))
    >>> fill(np.array([[np.nan, np.nan]])).tolist()
    [[2.0, 0.0]]
    """

    means: np.ndarray

    @classmethod
    def fit(cls, x_train: np.ndarray) -> MeanFill:
        """The means of ``x_train``'s columns over their non-NaN rows (0 for an all-NaN column)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a column with no value at all
            means = np.nanmean(x_train, axis=0) if len(x_train) else np.zeros(x_train.shape[1])
        return cls(np.nan_to_num(means, nan=0.0).astype(x_train.dtype, copy=False))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``x`` with every NaN replaced by its column's training mean (a copy if any was NaN)."""
        missing = np.isnan(x)
        if not missing.any():
            return x
        return np.where(missing, self.means[None, :], x)


@dataclass
class MeanFilledProbe:
    """A fitted probe that fills missing features (NaN) with the training means before predicting."""

    probe: Any
    fill: MeanFill

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Labels of the rows of ``x``."""
        return self.probe.predict(self.fill(x))
