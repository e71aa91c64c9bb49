"""Pretrained weights that ship inside the package, each with its model card: loadable offline.

>>> "crossl-hapt" in weights_names()
True
>>> model_card("crossl-hapt")["data"].get("dataset")
'hapt'
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crossl.errors import CrosslError

if TYPE_CHECKING:
    from crossl.experiments.checkpoint import LoadedCheckpoint


def weights_folder() -> Path:
    return Path(str(resources.files("crossl.weights")))


def weights_names() -> list[str]:
    """Names of the shipped weights (``crossl-hapt``, ...)."""
    return sorted(p.stem for p in weights_folder().glob("*.ckpt"))


def weights_path(name: str) -> Path:
    """The checkpoint file of the shipped weights ``name``."""
    if name not in weights_names():
        from crossl.config import did_you_mean

        raise CrosslError(
            f"no shipped weights {name!r}{did_you_mean(name, weights_names())}: "
            f"choose one of {', '.join(weights_names())}"
        )
    return weights_folder() / f"{name}.ckpt"


def model_card(name: str) -> dict[str, Any]:
    """What the weights ``name`` were trained on, how, and what they reach (see
    ``docs/pretrained.md``)."""
    return json.loads(weights_path(name).with_suffix(".json").read_text())


def pretrained(name: str) -> LoadedCheckpoint:
    """The shipped weights ``name`` as a backbone with its config and normalisation, in eval
    mode; the same as :func:`crossl.experiments.checkpoint.load_checkpoint` of their file."""
    from crossl.experiments.checkpoint import load_checkpoint

    return load_checkpoint(weights_path(name))
