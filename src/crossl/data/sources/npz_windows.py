"""Reader for the user's own windows stored in one NumPy ``.npz`` archive.

The archive holds one array per modality, named after the modality and shaped
``[N, C, T]`` (windows, channels, time; each modality may have its own ``C`` and ``T``; NaN
marks a missing sample), plus these reserved arrays:

* ``labels``: integers ``[N]``, the class index ``0 .. K-1`` of each window, or -1 for an
  unlabelled window;
* ``subjects``: integers ``[N]``, the subject of each window;
* ``partition`` (optional): integers ``[N]``, 0 for training windows and 1 for the published
  test part (default all 0);
* ``class_names`` (optional): ``K`` distinct strings in class order (default ``class_0``,
  ``class_1``, ... up to the largest label).

Write one with :func:`numpy.savez` (or :func:`numpy.savez_compressed`)::

    np.savez("mine.npz", acc=acc, hr=hr, labels=labels, subjects=subjects,
             class_names=np.array(["walk", "run", "sit"]))

The archive is opened with ``allow_pickle=False``: object arrays are refused. Integer and
boolean modality arrays are converted to float32; the reserved arrays must hold integers.
Errors (a missing, truncated or non-``.npz`` file, no modality array, a missing ``labels`` or
``subjects``, a wrong shape or window count, non-integer labels, labels outside ``-1 .. K-1``,
infinite samples) raise :class:`~crossl.errors.CrosslError` naming the file and the array.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import numpy as np

from crossl.data.raw_windows import RawWindows
from crossl.errors import CrosslError

RESERVED = ("labels", "subjects", "partition", "class_names")
# zipfile raises NotImplementedError for a damaged header that names an unknown zip version or
# compression method, and RuntimeError for one whose flags say "encrypted".
_READ_ERRORS = (
    ValueError,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zipfile.BadZipFile,
    zlib.error,
)


def read_npz(path: str | Path) -> tuple[RawWindows, list[str]]:
    """Read the windows of ``path``; return them with their raw label codes and the class names."""
    path = Path(path)
    arrays = _load_arrays(path)
    signals = {k: _modality(path, k, v) for k, v in arrays.items() if k not in RESERVED}
    if not signals:
        raise CrosslError(
            f"{path}: no modality array; store each modality as an array [windows, channels, "
            f"time] under its own name (the names {', '.join(RESERVED)} are reserved)"
        )
    n = _window_count(path, signals)
    labels = _integers(path, arrays, "labels", n)
    subjects = _integers(path, arrays, "subjects", n)
    partition = _integers(path, arrays, "partition", n, default=np.zeros(n, dtype=np.int64))
    if not np.isin(partition, (0, 1)).all():
        raise CrosslError(f"{path}: 'partition' must hold 0 (train) or 1 (test) only")
    class_names = _class_names(path, arrays.get("class_names"), labels)
    return RawWindows(signals, labels, subjects, partition.astype(np.int8)), class_names


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise CrosslError(f"{path} does not exist: give the path of the .npz file")
    try:
        archive = np.load(path, allow_pickle=False)
    except _READ_ERRORS as err:
        raise CrosslError(
            f"{path}: not a .npz archive, or truncated ({' '.join(str(err).split())})"
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise CrosslError(f"{path}: a single .npy array, expected an .npz archive (np.savez)")
    with archive:
        return {key: _array(path, archive, key) for key in archive.files}


def _array(path: Path, archive: np.lib.npyio.NpzFile, key: str) -> np.ndarray:
    try:
        return archive[key]
    except _READ_ERRORS as err:
        raise CrosslError(
            f"{path}: array {key!r} cannot be read ({' '.join(str(err).split())}); the file "
            "may be truncated, and arrays must hold numbers or strings, not Python objects"
        ) from None


def _modality(path: Path, name: str, x: np.ndarray) -> np.ndarray:
    if x.dtype.kind not in "fiub":
        raise CrosslError(f"{path}: array {name!r} has dtype {x.dtype}, expected real numbers")
    if x.ndim != 3:
        raise CrosslError(
            f"{path}: array {name!r} has shape {x.shape}, expected [windows, channels, time]"
        )
    x = x.astype(np.float32)
    if np.isinf(x).any():
        raise CrosslError(f"{path}: array {name!r} holds infinite values (use NaN for missing)")
    return x


def _window_count(path: Path, signals: dict[str, np.ndarray]) -> int:
    (first, x), *others = signals.items()
    for name, y in others:
        if len(y) != len(x):
            raise CrosslError(
                f"{path}: array {name!r} has {len(y)} windows but {first!r} has {len(x)}"
            )
    if len(x) == 0:
        raise CrosslError(f"{path}: the arrays hold no windows")
    return len(x)


def _integers(
    path: Path,
    arrays: dict[str, np.ndarray],
    name: str,
    n: int,
    default: np.ndarray | None = None,
) -> np.ndarray:
    if name not in arrays:
        if default is None:
            raise CrosslError(f"{path}: no {name!r} array; add one integer per window")
        return default
    x = arrays[name]
    if x.dtype.kind not in "iu":
        raise CrosslError(f"{path}: {name!r} has dtype {x.dtype}, expected integers")
    if x.shape != (n,):
        raise CrosslError(f"{path}: {name!r} has shape {x.shape}, expected ({n},), one per window")
    return x.astype(np.int64)


def _class_names(path: Path, names: np.ndarray | None, labels: np.ndarray) -> list[str]:
    """The class names, after checking that every label is -1 or a class index."""
    if names is None:
        classes = [f"class_{i}" for i in range(int(labels.max()) + 1)]
    elif names.dtype.kind == "U" and names.ndim == 1 and len(set(names.tolist())) == len(names):
        classes = [str(s) for s in names]
    else:
        raise CrosslError(
            f"{path}: 'class_names' must be a 1-D array of distinct strings, got dtype "
            f"{names.dtype} and shape {names.shape}"
        )
    bad = labels[(labels < -1) | (labels >= len(classes))]
    if bad.size:
        raise CrosslError(
            f"{path}: label {int(bad[0])} is outside -1 .. {len(classes) - 1} "
            f"({len(classes)} classes); labels are class indices, -1 for unlabelled"
        )
    return classes
