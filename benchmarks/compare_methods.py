"""Compare every registered method on HAPT with the same encoders, data, budget and evaluation.

Each method is pretrained from its preset (``configs/<method>.yaml``) for --epochs epochs on the
training users, then its frozen concatenated encoder outputs are probed on the test users at 1 %,
10 % and 100 % of the labels (3 label seeds, C chosen on the validation users) and with a sensor
missing, exactly as ``crossl evaluate`` does. The untrained network is probed the same way. One
JSON file per method is written to --out (an interrupted comparison resumes), then ``summary.md``
and its plots.

    .venv/bin/python benchmarks/compare_methods.py --out docs/results/methods
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import lightning as L

from crossl.config import load_config
from crossl.eval.grid import probe_rows
from crossl.experiments.pretrain import load_data, pretrain
from crossl.experiments.report import (
    label_efficiency_table,
    missing_modality_table,
    plot_label_efficiency,
    plot_missing_modalities,
)
from crossl.experiments.summary import summarise
from crossl.io import cached_json, write_text
from crossl.methods import build_backbone, method_names


def run_method(name: str, epochs: int) -> dict:
    """Pretrain ``name`` from its preset and probe its frozen encoders."""
    cfg = load_config(name, [f"epochs={epochs}", "features=encoders"])
    data = load_data(cfg)
    with tempfile.TemporaryDirectory() as tmp:
        outcome = pretrain(cfg, tmp, data, progress=False)
    rows = probe_rows(outcome.module.backbone, data, cfg, name, "encoders")
    return {"method": name, "config": cfg.to_dict(), "pretrain": outcome.summary, "rows": rows}


def run_random_init() -> dict:
    """The same network at its initialisation, probed the same way."""
    cfg = load_config("crossl")
    L.seed_everything(cfg.seed, verbose=False)
    data = load_data(cfg)
    backbone = build_backbone(cfg, data.modality_shapes)
    rows = probe_rows(backbone, data, cfg, "random-init", "encoders")
    return {"method": "random-init", "config": cfg.to_dict(), "pretrain": None, "rows": rows}


def training_table(results: list[dict]) -> str:
    """Pretraining cost and the last epoch's online probe and collapse diagnostics per method."""
    lines = [
        "| method | epochs | batch | seconds | windows/s | online probe macro-F1 | "
        "embedding std | effective rank |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        pre = r["pretrain"]
        if pre is None:
            continue
        last = pre["history"][-1] if pre["history"] else {}
        cells = [
            r["method"],
            str(pre["epochs"]),
            str(r["config"]["batch_size"]),
            f"{pre['seconds']:.0f}",
            f"{pre['windows_per_second']:.0f}",
            f"{last.get('online_macro_f1', float('nan')):.3f}",
            f"{last.get('embedding_std', float('nan')):.3f}",
            f"{last.get('effective_rank', float('nan')):.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_logged(name: str, epochs: int) -> dict:
    """:func:`run_method` (or :func:`run_random_init`) with its start and duration on stderr."""
    start = time.perf_counter()
    print(f"[{time.strftime('%H:%M:%S')}] {name} ...", file=sys.stderr, flush=True)
    result = run_random_init() if name == "random-init" else run_method(name, epochs)
    print(f"  done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--only", nargs="*", help="method names to run (default: all)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = args.only or [*method_names(), "random-init"]
    for name in names:
        cached_json(out / f"{name}.json", lambda name=name: run_logged(name, args.epochs))
    order = [*method_names(), "random-init"]
    results = [
        json.loads((out / f"{n}.json").read_text()) for n in order if (out / f"{n}.json").exists()
    ]
    summary = summarise(row for r in results for row in r["rows"])
    plot_label_efficiency(summary, out / "label_efficiency.png")
    plot_missing_modalities(summary, out / "missing_modalities.png")
    text = f"""# Methods compared on HAPT (test users, macro-F1)

Made by `{" ".join(["python", *sys.argv])}`. Frozen concatenated encoder outputs, logistic-regression
probe; mean ± std over 3 label seeds.

## Label efficiency

{label_efficiency_table(summary)}

![label efficiency](label_efficiency.png)

`supervised` was pretrained with the labels of every training window, so its rows are a
reference with all labels seen, not a few-label result; the supervised baseline trained on each
label fraction alone is in `crossl demo` ([docs/evaluation.md](../../evaluation.md)).

## A sensor missing at test time (100 % labels)

{missing_modality_table(summary)}

![missing modalities](missing_modalities.png)

## Pretraining

{training_table(results)}

Seconds and windows/s are the wall clock of this run, on a 2-core CPU that other work shared at
times; `benchmarks/pretrain_speed.py` measures each method alone ([docs/benchmarks.md](../../benchmarks.md)).
The online probe and the diagnostics are those of the last epoch, on the validation users.
"""
    write_text(out / "summary.md", text)
    print(text)


if __name__ == "__main__":
    main()
