"""Logistic-regression probe on frozen features, regularisation chosen on the validation users."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from crossl.eval.metrics import classification_metrics
from crossl.eval.probe_inputs import check_probe_inputs


def fit_probe(x_train: np.ndarray, y_train: np.ndarray, c: float) -> Pipeline:
    """Standardisation + multinomial logistic regression with L2 strength ``1/c``, fitted."""
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        probe.fit(x_train, y_train)
    return probe


def fit_linear_probe(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    c_grid: Sequence[float] = (0.01, 0.1, 1.0, 10.0),
) -> tuple[Pipeline, float]:
    """Fit standardisation + multinomial logistic regression for each C; keep the best on validation.

    Returns the fitted pipeline and its C. Ties go to the stronger regularisation.
    """
    check_probe_inputs(x_train, y_train, x_val, y_val)
    best: tuple[float, float, Pipeline] | None = None
    for c in sorted(c_grid):
        probe = fit_probe(x_train, y_train, c)
        score = classification_metrics(y_val, probe.predict(x_val))["macro_f1"]
        if best is None or score > best[0]:
            best = (score, c, probe)
    assert best is not None
    return best[2], best[1]
