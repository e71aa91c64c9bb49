"""Markdown report with plots, made only from a results document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from crossl.experiments.summary import MISSING_ONLY, model_label, summarise
from crossl.io import atomic_write, write_text


def _fmt(mean: float, std: float, n: int) -> str:
    return f"{mean:.3f} ± {std:.3f}" if n > 1 else f"{mean:.3f}"


def _all_modalities(summary: list[dict[str, Any]]) -> list[str]:
    return max((e["modalities"] for e in summary), key=len)


def _all_sensor_entries(summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    full = _all_modalities(summary)
    return [e for e in summary if e["modalities"] == full and e["protocol"] not in MISSING_ONLY]


def label_efficiency_table(summary: list[dict[str, Any]]) -> str:
    """Markdown table: macro-F1 (mean ± std over seeds) per model and label fraction, all sensors."""
    entries = _all_sensor_entries(summary)
    fractions = sorted({e["label_fraction"] for e in entries})
    models = list(dict.fromkeys(model_label(e) for e in entries))
    lines = [
        "| model | " + " | ".join(f"{f:.0%} labels" for f in fractions) + " |",
        "|---|" + "---|" * len(fractions),
    ]
    for model in models:
        cells = []
        for f in fractions:
            match = [e for e in entries if model_label(e) == model and e["label_fraction"] == f]
            cells.append(
                _fmt(match[0]["macro_f1_mean"], match[0]["macro_f1_std"], match[0]["n"])
                if match
                else "–"
            )
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def missing_modality_table(summary: list[dict[str, Any]]) -> str:
    """Markdown table: macro-F1 (mean ± std where there are several runs) of the 100 %-label
    models with only some modalities present."""
    full = _all_modalities(summary)
    entries = [e for e in summary if e["label_fraction"] >= 1.0]
    subsets = list(dict.fromkeys(tuple(e["modalities"]) for e in entries))
    subsets.sort(key=lambda s: (-len(s), s))
    models = list(dict.fromkeys(model_label(e) for e in entries))
    header = [
        "all (" + "+".join(full) + ")" if s == tuple(full) else "only " + "+".join(s)
        for s in subsets
    ]
    lines = ["| model | " + " | ".join(header) + " |", "|---|" + "---|" * len(subsets)]
    for model in models:
        cells = []
        for s in subsets:
            match = [e for e in entries if model_label(e) == model and tuple(e["modalities"]) == s]
            cells.append(
                _fmt(match[0]["macro_f1_mean"], match[0]["macro_f1_std"], match[0]["n"])
                if match
                else "–"
            )
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_label_efficiency(summary: list[dict[str, Any]], path: Path) -> Path:
    """Macro-F1 against label fraction (log scale), one line per model, std as a band."""
    entries = _all_sensor_entries(summary)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for model in dict.fromkeys(model_label(e) for e in entries):
        pts = sorted(
            (e for e in entries if model_label(e) == model), key=lambda e: e["label_fraction"]
        )
        x = [100 * e["label_fraction"] for e in pts]
        y = [e["macro_f1_mean"] for e in pts]
        s = [e["macro_f1_std"] for e in pts]
        (line,) = ax.plot(x, y, marker="o", label=model)
        ax.fill_between(
            x,
            [a - b for a, b in zip(y, s, strict=True)],
            [a + b for a, b in zip(y, s, strict=True)],
            alpha=0.2,
            color=line.get_color(),
        )
    ax.set_xscale("log")
    ax.set_xlabel("labelled training windows used (%)")
    ax.set_ylabel("macro-F1 on test users")
    ax.set_title("Label efficiency")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)
    return path


def plot_missing_modalities(summary: list[dict[str, Any]], path: Path) -> Path:
    """Grouped bars: macro-F1 of each 100 %-label model with all / some modalities present."""
    entries = [e for e in summary if e["label_fraction"] >= 1.0]
    subsets = sorted(
        dict.fromkeys(tuple(e["modalities"]) for e in entries), key=lambda s: (-len(s), s)
    )
    models = list(dict.fromkeys(model_label(e) for e in entries))
    fig, ax = plt.subplots(figsize=(max(6.5, 1.1 * len(models)), 4.4))
    width = 0.8 / len(subsets)
    for j, s in enumerate(subsets):
        heights = []
        for model in models:
            match = [e for e in entries if model_label(e) == model and tuple(e["modalities"]) == s]
            heights.append(match[0]["macro_f1_mean"] if match else 0.0)
        ax.bar([i + j * width for i in range(len(models))], heights, width, label="+".join(s))
    ax.set_xticks([i + width * (len(subsets) - 1) / 2 for i in range(len(models))])
    ax.set_xticklabels([m.replace(", ", ",\n") for m in models], rotation=20, fontsize=7)
    ax.set_ylabel("macro-F1 on test users")
    ax.set_ylim(0, 1)
    ax.set_title("Missing modalities at test time (100 % labels)")
    ax.legend(title="present", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)
    return path


HISTORY_COLUMNS = {
    "train_loss": "training loss",
    "online_accuracy": "online probe accuracy",
    "online_macro_f1": "online probe macro-F1",
    "embedding_std": "embedding std (normalised)",
    "effective_rank": "effective rank",
}


def history_table(history: list[dict[str, float]]) -> str:
    """Markdown table of the per-epoch online probe and collapse diagnostics."""
    columns = [c for c in HISTORY_COLUMNS if any(c in h for h in history)]
    lines = [
        "| epoch | " + " | ".join(HISTORY_COLUMNS[c] for c in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for h in history:
        cells = [f"{h[c]:.3f}" if c in h else "–" for c in columns]
        lines.append(f"| {int(h['epoch']) + 1} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_training_history(history: list[dict[str, float]], path: Path) -> Path:
    """Online probe macro-F1 and effective rank per epoch, side by side."""
    epochs = [int(h["epoch"]) + 1 for h in history]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, key in zip(axes, ("online_macro_f1", "effective_rank"), strict=True):
        values = [h.get(key, float("nan")) for h in history]
        ax.plot(epochs, values, marker="o")
        ax.set_xlabel("epoch")
        ax.set_title(HISTORY_COLUMNS[key] + " (validation users)", fontsize=10)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=100, format="png"))
    plt.close(fig)
    return path


def write_report(doc: dict[str, Any], out_dir: str | Path, command: str) -> Path:
    """Write ``report.md`` and its plots into ``out_dir`` from the results document ``doc``."""
    out_dir = Path(out_dir)
    summary = summarise(doc["evaluations"])
    plot_label_efficiency(summary, out_dir / "label_efficiency.png")
    plot_missing_modalities(summary, out_dir / "missing_modalities.png")
    pre = doc.get("pretrain") or {}
    cfg = doc["config"]
    masking = (
        f"Masking: {cfg['masking_strategy']}, ratio {cfg['masking_ratio']}.\n"
        if doc["method"] == "crossl"
        else ""
    )
    history = pre.get("history") or []
    training = ""
    if history:
        plot_training_history(history, out_dir / "training.png")
        training = f"""
## While pretraining (validation users, per epoch)

{history_table(history)}

![training](training.png)

The online probe is a linear classifier trained on detached features of the labelled training
windows; the embedding std (of L2-normalised features, times sqrt(D): about 1 when spread, 0 when
collapsed) and the effective rank are computed on the validation users' features.
"""
    text = f"""# crossl report: {doc["method"]} on {doc["dataset"]}

Made by `{command}` (crossl {doc["crossl_version"]}, seed {doc["seed"]}) from `results.json`.

Pretraining: {pre.get("epochs", "?")} epochs on {pre.get("train_windows", "?")} windows in \
{pre.get("seconds", "?")} s ({pre.get("windows_per_second", "?")} windows/s, batch \
{cfg["batch_size"]}), final loss {pre.get("final_loss", float("nan")):.4f}.
{masking}{training}
## Label efficiency (macro-F1 on the test users, mean ± std over label seeds)

{label_efficiency_table(summary)}

![label efficiency](label_efficiency.png)

## Missing modalities at test time (macro-F1, 100 % labels)

{missing_modality_table(summary)}

![missing modalities](missing_modalities.png)

Models: `crossl` is the pretrained encoders + aggregator, frozen, with a logistic-regression probe
(C chosen on the validation users) on the aggregator output (`aggregator`) or the concatenated
encoder outputs (`encoders`); `random-init` is the same network untrained with the same probe;
`supervised` is the same network trained end to end on the labelled windows only.
Missing modalities: the absent ones get `present=False` (zeroed embeddings, flagged to the
aggregator; an absent modality's encoder block is filled with the probe's training mean). Plain
rows keep the probe fitted on all sensors (a sensor lost in deployment); "probe with drop-out" rows
fit it on training features with sensors dropped at random (a sensor that may go missing); "probe
refit" rows refit it on training features computed without the same sensors (a sensor known to be
missing, as in the CroSSL authors' missing-sensor classifier).
"""
    return write_text(out_dir / "report.md", text)
