"""COCOA: cross-modality contrastive learning for sensor data (Deldari et al., IMWUT 2022)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from crossl.losses._validation import check_modalities, check_temperature
from crossl.losses.distributed import gather_modalities


def cocoa_loss(
    z: Tensor,
    present: Tensor | None = None,
    temperature: float = 0.1,
    lambda_: float = 0.5,
    gather_distributed: bool = False,
) -> Tensor:
    """COCOA loss of per-modality embeddings ``z [B, M, D]``; ``present [B, M]`` (bool) or None.

    With ``u_i^j`` the L2-normalised embedding of modality j in window i and ``t`` the
    temperature::

        positive = mean over windows i with >= 2 present modalities of
                   mean over ordered pairs j != k of its present modalities of
                   exp((1 - u_i^j·u_i^k) / t)
        negative = mean over modalities j present in >= 2 windows of
                   mean over ordered pairs i != l of windows where j is present of
                   exp(u_i^j·u_l^j / t)
        loss = positive + lambda_ * negative

    Absent embeddings take part in no pair; a term with no pair is 0.

    Source: the ``cocoa2`` loss of the authors' code (github.com/cruiseresearchgroup/COCOA,
    ``src/losses.py``; temperature 0.1 from their ``main.py``), which computes
    ``(1/32) * sum_i mean_{j, k} exp((1 - u_i^j·u_i^k) / t)
    + 3.9e-3 * sum_j sum_i mean_{l != i} exp(u_i^j·u_l^j / t)`` with j = k included (each such
    term is ``exp(0) = 1``). With every modality present, that is a constant plus
    ``B (M - 1) / (32 M) * (positive + 3.9e-3 * 32 * M^2 / (M - 1) * negative)``: the default
    ``lambda_ = 0.5`` is the authors' weight for two modalities (0.4992). Leaving out j = k lets
    a window with one present modality contribute nothing, and means keep the loss independent
    of the batch size.

    With ``gather_distributed``, this process's windows are the anchors, the windows of all
    processes the negatives, and every mean is taken over the whole batch's counts; averaging
    the processes' losses gives the loss of the whole batch.

    >>> z = torch.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [1.0, 0.0]]])
    >>> round(cocoa_loss(z, temperature=1.0, lambda_=1.0).item(), 4)  # (e + 1) / 2 * 2
    3.7183
    """
    present = check_modalities(z, present, "COCOA")
    check_temperature(temperature)
    b, m, _ = z.shape
    g = gather_modalities(z, present, gather_distributed)
    z, all_z, all_present, offset, world = g.z, g.all_z, g.all_present, g.offset, g.world

    eye = torch.eye(m, dtype=torch.bool, device=z.device)
    pairs = present[:, :, None] & present[:, None, :] & ~eye
    distance = torch.exp((1 - z @ z.transpose(1, 2)) / temperature)
    per_window = torch.where(pairs, distance, 0.0).sum((1, 2)) / pairs.sum((1, 2)).clamp(min=1)
    windows = (all_present.sum(1) >= 2).sum().clamp(min=1)
    positive = world * per_window.sum() / windows

    n = all_z.shape[0]
    own = F.one_hot(offset + torch.arange(b, device=z.device), n).bool()
    negatives = present.T[:, :, None] & all_present.T[:, None, :] & ~own
    similarity = torch.exp(torch.einsum("bmd,nmd->mbn", z, all_z) / temperature)
    per_modality_sum = torch.where(negatives, similarity, 0.0).sum((1, 2))
    count = all_present.sum(0)
    used = count >= 2
    per_modality = per_modality_sum / (count * (count - 1)).clamp(min=1)
    negative = world * per_modality[used].sum() / used.sum().clamp(min=1)
    return positive + lambda_ * negative


class COCOALoss(nn.Module):
    """Module form of :func:`cocoa_loss`."""

    def __init__(
        self, temperature: float = 0.1, lambda_: float = 0.5, gather_distributed: bool = False
    ):
        super().__init__()
        self.temperature, self.lambda_ = temperature, lambda_
        self.gather_distributed = gather_distributed

    def forward(self, z: Tensor, present: Tensor | None = None) -> Tensor:
        return cocoa_loss(z, present, self.temperature, self.lambda_, self.gather_distributed)
