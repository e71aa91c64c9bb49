"""One entry point for the frozen-feature probes: ``linear``, ``knn`` and ``mlp`` by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from crossl.errors import CrosslError
from crossl.eval.mean_fill import MeanFill, MeanFilledProbe


class Predictor(Protocol):
    """Anything with ``predict(features) -> labels``."""

    def predict(self, x: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class ProbeData:
    """What a frozen probe is fitted from: training features and labels, the validation set its
    hyperparameter is chosen on, the number of classes, a seed and the linear probe's C grid."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    num_classes: int
    seed: int
    c_grid: Sequence[float]


@dataclass(frozen=True)
class FrozenProbe:
    """A probe on frozen features: ``fit(data) -> (probe, chosen hyperparameters)``, and
    whether the fit draws random numbers (a fit that does not gives the same probe for every
    seed at 100 % labels)."""

    fit: Callable[[ProbeData], tuple[Predictor, dict[str, Any]]]
    seeded: bool


def _linear(d: ProbeData) -> tuple[Predictor, dict[str, Any]]:
    from crossl.eval.linear_probe import fit_linear_probe

    probe, c = fit_linear_probe(d.x_train, d.y_train, d.x_val, d.y_val, d.c_grid)
    return probe, {"C": c}


def _knn(d: ProbeData) -> tuple[Predictor, dict[str, Any]]:
    from crossl.eval.knn_probe import fit_knn_probe

    probe, k = fit_knn_probe(d.x_train, d.y_train, d.x_val, d.y_val)
    return probe, {"k": k}


def _mlp(d: ProbeData) -> tuple[Predictor, dict[str, Any]]:
    from crossl.eval.mlp_probe import fit_mlp_probe

    return fit_mlp_probe(d.x_train, d.y_train, d.x_val, d.y_val, d.num_classes, d.seed)


FROZEN_PROBES: dict[str, FrozenProbe] = {
    "linear": FrozenProbe(_linear, seeded=False),
    "knn": FrozenProbe(_knn, seeded=False),
    "mlp": FrozenProbe(_mlp, seeded=True),
}
"""The probes on frozen features by name: a new probe is a module with its fit and one entry
here (the benchmark's ``protocols`` and ``fit_frozen_probe`` read this table)."""

FINETUNE = "finetune"
"""The one probe that trains the network too: supervised training from the model's weights."""
PROBES = (*FROZEN_PROBES, FINETUNE)
"""Every way a model is evaluated, by name (``crossl evaluate probes=...``, the benchmark's
``protocols``)."""


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
    """Fit the probe called ``protocol`` (a key of :data:`FROZEN_PROBES`) with its
    hyperparameter chosen on the validation set.

    Returns the fitted probe and the chosen hyperparameters (``C``, ``k`` or the MLP's settings).
    Missing features (NaN: an absent sensor's encoder block) are filled with the training means,
    in fitting and in every later ``predict`` (:mod:`crossl.eval.mean_fill`).

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 3)); y = (x[:, 0] > 0).astype(int)
    >>> probe, hyper = fit_frozen_probe("knn", x, y, x, y, num_classes=2, seed=0)
    >>> sorted(hyper)
    ['k']
    """
    if protocol not in FROZEN_PROBES:
        raise CrosslError(f"unknown frozen probe {protocol!r}: choose {', '.join(FROZEN_PROBES)}")
    fill = MeanFill.fit(x_train)
    data = ProbeData(fill(x_train), y_train, fill(x_val), y_val, num_classes, seed, c_grid)
    probe, hyper = FROZEN_PROBES[protocol].fit(data)
    return MeanFilledProbe(probe, fill), hyper


def refit_linear_probe(x_train: np.ndarray, y_train: np.ndarray, c: float) -> Predictor:
    """A linear probe with a given ``C`` (no validation), missing features mean-filled like
    :func:`fit_frozen_probe`'s."""
    from crossl.eval.linear_probe import fit_probe

    fill = MeanFill.fit(x_train)
    return MeanFilledProbe(fit_probe(fill(x_train), y_train, c), fill)
