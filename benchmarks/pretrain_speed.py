"""Pretraining throughput of CroSSL on HAPT windows: windows/s and peak memory, per batch size.

Runs the real training path (Lightning fit on in-memory windows) for a few epochs and reports the
mean rate of the epochs after the first. Usage:

    .venv/bin/python benchmarks/pretrain_speed.py [--batch-sizes 8 128] [--windows 4096] [--epochs 3]
        [--set precision=bf16-mixed ...]
"""

from __future__ import annotations

import argparse
import platform
import resource
import tempfile

import torch

from crossl.config import load_config
from crossl.experiments.pretrain import load_data, pretrain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="crossl-paper")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[8, 128])
    parser.add_argument("--windows", type=int, default=4096, help="training windows per epoch")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--set", nargs="*", default=[], metavar="KEY=VALUE", help="config overrides"
    )
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.processor()}")
    print(f"preset {args.preset} {' '.join(args.set)}".rstrip())
    print(f"{'batch':>6} {'windows/s':>10} {'peak RSS MiB':>13} {'peak GPU MiB':>13}")
    for bs in args.batch_sizes:
        cfg = load_config(
            args.preset,
            [
                f"batch_size={bs}",
                f"epochs={args.epochs}",
                f"limit_windows={args.windows}",
                f"device={args.device}",
                *args.set,
            ],
        )
        data = load_data(cfg)
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        with tempfile.TemporaryDirectory() as out:
            summary = pretrain(cfg, out, data, progress=False).summary
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        gpu = torch.cuda.max_memory_allocated() / 2**20 if torch.cuda.is_available() else 0.0
        print(f"{bs:>6} {summary['windows_per_second']:>10.0f} {rss:>13.0f} {gpu:>13.0f}")


if __name__ == "__main__":
    main()
