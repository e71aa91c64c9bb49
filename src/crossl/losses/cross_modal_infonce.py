"""Pairwise cross-modal InfoNCE (CMC / CLIP style) over all modality pairs."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from crossl.losses._validation import check_modalities, check_temperature
from crossl.losses.distributed import gather_modalities


def cross_modal_infonce_loss(
    z: Tensor,
    present: Tensor | None = None,
    temperature: float = 0.1,
    gather_distributed: bool = False,
) -> Tensor:
    """Symmetric InfoNCE between every two modalities of ``z [B, M, D]`` (``present [B, M]``).

    With ``u_i^j`` the L2-normalised embedding of modality j in window i, and ``W_jk`` the windows
    where both j and k are present (``n_jk`` of them), for every ordered pair j != k::

        L_jk = mean_{i in W_jk} -log(exp(u_i^j·u_i^k / t) / sum_{l in W_jk} exp(u_i^j·u_l^k / t))
        loss = mean of L_jk over the ordered pairs with n_jk >= 2

    so each unordered pair {j, k} counts once with ``(L_jk + L_kj) / 2`` (CLIP's symmetric loss),
    and pairs seen together in fewer than 2 windows are left out (0 if none is left).

    With ``gather_distributed``, this process's windows are the anchors, the windows of all
    processes the candidates, and ``n_jk`` and the pairs counted are those of the whole batch;
    averaging the processes' losses gives the loss of the whole batch.

    >>> z = torch.tensor([[[1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]])
    >>> round(cross_modal_infonce_loss(z, temperature=1.0).item(), 4)  # log(1 + 1 / e)
    0.3133
    """
    present = check_modalities(z, present, "cross-modal InfoNCE")
    check_temperature(temperature)
    b, m, _ = z.shape
    g = gather_modalities(z, present, gather_distributed)
    z, all_z, all_present, offset, world = g.z, g.all_z, g.all_present, g.offset, g.world

    anchors = present.T[:, None, :] & present.T[None, :, :]
    candidates = all_present.T[:, None, :] & all_present.T[None, :, :]
    logits = torch.einsum("bjd,nkd->jkbn", z, all_z) / temperature
    logits = logits.masked_fill(~candidates[:, :, None, :], float("-inf"))
    logits = torch.where(anchors[..., None], logits, 0.0)
    rows = torch.arange(b, device=z.device)
    cross_entropy = torch.logsumexp(logits, dim=-1) - logits[:, :, rows, offset + rows]
    count = candidates.sum(-1)
    per_pair = torch.where(anchors, cross_entropy, 0.0).sum(-1) / count.clamp(min=1)
    used = (count >= 2) & ~torch.eye(m, dtype=torch.bool, device=z.device)
    return world * per_pair[used].sum() / used.sum().clamp(min=1)


class CrossModalInfoNCELoss(nn.Module):
    """Module form of :func:`cross_modal_infonce_loss`."""

    def __init__(self, temperature: float = 0.1, gather_distributed: bool = False):
        super().__init__()
        self.temperature, self.gather_distributed = temperature, gather_distributed

    def forward(self, z: Tensor, present: Tensor | None = None) -> Tensor:
        return cross_modal_infonce_loss(z, present, self.temperature, self.gather_distributed)
