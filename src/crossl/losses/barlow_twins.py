"""Barlow Twins: drive the cross-correlation of two standardised views to the identity."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from crossl.losses._validation import check_views
from crossl.losses.distributed import gather_if


def _standardise(z: Tensor, eps: float) -> Tensor:
    return (z - z.mean(dim=0)) / torch.sqrt(z.var(dim=0, unbiased=False) + eps)


def barlow_twins_loss(
    z_a: Tensor,
    z_b: Tensor,
    lambda_: float = 5e-3,
    gather_distributed: bool = False,
    eps: float = 1e-5,
) -> Tensor:
    """Barlow Twins loss of two views ``[B, D]``.

    Each view is standardised per dimension over the batch, ``z_n = (z - mean) / sqrt(var + eps)``
    with the population variance (as ``BatchNorm1d(affine=False)`` in training mode), then
    ``C = z_a_n.T @ z_b_n / N`` and ``loss = sum_i (1 - C_ii)^2 + lambda_ * sum_{i != j} C_ij^2``.
    With ``gather_distributed`` the statistics and ``C`` are taken over the rows of all
    processes (N = the whole batch), so every process computes the loss of the whole batch.

    >>> z = torch.tensor([[1.0, -1.0], [-1.0, 1.0]])
    >>> round(barlow_twins_loss(z, z).item(), 3)  # C = [[1, -1], [-1, 1]]: 2 * 5e-3
    0.01
    """
    check_views(z_a, z_b, "Barlow Twins")
    z_a = _standardise(gather_if(z_a, gather_distributed)[0], eps)
    z_b = _standardise(gather_if(z_b, gather_distributed)[0], eps)
    c = z_a.T @ z_b / z_a.shape[0]
    on_diagonal = torch.diagonal(c)
    off_diagonal = c - torch.diag_embed(on_diagonal)
    return (1 - on_diagonal).pow(2).sum() + lambda_ * off_diagonal.pow(2).sum()


class BarlowTwinsLoss(nn.Module):
    """Module form of :func:`barlow_twins_loss`."""

    def __init__(self, lambda_: float = 5e-3, gather_distributed: bool = False, eps: float = 1e-5):
        super().__init__()
        self.lambda_, self.gather_distributed, self.eps = lambda_, gather_distributed, eps

    def forward(self, z_a: Tensor, z_b: Tensor) -> Tensor:
        return barlow_twins_loss(z_a, z_b, self.lambda_, self.gather_distributed, self.eps)
