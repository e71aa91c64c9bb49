"""Compare CroSSL settings on the validation users (never the test users).

Each variant is the ``crossl-paper`` preset plus overrides. It is pretrained on the training users,
then a logistic-regression probe (C = 1) is fitted on 1 % (3 seeds) and 100 % of the labelled
training windows and scored by macro-F1 on the labelled validation-user windows, on both feature
kinds. One JSON file per variant is written to --out, so an interrupted comparison resumes.

    .venv/bin/python benchmarks/compare_presets.py --out docs/results/presets
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from crossl.config import FEATURES, load_config
from crossl.data.label_subsets import label_fraction_indices
from crossl.eval.features import extract_features
from crossl.eval.linear_probe import fit_linear_probe
from crossl.eval.metrics import classification_metrics
from crossl.experiments.pretrain import load_data, pretrain
from crossl.io import write_json

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
    """Validation macro-F1 of a frozen backbone at 1 % (mean of 3 seeds) and 100 % labels."""
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
        scores[kind] = row
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    args = parser.parse_args()
    out = Path(args.out)
    for name, overrides in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        path = out / f"{name}.json"
        if not path.exists():
            cfg = load_config("crossl-paper", [f"epochs={args.epochs}", *overrides])
            data = load_data(cfg)
            with tempfile.TemporaryDirectory() as tmp:
                outcome = pretrain(cfg, tmp, data, progress=False)
            write_json(
                path,
                {
                    "variant": name,
                    "overrides": overrides,
                    "epochs": args.epochs,
                    "pretrain": outcome.summary,
                    "validation_macro_f1": validation_scores(outcome.module.backbone, data),
                },
            )
        result = json.loads(path.read_text())
        v = result["validation_macro_f1"]
        print(
            f"{name:28s} encoders 1%={v['encoders']['1%']:.3f} 100%={v['encoders']['100%']:.3f}"
            f" | aggregator 1%={v['aggregator']['1%']:.3f} 100%={v['aggregator']['100%']:.3f}"
            f" | {result['pretrain']['windows_per_second']:.0f} windows/s",
            flush=True,
        )


if __name__ == "__main__":
    main()
