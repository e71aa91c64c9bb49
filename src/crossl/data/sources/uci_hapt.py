"""Reader for the official UCI HAPT download layout (``RawData/``).

``RawData/acc_expNN_userMM.txt`` and ``gyro_expNN_userMM.txt`` hold three space-separated columns at
50 Hz (acceleration in g, angular velocity in rad/s); ``RawData/labels.txt`` holds rows
``experiment user activity start end`` with 0-based inclusive sample indices.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from crossl.data.recording import Recording
from crossl.errors import CrosslError

_FILE = re.compile(r"acc_exp(\d+)_user(\d+)\.txt$")


def _raw_dir(folder: Path) -> Path:
    if not folder.is_dir():
        raise CrosslError(f"data folder {folder} does not exist: give the unpacked UCI HAPT folder")
    for candidate in (folder / "RawData", folder):
        if (candidate / "labels.txt").is_file():
            return candidate
    raise CrosslError(
        f"{folder} has no RawData/labels.txt: give the folder of the UCI HAPT download "
        "(the one that contains RawData/)"
    )


def _load_table(path: Path, columns: int) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = np.loadtxt(path, ndmin=2)
    except (ValueError, OSError) as err:
        raise CrosslError(f"{path}: unreadable ({err})") from None
    if table.shape[1] != columns:
        raise CrosslError(f"{path}: expected {columns} columns, found {table.shape[1]}")
    if not np.isfinite(table).all():
        raise CrosslError(f"{path}: contains NaN or infinite values")
    return table


def read_uci_hapt(folder: str | Path) -> list[Recording]:
    """Read every experiment of a UCI HAPT download into recordings, ordered by user then experiment."""
    raw = _raw_dir(Path(folder))
    labels_table = _load_table(raw / "labels.txt", 5).astype(np.int64)
    files = sorted(
        (int(m.group(2)), int(m.group(1)), p) for p in raw.iterdir() if (m := _FILE.match(p.name))
    )
    if not files:
        raise CrosslError(f"{raw} holds no acc_expNN_userMM.txt files")
    recordings = []
    for user, exp, acc_path in files:
        gyro_path = raw / acc_path.name.replace("acc_", "gyro_", 1)
        if not gyro_path.is_file():
            raise CrosslError(f"{gyro_path} is missing (every acc file needs its gyro file)")
        acc = _load_table(acc_path, 3)
        gyro = _load_table(gyro_path, 3)
        if len(acc) != len(gyro):
            raise CrosslError(
                f"{acc_path.name} has {len(acc)} rows but {gyro_path.name} has {len(gyro)}: "
                "the files are truncated or mismatched"
            )
        labels = np.full(len(acc), -1, dtype=np.int64)
        rows = labels_table[(labels_table[:, 0] == exp) & (labels_table[:, 1] == user)]
        for _, _, activity, start, end in rows:
            if not 0 <= start <= end < len(acc):
                raise CrosslError(
                    f"labels.txt: segment {start}-{end} of experiment {exp} lies outside its "
                    f"{len(acc)} samples"
                )
            labels[start : end + 1] = activity
        recordings.append(
            Recording(
                subject=user,
                signals={"acc": acc.astype(np.float32), "gyro": gyro.astype(np.float32)},
                labels=labels,
            )
        )
    return recordings
