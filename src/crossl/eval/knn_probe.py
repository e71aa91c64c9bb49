"""k-nearest-neighbour probe on frozen features (cosine distance), k chosen on the validation users.

The features are not standardised: the kNN probe measures the geometry of the embedding as it is
(the field's usual kNN monitor votes among cosine neighbours of the raw embeddings), and rescaling
every dimension to unit variance would re-weight directions the encoder itself treats as small.
The linear and MLP probes are the ones that standardise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from crossl.errors import CrosslError
from crossl.eval.metrics import macro_f1
from crossl.eval.probe_inputs import check_probe_inputs


def fit_knn_probe(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    k_grid: Sequence[int] = (1, 3, 5, 10, 20, 50),
) -> tuple[KNeighborsClassifier, int]:
    """Fit a cosine kNN classifier for each k of ``k_grid`` up to the number of training windows;
    keep the best validation macro-F1 (ties go to the larger k, the smoother vote).

    Returns the fitted classifier and its k.

    >>> x = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.1], [0.1, 2.0]])
    >>> knn, k = fit_knn_probe(x, np.array([0, 1, 0, 1]), x, np.array([0, 1, 0, 1]), (1, 3, 50))
    >>> k, knn.predict(np.array([[5.0, 1.0]])).tolist()
    (3, [0])
    """
    check_probe_inputs(x_train, y_train, x_val, y_val)
    if any(k < 1 for k in k_grid):
        raise CrosslError(f"k_grid={list(k_grid)} must hold positive neighbour counts")
    usable = sorted({k for k in k_grid if k <= len(x_train)})
    if not usable:
        raise CrosslError(
            f"no k in k_grid={list(k_grid)} is at most the {len(x_train)} training windows: "
            "add a smaller k or use more labelled windows"
        )
    best: tuple[float, int, KNeighborsClassifier] | None = None
    for k in usable:
        knn = KNeighborsClassifier(n_neighbors=k, metric="cosine").fit(x_train, y_train)
        score = macro_f1(y_val, knn.predict(x_val))
        if best is None or score >= best[0]:
            best = (score, k, knn)
    assert best is not None
    return best[2], best[1]
