"""NumPy arrays as crossl windows: the input conventions of the scikit-learn estimators.

``X`` is either a dict ``{modality: array [N, C, T]}`` (each modality its own channels and
length) or one array ``[N, C, T]`` that ``channels={modality: [channel indices]}`` splits into
modalities (without ``channels``: one modality ``"x"`` of all channels; a 2-D ``[N, T]`` array is
one channel). A modality that is NaN over a whole window is **absent** from that window; a dict
may instead give ``"present": bool [N, M]`` in the order of its modalities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from scipy import sparse

from crossl.data.container import WindowSet
from crossl.errors import CrosslError

PRESENT_KEY = "present"


class ArrayInputError(CrosslError, ValueError, TypeError):
    """Bad arrays given to an estimator: a :class:`CrosslError` that is also the ``ValueError``
    (or, for values that are not numbers, ``TypeError``) scikit-learn's conventions expect."""


def _split_channels(
    X: Any, channels: Mapping[str, Sequence[int]] | None
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """``X`` as ``{modality: float32 array [N, C, T]}``, and the ``present`` array of a dict
    that gives one (else None)."""
    if sparse.issparse(X):
        raise ArrayInputError("X is a sparse matrix: crossl needs dense windows (X.toarray())")
    if isinstance(X, Mapping):
        if channels is not None:
            raise ArrayInputError("channels= splits one array into modalities: give it, or a dict")
        arrays = {str(k): np.asarray(v) for k, v in X.items() if k != PRESENT_KEY}
        if not arrays:
            raise ArrayInputError(
                "X is a dict without modalities: give {modality: array [N, C, T]}"
            )
        modalities = {k: _as_windows(k, v) for k, v in arrays.items()}
        return modalities, (np.asarray(X[PRESENT_KEY]) if PRESENT_KEY in X else None)
    x = _as_windows("X", np.asarray(X))
    if channels is None:
        return {"x": x}, None
    out: dict[str, np.ndarray] = {}
    taken: set[int] = set()
    for name, idx in channels.items():
        idx = [int(i) for i in idx]
        bad = [i for i in idx if not 0 <= i < x.shape[1]]
        if not idx or bad:
            raise ArrayInputError(
                f"channels[{name!r}] = {idx} must name channels 0..{x.shape[1] - 1} of X"
            )
        if taken & set(idx):
            raise ArrayInputError(f"channels {sorted(taken & set(idx))} are in two modalities")
        taken |= set(idx)
        out[str(name)] = x[:, idx]
    return out, None


def _as_windows(name: str, a: np.ndarray) -> np.ndarray:
    if a.dtype == object:
        try:
            a = a.astype(np.float32)
        except (TypeError, ValueError) as err:
            raise ArrayInputError(f"{name} holds values that are not numbers ({err})") from None
    if 0 in a.shape[1:]:
        raise ArrayInputError(
            f"{name} has 0 feature(s) (shape={a.shape}) while a minimum of 1 is required: "
            "windows need at least one channel and one time step"
        )
    if a.ndim == 2:
        a = a[:, None, :]
    if a.ndim != 3:
        raise ArrayInputError(
            f"{name} has shape {a.shape}: Reshape your data to [N, channels, time] (or [N, time])"
        )
    if np.iscomplexobj(a):
        raise ArrayInputError(f"Complex data not supported: {name} has dtype {a.dtype}")
    if not np.issubdtype(a.dtype, np.number):
        raise ArrayInputError(f"{name} has dtype {a.dtype}: expected real numbers")
    if np.isinf(a).any():
        raise ArrayInputError(f"{name} holds infinite values: replace or drop those windows")
    return a.astype(np.float32, copy=False)


def windows_from_arrays(
    X: Any,
    channels: Mapping[str, Sequence[int]] | None = None,
    y: Any = None,
    subjects: Any = None,
) -> WindowSet:
    """A :class:`WindowSet` of ``X`` (see the module docstring) with labels ``y`` (integers in
    ``0..K-1``, or none: every window unlabelled) and ``subjects`` (integers, default 0). Bad shapes, lengths, NaN inside a window or
    a window with no modality at all are one :class:`CrosslError`."""
    modalities, given = _split_channels(X, channels)
    lengths = {k: len(v) for k, v in modalities.items()}
    if len(set(lengths.values())) != 1:
        raise ArrayInputError(f"the modalities have different numbers of windows: {lengths}")
    n = next(iter(lengths.values()))
    if n == 0:
        raise ArrayInputError("X has no windows")
    names = list(modalities)
    any_nan = np.stack([np.isnan(v).any(axis=(1, 2)) for v in modalities.values()], axis=1)
    all_nan = np.stack([np.isnan(v).all(axis=(1, 2)) for v in modalities.values()], axis=1)
    present = ~all_nan if given is None else _checked_present(given, n, names)
    holes = np.argwhere(any_nan & present)
    if len(holes):
        window, m = holes[0]
        raise ArrayInputError(
            f"modality {names[m]!r} has NaN inside window {window}: a modality is either NaN "
            "over the whole window (absent) or finite; fill or drop the gaps first"
        )
    if not present.any(axis=1).all():
        raise ArrayInputError(
            f"window {int(np.argmin(present.any(axis=1)))} has no modality present"
        )
    tensors = {
        k: torch.from_numpy(np.where(present[:, i, None, None], np.nan_to_num(v), 0.0))
        for i, (k, v) in enumerate(modalities.items())
    }
    labels = torch.full((n,), -1, dtype=torch.long) if y is None else _integers("y", y, n)
    users = (
        torch.zeros(n, dtype=torch.long) if subjects is None else _integers("subjects", subjects, n)
    )
    return WindowSet(tensors, labels, users, torch.from_numpy(present))


def _checked_present(present: np.ndarray, n: int, names: list[str]) -> np.ndarray:
    if present.shape != (n, len(names)) or present.dtype != bool:
        raise ArrayInputError(
            f"present must be a bool array of shape ({n}, {len(names)}) for modalities {names}, "
            f"got {present.dtype} {present.shape}"
        )
    return present


def _integers(name: str, values: Any, n: int) -> torch.Tensor:
    array = np.asarray(values)
    if array.shape != (n,):
        raise ArrayInputError(f"{name} has shape {array.shape} but X has {n} windows")
    if not np.issubdtype(array.dtype, np.integer):
        raise ArrayInputError(
            f"{name} has dtype {array.dtype}: give integers (class indices 0..K-1)"
        )
    return torch.from_numpy(array.astype(np.int64))
