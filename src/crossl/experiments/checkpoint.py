"""Checkpoints: written atomically by Lightning, read back safely (tensors and plain types only)."""

from __future__ import annotations

import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightning as L
import torch

from crossl.config import Config, config_from_dict, did_you_mean
from crossl.data.normalisation import ChannelStats
from crossl.errors import CrosslError
from crossl.io import atomic_write
from crossl.methods.base import build_backbone
from crossl.nn.backbone import MultimodalBackbone
from crossl.weights import weights_names, weights_path

CHECKPOINT_KEYS = ("config", "modality_shapes", "normalisation")
"""What the ``crossl`` metadata of a checkpoint must hold to be evaluated."""


@dataclass
class LoadedCheckpoint:
    """A pretrained backbone with the config and data statistics it was trained with."""

    config: Config
    backbone: MultimodalBackbone
    stats: ChannelStats
    metadata: dict[str, Any]


def save_checkpoint(trainer: L.Trainer, path: str | Path) -> Path:
    """Save the trainer's module (with its ``crossl`` metadata) to ``path`` atomically. Every
    process of a DDP run calls it; only rank 0 writes."""
    if not trainer.is_global_zero:
        trainer.save_checkpoint(path)  # writes nothing here; meets rank 0 at its barrier
        return Path(path)
    return atomic_write(path, lambda tmp: trainer.save_checkpoint(tmp))


def read_checkpoint_file(path: Path, fix: str) -> dict[str, Any]:
    """The dict in a crossl checkpoint file, read with ``weights_only`` (tensors and plain types
    only, nothing in it runs); a missing, unreadable or foreign file is a :class:`CrosslError`
    ending with ``fix``."""
    if path.is_dir():
        raise CrosslError(f"checkpoint {path} is a folder: give {path / 'last.ckpt'}")
    if not path.is_file():
        raise CrosslError(f"checkpoint {path} does not exist")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, pickle.UnpicklingError, zipfile.BadZipFile, EOFError, ValueError) as err:
        raise CrosslError(
            f"checkpoint {path} is unreadable or corrupt ({type(err).__name__}): {fix}"
        ) from None
    if not isinstance(ckpt, dict) or "crossl" not in ckpt or "state_dict" not in ckpt:
        raise CrosslError(f"{path} is not a crossl checkpoint (no crossl metadata): {fix}")
    return ckpt


def load_checkpoint(path: str | Path) -> LoadedCheckpoint:
    """Read a crossl checkpoint, or the shipped weights of that name (``crossl-hapt``, see
    :mod:`crossl.weights`); unreadable or foreign files raise :class:`CrosslError`."""
    path = Path(path)
    if not path.is_file() and str(path) in weights_names():
        path = weights_path(str(path))
    elif not path.exists() and not path.suffix and len(path.parts) == 1:  # a name, not a file
        raise CrosslError(
            f"checkpoint {path} does not exist, nor shipped weights of that name"
            f"{did_you_mean(str(path), weights_names())}: give a last.ckpt or one of "
            f"{', '.join(weights_names())}"
        )
    ckpt = read_checkpoint_file(path, "give a last.ckpt written by crossl pretrain")
    meta = ckpt["crossl"]
    missing = [k for k in CHECKPOINT_KEYS if not isinstance(meta, dict) or k not in meta]
    if missing:
        raise CrosslError(
            f"{path} has crossl metadata without {', '.join(missing)}: it was not written by "
            "crossl pretrain (or was edited); pretrain again to get a complete checkpoint"
        )
    cfg = config_from_dict(meta["config"])
    shapes = {k: (int(v[0]), int(v[1])) for k, v in meta["modality_shapes"].items()}
    backbone = build_backbone(cfg, shapes)
    prefix = "backbone."
    state = {k[len(prefix) :]: v for k, v in ckpt["state_dict"].items() if k.startswith(prefix)}
    try:
        backbone.load_state_dict(state)
    except RuntimeError as err:
        raise CrosslError(f"checkpoint {path} does not match its config: {err}") from None
    backbone.eval()
    return LoadedCheckpoint(cfg, backbone, ChannelStats.from_dict(meta["normalisation"]), meta)


def save_weights(checkpoint: str | Path, path: str | Path) -> Path:
    """Write the network of a crossl ``checkpoint`` to ``path`` (atomically) without what only
    training needs (optimiser state, projector and probe heads): the ``crossl`` metadata and
    the backbone's weights, all that :func:`load_checkpoint` reads."""
    ckpt = read_checkpoint_file(Path(checkpoint), "give a last.ckpt written by crossl pretrain")
    load_checkpoint(checkpoint)  # a complete checkpoint whose weights match its config
    weights = {
        "crossl": ckpt["crossl"],
        "state_dict": {k: v for k, v in ckpt["state_dict"].items() if k.startswith("backbone.")},
    }
    return atomic_write(path, lambda tmp: torch.save(weights, tmp))
