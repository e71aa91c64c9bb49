"""Gathering embeddings across processes with a gradient that flows back to every process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor


def _initialised() -> bool:
    return dist.is_available() and dist.is_initialized()


def world_size() -> int:
    """Number of processes in the default group; 1 when ``torch.distributed`` is not in use.

    >>> world_size()
    1
    """
    return dist.get_world_size() if _initialised() else 1


def rank() -> int:
    """This process's rank in the default group; 0 when ``torch.distributed`` is not in use.

    >>> rank()
    0
    """
    return dist.get_rank() if _initialised() else 0


def all_ranks(obj: Any) -> list[Any]:
    """``obj`` of every process, in rank order (a picklable object; every process must call
    this together); ``[obj]`` when ``torch.distributed`` is not in use.

    >>> all_ranks({"seed": 3})
    [{'seed': 3}]
    """
    if world_size() == 1:
        return [obj]
    out: list[Any] = [None] * world_size()
    dist.all_gather_object(out, obj)
    return out


class _Gather(torch.autograd.Function):
    """Forward: all-gather along dim 0. Backward: sum the gradients of all processes, keep ours.

    Each process's loss may depend on every process's rows, so the gradient of the summed losses
    with respect to this process's rows is the sum over processes of their gradients for those
    rows; DDP's averaging of parameter gradients then divides by the world size.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.rows = x.shape[0]
        parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, x.contiguous())
        return torch.cat(parts)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        start = dist.get_rank() * ctx.rows
        return grad[start : start + ctx.rows]


def gather(x: Tensor) -> Tensor:
    """Concatenate ``x`` of every process along dim 0, in rank order, keeping the gradient.

    Every process must pass a tensor of the same shape; this process's rows are
    ``out[rank() * B : (rank() + 1) * B]``. Identity when ``torch.distributed`` is not
    initialised or the world size is 1.

    >>> gather(torch.ones(2, 3)).shape
    torch.Size([2, 3])
    """
    if world_size() == 1:
        return x
    return _Gather.apply(x)


def gather_if(x: Tensor, enabled: bool) -> tuple[Tensor, int, int]:
    """``(gather(x), rank() * B, world_size())`` when ``enabled``, else ``(x, 0, 1)``.

    The offset locates this process's rows in the gathered tensor; losses that average over
    local anchors multiply by the world size and divide by global counts, so that the average
    of the processes' losses is the loss of the whole batch.

    >>> gather_if(torch.ones(2, 3), enabled=True)[1:]
    (0, 1)
    """
    if not enabled:
        return x, 0, 1
    return gather(x), rank() * x.shape[0], world_size()


@dataclass
class ModalityBatch:
    """Per-modality embeddings ready for a cross-modal loss: L2-normalised with absent ones zeroed,
    for this process (``z``, ``present``) and gathered over all processes (``all_z``,
    ``all_present``), with this process's ``offset`` in the gathered rows and the ``world`` size."""

    z: Tensor
    present: Tensor
    all_z: Tensor
    all_present: Tensor
    offset: int
    world: int


def gather_modalities(z: Tensor, present: Tensor, enabled: bool) -> ModalityBatch:
    """Normalise ``z [B, M, D]`` (absent entries zeroed) and gather it with ``present [B, M]``."""
    z = F.normalize(torch.where(present[..., None], z, 0.0), dim=-1)
    all_z, offset, world = gather_if(z, enabled)
    all_present = gather_if(present.to(torch.int32), enabled)[0].bool()
    return ModalityBatch(z, present, all_z, all_present, offset, world)
