"""Classification metrics reported by every evaluation."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import accuracy_score, balanced_accuracy_score, cohen_kappa_score, f1_score

from crossl.errors import CrosslError


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """sklearn's macro-F1: the mean F1 over the classes in ``y_true`` ∪ ``y_pred``.

    >>> macro_f1(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]))  # F1 2/3 and 4/5
    0.7333333333333334
    """
    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def _check_labels(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str] | None) -> int:
    """The number of classes, after checking that both arrays hold class indices."""
    if y_true.ndim != 1 or y_true.shape != y_pred.shape or len(y_true) == 0:
        raise CrosslError(
            f"y_true {y_true.shape} and y_pred {y_pred.shape} must be non-empty 1-D arrays "
            "of the same length"
        )
    both = np.concatenate([y_true, y_pred])
    if not np.issubdtype(both.dtype, np.integer) or both.min() < 0:
        raise CrosslError(
            "labels must be class indices 0, 1, ...: drop unlabelled windows (-1) before scoring"
        )
    if class_names is None:
        return int(both.max()) + 1
    if both.max() >= len(class_names):
        raise CrosslError(
            f"label {int(both.max())} has no name among the {len(class_names)} class_names: "
            "pass the full list of class names"
        )
    return len(class_names)


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str] | None = None
) -> dict[str, Any]:
    """Accuracy, macro-F1, balanced accuracy, Cohen's κ and the F1 of every class.

    ``macro_f1`` is sklearn's (the mean F1 over the classes in ``y_true`` ∪ ``y_pred``);
    ``balanced_accuracy`` the mean recall over the classes in ``y_true``. ``per_class_f1`` maps
    each class (``class_names[i]``, or ``str(i)`` without names) to its F1, 0.0 for a class that is
    neither present nor predicted; there are ``len(class_names)`` classes, or max label + 1.
    ``cohen_kappa`` is 0.0 where it is undefined (one class in both arrays), like any constant
    prediction.

    >>> m = classification_metrics(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), ["sit", "walk", "run"])
    >>> m["accuracy"], m["cohen_kappa"], m["per_class_f1"]["run"]
    (0.75, 0.5, 0.0)
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n_classes = _check_labels(y_true, y_pred, class_names)
    names = list(class_names) if class_names is not None else [str(i) for i in range(n_classes)]
    labels = list(range(n_classes))
    per_class = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
        warnings.filterwarnings("ignore", "A single label was found")
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        balanced = balanced_accuracy_score(y_true, y_pred)
        kappa = cohen_kappa_score(y_true, y_pred, labels=labels, replace_undefined_by=0.0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": macro_f1(y_true, y_pred),
        "balanced_accuracy": float(balanced),
        "cohen_kappa": float(kappa),
        "per_class_f1": {name: float(f) for name, f in zip(names, per_class, strict=True)},
    }
