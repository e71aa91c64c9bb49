"""One entry point for the frozen-feature probes: ``linear``, ``knn`` and ``mlp`` by name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from crossl.errors import CrosslError
from crossl.eval.knn_probe import fit_knn_probe
from crossl.eval.linear_probe import fit_linear_probe
from crossl.eval.mlp_probe import fit_mlp_probe


class Predictor(Protocol):
    """Anything with ``predict(features) -> labels``."""

    def predict(self, x: np.ndarray) -> np.ndarray: ...


def fit_frozen_probe(
    protocol: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    num_classes: int,
    seed: int,
    c_grid: Sequence[float] = (0.01, 0.1, 1.0, 10.0),
) -> tuple[Predictor, dict[str, Any]]:
    """Fit the probe called ``protocol`` with its hyperparameter chosen on the validation set.

    Returns the fitted probe and the chosen hyperparameters (``C``, ``k`` or the MLP's settings).

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 3)); y = (x[:, 0] > 0).astype(int)
    >>> probe, hyper = fit_frozen_probe("knn", x, y, x, y, num_classes=2, seed=0)
    >>> sorted(hyper)
    ['k']
    """
    if protocol == "linear":
        probe, c = fit_linear_probe(x_train, y_train, x_val, y_val, c_grid)
        return probe, {"C": c}
    if protocol == "knn":
        probe, k = fit_knn_probe(x_train, y_train, x_val, y_val)
        return probe, {"k": k}
    if protocol == "mlp":
        return fit_mlp_probe(x_train, y_train, x_val, y_val, num_classes, seed)
    raise CrosslError(f"unknown frozen probe {protocol!r}: choose linear, knn or mlp")
