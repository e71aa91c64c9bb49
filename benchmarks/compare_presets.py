"""Compare CroSSL settings on the validation users (never the test users).

Each variant is the ``crossl-paper`` preset plus overrides. It is pretrained on the training users,
then a logistic-regression probe (C = 1) is fitted on 1 % (3 seeds) and 100 % of the labelled
training windows and scored by macro-F1 on the labelled validation-user windows, on both feature
kinds. One JSON file per variant is written to --out, so an interrupted comparison resumes.

    .venv/bin/python benchmarks/compare_presets.py --out docs/results/presets
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import lightning as L
import numpy as np

from crossl.config import FEATURES, load_config
from crossl.data.label_subsets import label_fraction_indices
from crossl.eval.features import extract_features
from crossl.eval.linear_probe import fit_linear_probe
from crossl.eval.metrics import classification_metrics
from crossl.experiments.pretrain import load_data, pretrain
from crossl.io import cached_json, write_text
from crossl.methods.base import build_backbone

VARIANTS = {
    "paper": [],
    "paper-bs64-lr1e-3-cosine": ["batch_size=64", "lr=1e-3", "schedule=cosine", "weight_l2=0"],
    "+ratio0.5": [
        "batch_size=64",
        "lr=1e-3",
        "schedule=cosine",
        "weight_l2=0",
        "masking_ratio=0.5",
    ],
    "+ratio0.5+expander": [
        "batch_size=64",
        "lr=1e-3",
        "schedule=cosine",
        "weight_l2=0",
        "masking_ratio=0.5",
        "expander=[256,256]",
    ],
    "paper+flags": ["aggregator_flags=true"],
    "paper+flags+ratio0.5": ["aggregator_flags=true", "masking_ratio=0.5"],
    "+random0.5+expander": [
        "batch_size=64",
        "lr=1e-3",
        "schedule=cosine",
        "weight_l2=0",
        "masking_strategy=random",
        "masking_ratio=0.5",
        "expander=[256,256]",
    ],
}


def validation_scores(backbone, data) -> dict[str, dict[str, float]]:
    """Validation macro-F1 of a frozen backbone at 1 % (mean of 3 seeds) and 100 % labels, and of
    the 100 % probe with only one modality present."""
    train, val = data.splits.train.labelled(), data.splits.val.labelled()
    y_train, y_val = train.labels.numpy(), val.labels.numpy()
    scores = {}
    for kind in FEATURES:
        x_train = extract_features(backbone, train, kind)
        x_val = extract_features(backbone, val, kind)
        row = {}
        for fraction, seeds in ((0.01, (0, 1, 2)), (1.0, (0,))):
            f1 = []
            for seed in seeds:
                idx = label_fraction_indices(train.labels, fraction, seed).numpy()
                probe, _ = fit_linear_probe(x_train[idx], y_train[idx], x_val, y_val, [1.0])
                f1.append(classification_metrics(y_val, probe.predict(x_val))["macro_f1"])
            row[f"{fraction:.0%}"] = float(np.mean(f1))
        for name in val.modality_names:
            x_only = extract_features(backbone, val.with_present([name]), kind)
            row[f"only {name}"] = classification_metrics(y_val, probe.predict(x_only))["macro_f1"]
        scores[kind] = row
    return scores


def markdown_table(results: list[dict]) -> str:
    """One row per variant: validation macro-F1 per feature kind and setting, and throughput."""
    keys = ["1%", "100%", "only acc", "only gyro"]
    head = ["variant", "overrides of crossl-paper"]
    head += [f"{kind} {k}" for kind in FEATURES for k in keys] + ["windows/s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        scores = r["validation_macro_f1"]
        cells = [r["variant"], " ".join(r["overrides"]) or "–"]
        cells += [
            f"{scores[kind][k]:.3f}" if k in scores[kind] else "–"
            for kind in FEATURES
            for k in keys
        ]
        cells.append(f"{r['pretrain']['windows_per_second']:.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_variant(name: str, overrides: list[str], epochs: int) -> dict:
    """Pretrain one variant and score it on the validation users."""
    cfg = load_config("crossl-paper", [f"epochs={epochs}", *overrides])
    data = load_data(cfg)
    with tempfile.TemporaryDirectory() as tmp:
        outcome = pretrain(cfg, tmp, data, progress=False)
    return {
        "variant": name,
        "overrides": overrides,
        "epochs": epochs,
        "pretrain": outcome.summary,
        "validation_macro_f1": validation_scores(outcome.module.backbone, data),
    }


def untrained_scores() -> dict:
    """The same network at its initialisation, scored like the variants."""
    cfg = load_config("crossl-paper")
    L.seed_everything(cfg.seed, verbose=False)
    data = load_data(cfg)
    return {
        "variant": "random-init",
        "overrides": [],
        "epochs": 0,
        "pretrain": {"windows_per_second": 0.0},
        "validation_macro_f1": validation_scores(build_backbone(cfg, data.modality_shapes), data),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    args = parser.parse_args()
    out = Path(args.out)
    results = []
    for name, overrides in {"random-init": None, **VARIANTS}.items():
        path = out / f"{name}.json"
        if not path.exists() and args.only and name not in args.only and overrides is not None:
            continue
        results.append(
            cached_json(
                path,
                lambda name=name, overrides=overrides: (
                    untrained_scores()
                    if overrides is None
                    else run_variant(name, overrides, args.epochs)
                ),
            )
        )
    table = markdown_table(results)
    write_text(out / "summary.md", table + "\n")
    print(table)


if __name__ == "__main__":
    main()
