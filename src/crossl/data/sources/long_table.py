"""Reader for the user's own recordings stored as long CSV or Parquet tables.

A long table has a header row and one row per time step: a subject column (integer ids), a
timestamp column (seconds, numbers), an optional label column and one column per channel. A YAML
spec (:mod:`crossl.data.sources.table_spec`) names the columns, the row rate, the classes and
the modalities. For example, with ``rate_hz: 10`` and ``hr`` a 2 Hz modality::

    subject,time_s,activity,ax,ay,az,hr
    1,0.0,walk,0.01,-0.98,0.12,71
    1,0.1,walk,0.02,-0.97,0.11,
    1,0.2,,0.02,-0.99,0.10,

How the table becomes :class:`~crossl.data.recording.Recording` objects:

* Every file matching ``files`` (``.csv`` read with ``pandas.read_csv``, ``.parquet`` with
  ``pandas.read_parquet`` through pyarrow; ``pip install 'crossl[tables]'``) is read on its own,
  in file-name order; a subject that appears in two files gives separate recordings.
* Rows are grouped by subject and sorted by timestamp. Each row is placed on the regular grid
  of ``rate_hz`` that starts at the recording's first timestamp; a timestamp more than a quarter
  period off that grid, and two rows on one grid sample (duplicate timestamps), are errors.
* Up to 1 s of missing rows (``rate_hz`` rows) between two rows become rows of NaN with label
  code -1; a longer gap ends the recording and the next row starts a new recording of the same
  subject (``Recording.session`` reads ``"<file name> from <first timestamp> s"``).
* A modality with a ``rate_hz`` below the table's is logged into the table with empty cells
  between its readings. Its samples lie every ``table rate / rate_hz`` rows from the
  recording's start; each reading (a row where any of its columns has a value) goes to the
  sample nearest to it in time, and each sample keeps the nearest of its readings (NaN if none).
* Empty cells (and ``NaN``) in channel columns are missing samples (NaN). A row with fewer
  fields than the header reads as a row whose last cells are empty, as in pandas.
* Raw label codes: the index of the value in ``classes``; -1 for values in ``ignore_labels``,
  for empty cells (and pandas' missing markers such as ``NA`` or ``null``) and when the spec has
  no ``label``. ``1``, ``1.0`` and ``"1"`` are the same value.

Validation, each failure a :class:`~crossl.errors.CrosslError` naming the file: missing folder,
no matching file, missing columns (listing the columns the file has), unreadable or corrupt file,
a CSV file that does not end with a newline (its last line was cut: CSV writers such as pandas, R,
Excel and Python's ``csv`` end the file with one; re-export it, or add the final newline if it is
complete), a row with more
fields than the header, a non-numeric value in a channel or timestamp column, infinite values,
empty or non-integer subjects, a label value that is neither a class nor ignored, off-grid and
duplicate timestamps.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from crossl.data.recording import Recording
from crossl.data.sources.table_spec import TableSpec, label_key
from crossl.errors import CrosslError

if TYPE_CHECKING:
    import pandas as pd

MAX_GAP_S = 1.0
_GRID_TOLERANCE = 0.25


def read_table(folder: str | Path, spec: TableSpec) -> list[Recording]:
    """Read every table of ``folder`` matching ``spec.files`` into recordings.

    Recordings come in file-name order, then by subject, then by time.
    """
    recordings = []
    for path in _table_files(Path(folder), spec.files):
        table = _Table(path)
        recordings.extend(_recordings_of(table, _read_frame(table, spec.columns), spec))
    return recordings


@dataclass(frozen=True)
class _Table:
    """One table file; names its rows as a user finds them (CSV line, Parquet row)."""

    path: Path

    @property
    def is_csv(self) -> bool:
        return self.path.suffix.lower() == ".csv"

    def row(self, index: int) -> str:
        return f"line {index + 2}" if self.is_csv else f"row {index + 1}"


@dataclass(frozen=True)
class _Columns:
    """The columns of one table as arrays, one entry per row."""

    subjects: np.ndarray
    times: np.ndarray
    codes: np.ndarray
    values: np.ndarray


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise CrosslError(
            f"reading CSV / Parquet tables needs {module.split('.')[0]}: "
            "pip install 'crossl[tables]'"
        ) from None


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


def _table_files(folder: Path, pattern: str) -> list[Path]:
    if not folder.is_dir():
        raise CrosslError(f"data folder {folder} does not exist: give the folder of the tables")
    paths = sorted(p for p in folder.glob(pattern) if p.is_file())
    if not paths:
        raise CrosslError(f"{folder}: no file matches files: {pattern!r} of the table spec")
    return paths


def _read_frame(table: _Table, columns: list[str]) -> pd.DataFrame:
    frame = _read_csv(table.path, columns) if table.is_csv else _read_parquet(table.path, columns)
    if frame.empty:
        raise CrosslError(f"{table.path}: the table has a header but no rows")
    return frame


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    pd = _require("pandas")
    _check_complete(path)
    # Every column, so that pandas checks each row's field count (usecols would not), and no
    # implicit index column: a first row with one field too many must not shift the columns.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, index_col=False, low_memory=False)
    except pd.errors.ParserWarning:
        raise CrosslError(
            f"{path} line 2: the first row has more fields than the header; remove the extra ones"
        ) from None
    except (ValueError, OSError) as err:
        raise CrosslError(f"{path}: not a readable CSV table ({_one_line(err)})") from None
    _check_has_columns(path, frame.columns, columns)
    return frame[columns]


def _check_complete(path: Path) -> None:
    """A CSV file must end with a newline; one that does not had its last line cut."""
    with path.open("rb") as f:
        if f.seek(0, 2) == 0:
            raise CrosslError(f"{path}: the file is empty")
        f.seek(-1, 2)
        if f.read(1) not in (b"\n", b"\r"):
            raise CrosslError(
                f"{path}: truncated, the file does not end with a newline so its last line was "
                "cut; export it again (or add the final newline if the last line is complete)"
            )


def _read_parquet(path: Path, columns: list[str]) -> pd.DataFrame:
    pd = _require("pandas")
    pa = _require("pyarrow")
    pq = _require("pyarrow.parquet")
    try:
        _check_has_columns(path, pq.read_schema(path).names, columns)
        return pd.read_parquet(path, columns=columns, engine="pyarrow")
    except (pa.ArrowException, ValueError, OSError) as err:
        raise CrosslError(
            f"{path}: not a readable Parquet file, corrupt or truncated ({_one_line(err)})"
        ) from None


def _check_has_columns(path: Path, header: Any, columns: list[str]) -> None:
    present = [str(c) for c in header]
    missing = [c for c in columns if c not in present]
    if missing:
        raise CrosslError(
            f"{path}: no column {', '.join(map(repr, missing))}; the file has columns "
            f"{', '.join(map(repr, present))}: fix the column names in the table spec"
        )


def _recordings_of(table: _Table, frame: pd.DataFrame, spec: TableSpec) -> list[Recording]:
    no_labels = np.full(len(frame), -1, dtype=np.int64)
    channels = [c for m in spec.modality_specs.values() for c in m.columns]
    columns = _Columns(
        subjects=_subject_ids(table, frame[spec.subject]),
        times=_numbers(table, frame[spec.timestamp], missing_ok=False),
        codes=_label_codes(table, frame[spec.label], spec) if spec.label else no_labels,
        values=np.column_stack([_numbers(table, frame[c], missing_ok=True) for c in channels]),
    )
    order = np.lexsort((columns.times, columns.subjects))
    subject_starts = np.flatnonzero(np.diff(columns.subjects[order])) + 1
    return [
        _recording(table, rows, columns, spec)
        for subject_rows in np.split(order, subject_starts)
        for rows in _segments(subject_rows, columns.times, spec.rate_hz)
    ]


def _numbers(table: _Table, column: pd.Series, missing_ok: bool) -> np.ndarray:
    """The column as float64; NaN for empty cells when ``missing_ok``, else an error."""
    pd = _require("pandas")
    numbers = pd.to_numeric(column, errors="coerce")
    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = (numbers.isna() & column.notna()).to_numpy() | np.isinf(values)
    if not missing_ok:
        bad |= np.isnan(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        kind = "a finite number" if missing_ok else "a finite number (it may not be empty)"
        raise CrosslError(
            f"{table.path} {table.row(i)}: column {column.name!r} holds {_cell(column, i)!r}, "
            f"expected {kind}"
        )
    return values


def _cell(column: pd.Series, index: int) -> Any:
    """The value of one cell as a plain Python object, for messages."""
    value = column.iloc[index]
    return value.item() if isinstance(value, np.generic) else value


def _subject_ids(table: _Table, column: pd.Series) -> np.ndarray:
    values = _numbers(table, column, missing_ok=False)
    fractional = np.flatnonzero(values != np.round(values))
    if fractional.size:
        i = int(fractional[0])
        raise CrosslError(
            f"{table.path} {table.row(i)}: subject {_cell(column, i)!r} is not an integer; "
            "subject ids must be integers"
        )
    return values.astype(np.int64)


def _label_codes(table: _Table, column: pd.Series, spec: TableSpec) -> np.ndarray:
    """Raw code per row: class index, -1 for ignored values and empty cells."""
    pd = _require("pandas")
    known = spec.label_codes()
    index, values = pd.factorize(column)
    lookup = np.full(len(values) + 1, -1, dtype=np.int64)
    for i, value in enumerate(values):
        key = label_key(value)
        if key and key not in known:
            row = int(np.flatnonzero(index == i)[0])
            raise CrosslError(
                f"{table.path} {table.row(row)}: label {key!r} is neither in classes "
                f"{list(spec.classes)} nor in ignore_labels {list(spec.ignore_labels)}; "
                "add it to one of them in the table spec"
            )
        lookup[i] = known.get(key, -1)
    return lookup[index]


def _segments(rows: np.ndarray, times: np.ndarray, rate_hz: float) -> list[np.ndarray]:
    """Split one subject's time-sorted rows wherever more than ``MAX_GAP_S`` of rows is missing."""
    missing_rows = np.rint(np.diff(times[rows]) * rate_hz) - 1
    cuts = np.flatnonzero(missing_rows > MAX_GAP_S * rate_hz + 1e-9) + 1
    return np.split(rows, cuts)


def _recording(table: _Table, rows: np.ndarray, columns: _Columns, spec: TableSpec) -> Recording:
    subject = int(columns.subjects[rows[0]])
    times = columns.times[rows]
    steps = np.rint((times - times[0]) * spec.rate_hz).astype(np.int64)
    _check_grid(table, rows, times, steps, subject, spec.rate_hz)
    grid = np.full((steps[-1] + 1, columns.values.shape[1]), np.nan, dtype=np.float32)
    grid[steps] = columns.values[rows]
    labels = np.full(len(grid), -1, dtype=np.int64)
    labels[steps] = columns.codes[rows]
    widths = [len(m.columns) for m in spec.modality_specs.values()]
    blocks = np.split(grid, np.cumsum(widths)[:-1], axis=1)
    return Recording(
        subject=subject,
        signals={
            name: _downsample(block, round(spec.rate_hz / m.rate_hz))
            for (name, m), block in zip(spec.modality_specs.items(), blocks, strict=True)
        },
        labels=labels,
        rates={name: m.rate_hz for name, m in spec.modality_specs.items()},
        label_rate_hz=spec.rate_hz,
        session=f"{table.path.name} from {times[0]:g} s",
    )


def _check_grid(
    table: _Table,
    rows: np.ndarray,
    times: np.ndarray,
    steps: np.ndarray,
    subject: int,
    rate_hz: float,
) -> None:
    off = np.flatnonzero(np.abs(times - times[0] - steps / rate_hz) > _GRID_TOLERANCE / rate_hz)
    if off.size:
        i = int(off[0])
        raise CrosslError(
            f"{table.path} {table.row(int(rows[i]))}: timestamp {times[i]:g} s of subject "
            f"{subject} is more than a quarter period off the {rate_hz:g} Hz grid that starts at "
            f"{times[0]:g} s; check rate_hz or resample the table to a regular rate"
        )
    same = np.flatnonzero(np.diff(steps) == 0)
    if same.size:
        i = int(same[0])
        raise CrosslError(
            f"{table.path} {table.row(int(rows[i]))} and {table.row(int(rows[i + 1]))}: "
            f"duplicate timestamps, subject {subject} has two rows for one {rate_hz:g} Hz sample "
            f"({times[i]:g} s and {times[i + 1]:g} s)"
        )


def _downsample(block: np.ndarray, factor: int) -> np.ndarray:
    """Every ``factor``-th grid row, each filled with the reading (non-NaN row) nearest in time.

    >>> x = np.full((7, 1), np.nan, dtype=np.float32)
    >>> x[[3, 4, 6], 0] = [30, 40, 60]
    >>> _downsample(x, 3)[:, 0].tolist()
    [nan, 30.0, 60.0]
    """
    if factor == 1:
        return np.ascontiguousarray(block)
    n_out = -(-len(block) // factor)
    readings = np.flatnonzero(~np.isnan(block).all(axis=1))
    sample = np.minimum((2 * readings + factor) // (2 * factor), n_out - 1)
    distance = np.abs(readings - sample * factor)
    order = np.lexsort((distance, sample))
    kept, first = np.unique(sample[order], return_index=True)
    out = np.full((n_out, block.shape[1]), np.nan, dtype=np.float32)
    out[kept] = block[readings[order[first]]]
    return out
