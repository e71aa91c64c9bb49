"""``CrosslClassifier``: self-supervised pretraining on every window, a linear probe on the few
labelled ones."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from crossl.estimators.arrays import ArrayInputError, windows_from_arrays
from crossl.estimators.encoder import CrosslEncoder
from crossl.eval.linear_probe import fit_probe
from crossl.eval.mean_fill import MeanFill

UNLABELLED = -1
"""The label of a window without one, as in scikit-learn's semi-supervised estimators."""


class CrosslClassifier(ClassifierMixin, BaseEstimator):
    """``encoder`` (a :class:`CrosslEncoder`, default ``CrosslEncoder()``) pretrained on all of
    ``X``, then crossl's linear probe (standardisation + logistic regression with ``C``) on the
    features of the labelled windows. ``y`` marks an unlabelled window with -1, so the many
    unlabelled windows of a field study teach the encoder and the few labelled ones the probe.
    A sensor absent from a window (NaN over the window) is handled as in crossl's evaluation:
    the aggregator is told; encoder features of the absent sensor get the training mean.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 3, 32)).astype("float32")
    >>> y = np.where(np.arange(64) < 16, np.arange(64) % 2, -1)  # 16 labelled windows
    >>> X[y == 1] += 2.0
    >>> clf = CrosslClassifier(CrosslEncoder("simclr", epochs=1, batch_size=16,
    ...                        settings={"kernel_sizes": [4, 4, 4], "augment": [{"name": "jitter"}]}))
    >>> clf.fit(X, y).classes_.tolist(), clf.predict(X[:4]).shape
    ([0, 1], (4,))
    """

    def __init__(self, encoder: CrosslEncoder | None = None, C: float = 1.0):
        self.encoder = encoder
        self.C = C

    def fit(self, X: Any, y: Any) -> CrosslClassifier:
        """Pretrain the encoder on every window of ``X``, fit the probe on the labelled ones."""
        if y is None:
            raise ArrayInputError(
                f"{type(self).__name__} requires y to be passed, but the target y is None: "
                "give a label per window, -1 where there is none"
            )
        y = column_or_1d(y, warn=True)
        n = len(windows_from_arrays(X, getattr(self.encoder, "channels", None)))  # bad X first
        if len(y) != n:
            raise ArrayInputError(f"y has {len(y)} labels but X has {n} windows")
        if type_of_target(y, raise_unknown=True) not in ("binary", "multiclass"):
            raise ArrayInputError(f"y must hold class labels, got {type_of_target(y)} targets")
        labelled = y != UNLABELLED if np.issubdtype(y.dtype, np.number) else np.ones(n, bool)
        classes = np.unique(y[labelled])
        if len(classes) < 2:
            raise ArrayInputError(
                f"y needs labelled windows of at least two classes; it has {labelled.sum()} "
                f"labelled window(s) of {len(classes)} class(es) (one class or none)"
            )
        self.encoder_ = clone(self.encoder) if self.encoder is not None else CrosslEncoder()
        features = self.encoder_.fit(X).transform(X)[labelled]
        self.fill_ = MeanFill.fit(features)
        self.probe_: Pipeline = fit_probe(self.fill_(features), y[labelled], self.C)
        self.classes_ = self.probe_.classes_
        if hasattr(self.encoder_, "n_features_in_"):
            self.n_features_in_ = self.encoder_.n_features_in_
        return self

    def _features(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "probe_")
        return self.fill_(self.encoder_.transform(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class of each window of ``X``."""
        features = self._features(X)
        return self.probe_.predict(features)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``[N, K]`` in the order of :attr:`classes_`."""
        features = self._features(X)
        return self.probe_.predict_proba(features)
