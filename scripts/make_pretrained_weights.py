"""Pretrain the shipped ``crossl-hapt`` weights and write their model card.

Pretrains the ``crossl`` preset (seed 0) on HAPT's training users, evaluates it on the test
users with ``crossl evaluate`` (the preset's evaluation settings: linear probe at every label
fraction and label seed, each sensor missing), and writes ``src/crossl/weights/crossl-hapt.ckpt``
(the network only, see :func:`crossl.experiments.checkpoint.save_weights`) with
``crossl-hapt.json``, the card that ``docs/pretrained.md`` shows and
``tests/test_pretrained_weights.py`` reproduces. ``--card-only`` re-evaluates the shipped weights
and rewrites the card's evaluation, keeping its pretraining facts. Usage:

    OMP_NUM_THREADS=1 .venv/bin/python scripts/make_pretrained_weights.py [--work runs/crossl-hapt-weights] [--card-only]

(one thread: the card's numbers, and the test that reproduces them, are for one thread)
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
from pathlib import Path
from typing import Any

import torch

from crossl.config import load_config
from crossl.data.hapt_protocols import get_protocol
from crossl.experiments.benchmark.summary import summarise_benchmark
from crossl.experiments.checkpoint import load_checkpoint, save_weights
from crossl.experiments.evaluate import evaluate_checkpoint
from crossl.experiments.pretrain import pretrain
from crossl.experiments.results import crossl_version
from crossl.io import atomic_write
from crossl.weights import model_card, weights_folder

NAME = "crossl-hapt"
EVALUATION: list[str] = []  # the preset's own evaluation settings
CARD_FIELDS = (
    "protocol",
    "probe_training",
    "features",
    "label_fraction",
    "eval_seed",
    "modalities",
    "accuracy",
    "macro_f1",
    "balanced_accuracy",
    "cohen_kappa",
    "per_class_f1",
    "n_train",
    "n_test",
    "hyper",
)
"""What the card keeps of each evaluation record (the config is stated once, at the top)."""


def evaluation(checkpoint: str | Path) -> dict[str, Any]:
    """The card's evaluation of ``checkpoint`` in a fresh folder (nothing of an earlier run is
    reused): its records (the fields of :data:`CARD_FIELDS`) and their summary over label
    seeds."""
    with tempfile.TemporaryDirectory(prefix="crossl-card-") as folder:
        records = evaluate_checkpoint(checkpoint, EVALUATION, Path(folder) / "evaluate")
    evals = [r for r in records if r["kind"] == "eval"]
    return {
        "crossl_version": crossl_version(),
        "torch_version": torch.__version__,
        "evaluation_overrides": EVALUATION,
        "evaluations": [{k: r[k] for k in CARD_FIELDS} for r in evals],
        "summary": summarise_benchmark(evals),
    }


def write_card(card: dict[str, Any]) -> Path:
    """Write the card beside the shipped weights, atomically."""
    path = weights_folder() / f"{NAME}.json"
    return atomic_write(path, lambda tmp: tmp.write_text(json.dumps(card, indent=1) + "\n"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default=f"runs/{NAME}-weights", help="pretraining folder")
    parser.add_argument(
        "--card-only", action="store_true", help="re-evaluate the shipped weights only"
    )
    args = parser.parse_args()
    work = Path(args.work)
    if args.card_only:
        path = write_card(model_card(NAME) | evaluation(NAME))
        print(f"rewrote {path}")
        return
    cfg = load_config("crossl", ["seed=0"])
    outcome = pretrain(cfg, work / "pretrain", progress=True)
    weights = save_weights(outcome.checkpoint, weights_folder() / f"{NAME}.ckpt")
    protocol = get_protocol(cfg.dataset)
    card = {
        "name": NAME,
        "method": cfg.method,
        "preset": "crossl",
        "config": load_checkpoint(weights).config.to_dict(),
        "data": {
            "dataset": cfg.dataset,
            "description": protocol.description,
            "modalities": {m: list(s) for m, s in outcome.module.modality_shapes.items()},
            "normalisation": "per-channel standardisation with the training users' statistics "
            "(inside the checkpoint)",
            "licence": "UCI HAPT data set (Reyes-Ortiz et al., 2016), CC BY 4.0",
        },
        "pretraining": {k: outcome.summary[k] for k in ("epochs", "seconds", "windows_per_second")}
        | {"machine": platform.processor() or platform.machine()},
        "file_bytes": weights.stat().st_size,
    } | evaluation(weights)
    write_card(card)
    print(f"wrote {weights} ({weights.stat().st_size / 1024:.0f} KiB) and its card")


if __name__ == "__main__":
    main()
