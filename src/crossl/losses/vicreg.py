"""VICReg: variance-invariance-covariance regularisation, as the CroSSL authors compute it."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from crossl.losses.distributed import gather_if


def _variance_term(z: Tensor, eps: float) -> Tensor:
    std = torch.sqrt(z.var(dim=0, unbiased=False) + eps)
    return F.relu(1.0 - std).mean()


def _covariance_term(z: Tensor) -> Tensor:
    b, d = z.shape
    zc = z - z.mean(dim=0)
    cov = zc.T @ zc / (b - 1)
    off_diagonal = cov - torch.diag_embed(torch.diagonal(cov))
    return off_diagonal.pow(2).sum() / d


def vicreg_terms(
    z_a: Tensor, z_b: Tensor, eps: float = 1e-4, gather_distributed: bool = False
) -> dict[str, Tensor]:
    """The three unweighted VICReg terms of two views ``[B, D]``.

    ``invariance`` = mean squared difference; ``variance`` = mean over dimensions of
    ``relu(1 - sqrt(var + eps))`` with the population variance, averaged over the two views;
    ``covariance`` = squared off-diagonal entries of each view's covariance (divided by B - 1),
    summed, divided by D, and summed over the two views.

    With ``gather_distributed``, invariance is taken on this process's rows and variance and
    covariance on the rows of all processes (B = the whole batch), as in the reference VICReg
    code; averaging the processes' terms gives the terms of the whole batch.

    >>> z = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    >>> {k: round(v.item(), 4) for k, v in vicreg_terms(z, z).items()}
    {'invariance': 0.0, 'variance': 0.495, 'covariance': 0.0}
    """
    if z_a.shape != z_b.shape or z_a.ndim != 2:
        raise ValueError(
            f"views must both be [B, D], got {tuple(z_a.shape)} and {tuple(z_b.shape)}"
        )
    if z_a.shape[0] < 2:
        raise ValueError("VICReg needs a batch of at least 2")
    invariance = F.mse_loss(z_a, z_b)
    z_a, z_b = gather_if(z_a, gather_distributed)[0], gather_if(z_b, gather_distributed)[0]
    return {
        "invariance": invariance,
        "variance": (_variance_term(z_a, eps) + _variance_term(z_b, eps)) / 2,
        "covariance": _covariance_term(z_a) + _covariance_term(z_b),
    }


def weigh_vicreg_terms(
    terms: dict[str, Tensor], sim_coeff: float, std_coeff: float, cov_coeff: float
) -> Tensor:
    """``sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance`` of
    :func:`vicreg_terms`' output."""
    return (
        sim_coeff * terms["invariance"]
        + std_coeff * terms["variance"]
        + cov_coeff * terms["covariance"]
    )


def vicreg_loss(
    z_a: Tensor,
    z_b: Tensor,
    sim_coeff: float = 10.0,
    std_coeff: float = 10.0,
    cov_coeff: float = 100.0,
    eps: float = 1e-4,
    gather_distributed: bool = False,
) -> Tensor:
    """Weighted VICReg loss of two views ``[B, D]`` (CroSSL's defaults 10 / 10 / 100).

    ``sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance`` with the terms of
    :func:`vicreg_terms` (``gather_distributed`` as there).

    >>> z = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    >>> round(vicreg_loss(z, z).item(), 4)  # var term: (0 + (1 - 0.01)) / 2
    4.95
    """
    terms = vicreg_terms(z_a, z_b, eps, gather_distributed)
    return weigh_vicreg_terms(terms, sim_coeff, std_coeff, cov_coeff)


class VICRegLoss(nn.Module):
    """Module form of :func:`vicreg_loss`."""

    def __init__(
        self,
        sim_coeff: float = 10.0,
        std_coeff: float = 10.0,
        cov_coeff: float = 100.0,
        eps: float = 1e-4,
        gather_distributed: bool = False,
    ):
        super().__init__()
        self.sim_coeff, self.std_coeff, self.cov_coeff = sim_coeff, std_coeff, cov_coeff
        self.eps, self.gather_distributed = eps, gather_distributed

    def forward(self, z_a: Tensor, z_b: Tensor) -> Tensor:
        return vicreg_loss(
            z_a,
            z_b,
            self.sim_coeff,
            self.std_coeff,
            self.cov_coeff,
            self.eps,
            self.gather_distributed,
        )
