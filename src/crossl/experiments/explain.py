"""``crossl explain``: which sensor and which moments drive the decisions of a checkpoint's
linear probe on the test users: occlusion by modality for every test window (a per-class
table) and integrated gradients over time for a few windows per class (a figure)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch

from crossl.data.container import WindowSet
from crossl.data.protocols import prepare_data
from crossl.errors import CrosslError
from crossl.eval.attribution import (
    ProbedNetwork,
    modality_occlusion,
    modality_shares,
    time_attribution,
)
from crossl.eval.features import extract_features
from crossl.eval.mean_fill import MeanFilledProbe
from crossl.eval.probes import fit_frozen_probe
from crossl.experiments.checkpoint import load_checkpoint
from crossl.io import atomic_write, write_json, write_text
from crossl.run_folder import run_folder

EXPLAIN_OUTPUTS = ("explain.json", "report.md", "attribution.png")


def explain_checkpoint(
    checkpoint: str | Path,
    out_dir: str | Path,
    windows_per_class: int = 2,
    steps: int = 512,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Fit the linear probe on the training users' labelled windows (C chosen on the validation
    users, the checkpoint's feature kind), then explain its decisions on the test users; write
    ``explain.json``, ``report.md`` and ``attribution.png`` to ``out_dir``."""
    if windows_per_class < 1 or steps < 1:
        raise CrosslError(
            f"--windows-per-class {windows_per_class} and --steps {steps} must both be at least 1"
        )
    say = progress or (lambda _: None)
    loaded = load_checkpoint(checkpoint)
    cfg, backbone, kind = loaded.config, loaded.backbone, loaded.config.features
    data = prepare_data(cfg.dataset, cfg.data.root, stats=loaded.stats, fold=cfg.data.fold)
    train, val = data.splits.train.labelled(), data.splits.val.labelled()
    test = data.splits.test.labelled()
    with run_folder(out_dir, EXPLAIN_OUTPUTS, "explanation"):
        say(f"linear probe on {len(train)} training windows ({kind} features)")
        probe, hyper = fit_frozen_probe(
            "linear",
            extract_features(backbone, train, kind),
            train.labels.numpy(),
            extract_features(backbone, val, kind),
            val.labels.numpy(),
            len(data.class_names),
            cfg.seed,
        )
        model = ProbedNetwork(backbone, cast(MeanFilledProbe, probe), kind)
        say(f"occlusion of each sensor in {len(test)} test windows")
        predicted, drop = modality_occlusion(model, test)
        labels = test.labels.numpy()
        classes = np.array(model.classes)
        picks = _pick(labels, classes[predicted], windows_per_class, cfg.seed)
        say(f"integrated gradients of {len(picks)} windows ({steps} steps)")
        chosen = test.select(torch.as_tensor(picks))
        per_time, gap = time_attribution(model, chosen, predicted[picks], steps)
        doc = {
            "checkpoint": str(checkpoint),
            "features": kind,
            "probe": hyper,
            "modalities": backbone.modality_names,
            "class_names": data.class_names,
            "accuracy": float((classes[predicted] == labels).mean()),
            "occlusion": _per_class(labels, drop, data.class_names, backbone.modality_names),
            "windows": [
                {
                    "index": int(i),
                    "label": data.class_names[labels[i]],
                    "predicted": data.class_names[model.classes[predicted[i]]],
                    "shares": dict(zip(backbone.modality_names, map(float, s), strict=True)),
                    "gap": float(g),
                }
                for i, s, g in zip(picks, modality_shares(per_time), gap, strict=True)
            ],
        }
        out = Path(out_dir)
        _plot(out / "attribution.png", chosen, per_time, doc)
        write_json(out / "explain.json", doc)
        write_text(out / "report.md", _report(doc))
    return doc


def _pick(labels: np.ndarray, predicted: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """``per_class`` seeded picks of correctly predicted windows of every class (any window of
    a class that has too few)."""
    rng = np.random.default_rng(seed)
    picks = []
    for c in np.unique(labels):
        right = np.flatnonzero((labels == c) & (predicted == c))
        pool = right if len(right) >= per_class else np.flatnonzero(labels == c)
        picks += sorted(rng.choice(pool, size=min(per_class, len(pool)), replace=False))
    return np.array(picks, dtype=np.int64)


def _per_class(
    labels: np.ndarray, drop: np.ndarray, class_names: list[str], modalities: list[str]
) -> list[dict[str, Any]]:
    rows = []
    for c, name in enumerate(class_names):
        mine = drop[labels == c]
        means = {m: mine[:, j][~np.isnan(mine[:, j])] for j, m in enumerate(modalities)}
        rows.append(
            {
                "class": name,
                "windows": len(mine),
                # None (JSON null) where no window could lose this sensor
                "drop": {m: float(v.mean()) if len(v) else None for m, v in means.items()},
            }
        )
    return rows


def _plot(path: Path, windows: WindowSet, per_time: list[np.ndarray], doc: dict) -> None:
    names = doc["modalities"]
    picks = doc["windows"]
    cols = max(sum(w["label"] == picks[0]["label"] for w in picks), 1)
    rows = int(np.ceil(len(picks) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.1 * rows), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (ax, w) in enumerate(zip(axes.flat, picks, strict=False)):
        peak_signal = max(float(np.abs(windows.modalities[n][k]).max()) for n in names)
        peak_weight = max(max(float(np.abs(a[k]).max()) for a in per_time), 1e-12)
        for j, name in enumerate(names):
            signal = windows.modalities[name][k].numpy()
            t = np.arange(signal.shape[1])
            for channel in signal:
                ax.plot(t, channel, color=colours[j % len(colours)], lw=0.6, alpha=0.5)
            weight = np.abs(per_time[j][k])
            scale = peak_signal / peak_weight  # one scale for all sensors of the window
            ax.fill_between(
                t,
                0,
                weight * scale,
                color=colours[j % len(colours)],
                alpha=0.35,
                label=f"{name} {100 * w['shares'][name]:.0f} %",
            )
        guess = "" if w["predicted"] == w["label"] else f" (predicted {w['predicted']})"
        ax.set_title(w["label"] + guess, fontsize=9)
        ax.legend(fontsize=7, loc="upper right")
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(picks) :]:
        ax.axis("off")
    fig.suptitle(
        "Integrated gradients of the predicted class per time step (shaded, one scale per "
        "window) over the normalised signals; legend: each sensor's share",
        fontsize=9,
    )
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def occlusion_table(doc: dict[str, Any]) -> str:
    """The per-class occlusion table of an ``explain.json`` document, in Markdown."""
    names = doc["modalities"]
    lines = ["| class | windows | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for row in doc["occlusion"]:
        cells = " | ".join(
            "–" if row["drop"][m] is None else f"{row['drop'][m]:.3f}" for m in names
        )
        lines.append(f"| {row['class']} | {row['windows']} | {cells} |")
    return "\n".join(lines)


def _report(doc: dict) -> str:
    names = doc["modalities"]
    lines = [
        f"# What drives the probe's decisions: {doc['checkpoint']}",
        "",
        f"Linear probe on the {doc['features']} features (C = {doc['probe']['C']}, chosen on "
        f"the validation users); accuracy on the test users {doc['accuracy']:.3f}.",
        "",
        "## Occlusion by sensor (all test windows)",
        "",
        "Mean fall of the probability of the predicted class when the sensor is marked absent "
        "(the aggregator is told, as for a lost sensor):",
        "",
        occlusion_table(doc),
    ]
    gaps = [abs(w["gap"]) for w in doc["windows"]]
    lines += [
        "",
        "## Integrated gradients over time (a few windows per class)",
        "",
        "![attribution](attribution.png)",
        "",
        "| window | class | " + " | ".join(f"{m} share" for m in names) + " | gap |",
        "|---|---|" + "---|" * (len(names) + 1),
    ]
    for w in doc["windows"]:
        shares = " | ".join(f"{w['shares'][m]:.2f}" for m in names)
        lines.append(f"| {w['index']} | {w['label']} | {shares} | {w['gap']:.3f} |")
    lines += [
        "",
        "Baseline: the all-zero window (the training mean in normalised units). The gap is the "
        "attributions' sum minus the logit's change from the baseline (largest here "
        f"{max(gaps):.3f}); integrated gradients are exact as it goes to 0.",
        "",
    ]
    return "\n".join(lines)
