"""Masked reconstruction: hide time patches of each modality, rebuild them from the rest."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor, nn

from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.methods.base import MethodModule, StepOutput


def time_patch_mask(
    batch_size: int,
    length: int,
    patch_size: int,
    ratio_range: tuple[float, float],
    generator: torch.Generator,
) -> Tensor:
    """Bool ``[B, T]``, True on the time steps of the hidden patches.

    The window is cut into ``T // patch_size`` patches (the tail joins the last one); each sample
    draws a ratio uniformly from ``ratio_range`` and hides ``round(ratio · patches)`` of them
    (at least 1, at most all but 1), chosen uniformly at random.

    >>> m = time_patch_mask(2, 8, 2, (0.5, 0.5), torch.Generator().manual_seed(0))
    >>> m.shape, m.sum(dim=1).tolist()
    (torch.Size([2, 8]), [4, 4])
    """
    device = generator.device
    n = length // patch_size
    low, high = ratio_range
    ratio = low + (high - low) * torch.rand(batch_size, generator=generator, device=device)
    hidden = (ratio * n).round().clamp(1, max(1, n - 1))
    ranks = torch.rand(batch_size, n, generator=generator, device=device).argsort(1).argsort(1)
    patch_hidden = ranks < hidden[:, None]
    patch_of_step = (torch.arange(length, device=device) // patch_size).clamp(max=n - 1)
    return patch_hidden[:, patch_of_step]


class MaskedReconstruction(MethodModule):
    """Masked time-series modelling on the shared encoders (in the spirit of MAE, He et al. 2022,
    and the time-series transformer of Zerveas et al., KDD 2021).

    Each modality hides 40-75 % of its time patches (``cfg.mae_mask_ratio``, patches of
    ``cfg.mae_patch_size`` steps; hidden steps are set to 0, the channel mean after
    normalisation). Its encoder runs on the masked window without pooling, a light decoder
    (Conv1d k=3 -> GELU -> Conv1d k=1) maps each time step back to the channels, and the loss is
    the mean squared error on the hidden steps only, over present modalities.
    """

    trains_aggregator: ClassVar[bool] = False

    def build_heads(self) -> None:
        cfg, shapes = self.cfg, self.modality_shapes
        too_short = {m: t for m, (_, t) in shapes.items() if t < 2 * cfg.mae_patch_size}
        if too_short:
            raise CrosslError(
                f"mae_patch_size={cfg.mae_patch_size} leaves fewer than two patches in "
                f"{too_short} (modality: window length): lower mae_patch_size"
            )
        hidden = max(1, cfg.code_size // 2)
        self.decoders = nn.ModuleDict(
            {
                name: nn.Sequential(
                    nn.Conv1d(cfg.code_size, hidden, 3, padding=1),
                    nn.GELU(),
                    nn.Conv1d(hidden, channels, 1),
                )
                for name, (channels, _) in shapes.items()
            }
        )

    def step(self, batch: WindowSet) -> StepOutput:
        cfg = self.cfg
        batch = self.augment(batch)
        low, high = cfg.mae_mask_ratio
        squared_errors, hidden_values = [], []
        for i, (name, x) in enumerate(batch.modalities.items()):
            hide = time_patch_mask(
                len(batch),
                x.shape[-1],
                cfg.mae_patch_size,
                (low, high),
                self.generator,
            )
            hide = hide & batch.present[:, i, None]
            visible = x * (~hide)[:, None, :].to(x.dtype)
            rebuilt = self.decoders[name](self.backbone.encoder(name).sequence(visible))
            weight = hide[:, None, :].to(x.dtype)
            squared_errors.append(((rebuilt - x).pow(2) * weight).sum())
            hidden_values.append(weight.sum() * x.shape[1])
        loss = torch.stack(squared_errors).sum() / torch.stack(hidden_values).sum().clamp(min=1)
        if self.online_probe is None:
            return StepOutput(loss, {}, None)
        with torch.no_grad():
            features = self.backbone.features(batch, cfg.features)
        return StepOutput(loss, {}, features)
