"""Evaluation throughput on HAPT: feature extraction windows/s and probe cells/s per probe kind.

Extracts the features of the training, validation and test users once with an untrained
``crossl`` backbone (the probes' cost does not depend on what the weights learnt), then fits
each frozen probe (its hyper-parameter chosen on the validation users, as ``crossl evaluate``
and the benchmark do) at each label fraction for a few seeds, and reports cells per second and
the peak resident memory. Usage:

    .venv/bin/python benchmarks/probe_speed.py [--probes linear knn mlp] [--fractions 0.01 1.0]
        [--seeds 3] [--features aggregator]
"""

from __future__ import annotations

import argparse
import platform
import resource
import time

import torch

from crossl.config import load_config
from crossl.data.label_subsets import label_fraction_indices
from crossl.eval.features import extract_features
from crossl.eval.probes import fit_frozen_probe
from crossl.experiments.pretrain import load_data
from crossl.methods.base import build_backbone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", nargs="+", default=["linear", "knn", "mlp"])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    parser.add_argument("--seeds", type=int, default=3, help="label seeds per fraction")
    parser.add_argument("--features", default="aggregator", choices=["aggregator", "encoders"])
    args = parser.parse_args()
    cfg = load_config("crossl", [f"features={args.features}"])
    data = load_data(cfg)
    torch.manual_seed(0)
    backbone = build_backbone(cfg, data.modality_shapes)
    splits = {name: getattr(data.splits, name).labelled() for name in ("train", "val", "test")}
    start = time.perf_counter()
    features = {name: extract_features(backbone, w, args.features) for name, w in splits.items()}
    extract_s = time.perf_counter() - start
    n_windows = sum(len(w) for w in splits.values())
    labels = {name: w.labels.numpy() for name, w in splits.items()}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.processor()}")
    print(
        f"features={args.features}: {n_windows} windows in {extract_s:.1f} s "
        f"({n_windows / extract_s:.0f} windows/s)"
    )
    print(f"{'probe':>7} {'cells':>6} {'seconds':>8} {'cells/s':>8} {'peak RSS MiB':>13}")
    num_classes = len(data.class_names)
    for probe in args.probes:
        cells = 0
        start = time.perf_counter()
        for fraction in args.fractions:
            for seed in range(args.seeds):
                index = label_fraction_indices(splits["train"].labels, fraction, seed).numpy()
                fitted, _ = fit_frozen_probe(
                    probe,
                    features["train"][index],
                    labels["train"][index],
                    features["val"],
                    labels["val"],
                    num_classes=num_classes,
                    seed=seed,
                    c_grid=cfg.probe_c_grid,
                )
                fitted.predict(features["test"])
                cells += 1
        seconds = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{probe:>7} {cells:>6} {seconds:>8.1f} {cells / seconds:>8.2f} {rss:>13.0f}")


if __name__ == "__main__":
    main()
