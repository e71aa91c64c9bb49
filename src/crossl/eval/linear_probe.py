"""Logistic-regression probe on frozen features, regularisation chosen on the validation users.

The fit is scikit-learn's multinomial logistic regression solved by Newton-CG to a gradient of
1e-6, the optimum rather than an early stop of it, and faster than the default L-BFGS at its
default tolerance (docs/evaluation.md, docs/benchmarks.md). Each C is fitted from zero, so a
probe depends on its data and C only, not on the grid around it.
"""

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

TOLERANCE = 1e-6
"""Newton-CG stops when every entry of the loss gradient is below this."""


def fit_probe(x_train: np.ndarray, y_train: np.ndarray, c: float) -> Pipeline:
    """Standardisation + multinomial logistic regression with L2 strength ``1/c``, fitted."""
    regression = LogisticRegression(C=c, solver="newton-cg", tol=TOLERANCE, max_iter=1000)
    probe = make_pipeline(StandardScaler(), regression)
    with warnings.catch_warnings():
        # at the precision limit of a nearly separable fit Newton-CG's line search gives up,
        # with the solution as good as floating point allows
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message="(Line Search failed|The line search|Rounding)")
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
