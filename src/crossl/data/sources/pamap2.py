"""Reader for the PAMAP2 Physical Activity Monitoring dataset (UCI repository, id 231).

The official release (https://archive.ics.uci.edu/dataset/231/pamap2+physical+activity+monitoring)
unpacks to a folder ``PAMAP2_Dataset/`` holding ``Protocol/subject101.dat`` ...
``subject109.dat`` (the scripted protocol) and ``Optional/subjectNNN.dat`` (optional activities
of some subjects). Every line of a ``.dat`` file holds 54 space-separated numbers, ``NaN`` where a
value is missing:

* column 1: timestamp in seconds, 0.01 s apart (the IMUs run at 100 Hz);
* column 2: activity code (see :data:`PAMAP2_ACTIVITIES`; 0 marks transient activities);
* column 3: heart rate in bpm, about 9 Hz, so ``NaN`` on the lines between two readings;
* columns 4-20, 21-37 and 38-54: the IMUs on the hand, chest and ankle, 17 columns each:
  temperature (degC), 3D acceleration of the +-16 g sensor (m/s^2), 3D acceleration of the
  +-6 g sensor (m/s^2), 3D gyroscope (rad/s), 3D magnetometer (uT) and a 4D orientation that the
  dataset documents as invalid. ``NaN`` marks samples lost over the wireless link.

:func:`read_pamap2` returns one :class:`Recording` per file (more when the file has a long
break), every modality at 100 Hz with the raw activity codes as labels at 100 Hz. The invalid
orientation is dropped; the heart rate keeps its ``NaN`` lines, so it sits in the same 100 Hz
grid as the IMUs. Rows are placed on a regular 100 Hz grid by their timestamps: a jump of up to
1 s between two rows becomes rows of ``NaN`` with label code -1, so that gap handling downstream
sees the loss; at a jump longer than 1 s the file is split into parts.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from crossl.data.modality_info import ModalityInfo
from crossl.data.recording import Recording
from crossl.data.sources.selection import select_modalities
from crossl.errors import CrosslError

PAMAP2_ACTIVITIES: dict[int, str] = {
    0: "other",
    1: "lying",
    2: "sitting",
    3: "standing",
    4: "walking",
    5: "running",
    6: "cycling",
    7: "nordic_walking",
    9: "watching_tv",
    10: "computer_work",
    11: "car_driving",
    12: "ascending_stairs",
    13: "descending_stairs",
    16: "vacuum_cleaning",
    17: "ironing",
    18: "folding_laundry",
    19: "house_cleaning",
    20: "playing_soccer",
    24: "rope_jumping",
}
"""Activity codes of column 2 and their names (0: transient activities between the others)."""

RATE_HZ = 100.0
MAX_FILLED_JUMP_S = 1.0
"""Longest jump between two timestamps that is filled with ``NaN`` rows; longer ones split."""

_N_COLUMNS = 54
_DEVICES = ("hand", "chest", "ankle")
_IMU_BLOCK = 17
_XYZ = ("x", "y", "z")
# (modality suffix, offset in the IMU's 17-column block, channels, unit)
_IMU_FIELDS = (
    ("acc", 1, _XYZ, "m/s^2"),
    ("acc6", 4, _XYZ, "m/s^2"),
    ("gyro", 7, _XYZ, "rad/s"),
    ("mag", 10, _XYZ, "uT"),
    ("temp", 0, ("temperature",), "degC"),
)
_HEART_RATE_COLUMN = 2
_FILE = re.compile(r"subject(\d+)\.dat$")


def _modality_columns(heart_rate: bool = True) -> list[tuple[ModalityInfo, slice]]:
    """Every modality with the 0-based columns of the ``.dat`` line that hold it."""
    out = []
    for d, device in enumerate(_DEVICES):
        block = 3 + d * _IMU_BLOCK
        for suffix, offset, channels, unit in _IMU_FIELDS:
            info = ModalityInfo(f"{device}_{suffix}", channels, unit, RATE_HZ, device)
            start = block + offset
            out.append((info, slice(start, start + len(channels))))
    if heart_rate:
        info = ModalityInfo("heart_rate", ("heart_rate",), "bpm", RATE_HZ, "heart_rate_monitor")
        out.append((info, slice(_HEART_RATE_COLUMN, _HEART_RATE_COLUMN + 1)))
    return out


def pamap2_modalities(heart_rate: bool = True) -> list[ModalityInfo]:
    """The modalities :func:`read_pamap2` can produce, IMU by IMU (hand, chest, ankle).

    >>> [m.name for m in pamap2_modalities()][:5]
    ['hand_acc', 'hand_acc6', 'hand_gyro', 'hand_mag', 'hand_temp']
    >>> len(pamap2_modalities()), len(pamap2_modalities(heart_rate=False))
    (16, 15)
    """
    return [info for info, _ in _modality_columns(heart_rate)]


def _select(modalities: Sequence[str] | None) -> list[tuple[str, slice]]:
    table = {info.name: cols for info, cols in _modality_columns()}
    return [(name, table[name]) for name in select_modalities(modalities, table, "PAMAP2")]


def _dataset_dir(folder: Path) -> Path:
    if not folder.is_dir():
        raise CrosslError(
            f"data folder {folder} does not exist: give the unpacked PAMAP2_Dataset folder"
        )
    nested = folder / "PAMAP2_Dataset"
    root = nested if nested.is_dir() else folder
    if not (root / "Protocol").is_dir():
        raise CrosslError(
            f"{folder} has no Protocol/ folder: give the PAMAP2_Dataset folder of the UCI "
            "download (the one that contains Protocol/ and Optional/)"
        )
    return root


def _subject_files(root: Path, part: str) -> list[tuple[int, Path]]:
    folder = root / part
    if not folder.is_dir():
        raise CrosslError(
            f"{root} has no {part}/ folder: unpack it from the PAMAP2 download "
            f"or leave out the {part} part"
        )
    files = sorted((int(m.group(1)), p) for p in folder.iterdir() if (m := _FILE.match(p.name)))
    if not files:
        raise CrosslError(
            f"{folder} holds no subjectNNN.dat files: give the PAMAP2_Dataset folder of the "
            "UCI download"
        )
    return files


def _first_bad_line(path: Path) -> str | None:
    """Name the first line that does not hold 54 numbers (None when every line does)."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            values = line.split()
            if not values:
                continue
            if len(values) != _N_COLUMNS:
                return (
                    f"{path}: line {number} has {len(values)} values, expected {_N_COLUMNS} "
                    "(a truncated file? download it again)"
                )
            for column, value in enumerate(values, start=1):
                try:
                    float(value)
                except ValueError:
                    return (
                        f"{path}: line {number}, column {column} holds {value!r}, which is "
                        "not a number"
                    )
    return None


def _load(path: Path) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = np.loadtxt(path, ndmin=2, comments=None)
    except OSError as err:
        raise CrosslError(f"{path}: unreadable ({err})") from None
    except ValueError as err:
        raise CrosslError(_first_bad_line(path) or f"{path}: unreadable ({err})") from None
    if table.size == 0:
        raise CrosslError(f"{path}: the file is empty; download it again")
    if table.shape[1] != _N_COLUMNS:
        raise CrosslError(_first_bad_line(path) or f"{path}: expected {_N_COLUMNS} columns")
    return table


def _activity_codes(path: Path, column: np.ndarray) -> np.ndarray:
    known = np.array(sorted(PAMAP2_ACTIVITIES))
    bad = ~np.isin(column, known)
    if bad.any():
        row = int(np.argmax(bad))
        raise CrosslError(
            f"{path}: row {row + 1} has activity code {column[row]:g}, which is not a PAMAP2 "
            f"code (known: {', '.join(map(str, known))})"
        )
    return column.astype(np.int64)


def _grid_index(path: Path, seconds: np.ndarray) -> np.ndarray:
    """Index of each row on the 100 Hz grid that starts at the first timestamp."""
    if not np.isfinite(seconds).all():
        row = int(np.argmax(~np.isfinite(seconds)))
        raise CrosslError(f"{path}: row {row + 1} has no valid timestamp ({seconds[row]})")
    index = np.rint((seconds - seconds[0]) * RATE_HZ).astype(np.int64)
    step = np.diff(index)
    if (step <= 0).any():
        row = int(np.argmax(step <= 0)) + 1
        raise CrosslError(
            f"{path}: the timestamp {seconds[row]:.2f} s on row {row + 1} does not come after "
            f"{seconds[row - 1]:.2f} s on the row before; the file is corrupt, download it again"
        )
    return index


def _read_file(
    path: Path, subject: int, session: str, columns: list[tuple[str, slice]]
) -> list[Recording]:
    table = _load(path)
    labels = _activity_codes(path, table[:, 1])
    index = _grid_index(path, table[:, 0])
    starts = [0, *(np.flatnonzero(np.diff(index) > MAX_FILLED_JUMP_S * RATE_HZ) + 1)]
    ends = [*starts[1:], len(table)]
    recordings = []
    for part, (a, b) in enumerate(zip(starts, ends, strict=True), start=1):
        slot = index[a:b] - index[a]
        length = int(slot[-1]) + 1
        signals = {}
        for name, cols in columns:
            signal = np.full((length, cols.stop - cols.start), np.nan, dtype=np.float32)
            signal[slot] = table[a:b, cols]
            signals[name] = signal
        part_labels = np.full(length, -1, dtype=np.int64)
        part_labels[slot] = labels[a:b]
        recordings.append(
            Recording(
                subject=subject,
                signals=signals,
                labels=part_labels,
                rates=dict.fromkeys(signals, RATE_HZ),
                label_rate_hz=RATE_HZ,
                session=session if len(starts) == 1 else f"{session}#part{part}",
            )
        )
    return recordings


def read_pamap2(
    folder: str | Path, *, modalities: Sequence[str] | None = None, optional: bool = False
) -> list[Recording]:
    """Read every ``Protocol/subjectNNN.dat`` (and ``Optional/`` ones when ``optional``).

    ``folder`` is ``PAMAP2_Dataset/`` or the folder that contains it; ``modalities`` picks names
    of :func:`pamap2_modalities` (all by default). Recordings come ordered by part (Protocol, then
    Optional) and subject; ``subject`` is the number in the file name (101 ...), ``session`` the
    path relative to ``PAMAP2_Dataset/`` (``#partK`` appended when a long break splits a file).
    """
    columns = _select(modalities)
    root = _dataset_dir(Path(folder))
    parts = ("Protocol", "Optional") if optional else ("Protocol",)
    recordings = []
    for part in parts:
        for subject, path in _subject_files(root, part):
            session = path.relative_to(root).as_posix()
            recordings.extend(_read_file(path, subject, session, columns))
    return recordings
