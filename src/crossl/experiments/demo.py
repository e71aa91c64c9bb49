"""The demo: a shipped benchmark grid (``demo``, or ``demo-full``) that pretrains CroSSL on HAPT,
probes it at few labels, compares it with the baselines and writes the report."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from crossl.config import override_key
from crossl.experiments.benchmark.config import (
    BenchmarkConfig,
    load_benchmark_config,
    validate_benchmark,
)
from crossl.experiments.benchmark.plan import GRID_KEYS
from crossl.experiments.benchmark.runner import BenchmarkRunner, GridProgressLike
from crossl.experiments.command_line import command_line


def split_overrides(overrides: list[str] | None) -> tuple[list[str], list[str]]:
    """``key=value`` overrides of a grid run split into those of the grid (its own keys, and the
    model keys it decides, renamed: ``probes`` → ``protocols``, ``probe_dropout`` →
    ``modality_dropout``, ``seed`` → ``pretrain_seeds``) and those of every model's config.

    >>> split_overrides(["epochs=2", "eval_seeds=[0]", "probe_dropout=0.3", "seed=3"])
    (['eval_seeds=[0]', 'modality_dropout=0.3', 'pretrain_seeds=[3]'], ['epochs=2'])
    """
    grid_fields = {f.name for f in fields(BenchmarkConfig)}
    grid, model = [], []
    for item in overrides or []:
        key, value = override_key(item), item.partition("=")[2]
        key = GRID_KEYS.get(key, key)
        if key == "pretrain_seeds" and not value.strip().startswith("["):
            value = f"[{value}]"  # seed=3: the one pretraining seed
        if key.split(".", 1)[0] in grid_fields:
            grid.append(f"{key}={value}")
        else:
            model.append(item)
    return grid, model


def demo_grid(full: bool = False, overrides: list[str] | None = None) -> BenchmarkConfig:
    """The shipped ``demo`` grid (``demo-full`` with ``full``) with ``overrides``: grid keys
    (``eval_seeds=[0]``) change the grid, the others (``epochs=2``) every model's config."""
    grid_overrides, model_overrides = split_overrides(overrides)
    grid = load_benchmark_config("demo-full" if full else "demo", grid_overrides)
    grid.overrides += model_overrides
    validate_benchmark(grid)
    return grid


def run_demo(
    out_dir: str | Path,
    full: bool = False,
    overrides: list[str] | None = None,
    progress: GridProgressLike | None = None,
    command: str = "",
) -> list[dict[str, Any]]:
    """Run the demo grid into ``out_dir`` (an interrupted demo continues where it stopped) and
    return its records; writes ``results.jsonl``, ``summary.csv``, ``report.md`` with its plots
    and ``report.html``, the pretrained checkpoint under ``pretrain/``. ``command`` is recorded
    as how the results were made (default: the equivalent ``crossl demo``)."""
    grid = demo_grid(full, overrides)
    full_flag = ["--full"] if full else []
    command = command or command_line(
        "crossl", "demo", *full_flag, "--out", out_dir, *(overrides or [])
    )
    runner = BenchmarkRunner(grid, out_dir, command, progress, title="crossl demo")
    return runner.run(what="demo")
