"""``crossl datasets prepare``: a raw download → a cache of windows on disk, written once.

The cache folder holds one ``.npy`` per modality (``[N, C, T]`` float32, zeros where absent),
``labels.npy``, ``subjects.npy``, ``present.npy``, ``partition.npy`` and ``manifest.json`` (the
preprocessing parameters, the modalities, classes, devices, split rule, per-subject channel sums
for normalisation, and a checksum of every input file). It is written recording by recording
into a temporary folder of its own (beside the cache, so the rename stays on one filesystem),
flushed to disk and renamed onto the cache only when complete; a lock beside the cache keeps a
second writer out, and the temporary folders of a prepare that crashed are removed by the next.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from crossl.data.catalog import get_recipe
from crossl.data.cutting import WindowBlock, cut_raw_windows, cut_recording
from crossl.data.npy_files import NpyAppender
from crossl.data.raw_windows import RawWindows
from crossl.data.recipe import Recipe, Source
from crossl.errors import CrosslError
from crossl.io import fsync_folder, fsync_tree, write_json
from crossl.run_folder import check_writable_folder, folder_lock

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CACHE_FORMAT = 1
INDEX_ARRAYS = ("labels", "subjects", "present", "partition")

Progress = Callable[[int, int, str], None]


def input_fingerprint(files: Iterable[Path], root: Path) -> list[dict[str, Any]]:
    """Path (relative to ``root``), size and modification time of each input file."""
    out = []
    for f in files:
        stat = f.stat()
        rel = str(f.relative_to(root)) if f.is_relative_to(root) else str(f)
        out.append({"path": rel, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    return out


def checksum(files: Iterable[Path]) -> str:
    """SHA-256 over the contents of ``files`` in order."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode())
        with f.open("rb") as handle:
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
    return digest.hexdigest()


def prepare_dataset(
    name: str,
    raw: str | Path,
    out: str | Path,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], bool]:
    """Prepare dataset ``name`` from the raw folder ``raw`` into the cache folder ``out``.

    Returns the manifest and whether anything was written: a cache whose inputs (contents) and
    parameters are unchanged is kept. ``progress(done, total, what)`` reports each recording.
    """
    recipe = get_recipe(name)
    options = recipe.resolve_options(options or {})
    raw, out = Path(raw).resolve(), Path(out)
    if not raw.exists():
        raise CrosslError(f"raw data folder {raw} does not exist: expected {recipe.layout}")
    inputs = recipe.inputs(raw, options)
    if not inputs:
        raise CrosslError(f"{raw} holds none of the files of {name}: expected {recipe.layout}")
    _check_out(out)
    check_writable_folder(out.parent, "the folder of --out")
    with folder_lock(out, "prepare", beside=True):
        _remove_leftovers(out)
        return _prepare(recipe, name, raw, out, options, inputs, progress)


def _prepare(
    recipe: Recipe,
    name: str,
    raw: Path,
    out: Path,
    options: dict[str, Any],
    inputs: list[Path],
    progress: Progress | None,
) -> tuple[dict[str, Any], bool]:
    params = {"dataset": name, "options": options, "format": CACHE_FORMAT}
    fingerprint = _digest({"params": params, "inputs": checksum(inputs)})
    old = out / MANIFEST
    if old.is_file() and json.loads(old.read_text()).get("fingerprint") == fingerprint:
        return json.loads(old.read_text()), False
    source = recipe.open(raw, options)
    fields = {
        **params,
        "description": recipe.description,
        "fingerprint": fingerprint,
        "raw": str(raw),
        "inputs": input_fingerprint(inputs, raw),
    }
    return write_cache(source, out, fields, progress), True


def write_cache(
    source: Source, out: Path, fields: dict[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    """Window ``source`` into the cache folder ``out`` (replacing an older cache only once the
    new one is complete) and return its manifest: ``fields`` (dataset name, options,
    fingerprint, inputs) plus the protocol and the window counts and channel sums."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
    try:
        manifest = {**fields, **_protocol_fields(source), **_write_windows(source, tmp, progress)}
        write_json(tmp / MANIFEST, manifest)
        fsync_tree(tmp)
        _replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise CrosslError(f"--out {out} is a file: give a folder for the cache")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise CrosslError(
            f"--out {out} is a non-empty folder that is not a crossl cache: choose a new folder"
        )


def _remove_leftovers(out: Path) -> None:
    """Clean up after a prepare of ``out`` that crashed (called with the lock held, so no other
    writer owns these folders): an older cache moved aside just before the crash is put back,
    temporary folders are removed, each with a line."""
    old = out.parent / f".{out.name}.old"
    if old.is_dir() and not out.exists():
        old.rename(out)
        log.warning("put back %s, the cache a prepare that did not finish had moved aside", out)
    leftovers = [*out.parent.glob(f".{glob.escape(out.name)}.partial-*"), old]
    for left in sorted(leftovers):
        if left.is_dir():
            shutil.rmtree(left)
            log.warning("removed %s, left by a prepare of %s that did not finish", left, out)


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _protocol_fields(source: Source) -> dict[str, Any]:
    return {
        "modalities": [m.to_dict() for m in source.modalities],
        "class_names": list(source.class_names),
        "devices": source.devices,
        "split": source.split,
        "labels": source.labels.to_dict(),
        "cut": {k: v for k, v in asdict(source.cut).items() if k != "modalities"},
    }


def _blocks(source: Source, progress: Progress | None) -> Iterable[WindowBlock]:
    if isinstance(source.items, RawWindows):
        yield cut_raw_windows(source.items, source.cut, source.labels)
        if progress:
            progress(1, 1, "windows")
        return
    for i, rec in enumerate(source.items):
        yield cut_recording(rec, source.cut, source.labels)
        if progress:
            progress(i + 1, source.count, rec.session or f"subject {rec.subject}")


def _write_windows(source: Source, folder: Path, progress: Progress | None) -> dict[str, Any]:
    names = [m.name for m in source.modalities]
    writers: dict[str, NpyAppender] = {}
    index: dict[str, list[np.ndarray]] = {k: [] for k in INDEX_ARRAYS}
    sums: dict[str, dict[int, list[Any]]] = {n: {} for n in names}
    for block in _blocks(source, progress):
        for i, n in enumerate(names):
            x = block.signals[n]
            if n not in writers:
                writers[n] = NpyAppender(folder / f"{n}.npy", np.float32, x.shape[1:])
            writers[n].append(x)
            _accumulate(sums[n], x, block.present[:, i], block.subjects)
        for k in INDEX_ARRAYS:
            index[k].append(getattr(block, k))
    for w in writers.values():
        w.close()
    arrays = {k: np.concatenate(v) if v else np.zeros(0) for k, v in index.items()}
    if len(arrays["labels"]) == 0:
        raise CrosslError(
            "no windows came out of the recordings: every window was dropped, because the "
            "recordings are shorter than a window or no sensor has a value in it (all NaN)"
        )
    for k, v in arrays.items():
        np.save(folder / f"{k}.npy", v)
    return {
        "n_windows": len(arrays["labels"]),
        "shapes": {n: list(w.row_shape) for n, w in writers.items()},
        "subjects": _subject_counts(arrays["subjects"], arrays["labels"]),
        "class_counts": np.bincount(arrays["labels"][arrays["labels"] >= 0]).tolist(),
        "channel_sums": {n: {str(s): v for s, v in sorted(per.items())} for n, per in sums.items()},
    }


def _accumulate(
    sums: dict[int, list[Any]], x: np.ndarray, present: np.ndarray, subjects: np.ndarray
) -> None:
    """Add per-subject sample counts, channel sums and sums of squares of the present windows."""
    for s in np.unique(subjects):
        rows = x[(subjects == s) & present].astype(np.float64)
        n, total, squares = sums.get(int(s), [0, 0.0, 0.0])
        sums[int(s)] = [
            n + rows.shape[0] * rows.shape[2],
            (np.asarray(total) + rows.sum(axis=(0, 2))).tolist(),
            (np.asarray(squares) + (rows**2).sum(axis=(0, 2))).tolist(),
        ]


def _subject_counts(subjects: np.ndarray, labels: np.ndarray) -> dict[str, list[int]]:
    """``{subject: [windows, labelled windows]}``."""
    return {
        str(int(s)): [int((subjects == s).sum()), int(((subjects == s) & (labels >= 0)).sum())]
        for s in np.unique(subjects)
    }


def _replace(tmp: Path, out: Path) -> None:
    """Move the complete cache ``tmp`` onto ``out`` (removing an older cache there)."""
    if out.exists():
        trash = out.parent / f".{out.name}.old"
        shutil.rmtree(trash, ignore_errors=True)
        out.rename(trash)
        tmp.rename(out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        tmp.rename(out)
    fsync_folder(out.parent)
