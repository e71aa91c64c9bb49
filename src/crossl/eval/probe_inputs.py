"""The checks every frozen-feature probe makes on its training and validation arrays."""

from __future__ import annotations

import numpy as np

from crossl.errors import CrosslError


def check_probe_inputs(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    num_classes: int | None = None,
) -> None:
    """Raise :class:`CrosslError` unless both splits are ``[N, F]`` features with ``[N]`` labels
    (N > 0), with the same F, the training labels hold two classes or more, and (given
    ``num_classes``) labels are in ``0..num_classes - 1``.

    >>> check_probe_inputs(np.zeros((2, 3)), np.arange(2), np.zeros((1, 4)), np.zeros(1))
    Traceback (most recent call last):
    crossl.errors.CrosslError: x_val has 4 features but x_train has 3: extract both with the same backbone and feature kind
    """
    for name, x, y in (("train", x_train, y_train), ("val", x_val, y_val)):
        if x.ndim != 2 or y.shape != (len(x),) or len(x) == 0:
            raise CrosslError(
                f"x_{name} {x.shape} and y_{name} {y.shape} must be [N, F] features and [N] "
                "labels, N > 0"
            )
        if num_classes is not None and (y.min() < 0 or y.max() >= num_classes):
            raise CrosslError(
                f"y_{name} holds labels outside 0..{num_classes - 1}: pass num_classes large "
                "enough and drop unlabelled windows (-1)"
            )
    if x_val.shape[1] != x_train.shape[1]:
        raise CrosslError(
            f"x_val has {x_val.shape[1]} features but x_train has {x_train.shape[1]}: "
            "extract both with the same backbone and feature kind"
        )
    classes = np.unique(y_train)
    if len(classes) < 2:
        raise CrosslError(
            f"the probe's training windows hold one class only ({int(classes[0])}): a classifier "
            "needs at least two; the training subjects of this split lack labelled windows of "
            "the other classes"
        )
