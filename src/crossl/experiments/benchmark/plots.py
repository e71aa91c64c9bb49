"""Figures of a benchmark, each made from the summary or the records alone; ``None`` when no data."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from crossl.eval.probes import FINETUNE
from crossl.experiments.benchmark.config import PROBE_TRAININGS, PROTOCOLS
from crossl.experiments.benchmark.selection import (
    SUPERVISED,
    first_seed,
    is_complete,
    labeller,
    masking_setting,
    method_rank,
    missing_modality_panels,
    ordered,
    percent,
    reference,
    select,
    series,
    subset_name,
)
from crossl.io import atomic_write

Entry = dict[str, Any]

PRETRAIN_CURVES = {"train_loss": "training loss", "online_macro_f1": "online probe macro-F1"}
"""History keys drawn by :func:`plot_pretraining`, with their axis titles."""


def _save(fig: Figure, path: Path) -> Path:
    return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))


def _line_with_band(ax: Any, points: list[Entry], x_key: str, **style: Any) -> None:
    points = sorted(points, key=lambda e: e[x_key])
    x = np.array([e[x_key] for e in points])
    y = np.array([e["macro_f1_mean"] for e in points])
    s = np.array([e["macro_f1_std"] for e in points])
    (line,) = ax.plot(x, y, marker="o", markersize=3, **style)
    ax.fill_between(x, y - s, y + s, alpha=0.15, color=line.get_color())


def plot_label_efficiency(summary: list[Entry], path: Path) -> Path | None:
    """Macro-F1 against label fraction (log axis), one panel per protocol, one line per method,
    std over seeds as a band; main study, all modalities present, probes trained on all sensors.
    The supervised baseline is repeated as a dashed line in the other protocols' panels."""
    entries = reference(summary, "main")
    if not entries:
        return None
    label = labeller(entries)
    colours = {name: f"C{i % 10}" for i, name in enumerate(series(entries, label))}
    supervised = select(entries, method=SUPERVISED, protocol=FINETUNE)
    fractions = sorted({e["label_fraction"] for e in entries})
    protocols = ordered((e["protocol"] for e in entries), PROTOCOLS)
    fig = Figure(figsize=(0.5 + 3.8 * len(protocols), 3.8), layout="constrained")
    axes = fig.subplots(1, len(protocols), sharey=True, squeeze=False)[0]
    for ax, protocol in zip(axes, protocols, strict=True):
        for name, points in series(select(entries, protocol=protocol), label).items():
            _line_with_band(ax, points, "label_fraction", label=name, color=colours[name])
        if protocol != FINETUNE and supervised:
            _line_with_band(
                ax,
                supervised,
                "label_fraction",
                label="supervised (finetune)",
                color="0.4",
                ls="--",
            )
        ax.set_xscale("log")
        ax.set_xticks(fractions, [percent(f) for f in fractions])
        ax.minorticks_off()
        ax.set_title(f"{protocol} protocol")
        ax.set_xlabel("labelled training windows")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("macro-F1")
    return _save(fig, path)


def plot_missing_modalities(summary: list[Entry], path: Path) -> Path | None:
    """Grouped bars of linear-probe macro-F1 (± std) per method with all modalities and with each
    subset present; one panel per way of training the probe (all sensors, refit, drop-out)."""
    fraction, panels = missing_modality_panels(summary)
    if not panels:
        return None
    fig = Figure(figsize=(0.5 + 5.2 * len(panels), 4.0), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (training, entries) in zip(axes, panels.items(), strict=True):
        groups = series(entries, labeller(entries, ("features", "dataset")))
        subsets = list(dict.fromkeys(subset_name(e) for e in entries))
        width = 0.8 / len(subsets)
        for j, subset in enumerate(subsets):
            found = [
                next((e for e in members if subset_name(e) == subset), None)
                for members in groups.values()
            ]
            ax.bar(
                [i + j * width for i in range(len(groups))],
                [e["macro_f1_mean"] if e else math.nan for e in found],
                width,
                yerr=[e["macro_f1_std"] if e else 0.0 for e in found],
                capsize=2,
                label=subset,
            )
        ax.set_xticks(
            [i + width * (len(subsets) - 1) / 2 for i in range(len(groups))],
            list(groups),
            rotation=20,
            fontsize=8,
        )
        ax.set_ylim(0, 1)
        ax.set_title(f"probe trained: {training} ({percent(fraction)} labels)", fontsize=10)
        ax.legend(title="present at test time", fontsize=7, title_fontsize=7)
    axes[0].set_ylabel("linear-probe macro-F1")
    return _save(fig, path)


def plot_masking(summary: list[Entry], path: Path) -> Path | None:
    """Macro-F1 against masking ratio, one line per masking strategy, one panel per protocol and
    label fraction (masking study; variants named ``strategy@ratio``)."""
    entries = [
        {**e, "strategy": s, "ratio": r}
        for e in reference(summary, "masking")
        for s, r in [masking_setting(e["variant"])]
        if not math.isnan(r)
    ]
    if not entries:
        return None
    method = labeller(entries)
    several = len({method(e) for e in entries}) > 1
    protocols = ordered((e["protocol"] for e in entries), PROTOCOLS)
    panels = [
        (p, f)
        for p in protocols
        for f in sorted({e["label_fraction"] for e in select(entries, protocol=p)})
    ]
    fig = Figure(figsize=(0.5 + 3.8 * len(panels), 3.6), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (protocol, fraction) in zip(axes, panels, strict=True):
        lines: dict[str, list[Entry]] = {}
        for e in select(entries, protocol=protocol, label_fraction=fraction):
            name = f"{e['strategy']}, {method(e)}" if several else e["strategy"]
            lines.setdefault(name, []).append(e)
        for name in sorted(lines):
            _line_with_band(ax, lines[name], "ratio", label=name)
        ax.set_title(f"{protocol}, {percent(fraction)} labels", fontsize=10)
        ax.set_xlabel("masking ratio")
        ax.grid(alpha=0.3)
        ax.legend(title="strategy", fontsize=7, title_fontsize=7)
    axes[0].set_ylabel("macro-F1")
    return _save(fig, path)


def plot_masking_missing(summary: list[Entry], path: Path) -> Path | None:
    """Masking study, a sensor absent at test time: linear-probe macro-F1 against masking ratio,
    one line per strategy, one panel per (probe training, subset present); ``None`` when the study
    tested no subset."""
    entries = [
        {**e, "strategy": s, "ratio": r}
        for e in select(summary, study="masking", protocol="linear")
        if not is_complete(e)
        for s, r in [masking_setting(e["variant"])]
        if not math.isnan(r)
    ]
    if not entries:
        return None
    panels = [
        (t, subset)
        for t in ordered((e["probe_training"] for e in entries), PROBE_TRAININGS)
        for subset in ordered(subset_name(e) for e in select(entries, probe_training=t))
    ]
    fig = Figure(figsize=(0.5 + 3.4 * len(panels), 3.6), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (training, subset) in zip(axes, panels, strict=True):
        lines: dict[str, list[Entry]] = {}
        for e in select(entries, probe_training=training):
            if subset_name(e) == subset:
                lines.setdefault(e["strategy"], []).append(e)
        for name in sorted(lines):
            _line_with_band(ax, lines[name], "ratio", label=name)
        ax.set_title(f"only {subset}, probe: {training}", fontsize=10)
        ax.set_xlabel("masking ratio")
        ax.grid(alpha=0.3)
        ax.legend(title="strategy", fontsize=7, title_fontsize=7)
    axes[0].set_ylabel("linear-probe macro-F1")
    return _save(fig, path)


def plot_embeddings(records: list[Entry], path: Path) -> Path | None:
    """t-SNE maps of the test windows, one panel per embedding record (the first pretraining seed
    of each method, variant and feature kind), coloured by class."""
    maps = first_seed(
        [r for r in records if r["kind"] == "embedding"],
        ("study", "method", "variant", "dataset", "features"),
    )
    if not maps:
        return None
    title = labeller(maps, ("variant", "features", "dataset"))
    shared = all(m["class_names"] == maps[0]["class_names"] for m in maps)
    ncols = min(3, len(maps))
    nrows = math.ceil(len(maps) / ncols)
    fig = Figure(figsize=(3.6 * ncols + (1.6 if shared else 0), 3.4 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, m in zip(axes, maps, strict=False):
        points = np.asarray(m["points"], dtype=float).reshape(-1, 2)
        labels = np.asarray(m["labels"])
        cmap = _class_colours(len(m["class_names"]))
        for c, name in enumerate(m["class_names"]):
            mine = labels == c
            ax.scatter(points[mine, 0], points[mine, 1], s=3, color=cmap[c], label=name)
        ax.set_title(title(m), fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        if not shared:
            ax.legend(fontsize=6, markerscale=3)
    for ax in axes[len(maps) :]:
        ax.set_axis_off()
    if shared:
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside right upper", fontsize=7, markerscale=3)
    return _save(fig, path)


def _class_colours(n: int) -> list[Any]:
    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def plot_pretraining(records: list[Entry], path: Path) -> Path | None:
    """Training loss and online-probe macro-F1 per epoch of the main study's pretrainings: one
    colour per method, one thin line per pretraining seed."""
    runs = sorted(
        (r for r in records if r["kind"] == "pretrain" and r["study"] == "main"),
        key=lambda r: (method_rank(r["method"]), r["pretrain_seed"], r["cell"]),
    )
    keys = [k for k in PRETRAIN_CURVES if any(k in h for r in runs for h in r["history"])]
    if not keys:
        return None
    methods = list(dict.fromkeys(r["method"] for r in runs))
    fig = Figure(figsize=(0.5 + 4.4 * len(keys), 3.6), layout="constrained")
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    for ax, key in zip(axes, keys, strict=True):
        labelled: set[str] = set()
        for r in runs:
            points = [(h["epoch"], h[key]) for h in r["history"] if key in h]
            if not points:
                continue
            x, y = zip(*points, strict=True)
            method = r["method"]
            ax.plot(
                x,
                y,
                lw=1,
                color=f"C{methods.index(method) % 10}",
                label=None if method in labelled else method,
            )
            labelled.add(method)
        ax.set_title(PRETRAIN_CURVES[key], fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return _save(fig, path)
