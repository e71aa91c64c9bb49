"""CroSSL: two latent masks over one encoder pass, one shared aggregator, VICReg between the views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import Tensor, nn

from crossl.config import Config
from crossl.data.container import WindowSet
from crossl.losses.vicreg import vicreg_terms
from crossl.methods.base import MethodModule
from crossl.nn.masking import latent_keep_mask


def build_expander(in_dim: int, widths: Sequence[int]) -> nn.Module:
    """VICReg-style expander: (Linear -> BatchNorm -> ReLU) for all widths but the last, then Linear.

    Empty ``widths`` gives the identity (the authors' code applies VICReg to the aggregator output).
    """
    layers: list[nn.Module] = []
    for i, width in enumerate(widths):
        layers.append(nn.Linear(in_dim, width))
        if i < len(widths) - 1:
            layers += [nn.BatchNorm1d(width), nn.ReLU()]
        in_dim = width
    return nn.Sequential(*layers) if layers else nn.Identity()


class CroSSL(MethodModule):
    """Cross-modal SSL through latent masking (Deldari et al., WSDM 2024).

    Each step encodes the batch once, draws two independent keep masks over the present modalities'
    embeddings, aggregates both masked grids with the shared aggregator and applies VICReg to the
    two aggregated views. Encoder dropout is off during pretraining unless
    ``encoder_dropout_in_pretraining`` (the authors run the encoders with ``training=False``).
    An optional expander (``cfg.expander``) maps the aggregated views to a wider space for the loss
    only; downstream features never use it.
    """

    def __init__(
        self,
        cfg: Config,
        modality_shapes: Mapping[str, tuple[int, int]],
        metadata: dict[str, Any] | None = None,
    ):
        super().__init__(cfg, modality_shapes, metadata)
        self.expander = build_expander(self.backbone.aggregator.out_dim, cfg.expander)

    def on_train_start(self) -> None:
        self.mask_generator = torch.Generator(device=self.device).manual_seed(self.cfg.seed)

    def training_loss(self, batch: WindowSet) -> dict[str, Tensor]:
        cfg = self.cfg
        self.backbone.encoders.train(cfg.encoder_dropout_in_pretraining)
        emb = self.backbone.embed(batch)
        views = [
            self.expander(
                self.backbone.aggregator(
                    emb,
                    latent_keep_mask(
                        batch.present,
                        self.backbone.code_size,
                        cfg.masking_strategy,
                        cfg.masking_ratio,
                        self.mask_generator,
                    ),
                )
            )
            for _ in range(2)
        ]
        terms = vicreg_terms(views[0], views[1])
        loss = (
            cfg.sim_coeff * terms["invariance"]
            + cfg.std_coeff * terms["variance"]
            + cfg.cov_coeff * terms["covariance"]
        )
        if cfg.weight_l2 > 0:
            loss = loss + cfg.weight_l2 * self.backbone.conv_weight_l2()
        return {"loss": loss, **terms}
