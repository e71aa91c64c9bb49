"""Aggregate evaluation rows over seeds: mean ± std per model, feature kind, fraction and modalities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from crossl.eval.grid import DROPOUT, REFIT

MISSING_ONLY = (REFIT, DROPOUT)
"""Protocols that appear in the missing-modality table only."""


def summarise(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (model, protocol, features, label_fraction, modalities) with mean/std/n.

    >>> rows = [{"model": "m", "protocol": "linear", "features": "f", "label_fraction": 0.1,
    ...          "modalities": ["a"], "macro_f1": v, "accuracy": v} for v in (0.5, 0.7)]
    >>> s = summarise(rows)[0]
    >>> round(s["macro_f1_mean"], 3), round(s["macro_f1_std"], 3), s["n"]
    (0.6, 0.1, 2)
    """
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        key = (
            r["model"],
            r["protocol"],
            r.get("features", ""),
            r["label_fraction"],
            tuple(r["modalities"]),
        )
        groups[key].append(r)
    out = []
    for (model, protocol, features, fraction, modalities), members in groups.items():
        entry: dict[str, Any] = {
            "model": model,
            "protocol": protocol,
            "features": features,
            "label_fraction": fraction,
            "modalities": list(modalities),
            "n": len(members),
        }
        for metric in ("macro_f1", "accuracy"):
            values = np.array([m[metric] for m in members], dtype=float)
            entry[f"{metric}_mean"] = float(values.mean())
            entry[f"{metric}_std"] = float(values.std())
        out.append(entry)
    return out


def model_label(entry: dict[str, Any]) -> str:
    """Display name of a summary entry: the model, with the feature kind for frozen probes."""
    if entry["protocol"] == "linear":
        return f"{entry['model']} ({entry['features']})"
    if entry["protocol"] == REFIT:
        return f"{entry['model']} ({entry['features']}, probe refit)"
    if entry["protocol"] == DROPOUT:
        return f"{entry['model']} ({entry['features']}, probe with drop-out)"
    return entry["model"]
