"""Where runs execute, and the quiet defaults for Lightning's own chatter."""

from __future__ import annotations

import logging
import os
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


def process_rank(devices: int, world: int) -> int:
    """This process's global rank in a run of ``world`` processes, ``devices`` per node, from the
    variables its launcher set: torchrun's ``RANK``; SLURM's ``SLURM_PROCID`` when SLURM runs
    the ``world`` tasks (``srun``); else Lightning's ``NODE_RANK`` and ``LOCAL_RANK``, which
    Lightning sets for the processes it starts. 0 in a run of one process. A torchrun that
    started another number of processes than ``world`` is a :class:`CrosslError`.

    >>> process_rank(1, 1) if "WORLD_SIZE" not in os.environ else 0
    0
    """
    launched = os.environ.get("WORLD_SIZE")
    if "RANK" in os.environ and launched is not None and int(launched) != world:
        raise CrosslError(
            f"torchrun started {launched} processes but trainer.devices × trainer.num_nodes "
            f"is {world}: set them to the processes per node and the nodes torchrun was given"
        )
    if world == 1:
        return 0
    if "RANK" in os.environ:
        return int(os.environ["RANK"])
    if os.environ.get("SLURM_NTASKS") == str(world) and "SLURM_PROCID" in os.environ:
        return int(os.environ["SLURM_PROCID"])
    node = int(os.environ.get("NODE_RANK", "0"))
    return node * devices + int(os.environ.get("LOCAL_RANK", "0"))


def torch_device(accelerator: str, index: int = 0) -> torch.device:
    """The torch device of a Lightning accelerator name; ``index``: which GPU (a DDP process's
    local rank)."""
    return torch.device("cuda", index) if accelerator == "gpu" else torch.device("cpu")


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
    # under DDP every process scores all validation windows with the same weights: no sync
    warnings.filterwarnings("ignore", ".*when logging on epoch level in distributed setting.*")
