"""Reader for WESAD, the Wearable Stress and Affect Detection dataset (UCI repository, id 465).

The official release (https://archive.ics.uci.edu/dataset/465/wesad+wearable+stress+and+affect+detection)
unpacks to a folder ``WESAD/`` with one folder per subject, ``S2/`` ... ``S17/`` (there is no
``S1`` and no ``S12``). Only the synchronised ``SN/SN.pkl`` of each subject is read; the other
files of the folder (``SN_E4_Data.zip``, ``SN_respiban.txt``, ``SN_quest.csv``,
``SN_readme.txt``) are ignored. ``SN.pkl`` is a protocol-2 pickle written by Python 2 (read with
``encoding="latin1"``) that holds a dict:

* ``subject``: the folder name, e.g. ``'S2'``;
* ``label``: ``[N]`` integer codes at 700 Hz (see :data:`WESAD_LABELS`);
* ``signal['chest']``: the RespiBAN chest device, float64 arrays ``[N, C]`` at 700 Hz aligned with
  ``label``: ``ACC`` (3 axes, g), ``ECG`` (mV), ``EMG`` (mV), ``EDA`` (uS), ``Temp`` (degC) and
  ``Resp`` (%);
* ``signal['wrist']``: the Empatica E4 wrist device, float64 arrays ``[n, C]`` over the same time
  span at their own rates: ``ACC`` (3 axes, 32 Hz, raw units of 1/64 g), ``BVP`` (64 Hz, arbitrary
  units), ``EDA`` (4 Hz, uS) and ``TEMP`` (4 Hz, degC).

A pickle can run code while it loads, so the file goes through a restricted unpickler that admits
only the globals of NumPy arrays (``numpy.core.multiarray._reconstruct`` or its NumPy 2 name
``numpy._core.multiarray._reconstruct``, ``numpy.ndarray``, ``numpy.dtype``, and ``_codecs.encode``
to latin-1, which protocol 2 uses for bytes when Python 3 writes it) besides plain Python values: a
pickle that references any other global (``os.system``, ``builtins.eval``, ...) is refused before
anything of it runs. Arrays are rebuilt from their bytes as numeric (bool, integer, float) arrays.

:func:`read_wesad` returns one :class:`Recording` per subject, each modality at its own rate with
the values as stored (no unit conversion, no resampling; the wrist accelerometer stays in 1/64 g),
and the raw label codes as int64 at 700 Hz. Every file is checked for its keys, array shapes, the
subject it names, its label codes and wrist signals that cover the time span of the labels.
"""

from __future__ import annotations

import mmap
import pickle
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from crossl.data.modality_info import ModalityInfo
from crossl.data.recording import Recording
from crossl.data.sources.restricted_pickle import latin1_bytes, restricted_load
from crossl.data.sources.selection import select_modalities
from crossl.errors import CrosslError

WESAD_LABELS: dict[int, str] = {
    0: "transient",
    1: "baseline",
    2: "stress",
    3: "amusement",
    4: "meditation",
    5: "ignore",
    6: "ignore",
    7: "ignore",
}
"""Label codes of ``label`` (0: not defined / transient; 5, 6, 7: to be ignored, per the release)."""

LABEL_RATE_HZ = 700.0
"""Rate of ``label`` and of every chest signal."""

_XYZ = ("x", "y", "z")
# (device, key in signal[device], channels, unit, rate in Hz); the modality is "<device>_<key>"
_FIELDS = (
    ("chest", "ACC", _XYZ, "g", 700.0),
    ("chest", "ECG", ("ecg",), "mV", 700.0),
    ("chest", "EMG", ("emg",), "mV", 700.0),
    ("chest", "EDA", ("eda",), "uS", 700.0),
    ("chest", "Temp", ("temperature",), "degC", 700.0),
    ("chest", "Resp", ("respiration",), "%", 700.0),
    ("wrist", "ACC", _XYZ, "1/64 g", 32.0),
    ("wrist", "BVP", ("bvp",), "a.u.", 64.0),
    ("wrist", "EDA", ("eda",), "uS", 4.0),
    ("wrist", "TEMP", ("temperature",), "degC", 4.0),
)
# modality name -> (its description, path of its array in the pickled dict)
_MODALITIES = {
    f"{device}_{key.lower()}": (
        ModalityInfo(f"{device}_{key.lower()}", channels, unit, rate, device),
        ("signal", device, key),
    )
    for device, key, channels, unit, rate in _FIELDS
}
_SUBJECT_DIR = re.compile(r"S(\d+)")
_NUMERIC_KINDS = "biuf"


class _PickledDtype:
    """Stand-in for a pickled ``numpy.dtype``: keeps its type code and byte order, nothing else."""

    def __init__(self, code: Any, align: Any = 0, copy: Any = 1) -> None:
        self.code = code
        self.byteorder: Any = "="

    def __setstate__(self, state: Any) -> None:
        if not (isinstance(state, tuple) and len(state) >= 5 and state[2:5] == (None,) * 3):
            raise pickle.UnpicklingError("refusing a structured or malformed dtype")
        self.byteorder = state[1]

    def numpy(self) -> np.dtype:
        dtype = np.dtype(f"{self.byteorder}{self.code}")
        if dtype.kind not in _NUMERIC_KINDS:
            raise ValueError(f"its dtype {dtype} is not numeric")
        return dtype


class _PickledArray:
    """Stand-in for a pickled ``numpy.ndarray``: keeps its state until :meth:`numpy` builds it."""

    state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def numpy(self) -> np.ndarray:
        """The array, built from the pickled bytes by NumPy's buffer protocol (read-only)."""
        _, shape, dtype, fortran, data = self.state
        if isinstance(data, str):  # a Python 2 byte string, decoded as latin-1 on loading
            data = data.encode("latin1")
        return np.frombuffer(data, dtype.numpy()).reshape(shape, order="F" if fortran else "C")


def _reconstruct(subtype: Any, shape: Any, dtype: Any) -> _PickledArray:
    """``numpy.core.multiarray._reconstruct`` for plain arrays; the pickled state follows."""
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"refusing to build {subtype!r}, only NumPy arrays")
    return _PickledArray()


# The globals that WESAD pickles reference: written by Python 2 with NumPy 1.x (numpy.core), or
# saved again by Python 3 with NumPy 2.x (numpy._core; protocol 2 stores bytes via _codecs.encode).
# Arrays and dtypes load as stand-ins, so no pickled state reaches NumPy's own __setstate__.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _PickledDtype,
    ("_codecs", "encode"): latin1_bytes,
}


def wesad_modalities() -> list[ModalityInfo]:
    """The modalities :func:`read_wesad` can produce: six of the chest device, four of the wrist.

    >>> [m.name for m in wesad_modalities()][:3]
    ['chest_acc', 'chest_ecg', 'chest_emg']
    >>> [(m.name, m.rate_hz) for m in wesad_modalities() if m.device == "wrist"][:2]
    [('wrist_acc', 32.0), ('wrist_bvp', 64.0)]
    """
    return [info for info, _ in _MODALITIES.values()]


def _subject_files(folder: Path) -> tuple[Path, list[tuple[int, Path]]]:
    """The ``WESAD/`` folder and its ``(subject, SN/SN.pkl)`` pairs, by subject number."""
    if not folder.is_dir():
        raise CrosslError(f"data folder {folder} does not exist: give the unpacked WESAD folder")
    nested = folder / "WESAD"
    root = nested if nested.is_dir() else folder
    found = sorted(
        (int(m.group(1)), d / f"{d.name}.pkl")
        for d in root.iterdir()
        if d.is_dir() and (m := _SUBJECT_DIR.fullmatch(d.name))
    )
    if not found:
        raise CrosslError(
            f"{root} holds no subject folders S2/ ... S17/: give the WESAD folder of the "
            "official download (the one that contains S2/S2.pkl)"
        )
    for _, path in found:
        if not path.is_file():
            raise CrosslError(
                f"{path} is missing: extract it again from the WESAD download or remove the "
                f"folder {path.parent.name}/"
            )
    return root, found


def _load(path: Path) -> dict[str, Any]:
    """Unpickle ``path`` through a read-only memory map: a string whose corrupt length exceeds
    the file then reads short instead of allocating that length first."""
    what = f"WESAD file {path}"
    try:
        if path.stat().st_size == 0:
            raise CrosslError(
                f"{what}: the file is empty; extract it again from the WESAD download"
            )
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            data = restricted_load(mapped, _ALLOWED, what)
    except OSError as err:
        raise CrosslError(f"{what}: unreadable ({err.strerror})") from None
    if not isinstance(data, dict):
        raise CrosslError(f"{what}: expected a pickled dict, found {type(data).__name__}")
    return data


def _entry(data: dict[str, Any], keys: tuple[str, ...], where: str) -> Any:
    """``data[keys[0]][keys[1]]...``; a missing key is named by its path, e.g. ``signal/chest``."""
    node: Any = data
    for depth, key in enumerate(keys):
        if not isinstance(node, dict):
            raise CrosslError(
                f"{where}: {'/'.join(keys[:depth])} should be a dict, found {type(node).__name__}"
            )
        if key not in node:
            raise CrosslError(
                f"{where}: entry {'/'.join(keys[: depth + 1])} is missing; extract the file "
                "again from the WESAD download"
            )
        node = node[key]
    return node


def _numeric_array(data: dict[str, Any], keys: tuple[str, ...], where: str) -> np.ndarray:
    x = _entry(data, keys, where)
    if not isinstance(x, _PickledArray):
        raise CrosslError(
            f"{where}: {'/'.join(keys)} should be a NumPy array, found {type(x).__name__}"
        )
    try:
        return x.numpy()
    except (ValueError, TypeError, AttributeError) as err:
        raise CrosslError(
            f"{where}: {'/'.join(keys)} is not a valid numeric array ({err})"
        ) from None


def _check_subject(data: dict[str, Any], folder_name: str, where: str) -> None:
    named = _entry(data, ("subject",), where)
    if named != folder_name:
        raise CrosslError(
            f"{where}: the file names subject {named!r} but lies in folder {folder_name}/: "
            "subject files were renamed or mixed up"
        )


def _labels(data: dict[str, Any], where: str) -> np.ndarray:
    labels = _numeric_array(data, ("label",), where)
    if labels.ndim != 1:
        raise CrosslError(f"{where}: label has shape {labels.shape}, expected (samples,)")
    unknown = np.setdiff1d(labels, list(WESAD_LABELS))
    if unknown.size:
        raise CrosslError(
            f"{where}: label code {unknown[0].item()} is not a WESAD code "
            f"(known: {', '.join(map(str, WESAD_LABELS))})"
        )
    return labels.astype(np.int64)


def _signal(data: dict[str, Any], name: str, n_labels: int, where: str) -> np.ndarray:
    """The ``[T, C]`` float32 array of modality ``name``; chest ones have one row per label."""
    info, keys = _MODALITIES[name]
    x = _numeric_array(data, keys, where)
    rows = n_labels if info.device == "chest" else None
    if x.ndim != 2 or x.shape[1] != info.n_channels or rows not in (None, x.shape[0]):
        expected = f"({rows if rows is not None else 'samples'}, {info.n_channels})"
        raise CrosslError(f"{where}: {'/'.join(keys)} has shape {x.shape}, expected {expected}")
    return x.astype(np.float32, order="C")


def _read_subject(root: Path, subject: int, path: Path, names: list[str]) -> Recording:
    where = f"WESAD file {path}"
    data = _load(path)
    _check_subject(data, path.parent.name, where)
    labels = _labels(data, where)
    signals = {name: _signal(data, name, len(labels), where) for name in names}
    return Recording(
        subject=subject,
        signals=signals,
        labels=labels,
        rates={name: _MODALITIES[name][0].rate_hz for name in names},
        label_rate_hz=LABEL_RATE_HZ,
        session=path.relative_to(root).as_posix(),
    )


def iter_wesad(
    folder: str | Path, *, modalities: Sequence[str] | None = None
) -> tuple[int, Iterator[Recording]]:
    """The number of subjects and an iterator that reads them one pickle at a time (a pickle
    holds all of a subject's 700 Hz chest signals), by subject number.

    Arguments as for :func:`read_wesad`; the folder and modalities are checked at once.
    """
    names = select_modalities(modalities, _MODALITIES, "WESAD")
    root, files = _subject_files(Path(folder))
    return len(files), (_read_subject(root, subject, path, names) for subject, path in files)


def read_wesad(folder: str | Path, *, modalities: Sequence[str] | None = None) -> list[Recording]:
    """Read every ``SN/SN.pkl`` into one recording per subject, ordered by subject number.

    ``folder`` is ``WESAD/`` or the folder that contains it; ``modalities`` picks names of
    :func:`wesad_modalities` (all by default). ``subject`` is the number of the folder (2 ...
    17), ``session`` the path relative to ``WESAD/`` (``S2/S2.pkl``).
    """
    return list(iter_wesad(folder, modalities=modalities)[1])
