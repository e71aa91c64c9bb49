"""One entry point for the frozen-feature probes: ``linear``, ``knn`` and ``mlp`` by name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from crossl.errors import CrosslError
from crossl.eval.knn_probe import fit_knn_probe
from crossl.eval.linear_probe import fit_linear_probe, fit_probe
from crossl.eval.mean_fill import MeanFill, MeanFilledProbe
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
    Missing features (NaN: an absent sensor's encoder block) are filled with the training means,
    in fitting and in every later ``predict`` (:mod:`crossl.eval.mean_fill`).

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 3)); y = (x[:, 0] > 0).astype(int)
    >>> probe, hyper = fit_frozen_probe("knn", x, y, x, y, num_classes=2, seed=0)
    >>> sorted(hyper)
    ['k']
    """
    fill = MeanFill.fit(x_train)
    x_train, x_val = fill(x_train), fill(x_val)
    probe: Predictor
    hyper: dict[str, Any]
    if protocol == "linear":
        probe, c = fit_linear_probe(x_train, y_train, x_val, y_val, c_grid)
        hyper = {"C": c}
    elif protocol == "knn":
        probe, k = fit_knn_probe(x_train, y_train, x_val, y_val)
        hyper = {"k": k}
    elif protocol == "mlp":
        probe, hyper = fit_mlp_probe(x_train, y_train, x_val, y_val, num_classes, seed)
    else:
        raise CrosslError(f"unknown frozen probe {protocol!r}: choose linear, knn or mlp")
    return MeanFilledProbe(probe, fill), hyper


def refit_linear_probe(x_train: np.ndarray, y_train: np.ndarray, c: float) -> Predictor:
    """A linear probe with a given ``C`` (no validation), missing features mean-filled like
    :func:`fit_frozen_probe`'s."""
    fill = MeanFill.fit(x_train)
    return MeanFilledProbe(fit_probe(fill(x_train), y_train, c), fill)
