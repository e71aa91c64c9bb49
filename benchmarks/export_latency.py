"""Batch-1 CPU latency and file size of an exported model: PyTorch, TorchScript, ONNX Runtime.

Exports the encoders + aggregator of ``--checkpoint`` (default: the ``crossl`` preset's network
on HAPT's two 3 x 128 sensors, untrained: latency does not depend on the weights) to a
temporary folder, then times one window at a time: 50 warm-up calls, then ``--calls`` calls
of which the median and the 95th percentile are printed, with all sensors present and with
one absent. Prints a markdown table.
Usage:

    .venv/bin/python benchmarks/export_latency.py [--checkpoint runs/x/last.ckpt] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime
import torch

from crossl.config import load_config
from crossl.data.normalisation import ChannelStats
from crossl.deploy import DeployableModel, export_model, verify_export
from crossl.deploy.export import example_inputs, load_exported
from crossl.methods.base import build_backbone

HAPT_SHAPES = {"acc": (3, 128), "gyro": (3, 128)}


def _cpu() -> str:
    for line in (
        Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    ):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _untrained() -> DeployableModel:
    torch.manual_seed(0)
    backbone = build_backbone(load_config("crossl"), HAPT_SHAPES)
    stats = ChannelStats(
        {m: torch.zeros(c) for m, (c, _) in HAPT_SHAPES.items()},
        {m: torch.ones(c) for m, (c, _) in HAPT_SHAPES.items()},
    )
    return DeployableModel(backbone, stats)


def latency_ms(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """Median and 95th percentile of ``calls`` timed calls, in milliseconds."""
    for _ in range(50):
        call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", help="a last.ckpt [an untrained crossl network]")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    model = DeployableModel.from_checkpoint(args.checkpoint) if args.checkpoint else _untrained()
    *windows, present = example_inputs(model, batch=1)
    one_absent = present.clone()
    one_absent[:, -1] = False
    rows = []
    with tempfile.TemporaryDirectory() as folder, torch.no_grad():
        files = {
            "ONNX Runtime": export_model(model, Path(folder) / "m.onnx", "onnx").path,
            "TorchScript": export_model(model, Path(folder) / "m.pt", "torchscript").path,
        }
        for kind, mask in (("all present", present), ("last absent", one_absent)):
            rows.append(
                (
                    "PyTorch (eager)",
                    kind,
                    *latency_ms(lambda m=mask: model(*windows, m), args.calls),
                    None,
                )
            )
            arrays = [x.numpy() for x in windows] + [mask.numpy()]
            for name, path in files.items():
                run = load_exported(path, threads=args.threads)
                timing = latency_ms(lambda r=run, a=arrays: r(*a), args.calls)
                rows.append((name, kind, *timing, path.stat().st_size / 1024))
        errors = {name: verify_export(model, path) for name, path in files.items()}
    print(
        f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, {_cpu()}, "
        f"{args.threads} thread(s), batch 1, {args.calls} calls; "
        f"parameters: {sum(p.numel() for p in model.parameters()):,}"
    )
    print("\n| runtime | sensors | median ms | p95 ms | file KiB |\n|---|---|---|---|---|")
    for name, kind, median, p95, size in rows:
        size_text = "–" if size is None else f"{size:.0f}"
        print(f"| {name} | {kind} | {median:.3f} | {p95:.3f} | {size_text} |")
    print(
        "\nlargest difference from PyTorch over every set of present sensors: "
        + ", ".join(f"{name} {err:.1g}" for name, err in errors.items())
    )


if __name__ == "__main__":
    main()
