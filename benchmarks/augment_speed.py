"""Throughput of each augmentation: windows/s on one batch, and peak memory.

Each augmentation runs on a random float32 batch ``[batch, 6, 128]`` (two tri-axial sensors):
a few warm-up calls, then repeated calls for about ``--seconds`` each, split in five rounds of
which the fastest counts. Prints a markdown table.
Usage:

    .venv/bin/python benchmarks/augment_speed.py [--device cpu|cuda] [--batch-size 256] [--threads 1]
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from collections.abc import Callable

import torch

from crossl.augment import AUGMENTATIONS, Augmenter, AugmentSpec
from crossl.data.container import WindowSet


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def rate(
    step: Callable[[], object], device: torch.device, windows: int, seconds: float, rounds: int = 5
) -> float:
    """Windows per second of ``step()``: the best of ``rounds`` rounds filling ``seconds`` together.

    Three warm-up calls come first; taking the best round discounts other processes' bursts.
    """
    for _ in range(3):
        step()
    _sync(device)
    best = 0.0
    for _ in range(rounds):
        calls, start = 0, time.perf_counter()
        while True:
            step()
            calls += 1
            _sync(device)
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / rounds:
                break
        best = max(best, calls * windows / elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--channels", type=int, default=6, help="a multiple of 6: acc + gyro triads"
    )
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=None, help="default: torch's choice")
    parser.add_argument("--seconds", type=float, default=0.5, help="timing per augmentation")
    args = parser.parse_args()
    if args.channels % 6:
        parser.error(f"--channels {args.channels} is not a multiple of 6")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    generator = torch.Generator(device=device).manual_seed(0)
    shape = (args.batch_size, args.channels, args.length)
    x = torch.randn(shape, generator=generator, device=device)

    print(
        f"torch {torch.__version__}, device {device}, {torch.get_num_threads()} threads, "
        f"{platform.machine()}, batch {list(shape)} float32\n"
    )
    cuda = device.type == "cuda"
    print("| augmentation | windows/s |" + (" peak GPU MiB |" if cuda else ""))
    print("|---|---:|" + ("---:|" if cuda else ""))

    def report(label: str, step: Callable[[], object]) -> None:
        if cuda:
            torch.cuda.reset_peak_memory_stats(device)
        line = f"| {label} | {rate(step, device, args.batch_size, args.seconds):,.0f} |"
        if cuda:
            line += f" {torch.cuda.max_memory_allocated(device) / 2**20:,.1f} |"
        print(line)

    for name, f in AUGMENTATIONS.items():
        report(f"`{name}`", lambda f=f: f(x, generator))

    n = args.batch_size
    half = args.channels // 2
    batch = WindowSet(
        {"acc": x[:, :half].contiguous(), "gyro": x[:, half:].contiguous()},
        torch.zeros(n, dtype=torch.long, device=device),
        torch.zeros(n, dtype=torch.long, device=device),
    )
    augmenter = Augmenter(
        [
            AugmentSpec("crop_and_resize", p=0.8),
            AugmentSpec("rotation", p=0.8),
            AugmentSpec("time_warp", p=0.5),
            AugmentSpec("scaling", p=0.8),
            AugmentSpec("jitter", p=0.8),
        ]
    )
    report(
        "`Augmenter` (acc + gyro: crop, rotation, time warp, scaling, jitter)",
        lambda: augmenter(batch, generator),
    )

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the process {rss:.0f} MiB")


if __name__ == "__main__":
    main()
