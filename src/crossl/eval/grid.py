"""The evaluation grid: label fractions × seeds, plus missing-modality subsets, for one model."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

import numpy as np
import torch

from crossl.config import Config
from crossl.data.container import WindowSet, concat
from crossl.data.label_subsets import label_fraction_indices
from crossl.data.protocols import PreparedData
from crossl.eval.features import extract_features
from crossl.eval.metrics import classification_metrics
from crossl.eval.probes import fit_frozen_probe, refit_linear_probe
from crossl.eval.supervised import predict_labels, train_supervised
from crossl.nn.backbone import MultimodalBackbone

Progress = Callable[[str], None]

REFIT = "linear-refit"
"""Protocol of the 100 % probes refitted without the missing modalities (missing-modality table)."""
DROPOUT = "linear-dropout"
"""Protocol of the 100 % probes fitted under random modality drop-out (missing-modality table)."""


def modality_group_subsets(groups: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    """Modalities present for every non-empty proper subset of the groups (e.g. devices),
    larger subsets first.

    >>> modality_group_subsets({"acc": ["acc"], "gyro": ["gyro"]})
    [('acc',), ('gyro',)]
    >>> modality_group_subsets({"phone": ["acc", "gyro"], "watch": ["ppg"]})
    [('acc', 'gyro'), ('ppg',)]
    """
    names = list(groups)
    return [
        tuple(m for g in combo for m in groups[g])
        for r in range(len(names) - 1, 0, -1)
        for combo in itertools.combinations(names, r)
    ]


def fraction_seeds(
    fractions: Sequence[float], seeds: Sequence[int], once_at_full: bool = True
) -> list[tuple[float, int]]:
    """(fraction, seed) cells. The 100 % subset is the same for every seed, so with
    ``once_at_full`` (a fit that depends on its training windows only) it runs for the first seed.

    >>> fraction_seeds([0.1, 1.0], [0, 1]), fraction_seeds([1.0], [0, 1], once_at_full=False)
    ([(0.1, 0), (0.1, 1), (1.0, 0)], [(1.0, 0), (1.0, 1)])
    """
    return [
        (fraction, seed)
        for fraction in fractions
        for seed in (seeds[:1] if once_at_full and fraction >= 1.0 else seeds)
    ]


class _RowCommon(TypedDict):
    """The keyword arguments of :func:`_row` shared by the missing-modality rows."""

    n_train: int
    n_test: int
    features: str


def _row(
    model: str,
    protocol: str,
    fraction: float,
    seed: int,
    modalities: list[str],
    metrics: dict[str, float],
    n_train: int,
    n_test: int,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "model": model,
        "protocol": protocol,
        "label_fraction": fraction,
        "seed": seed,
        "modalities": modalities,
        **metrics,
        "n_train": n_train,
        "n_test": n_test,
        **extra,
    }


def probe_rows(
    backbone: MultimodalBackbone,
    data: PreparedData,
    cfg: Config,
    model: str,
    features: str,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Linear-probe rows of a frozen backbone: each label fraction and seed, then missing modalities.

    ``cfg.probe_protocol`` ``crossl``: probes are fitted on the training users' labelled windows,
    C chosen on the validation users. ``authors``: as the CroSSL authors' anchor, the probes are
    fitted on the labelled windows of the training and validation users together with C = 1, and
    no user is held out for validation.
    """
    train = data.splits.train.labelled()
    val = data.splits.val.labelled()
    test = data.splits.test.labelled()
    c_grid = cfg.probe_c_grid
    held_out: tuple[np.ndarray, np.ndarray] | None = None
    if cfg.probe_protocol == "authors":
        train, c_grid = concat([train, val]), [1.0]
    else:
        held_out = (extract_features(backbone, val, features), val.labels.cpu().numpy())
    x_train = extract_features(backbone, train, features)
    x_test = extract_features(backbone, test, features)
    y_train, y_test = (w.labels.cpu().numpy() for w in (train, test))
    names = test.modality_names
    rows = []
    full: tuple[Any, float, dict[str, float]] | None = None
    for fraction, seed in fraction_seeds(cfg.label_fractions, cfg.eval_seeds):
        if progress:
            progress(f"{model}: linear probe, {fraction:.0%} labels, seed {seed}")
        idx = label_fraction_indices(train.labels, fraction, seed).numpy()
        # the authors' protocol has one C: nothing is chosen, on the training windows or else
        x_val, y_val = held_out or (x_train[idx], y_train[idx])
        probe, hyper = fit_frozen_probe(
            "linear",
            x_train[idx],
            y_train[idx],
            x_val,
            y_val,
            len(data.class_names),
            seed,
            c_grid,
        )
        c = hyper["C"]
        metrics = classification_metrics(y_test, probe.predict(x_test))
        rows.append(
            _row(
                model,
                "linear",
                fraction,
                seed,
                names,
                metrics,
                len(idx),
                len(test),
                features=features,
                C=c,
            )
        )
        if fraction >= 1.0:
            full = (probe, c, metrics)
    if cfg.missing_modalities and full is not None:
        rows += _missing_modality_rows(
            backbone,
            train,
            test,
            y_train,
            y_test,
            x_test,
            cfg,
            model,
            features,
            full,
            data.devices,
            progress,
        )
    return [r | {"probe_protocol": cfg.probe_protocol} for r in rows]


def _missing_modality_rows(
    backbone: MultimodalBackbone,
    train: WindowSet,
    test: WindowSet,
    y_train: np.ndarray,
    y_test: np.ndarray,
    x_test_full: np.ndarray,
    cfg: Config,
    model: str,
    features: str,
    full: tuple[Any, float, dict[str, float]],
    devices: Mapping[str, Sequence[str]],
    progress: Progress | None,
) -> list[dict[str, Any]]:
    """The 100 % probe with devices absent (every proper subset of ``devices`` present), three ways.

    ``linear``: the probe fitted on all sensors meets a test set without some (a sensor lost in
    deployment). ``linear-dropout``: a probe with the same C fitted on training features under
    random modality drop-out (each present sensor of a window dropped with probability
    ``cfg.probe_dropout``, never all), deployed the same way. ``linear-refit``: a probe with the
    same C refitted on training features computed with the same sensors absent (a sensor known to
    be missing, as in the authors' ``MaskedClassifier``); its all-sensor row is the full probe.
    ``x_test_full`` are the test features with every sensor present, computed once by the caller.
    """
    probe, c, full_metrics = full
    seed = cfg.eval_seeds[0]
    names = test.modality_names
    common = _RowCommon(n_train=len(train), n_test=len(test), features=features)
    dropped = train.with_random_absence(cfg.probe_dropout, torch.Generator().manual_seed(seed))
    dropout_probe = refit_linear_probe(extract_features(backbone, dropped, features), y_train, c)
    with_dropout = {"C": c, "probe_dropout": cfg.probe_dropout}

    def deployed(protocol: str, subset: list[str], probe: Any, x: np.ndarray, **extra: Any) -> dict:
        metrics = classification_metrics(y_test, probe.predict(x))
        return _row(model, protocol, 1.0, seed, subset, metrics, **extra, **common)

    rows = [
        _row(model, REFIT, 1.0, seed, names, full_metrics, C=c, **common),
        deployed(DROPOUT, names, dropout_probe, x_test_full, **with_dropout),
    ]
    for subset in map(list, modality_group_subsets(devices)):
        if progress:
            progress(f"{model}: linear probe with only {'+'.join(subset)} present")
        x_test = extract_features(backbone, test.with_present(subset), features)
        x_train = extract_features(backbone, train.with_present(subset), features)
        refit = refit_linear_probe(x_train, y_train, c)
        rows += [
            deployed(DROPOUT, subset, dropout_probe, x_test, **with_dropout),
            deployed("linear", subset, probe, x_test),
            deployed(REFIT, subset, refit, x_test, C=c),
        ]
    return rows


def supervised_rows(
    data: PreparedData,
    cfg: Config,
    accelerator: str = "cpu",
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Rows of the supervised baseline trained from scratch at each label fraction and seed."""
    train = data.splits.train.labelled()
    test = data.splits.test.labelled()
    y_test = test.labels.cpu().numpy()
    names = test.modality_names
    rows = []
    for fraction, seed in fraction_seeds(cfg.label_fractions, cfg.eval_seeds):
        if progress:
            progress(f"supervised: training, {fraction:.0%} labels, seed {seed}")
        idx = label_fraction_indices(train.labels, fraction, seed)
        module = train_supervised(
            cfg,
            data.modality_shapes,
            train.select(idx),
            data.splits.val,
            len(data.class_names),
            seed,
            accelerator,
            stats=data.stats,
        ).module
        evaluated = [names]
        if fraction >= 1.0 and cfg.missing_modalities:
            evaluated += map(list, modality_group_subsets(data.devices))
        for subset in evaluated:
            metrics = classification_metrics(
                y_test, predict_labels(module, test.with_present(subset))
            )
            rows.append(
                _row(
                    "supervised",
                    "end-to-end",
                    fraction,
                    seed,
                    subset,
                    metrics,
                    len(idx),
                    len(test),
                    features=cfg.features,
                )
            )
    return rows
