"""NT-Xent: SimCLR's normalised temperature-scaled cross-entropy over two views."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from crossl.losses._validation import check_temperature, check_views
from crossl.losses.distributed import gather_if


def nt_xent_loss(
    z_a: Tensor, z_b: Tensor, temperature: float = 0.1, gather_distributed: bool = False
) -> Tensor:
    """SimCLR's NT-Xent loss of two views ``[B, D]``.

    With ``u`` the 2N L2-normalised views (N = the whole batch) and ``p(i)`` the other view of
    ``u_i``: ``loss = mean_i -log(exp(u_i·u_p(i) / t) / sum_{k != i} exp(u_i·u_k / t))``, over all
    2N anchors, so each anchor has 1 positive and 2N - 2 negatives. With
    ``gather_distributed``, this process's 2B anchors are scored against the candidates of all
    processes; averaging the processes' losses gives the loss of the whole batch.

    >>> z = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> round(nt_xent_loss(z, 2 * z, temperature=1.0).item(), 4)  # log(1 + 2 / e)
    0.5514
    """
    check_views(z_a, z_b, "NT-Xent")
    check_temperature(temperature)
    z_a, z_b = F.normalize(z_a, dim=1), F.normalize(z_b, dim=1)
    all_a, offset, _ = gather_if(z_a, gather_distributed)
    all_b, _, _ = gather_if(z_b, gather_distributed)
    b, n = z_a.shape[0], all_a.shape[0]
    anchors = torch.cat([z_a, z_b])
    logits = anchors @ torch.cat([all_a, all_b]).T / temperature
    local = torch.arange(b, device=z_a.device) + offset
    own = torch.cat([local, local + n])
    positive = torch.cat([local + n, local])
    logits = logits.masked_fill(F.one_hot(own, 2 * n).bool(), float("-inf"))
    return F.cross_entropy(logits, positive)


class NTXentLoss(nn.Module):
    """Module form of :func:`nt_xent_loss`."""

    def __init__(self, temperature: float = 0.1, gather_distributed: bool = False):
        super().__init__()
        self.temperature, self.gather_distributed = temperature, gather_distributed

    def forward(self, z_a: Tensor, z_b: Tensor) -> Tensor:
        return nt_xent_loss(z_a, z_b, self.temperature, self.gather_distributed)
