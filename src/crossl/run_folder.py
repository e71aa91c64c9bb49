"""Output folders that cannot lie: checked before any work, locked while a run writes to them,
and a finished run's files moved aside before a new run starts.

Every command that writes a folder enters :func:`run_folder` once its inputs are validated:

- ``--out`` that is a file, or a place that cannot be created or written, is one error line
  before any work;
- a second writer of the same folder gets one line naming the first (an advisory lock,
  ``.crossl.lock``, held for the whole run; the operating system releases it if the run dies);
- with ``outputs``, the files of an earlier run there are moved to ``previous/<time>/`` first, so
  a new run that is killed never leaves old results beside its partial logs, and each run's
  logs are its own;
- a folder that the run created and left empty because it failed is removed again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from crossl.errors import CrosslError

log = logging.getLogger(__name__)

LOCK_NAME = ".crossl.lock"
HOLDER_NAME = ".crossl-run.json"
PREVIOUS = "previous"

_held: dict[Path, int] = {}  # lock files this process holds, with the depth of nested entries


def check_writable_folder(path: Path, flag: str = "--out") -> bool:
    """Create ``path`` if needed and check that files can be written in it; return whether it
    was created. A file in its place or an unwritable location is a :class:`CrosslError`."""
    if "\0" in str(path):
        raise CrosslError(f"{flag} {str(path)!r} is not a valid path (a NUL character)")
    if path.exists() and not path.is_dir():
        raise CrosslError(f"{flag} {path} is a file, not a folder: give a folder path")
    created = not path.exists()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise CrosslError(
            f"{flag} {path}: cannot write there ({reason}); choose a writable folder"
        ) from None
    return created


def _lock_files(path: Path, beside: bool, tag: str) -> tuple[Path, Path]:
    if beside:
        return path.parent / f".{path.name}.lock", path.parent / f".{path.name}.writer.json"
    if tag:
        return path / f".crossl-{tag}.lock", path / f".crossl-{tag}-run.json"
    return path / LOCK_NAME, path / HOLDER_NAME


def _holder_text(holder_file: Path) -> str:
    try:
        holder = json.loads(holder_file.read_text())
        return (
            f"pid {holder['pid']} on {holder['host']}, started {holder['started']}: "
            f"{holder['command']}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that left no details"


@contextmanager
def folder_lock(
    path: Path, what: str = "run", beside: bool = False, tag: str = ""
) -> Iterator[None]:
    """Hold the advisory lock of folder ``path`` (re-entrant within this process); a folder
    locked by another process is a :class:`CrosslError` that names that process. With
    ``beside`` the lock lives next to the folder (for a folder that is replaced as a whole);
    ``tag`` names one of several locks of a folder (e.g. one per benchmark shard)."""
    lock_file, holder_file = _lock_files(path, beside, tag)
    key = lock_file.resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    lock = FileLock(lock_file, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise CrosslError(
            f"{path} is in use by another crossl {what} ({_holder_text(holder_file)}); wait for "
            "it to finish or choose another folder"
        ) from None
    except OSError as err:  # e.g. a lock file of another account in a shared folder
        raise CrosslError(
            f"cannot lock {path} ({err.strerror or type(err).__name__} on {lock_file}): "
            "choose a folder of your own"
        ) from None
    _held[key] = 1
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
    }
    try:
        holder_file.write_text(json.dumps(holder) + "\n")
        yield
    finally:
        holder_file.unlink(missing_ok=True)
        del _held[key]
        lock.release()


def move_previous_run(path: Path, outputs: Sequence[str]) -> Path | None:
    """Move the entries of ``path`` named by ``outputs`` (names or glob patterns) into
    ``path/previous/<time>/`` (a line on the ``crossl`` logger says where); return that folder,
    or None when there was nothing to move."""
    found = sorted({p for pattern in outputs for p in path.glob(pattern)})
    if not found:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path / PREVIOUS / stamp
    n = 1
    while target.exists():
        n += 1
        target = path / PREVIOUS / f"{stamp}-{n}"
    target.mkdir(parents=True)
    for p in found:
        p.rename(target / p.name)
    log.warning("%s held an earlier run: its files are now in %s", path, target)
    return target


def _only_lock_files(path: Path) -> bool:
    names = {LOCK_NAME, HOLDER_NAME}
    return all(p.name in names or p.name.startswith(".crossl-") for p in path.iterdir())


@contextmanager
def run_folder(
    path: str | Path, outputs: Sequence[str] = (), what: str = "run", tag: str = ""
) -> Iterator[Path]:
    """Check, create and lock the output folder ``path`` for one run; with ``outputs``, first
    move an earlier run's files aside (a line on the ``crossl`` logger says where). ``tag``: see
    :func:`folder_lock`."""
    path = Path(path)
    created = check_writable_folder(path)
    nested = _lock_files(path, False, tag)[0].resolve() in _held
    with folder_lock(path, what, tag=tag):
        if outputs and not nested:
            move_previous_run(path, outputs)
        try:
            yield path
        except BaseException:
            if created and not nested and _only_lock_files(path):
                shutil.rmtree(path)  # still locked: no other run can have entered it
            raise
