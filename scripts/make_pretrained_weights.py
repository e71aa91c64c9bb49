"""Pretrain the shipped ``crossl-hapt`` weights and write their model card.

Pretrains the ``crossl`` preset (seed 0) on HAPT's training users, probes it on the test users
with ``crossl evaluate``'s linear probe (every label fraction and label seed of the preset, and
each sensor missing), and writes ``src/crossl/weights/crossl-hapt.ckpt`` (the network only, see
:func:`crossl.experiments.checkpoint.save_weights`) with ``crossl-hapt.json``, the card that
``docs/pretrained.md`` shows and ``tests/test_pretrained_weights.py`` reproduces.
Usage:

    OMP_NUM_THREADS=1 .venv/bin/python scripts/make_pretrained_weights.py [--work runs/crossl-hapt-weights]

(one thread: the card's numbers, and the test that reproduces them, are for one thread)
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

import torch

from crossl.config import load_config
from crossl.data.hapt_protocols import get_protocol
from crossl.experiments.checkpoint import save_weights
from crossl.experiments.evaluate import evaluate_checkpoint
from crossl.experiments.pretrain import pretrain
from crossl.experiments.results import crossl_version
from crossl.experiments.summary import summarise
from crossl.io import atomic_write
from crossl.weights import weights_folder

NAME = "crossl-hapt"
EVALUATION: list[str] = []  # the preset's own evaluation settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default=f"runs/{NAME}-weights", help="scratch folder")
    args = parser.parse_args()
    work = Path(args.work)
    cfg = load_config("crossl", ["seed=0"])
    outcome = pretrain(cfg, work / "pretrain", progress=True)
    doc = evaluate_checkpoint(outcome.checkpoint, EVALUATION, work / "evaluate", print)
    weights = save_weights(outcome.checkpoint, weights_folder() / f"{NAME}.ckpt")
    protocol = get_protocol(cfg.dataset)
    card = {
        "name": NAME,
        "crossl_version": crossl_version(),
        "torch_version": torch.__version__,
        "method": cfg.method,
        "preset": "crossl",
        "config": doc["config"],
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
        "evaluation_overrides": EVALUATION,
        "evaluations": doc["evaluations"],
        "summary": summarise(doc["evaluations"]),
        "file_bytes": weights.stat().st_size,
    }
    atomic_write(
        weights.with_suffix(".json"), lambda tmp: tmp.write_text(json.dumps(card, indent=1) + "\n")
    )
    print(f"wrote {weights} ({weights.stat().st_size / 1024:.0f} KiB) and its card")


if __name__ == "__main__":
    main()
