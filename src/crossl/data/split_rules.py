"""Subject-wise split rules stored with a prepared dataset: which subjects train, validate, test."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from crossl.errors import CrosslError

SPLIT_KINDS = ("loso", "official", "random", "fixed")


def split_subjects(
    rule: Mapping[str, Any], subjects: np.ndarray, partition: np.ndarray, fold: int = 0
) -> tuple[list[int], list[int], list[int]]:
    """``(train, val, test)`` subject lists of a split ``rule`` for windows with ``subjects`` and
    published ``partition`` (1 = the dataset's own test part).

    Rules: ``{"kind": "loso", "n_val": 1}`` (fold ``k`` tests the k-th subject in sorted order and
    validates on the next ``n_val``), ``{"kind": "official", "val_fraction": f, "seed": s}`` (test =
    subjects of the published test part; validation drawn from the rest), ``{"kind": "random",
    "test_fraction": f, "val_fraction": g, "seed": s}``, ``{"kind": "fixed", "test": [...],
    "val": [...]}``.

    >>> subjects = np.array([5, 5, 6, 7, 8])
    >>> split_subjects({"kind": "loso", "n_val": 1}, subjects, np.zeros(5), fold=1)
    ([5, 8], [7], [6])
    """
    pool = sorted(int(s) for s in np.unique(subjects))
    kind = rule.get("kind")
    if kind == "loso":
        n_val = int(rule.get("n_val", 1))
        if not 0 <= fold < len(pool):
            raise CrosslError(
                f"data.fold={fold} is out of range: this dataset has {len(pool)} "
                f"leave-one-subject-out folds (0 to {len(pool) - 1})"
            )
        test = [pool[fold]]
        val = [pool[(fold + 1 + i) % len(pool)] for i in range(n_val)]
        return [s for s in pool if s not in test + val], sorted(val), test
    _no_fold(kind, fold)
    if kind == "official":
        test = sorted(int(s) for s in np.unique(subjects[partition == 1]))
        rest = [s for s in pool if s not in test]
        val = _draw(rest, float(rule["val_fraction"]), int(rule.get("seed", 0)))
        return [s for s in rest if s not in val], val, test
    if kind == "random":
        rng_seed = int(rule.get("seed", 0))
        test = _draw(pool, float(rule["test_fraction"]), rng_seed)
        rest = [s for s in pool if s not in test]
        val = _draw(rest, float(rule["val_fraction"]) * len(pool) / len(rest), rng_seed + 1)
        return [s for s in rest if s not in val], val, test
    if kind == "fixed":
        test, val = sorted(rule["test"]), sorted(rule.get("val", []))
        unknown = sorted(set(test + val) - set(pool))
        if unknown:
            raise CrosslError(f"split names subjects {unknown} that have no windows: have {pool}")
        return [s for s in pool if s not in test + val], val, test
    raise CrosslError(f"unknown split kind {kind!r}: choose one of {', '.join(SPLIT_KINDS)}")


def _no_fold(kind: str | None, fold: int) -> None:
    if fold != 0:
        raise CrosslError(
            f"data.fold={fold} only applies to leave-one-subject-out datasets; this one is "
            f"split by rule {kind!r}: leave data.fold at 0"
        )


def _draw(pool: list[int], fraction: float, seed: int) -> list[int]:
    """A seeded subset of ``pool`` of ``round(fraction * len(pool))`` subjects (at least one)."""
    if len(pool) < 2:
        raise CrosslError(
            f"cannot split {len(pool)} subject(s) subject-wise: the data need more subjects"
        )
    n = min(len(pool) - 1, max(1, round(fraction * len(pool))))
    rng = np.random.default_rng(seed)
    return sorted(int(s) for s in rng.choice(pool, size=n, replace=False))
