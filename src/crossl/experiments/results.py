"""The ``results.json`` document every run writes."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from crossl.config import Config


def crossl_version() -> str:
    """Installed version of crossl."""
    return version("crossl")


def results_document(
    cfg: Config, pretrain: dict[str, Any] | None, evaluations: list[dict[str, Any]]
) -> dict[str, Any]:
    """The results document: run identity, full config, pretraining summary, evaluation rows."""
    return {
        "crossl_version": crossl_version(),
        "dataset": cfg.dataset,
        "method": cfg.method,
        "seed": cfg.seed,
        "config": cfg.to_dict(),
        "pretrain": pretrain,
        "evaluations": evaluations,
    }
