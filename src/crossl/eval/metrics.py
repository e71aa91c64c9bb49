"""Classification metrics reported by every evaluation."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Accuracy and macro-F1 (each class weighted equally, sklearn's definition).

    >>> classification_metrics(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]))["accuracy"]
    0.75
    """
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
    }
