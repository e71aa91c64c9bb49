"""Reader for the official UCI-HAR release (Human Activity Recognition Using Smartphones).

Download https://archive.ics.uci.edu/dataset/240/human+activity+recognition+using+smartphones
and unpack it (the download holds ``UCI HAR Dataset.zip``, which holds the folder). Layout::

    UCI HAR Dataset/
        train/subject_train.txt     one subject id per line (one line per window)
        train/y_train.txt           one activity code 1..6 per line
        train/Inertial Signals/{body_acc,body_gyro,total_acc}_{x,y,z}_train.txt
        test/...                    the same files with ``test`` in place of ``train``

Each of the nine signal files of a part holds one window per line: 128 space-separated numbers,
2.56 s at 50 Hz; consecutive windows of a subject overlap by 50 %. The authors recorded a
waist-mounted smartphone, filtered the signals (median and 20 Hz low-pass) and cut the windows:
``total_acc`` is the accelerometer in standard gravity units (g), ``body_acc`` the same minus its
gravity component (a 0.3 Hz low-pass), ``body_gyro`` the gyroscope in rad/s. Line ``i`` of every
file of a part describes the same window. Activity codes are listed in
:data:`UCI_HAR_ACTIVITIES`; any other code is an error.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from crossl.data.modality_info import ModalityInfo
from crossl.data.raw_windows import RawWindows
from crossl.errors import CrosslError

UCI_HAR_ACTIVITIES: dict[int, str] = {
    1: "WALKING",
    2: "WALKING_UPSTAIRS",
    3: "WALKING_DOWNSTAIRS",
    4: "SITTING",
    5: "STANDING",
    6: "LAYING",
}

_RATE_HZ = 50.0
_WINDOW = 128
_AXES = ("x", "y", "z")
_UNITS = {"body_acc": "g", "body_gyro": "rad/s", "total_acc": "g"}
_PARTS = ("train", "test")


def uci_har_modalities() -> list[ModalityInfo]:
    """The three modalities :func:`read_uci_har` produces, all from the waist-worn phone.

    >>> [(m.name, m.unit, m.rate_hz, m.device) for m in uci_har_modalities()][1]
    ('body_gyro', 'rad/s', 50.0, 'phone')
    """
    return [ModalityInfo(name, _AXES, unit, _RATE_HZ, "phone") for name, unit in _UNITS.items()]


def read_uci_har(folder: str | Path) -> RawWindows:
    """Read both parts of UCI-HAR; ``folder`` is ``UCI HAR Dataset/`` or the folder holding it.

    Signals are ``[N, 3, 128]`` per modality (channels x, y, z), labels the activity codes 1..6,
    subjects the ids of ``subject_*.txt``; partition 0 holds the train part, 1 the test part.
    """
    root = _dataset_dir(Path(folder))
    parts = [_read_part(root, part) for part in _PARTS]
    signals = {name: np.concatenate([p[0][name] for p in parts]) for name in _UNITS}
    labels = np.concatenate([p[1] for p in parts])
    subjects = np.concatenate([p[2] for p in parts])
    partition = np.repeat(np.arange(len(parts), dtype=np.int8), [len(p[1]) for p in parts])
    return RawWindows(signals, labels, subjects, partition)


def _dataset_dir(folder: Path) -> Path:
    if not folder.is_dir():
        raise CrosslError(
            f"data folder {folder} does not exist: give the unpacked 'UCI HAR Dataset' folder"
        )
    for candidate in (folder / "UCI HAR Dataset", folder):
        if (candidate / "train").is_dir():
            return candidate
    raise CrosslError(
        f"{folder} has no train/ folder: give the unpacked 'UCI HAR Dataset' folder or its parent"
    )


def _read_part(root: Path, part: str) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Signals ``{name: [N, 3, 128]}``, activity codes and subjects of one part."""
    base = root / part
    activities_path = base / f"y_{part}.txt"
    activities = _read_codes(activities_path)
    subjects = _read_codes(base / f"subject_{part}.txt")
    _check_rows(base / f"subject_{part}.txt", len(subjects), activities_path, len(activities))
    _check_activities(activities_path, activities)
    signals = {}
    for name in _UNITS:
        axes = []
        for axis in _AXES:
            path = base / "Inertial Signals" / f"{name}_{axis}_{part}.txt"
            table = _read_table(path, _WINDOW)
            _check_rows(path, len(table), activities_path, len(activities))
            axes.append(table.astype(np.float32))
        signals[name] = np.stack(axes, axis=1)
    return signals, activities, subjects


def _check_rows(path: Path, rows: int, reference: Path, expected: int) -> None:
    if rows != expected:
        raise CrosslError(
            f"{path} has {rows} lines but {reference.name} has {expected}: "
            "the files are truncated or mismatched"
        )


def _check_activities(path: Path, codes: np.ndarray) -> None:
    unknown = np.flatnonzero(~np.isin(codes, list(UCI_HAR_ACTIVITIES)))
    if unknown.size:
        line = unknown[0] + 1
        raise CrosslError(
            f"{path}, line {line}: unknown activity code {codes[unknown[0]]}; "
            f"UCI-HAR codes are 1..6 ({', '.join(UCI_HAR_ACTIVITIES.values())})"
        )


def _read_codes(path: Path) -> np.ndarray:
    """A file of one integer per line, as int64."""
    column = _read_table(path, 1)[:, 0]
    fractional = np.flatnonzero(column != np.round(column))
    if fractional.size:
        raise CrosslError(
            f"{path}, line {fractional[0] + 1}: {column[fractional[0]]} is not an integer"
        )
    return column.astype(np.int64)


def _read_table(path: Path, columns: int) -> np.ndarray:
    """Whitespace-separated numbers, ``columns`` per line, as ``[lines, columns]`` float64."""
    if not path.is_file():
        raise CrosslError(f"{path} is missing: unpack the complete UCI-HAR release")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy warns about an empty file
            table = np.loadtxt(path, ndmin=2, comments=None)
    except ValueError:
        raise CrosslError(_first_bad_line(path, columns)) from None
    except OSError as err:
        raise CrosslError(f"{path}: unreadable ({err})") from None
    if table.size == 0:
        raise CrosslError(f"{path} is empty: the file is truncated, unpack the release again")
    if table.shape[1] != columns:
        raise CrosslError(_first_bad_line(path, columns))
    if np.isinf(table).any():
        raise CrosslError(f"{path}: contains infinite values")
    return table


def _first_bad_line(path: Path, columns: int) -> str:
    """An error message naming the first line of ``path`` that is not ``columns`` numbers."""
    with path.open(encoding="utf-8", errors="replace") as file:
        for number, line in enumerate(file, start=1):
            fields = line.split()
            if fields and len(fields) != columns:
                return (
                    f"{path}, line {number}: {len(fields)} values, expected {columns}: "
                    "the file is truncated or corrupt"
                )
            try:
                np.array(fields, dtype=np.float64)
            except ValueError as err:
                return f"{path}, line {number}: {err}"
    return f"{path}: not a table of numbers"
