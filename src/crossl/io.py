"""Atomic file writes: a reader never sees a half-written checkpoint, JSON or report, and a
renamed file's data are on disk before its name is (``fsync`` of the file, then of the folder)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it onto ``path``
    (what ``write`` returns is ignored).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = atomic_write(p, lambda tmp: tmp.write_text("hi"))
    >>> p.read_text()
    'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o644)
        _fsync(tmp)
        os.replace(tmp, path)
        fsync_folder(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename in it) to disk, where the system allows it: folders
    cannot be opened on Windows, and some network filesystems refuse their ``fsync``."""
    try:
        _fsync(folder)
    except OSError:
        return


def fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder``, and the folder itself, to disk (before it is renamed
    into place)."""
    for p in folder.rglob("*"):
        if p.is_file():
            _fsync(p)
    fsync_folder(folder)


def write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented JSON, atomically."""
    text = json.dumps(data, indent=2, sort_keys=False) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text))


def cached_json(path: str | Path, compute: Callable[[], Any]) -> Any:
    """The JSON stored at ``path``, or ``compute()``'s result written there atomically first, so
    that a long series of runs resumes where it stopped.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.json"
    >>> cached_json(p, lambda: {"f1": 0.9}), cached_json(p, lambda: {"f1": 0.0})
    ({'f1': 0.9}, {'f1': 0.9})
    """
    path = Path(path)
    if path.exists():
        return json.loads(path.read_text())
    result = compute()
    write_json(path, result)
    return result


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text))
