"""Where runs execute, and the quiet defaults for Lightning's own chatter."""

from __future__ import annotations

import logging
import warnings

import torch

from crossl.errors import CrosslError


def resolve_accelerator(device: str) -> str:
    """Map ``device=auto|cpu|gpu|cuda`` to a Lightning accelerator name."""
    if device == "auto":
        return "gpu" if torch.cuda.is_available() else "cpu"
    if device in ("gpu", "cuda"):
        if not torch.cuda.is_available():
            raise CrosslError(
                "device=gpu was asked for but no CUDA device is available: use device=cpu"
            )
        return "gpu"
    if device == "cpu":
        return "cpu"
    raise CrosslError(f"device={device!r} is not valid: choose auto, cpu or gpu")


def torch_device(accelerator: str) -> torch.device:
    """The torch device of a Lightning accelerator name."""
    return torch.device("cuda" if accelerator == "gpu" else "cpu")


def quiet_lightning() -> None:
    """Keep Lightning's banner lines and data-loader hints out of the user's terminal."""
    for name in ("lightning.pytorch", "lightning.fabric", "lightning"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", ".*does not have many workers.*")
    # the estimators pretrain without validation windows
    warnings.filterwarnings("ignore", ".*Total length of `EpochBatches` across ranks is zero.*")
    warnings.filterwarnings("ignore", ".*Using padding='same' with even kernel lengths.*")
    warnings.filterwarnings("ignore", ".*is an invalid version and will not be supported.*")
    warnings.filterwarnings("ignore", ".*isinstance.treespec, LeafSpec.*")
