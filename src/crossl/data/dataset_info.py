"""Plain-text descriptions of a dataset recipe and of a prepared cache (``crossl datasets info``)."""

from __future__ import annotations

import json
from pathlib import Path

from crossl.data.cache.folder import DatasetCache
from crossl.data.recipe import Recipe
from crossl.errors import CrosslError


def recipe_summary(recipe: Recipe) -> str:
    """What ``recipe`` reads and the options ``crossl datasets prepare`` accepts for it.

    >>> from crossl.data.catalog import get_recipe
    >>> print(recipe_summary(get_recipe("ucihar")).splitlines()[0])
    ucihar: UCI-HAR, waist phone body_acc, body_gyro, total_acc at 50 Hz, published 2.56-s windows, 6 activities, official train/test subjects
    """
    options = ", ".join(f"{k}={json.dumps(v)}" for k, v in recipe.options.items()) or "none"
    return "\n".join(
        [
            f"{recipe.name}: {recipe.description}",
            f"expected files: {recipe.layout}",
            f"options (key=value at prepare): {options}",
            f"prepare: crossl datasets prepare {recipe.name} --raw RAW_DIR --out CACHE_DIR",
            f"use:     crossl pretrain dataset={recipe.name} data.root=CACHE_DIR",
            "details: docs/datasets.md",
        ]
    )


def cache_summary(folder: str | Path, name: str | None = None) -> str:
    """Windows, subjects, classes, modalities and split of the prepared cache in ``folder``."""
    cache = DatasetCache(folder)
    if name is not None and cache.name != name:
        raise CrosslError(f"{folder} holds a prepared {cache.name}, not {name}")
    m = cache.manifest
    size = sum(rows.path.stat().st_size for rows in cache.signals.values()) / 2**20
    lines = [
        f"{cache.name}: {len(cache)} windows of {len(m['subjects'])} subjects, {size:.1f} MiB "
        f"in {cache.folder}",
        f"options: {json.dumps(m['options'])}",
        f"windows: {m['cut']['window_s']:g} s every {m['cut']['stride_s']:g} s; "
        f"split: {json.dumps(m['split'])}",
        "modalities:",
    ]
    for info in cache.modalities:
        c, t = cache.shapes[info.name]
        present = cache.present[:, cache.modality_names.index(info.name)].mean()
        lines.append(
            f"  {info.name:14s} {c} × {t} at {info.rate_hz:g} Hz, {info.unit or '-'}, "
            f"device {info.device}, present in {present:.1%} of windows "
            f"({', '.join(info.channels)})"
        )
    lines.append("classes (labelled windows):")
    counts = m["class_counts"] + [0] * (len(cache.class_names) - len(m["class_counts"]))
    lines += [
        f"  {i:2d} {n:24s} {k}"
        for i, (n, k) in enumerate(zip(cache.class_names, counts, strict=True))
    ]
    unlabelled = int((cache.labels < 0).sum())
    lines.append(f"  unlabelled windows: {unlabelled}")
    lines.append(f"input checksum: {m['fingerprint'][:16]}… over {len(m['inputs'])} files")
    return "\n".join(lines)
