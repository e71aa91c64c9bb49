"""Small PAMAP2 ``.dat`` files in the format of the official release, for tests.

:func:`pamap2_table` builds the 54 columns of a subject file with values that are easy to check
by hand: column ``c`` (1-based, 4-54) of row ``r`` holds ``1000 * c + r``; the heart rate (column
3) holds ``100 + r // 11`` on every 11th row and ``NaN`` in between, as the 9 Hz monitor does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

DEVICE_FIRST_COLUMN = {"hand": 4, "chest": 21, "ankle": 38}
"""1-based column of each IMU's temperature; its 16 other columns follow."""

DEFAULT_ACTIVITIES = ((0, 40), (1, 80), (0, 30), (4, 100), (0, 50))
"""(activity code, rows) in file order: 300 rows, transient activity 0 between activities."""

HEART_RATE_EVERY = 11


def pamap2_table(
    activities: Sequence[tuple[int, int]] = DEFAULT_ACTIVITIES,
    *,
    start_s: float = 8.38,
    lost: Sequence[tuple[str, int, int]] = (("hand", 120, 125),),
) -> np.ndarray:
    """Rows ``[T, 54]`` of one subject file, 0.01 s apart from ``start_s``.

    ``lost`` lists ``(device, first row, end row)`` where that IMU's 17 columns are ``NaN``.
    """
    codes = np.concatenate([np.full(n, code, dtype=np.float64) for code, n in activities])
    rows = np.arange(len(codes))
    table = 1000.0 * np.arange(1, 55)[None, :] + rows[:, None]
    table[:, 0] = np.round(start_s + rows / 100.0, 2)
    table[:, 1] = codes
    table[:, 2] = np.where(rows % HEART_RATE_EVERY == 0, 100 + rows // HEART_RATE_EVERY, np.nan)
    for device, first, end in lost:
        column = DEVICE_FIRST_COLUMN[device] - 1
        table[first:end, column : column + 17] = np.nan
    return table


def _format(value: float) -> str:
    return "NaN" if np.isnan(value) else f"{value:g}"


def write_pamap2_subject(
    root: Path, subject: int, table: np.ndarray | None = None, *, part: str = "Protocol"
) -> Path:
    """Write ``root/PAMAP2_Dataset/<part>/subject<subject>.dat`` and return its path."""
    table = pamap2_table() if table is None else table
    folder = Path(root) / "PAMAP2_Dataset" / part
    folder.mkdir(parents=True, exist_ok=True)
    lines = [" ".join([f"{row[0]:.2f}", *map(_format, row[1:])]) for row in table]
    path = folder / f"subject{subject}.dat"
    path.write_text("\n".join(lines) + "\n")
    return path
