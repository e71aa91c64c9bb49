"""The Lightning loggers a run writes its curves to, by name (the ``loggers`` config key)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

from lightning.pytorch.loggers import CSVLogger, Logger, TensorBoardLogger

from crossl.errors import CrosslError

_NEEDS = {"mlflow": "mlflow", "wandb": "wandb"}


def build_loggers(names: Sequence[str], out_dir: Path, version: str = "") -> list[Logger]:
    """One logger per name: ``csv`` and ``tensorboard`` write under ``out_dir/logs``; ``mlflow``
    a file store in ``out_dir/mlruns`` (or ``MLFLOW_TRACKING_URI``); ``wandb`` a W&B run saved
    in ``out_dir`` (online or offline as ``WANDB_MODE`` says). A logger whose package is not
    installed is a :class:`CrosslError` naming the extra to install."""
    missing = [n for n in names if n in _NEEDS and importlib.util.find_spec(_NEEDS[n]) is None]
    if missing:
        raise CrosslError(
            f"loggers={list(names)}: {missing[0]} is not installed; "
            f"pip install 'crossl[{missing[0]}]' or drop it from loggers"
        )
    loggers: list[Logger] = []
    for name in names:
        if name == "csv":
            loggers.append(CSVLogger(out_dir, name="logs", version=version))
        elif name == "tensorboard":
            loggers.append(TensorBoardLogger(out_dir, name="logs", version=version))
        elif name == "mlflow":
            from lightning.pytorch.loggers import MLFlowLogger

            uri = os.environ.get("MLFLOW_TRACKING_URI", (out_dir / "mlruns").resolve().as_uri())
            loggers.append(MLFlowLogger(experiment_name="crossl", tracking_uri=uri))
        elif name == "wandb":
            from lightning.pytorch.loggers import WandbLogger

            loggers.append(WandbLogger(project="crossl", save_dir=str(out_dir)))
    return loggers
