"""Writers of the user's own file formats for tests: ``.npz`` windows and long CSV / Parquet tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml


def write_npz(
    path: Path,
    signals: Mapping[str, np.ndarray],
    labels: Sequence[int] | np.ndarray,
    subjects: Sequence[int] | np.ndarray,
    **reserved: Any,
) -> Path:
    """Write windows as the user would with ``np.savez``; ``reserved``: partition, class_names."""
    np.savez(path, **signals, labels=np.asarray(labels), subjects=np.asarray(subjects), **reserved)
    return path


def write_table(path: Path, columns: Mapping[str, Sequence[Any]]) -> Path:
    """Write a long table with pandas, as CSV or Parquet after the suffix of ``path``."""
    frame = pd.DataFrame(dict(columns))
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


def write_spec(path: Path, spec: Mapping[str, Any]) -> Path:
    """Write a table spec as YAML."""
    path.write_text(yaml.safe_dump(dict(spec), sort_keys=False), encoding="utf-8")
    return path


def walk_sit_spec(path: Path, window_s: float, stride_s: float) -> Path:
    """The table spec of :func:`write_table` files with columns subject, time, ax/ay/az and
    activity (walk / sit) at 10 Hz, windowed ``window_s`` every ``stride_s`` seconds."""
    spec = {
        "files": "*.csv",
        "subject": "subject",
        "timestamp": "time",
        "label": "activity",
        "rate_hz": 10,
        "classes": ["walk", "sit"],
        "modalities": {"acc": {"columns": ["ax", "ay", "az"], "unit": "g"}},
        "window_s": window_s,
        "stride_s": stride_s,
    }
    return write_spec(path, spec)
