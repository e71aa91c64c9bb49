"""Small WESAD ``SN/SN.pkl`` files in the format of the official release, for tests.

:func:`wesad_subject_data` builds the pickled dict with values that are easy to check by hand:
row ``i``, channel ``c`` of the array with number ``k`` in :data:`ARRAYS` holds
``1000 * k + 10 * c + i``. :func:`write_wesad_subject` pickles it the way the release was
written, by Python 2 with NumPy 1.x: protocol 2, byte strings as Python 2 ``str`` opcodes and
arrays rebuilt by ``numpy.core.multiarray._reconstruct``.
"""

from __future__ import annotations

import pickle
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ARRAYS = (
    ("chest", "ACC", 3, 700),
    ("chest", "ECG", 1, 700),
    ("chest", "EMG", 1, 700),
    ("chest", "EDA", 1, 700),
    ("chest", "Temp", 1, 700),
    ("chest", "Resp", 1, 700),
    ("wrist", "ACC", 3, 32),
    ("wrist", "BVP", 1, 64),
    ("wrist", "EDA", 1, 4),
    ("wrist", "TEMP", 1, 4),
)
"""(device, key, channels, rate in Hz) of every array; ``k`` of the values counts from 1."""


def wesad_subject_data(subject: int = 5, codes: Sequence[int] = (1, 2, 3)) -> dict[str, Any]:
    """The dict of ``S<subject>.pkl``: one second per label code of ``codes``, float64 arrays."""
    seconds = len(codes)
    signal: dict[str, dict[str, np.ndarray]] = {"chest": {}, "wrist": {}}
    for k, (device, key, channels, rate) in enumerate(ARRAYS, start=1):
        rows = np.arange(seconds * rate, dtype=np.float64)[:, None]
        signal[device][key] = 1000.0 * k + 10.0 * np.arange(channels) + rows
    labels = np.repeat(np.asarray(codes, dtype=np.int32), 700)
    return {"signal": signal, "label": labels, "subject": f"S{subject}"}


class _Python2Pickler(pickle._Pickler):
    """Protocol 2 as Python 2 wrote it: ``str`` opcodes for text and bytes, NumPy 1.x arrays."""

    def __init__(self, file: Any):
        super().__init__(file, protocol=2)

    def save(self, obj: Any, save_persistent_id: bool = True) -> None:
        if isinstance(obj, np.ndarray):
            _, args, state = obj.__reduce__()
            self._save_call("numpy.core.multiarray", "_reconstruct", (_NDARRAY, *args[1:]), state)
        elif isinstance(obj, np.dtype):
            _, (descr, align, copy), state = obj.__reduce__()
            self._save_call("numpy", "dtype", (descr, int(align), int(copy)), state)
        elif obj is _NDARRAY:
            self._save_global("numpy", "ndarray")
        elif isinstance(obj, str | bytes):
            self._save_py2_str(obj.encode("latin1") if isinstance(obj, str) else obj)
        else:
            super().save(obj, save_persistent_id)

    def _save_global(self, module: str, name: str) -> None:
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())

    def _save_call(self, module: str, name: str, args: tuple, state: Any) -> None:
        self._save_global(module, name)
        self.save(args)
        self.write(pickle.REDUCE)
        self.save(state)
        self.write(pickle.BUILD)

    def _save_py2_str(self, data: bytes) -> None:
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)


_NDARRAY = object()


def write_wesad_subject(
    root: Path,
    subject: int = 5,
    data: Any = None,
    *,
    python2: bool = True,
) -> Path:
    """Write ``root/WESAD/S<subject>/S<subject>.pkl`` and return its path.

    ``data`` (any picklable object) defaults to :func:`wesad_subject_data`; ``python2=False``
    pickles it with this Python's own protocol 2 instead (as a file saved again by Python 3 would
    be).
    """
    data = wesad_subject_data(subject) if data is None else data
    folder = Path(root) / "WESAD" / f"S{subject}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"S{subject}.pkl"
    with path.open("wb") as fh:
        if python2:
            _Python2Pickler(fh).dump(data)
        else:
            pickle.dump(data, fh, protocol=2)
    return path
