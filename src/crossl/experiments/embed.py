"""``crossl embed``: the frozen features of a checkpoint for every window of a dataset, written
chunk by chunk (``.npy`` or Parquet), so that data larger than memory stream through."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from crossl.config import FEATURES, did_you_mean
from crossl.data.cache.folder import DatasetCache, is_cache
from crossl.data.container import WindowSet
from crossl.data.normalisation import ChannelStats, normalise
from crossl.errors import CrosslError
from crossl.eval.features import extract_features
from crossl.experiments.checkpoint import load_checkpoint
from crossl.io import atomic_write

OUTPUT_SUFFIXES = (".npy", ".parquet")

Progress = Callable[[int, int], None]
"""``progress(windows_done, windows_total)``."""


@dataclass
class WindowSource:
    """Windows to embed: how many, their shapes and class names, and normalised chunks of them
    with their extra columns (e.g. the split of each window)."""

    count: int
    shapes: dict[str, tuple[int, int]]
    class_names: list[str]
    chunks: Callable[[int], Iterator[tuple[WindowSet, dict[str, np.ndarray]]]]


def open_source(data: str, stats: ChannelStats) -> WindowSource:
    """A cache folder of ``crossl datasets prepare`` (read chunk by chunk), a ``.npz`` of whole
    windows (the format of ``crossl datasets info npz``, but a sensor is either NaN over a whole
    window, i.e. absent, or finite: prepare a file with gaps inside windows into a cache first,
    which fills short ones), or an in-memory dataset name (``hapt``: all of its users, with a
    ``split`` column)."""
    from crossl.data.hapt_protocols import PROTOCOLS

    path = Path(data).expanduser()
    if is_cache(path):
        return _cache_source(DatasetCache(path), stats)
    if path.suffix == ".npz":
        return _npz_source(path, stats)
    if data in PROTOCOLS:
        return _protocol_source(data, stats)
    if path.is_dir():
        raise CrosslError(
            f"{path} is not a prepared cache: run crossl datasets prepare NAME --raw RAW --out "
            f"{path} first"
        )
    raise CrosslError(
        f"--data {data}: give a cache folder, a .npz file or one of {', '.join(PROTOCOLS)}"
    )


def _cache_source(cache: DatasetCache, stats: ChannelStats) -> WindowSource:
    def chunks(size: int) -> Iterator[tuple[WindowSet, dict[str, np.ndarray]]]:
        for start in range(0, len(cache), size):
            index = np.arange(start, min(start + size, len(cache)))
            yield cache.windows(index, stats), {"partition": cache.partition[index]}

    return WindowSource(len(cache), cache.shapes, cache.class_names, chunks)


def _npz_source(path: Path, stats: ChannelStats) -> WindowSource:
    from crossl.data.sources.npz_windows import read_npz
    from crossl.estimators.arrays import windows_from_arrays

    raw, class_names = read_npz(path)
    windows = windows_from_arrays(raw.signals, y=raw.labels, subjects=raw.subjects)
    return WindowSource(len(windows), windows.shapes, class_names, _in_memory(windows, stats, {}))


def _protocol_source(name: str, stats: ChannelStats) -> WindowSource:
    from crossl.data.container import concat
    from crossl.data.protocols import prepare_data

    data = prepare_data(name, stats=stats)
    parts = {"train": data.splits.train, "val": data.splits.val, "test": data.splits.test}
    windows = concat(list(parts.values()))
    split = np.concatenate([np.full(len(w), k) for k, w in parts.items()])
    chunks = _in_memory(windows, None, {"split": split})
    return WindowSource(len(windows), data.modality_shapes, data.class_names, chunks)


def _in_memory(
    windows: WindowSet, stats: ChannelStats | None, extra: dict[str, np.ndarray]
) -> Callable[[int], Iterator[tuple[WindowSet, dict[str, np.ndarray]]]]:
    def chunks(size: int) -> Iterator[tuple[WindowSet, dict[str, np.ndarray]]]:
        for start in range(0, len(windows), size):
            index = np.arange(start, min(start + size, len(windows)))
            part = windows.select(torch.from_numpy(index))
            yield (
                (part if stats is None else normalise(part, stats)),
                {k: v[index] for k, v in extra.items()},
            )

    return chunks


def embed(
    checkpoint: str | Path,
    data: str,
    out: str | Path,
    features: str = "aggregator",
    batch_size: int = 1024,
    progress: Progress | None = None,
) -> Path:
    """Write the ``features`` of ``checkpoint`` (a ``last.ckpt`` or shipped weights) for every
    window of ``data`` (see :func:`open_source`) to ``out``, atomically: ``.npy`` holds the
    features ``[N, F]``; ``.parquet`` one row per window with ``subject``, ``label`` (-1: none),
    ``class``, ``present_<modality>``, the source's extra columns and ``f0`` ... ``f{F-1}``.
    Windows are read, embedded and written ``batch_size`` at a time."""
    out = Path(out)
    if out.suffix not in OUTPUT_SUFFIXES or out.is_dir():
        raise CrosslError(f"--out {out}: give a file ending in {' or '.join(OUTPUT_SUFFIXES)}")
    if features not in FEATURES:
        raise CrosslError(
            f"unknown features {features!r}{did_you_mean(features, FEATURES)}: use one of "
            f"{', '.join(FEATURES)}"
        )
    if batch_size < 1:
        raise CrosslError(f"--batch-size {batch_size}: give a positive number of windows")
    loaded = load_checkpoint(checkpoint)
    source = open_source(data, loaded.stats)
    want = loaded.backbone.modality_shapes
    if source.shapes != want:
        raise CrosslError(
            f"{data} has modalities {source.shapes} (channels, samples), the checkpoint was "
            f"pretrained on {want}: embed data of the sensors and window length it knows"
        )
    width = loaded.backbone.feature_dim(features)

    def batches() -> Iterator[tuple[WindowSet, dict[str, np.ndarray], np.ndarray]]:
        done = 0
        for windows, extra in source.chunks(batch_size):
            feats = extract_features(loaded.backbone, windows, features, batch_size)
            done += len(windows)
            if progress is not None:
                progress(done, source.count)
            yield windows, extra, feats

    write = (
        (lambda tmp: _write_npy(tmp, source.count, width, batches()))
        if out.suffix == ".npy"
        else (lambda tmp: _write_parquet(tmp, source.class_names, batches()))
    )
    try:
        return atomic_write(out, write)
    except OSError as err:
        raise CrosslError(f"cannot write {out}: {err.strerror or err}") from None


def _write_npy(tmp: Path, count: int, width: int, batches: Iterator[Any]) -> None:
    array = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(count, width))
    start = 0
    for _, _, feats in batches:
        array[start : start + len(feats)] = feats
        start += len(feats)
    array.flush()
    del array


def _write_parquet(tmp: Path, class_names: list[str], batches: Iterator[Any]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise CrosslError("Parquet output needs pyarrow: pip install 'crossl[tables]'") from None
    writer = None
    try:
        for windows, extra, feats in batches:
            labels = windows.labels.numpy()
            names = np.array([*class_names, None], dtype=object)
            columns: dict[str, Any] = {
                "subject": windows.subjects.numpy(),
                "label": labels,  # string-typed even in a chunk of unlabelled windows only
                "class": pa.array(
                    names[np.where(labels >= 0, labels, len(class_names))], type=pa.string()
                ),
            }
            for i, m in enumerate(windows.modality_names):
                columns[f"present_{m}"] = windows.present[:, i].numpy()
            columns |= extra
            columns |= {f"f{j}": feats[:, j] for j in range(feats.shape[1])}
            table = pa.table(columns)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
