"""Benchmark records aggregated over seeds: one row per grid point, written as ``summary.csv``."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from crossl.io import write_text

KEY = (
    "study",
    "method",
    "variant",
    "dataset",
    "protocol",
    "probe_training",
    "features",
    "label_fraction",
    "modalities",
)
"""Fields that identify a grid point; records differing only in their seeds share one."""

METRICS = ("accuracy", "macro_f1", "balanced_accuracy", "cohen_kappa")

CSV_COLUMNS = (
    *KEY,
    "n",
    *(f"{metric}_{stat}" for metric in METRICS for stat in ("mean", "std")),
)


def summarise_benchmark(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and population std of every metric over the seeds of each grid point, sorted by key.

    Only ``kind == "eval"`` records count; leave-one-subject-out folds are replicates like seeds.
    Each entry holds the :data:`KEY` fields (``modalities`` as a list), ``all_modalities``, ``n``
    (records), ``folds`` (distinct folds among them) and ``<metric>_mean`` / ``<metric>_std``.

    >>> rec = {"kind": "eval", "study": "main", "method": "m", "variant": "", "dataset": "d",
    ...        "protocol": "linear", "probe_training": "all-sensors", "features": "encoders",
    ...        "label_fraction": 0.1, "modalities": ["a"], "all_modalities": ["a"],
    ...        "accuracy": 0.0, "balanced_accuracy": 0.0, "cohen_kappa": 0.0}
    >>> s = summarise_benchmark([{**rec, "macro_f1": v} for v in (0.5, 0.7)])[0]
    >>> round(s["macro_f1_mean"], 3), round(s["macro_f1_std"], 3), s["n"]
    (0.6, 0.1, 2)
    """
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r["kind"] == "eval":
            key = tuple(_key_value(r, k) for k in KEY)
            groups[key].append(r)
    out = []
    for key in sorted(groups):
        members = groups[key]
        entry: dict[str, Any] = dict(zip(KEY, key, strict=True))
        entry["modalities"] = list(entry["modalities"])
        entry["all_modalities"] = list(members[0]["all_modalities"])
        entry["n"] = len(members)
        entry["folds"] = len({m.get("fold", 0) for m in members})
        for metric in METRICS:
            # sorted, so that the floating-point sums do not depend on the order of the records
            values = np.sort(np.array([m[metric] for m in members], dtype=float))
            entry[f"{metric}_mean"] = float(values.mean())
            entry[f"{metric}_std"] = float(values.std())
        out.append(entry)
    return out


def spans_folds(entries: Iterable[dict[str, Any]]) -> bool:
    """Whether records (``fold``) or summary entries (``folds``) span several folds.

    >>> spans_folds([{"fold": 0}, {"fold": 1}]), spans_folds([{"folds": 1}, {}])
    (True, False)
    """
    entries = list(entries)
    several = len({e.get("fold", 0) for e in entries}) > 1
    return several or any(e.get("folds", 1) > 1 for e in entries)


def replicates(
    entries: Iterable[dict[str, Any]], seeds: str = "pretraining × evaluation seeds"
) -> str:
    """What a mean ± std over ``entries`` is taken over, for captions: ``seeds``, preceded by
    ``folds ×`` when they span several folds.

    >>> replicates([{"folds": 2}]), replicates([{"fold": 3}], "seeds")
    ('folds × pretraining × evaluation seeds', 'seeds')
    """
    return f"folds × {seeds}" if spans_folds(entries) else seeds


def write_summary_csv(summary: list[dict[str, Any]], path: str | Path) -> Path:
    """Write the summary as CSV (:data:`CSV_COLUMNS`; modalities joined with ``+``, 4 decimals).

    >>> import tempfile, pathlib
    >>> entry = dict.fromkeys(CSV_COLUMNS, 0.5) | {"modalities": ["acc", "gyro"], "n": 2}
    >>> p = write_summary_csv([entry], pathlib.Path(tempfile.mkdtemp()) / "s.csv")
    >>> p.read_text().splitlines()[1].split(",")[7:10]
    ['0.5000', 'acc+gyro', '2']
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in summary:
        writer.writerow(_csv_cell(entry[c]) for c in CSV_COLUMNS)
    return write_text(path, buffer.getvalue())


def _key_value(record: dict[str, Any], field: str) -> Any:
    if field == "modalities":
        return tuple(record[field])
    if field == "label_fraction":
        return float(record[field])
    return record[field]


def _csv_cell(value: Any) -> str:
    if isinstance(value, list):
        return "+".join(value)
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)
