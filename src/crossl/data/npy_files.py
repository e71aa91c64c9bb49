"""``.npy`` files written row block by row block and read back by row ranges, never whole.

The cache of a prepared dataset stores one ``.npy`` per modality: standard files that
``np.load(path, mmap_mode="r")`` opens, written without holding the dataset in memory (the
header, whose row count is known only at the end, has a fixed reserved size) and read with
positioned reads, so that what a process holds is what it asked for.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from crossl.errors import CrosslError

_HEADER_BYTES = 128
_MAGIC = b"\x93NUMPY\x01\x00"


class NpyAppender:
    """Append arrays of shape ``[n, *row_shape]`` to ``path``; :meth:`close` writes the header.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.npy"
    >>> w = NpyAppender(p, np.float32, (2,))
    >>> w.append(np.ones((3, 2), np.float32)); w.append(np.zeros((1, 2), np.float32))
    >>> w.close(); np.load(p).shape
    (4, 2)
    """

    def __init__(self, path: str | Path, dtype: np.dtype | type, row_shape: tuple[int, ...]):
        self.path = Path(path)
        self.dtype = np.dtype(dtype)
        self.row_shape = tuple(row_shape)
        self.rows = 0
        self._file = self.path.open("wb")
        self._file.write(b"\0" * _HEADER_BYTES)

    def append(self, block: np.ndarray) -> None:
        """Write the rows of ``block`` (its shape after the first axis must be ``row_shape``)."""
        if tuple(block.shape[1:]) != self.row_shape:
            raise CrosslError(
                f"{self.path.name}: rows of shape {block.shape[1:]} do not match {self.row_shape}"
            )
        self._file.write(np.ascontiguousarray(block, dtype=self.dtype).tobytes())
        self.rows += len(block)

    def close(self) -> None:
        """Write the header for the rows appended so far and close the file."""
        header = {
            "descr": np.lib.format.dtype_to_descr(self.dtype),
            "fortran_order": False,
            "shape": (self.rows, *self.row_shape),
        }
        text = repr(header).encode("latin1")
        body = _HEADER_BYTES - len(_MAGIC) - 2
        if len(text) + 1 > body:
            raise CrosslError(f"{self.path.name}: array header too long ({len(text)} bytes)")
        self._file.seek(0)
        self._file.write(_MAGIC + body.to_bytes(2, "little") + text.ljust(body - 1) + b"\n")
        self._file.close()


class NpyRows:
    """Row-range reads of a C-ordered ``.npy`` file, by positioned reads (no memory map).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.npy"
    >>> np.save(p, np.arange(12).reshape(6, 2))
    >>> r = NpyRows(p); r.shape, r.take(np.array([1, 2, 5]))[:, 0].tolist()
    ((6, 2), [2, 4, 10])
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            with self.path.open("rb") as f:
                major, _ = np.lib.format.read_magic(f)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if major == 1
                    else np.lib.format.read_array_header_2_0
                )
                shape, fortran, dtype = read_header(f)
                self.offset = f.tell()
        except (OSError, ValueError) as err:
            raise CrosslError(f"{self.path}: not a readable .npy file ({err})") from None
        if fortran:
            raise CrosslError(f"{self.path}: Fortran-ordered arrays are not supported")
        self.shape: tuple[int, ...] = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.row_bytes = int(np.prod(self.shape[1:], dtype=np.int64)) * self.dtype.itemsize
        expected = self.offset + self.shape[0] * self.row_bytes
        if self.path.stat().st_size != expected:
            raise CrosslError(
                f"{self.path}: {self.path.stat().st_size} bytes where its header promises "
                f"{expected}: the cache is truncated, prepare it again"
            )

    def __len__(self) -> int:
        return self.shape[0]

    def take(self, index: np.ndarray) -> np.ndarray:
        """Rows at the sorted ``index`` as a new array, read run by run of consecutive rows
        straight into it (no intermediate copies)."""
        out = np.empty((len(index), *self.shape[1:]), dtype=self.dtype)
        if len(index) == 0:
            return out
        starts = np.concatenate(([0], np.flatnonzero(np.diff(index) != 1) + 1))
        ends = np.append(starts[1:], len(index))
        target = out.reshape(-1).view(np.uint8).data
        fd = os.open(self.path, os.O_RDONLY)
        try:
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
                view = target[a * self.row_bytes : b * self.row_bytes]
                offset = self.offset + int(index[a]) * self.row_bytes
                if os.preadv(fd, [view], offset) != len(view):
                    raise CrosslError(f"{self.path}: short read, the cache is truncated")
        finally:
            os.close(fd)
        return out
