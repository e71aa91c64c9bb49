"""Peak memory of pretraining and evaluating from a prepared cache larger than the memory budget.

For each ``--gib`` size, writes a synthetic cache shaped like the pamap2 protocol (6 modalities
× 3 channels × 512 samples, float32) with the real cache writer, then pretrains CroSSL on it for
one epoch in a fresh process per ``data.memory_budget_mb`` in ``--budgets``: below the cache size
the training windows are streamed from disk, above it they are read into memory. Then
``crossl evaluate`` probes each checkpoint (linear probe, 10 % and 100 % labels, one seed) in a
fresh process with the same budget: the features of every split are computed chunk by chunk
from the cache, a quarter of the budget at a time. Prints windows/s and the peak resident memory
of each process. Usage:

    .venv/bin/python benchmarks/cache_streaming.py [--gib 0.25 0.5] [--budgets 64 4096] [--dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from crossl.data.cache.writer import write_cache
from crossl.data.cutting import CutSpec
from crossl.data.label_map import LabelMap
from crossl.data.modality_info import ModalityInfo
from crossl.data.recipe import Source, devices_of
from crossl.data.recording import Recording

MODALITIES = [f"{d}_{s}" for d in ("hand", "chest", "ankle") for s in ("acc", "gyro")]
WINDOW, STRIDE, RATE = 512, 256, 100.0


def recordings(n_subjects: int, samples: int) -> Iterator[Recording]:
    """Synthetic recordings: per-subject sines plus noise, four activities in blocks."""
    rng = np.random.default_rng(0)
    t = np.arange(samples) / RATE
    for s in range(n_subjects):
        signals = {
            m: (np.sin(2 * np.pi * (1 + i) * t)[:, None] + rng.normal(size=(samples, 3))).astype(
                np.float32
            )
            for i, m in enumerate(MODALITIES)
        }
        labels = np.repeat(np.arange(4), -(-samples // 4))[:samples]
        yield Recording(s, signals, labels, dict.fromkeys(MODALITIES, RATE), RATE, f"s{s}")


def write_synthetic_cache(folder: Path, gib: float) -> int:
    """A cache of about ``gib`` GiB; returns its number of windows."""
    window_bytes = len(MODALITIES) * 3 * WINDOW * 4
    n_windows = int(gib * 2**30 / window_bytes)
    n_subjects = 20
    samples = (n_windows // n_subjects) * STRIDE + WINDOW
    infos = [ModalityInfo(m, ("x", "y", "z"), "", RATE, m.split("_")[0]) for m in MODALITIES]
    source = Source(
        recordings(n_subjects, samples),
        n_subjects,
        infos,
        ["a", "b", "c", "d"],
        LabelMap({i: i for i in range(4)}),
        CutSpec(
            tuple(MODALITIES),
            WINDOW / RATE,
            STRIDE / RATE,
            dict.fromkeys(MODALITIES, RATE),
            dict.fromkeys(MODALITIES, 0.0),
        ),
        {"kind": "random", "test_fraction": 0.1, "val_fraction": 0.05, "seed": 0},
        devices_of(infos),
    )
    fields = {
        "dataset": "npz",
        "options": {},
        "format": 1,
        "fingerprint": "synthetic",
        "raw": str(folder / "none"),
        "inputs": [],
    }
    return write_cache(source, folder, fields)["n_windows"]


def pretrain_once(cache: Path, out: Path, budget_mb: int, batch_size: int) -> tuple[float, float]:
    """windows/s and peak RSS (MiB) of one ``crossl pretrain`` run in a fresh process."""
    overrides = [
        "dataset=npz",
        f"data.root={cache}",
        f"data.memory_budget_mb={budget_mb}",
        "epochs=1",
        f"batch_size={batch_size}",
        "online_probe=false",
    ]
    command = [sys.executable, __file__, "--child", "pretrain", "--no-progress", "--out", str(out)]
    command += overrides
    peak = float(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    summary = json.loads((out / "results.json").read_text())["pretrain"]
    return summary["windows_per_second"], peak


def evaluate_once(run: Path, budget_mb: int) -> tuple[int, float]:
    """Windows embedded and peak RSS (MiB) of one ``crossl evaluate`` of the checkpoint in
    ``run``, in a fresh process."""
    out = run / "evaluate"
    command = [
        sys.executable,
        __file__,
        "--child",
        "evaluate",
        "--checkpoint",
        str(run / "last.ckpt"),
        "--out",
        str(out),
        "--no-progress",
        f"data.memory_budget_mb={budget_mb}",
        "probes=[linear]",
        "label_fractions=[0.1,1.0]",
        "eval_seeds=[0]",
        "missing_modalities=false",
    ]
    peak = float(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    lines = (out / "results.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    full = next(r for r in records if r.get("label_fraction") == 1.0)
    return full["n_train"] + full["n_test"], peak


def child(args: list[str]) -> None:
    """Run the ``crossl`` command ``args`` in this process, then print its peak resident memory
    in MiB (the only line on stdout)."""
    from crossl.cli import main as crossl_main

    with contextlib.redirect_stdout(sys.stderr):
        code = crossl_main(args)
    if code:
        sys.exit(code)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, nargs="+", default=[0.25, 0.5], help="cache sizes")
    parser.add_argument("--budgets", type=int, nargs="+", default=[64, 4096])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--dir", help="work folder (default: a temporary one)")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="crossl-cache-bench-"))
    print(
        f"{'cache MiB':>9} {'windows':>8} {'budget MiB':>10} {'training':>10} "
        f"{'windows/s':>10} {'peak RSS MiB':>13} {'evaluated':>10} {'evaluate RSS MiB':>17}"
    )
    for gib in args.gib:
        cache = work / f"cache-{gib:g}"
        n = write_synthetic_cache(cache, gib)
        size = sum(p.stat().st_size for p in cache.glob("*.npy")) / 2**20
        for budget in args.budgets:
            run = work / f"run-{gib:g}-{budget}"
            rate, peak = pretrain_once(cache, run, budget, args.batch_size)
            evaluated, eval_peak = evaluate_once(run, budget)
            mode = "streamed" if budget < size else "in memory"
            print(
                f"{size:>9.0f} {n:>8} {budget:>10} {mode:>10} {rate:>10.0f} {peak:>13.0f} "
                f"{evaluated:>10} {eval_peak:>17.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
