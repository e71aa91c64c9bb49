"""CroSSL: two latent masks over the modality embeddings, one shared aggregator, VICReg between
the views."""

from __future__ import annotations

import torch

from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.losses.vicreg import vicreg_terms, weigh_vicreg_terms
from crossl.methods.base import MethodModule, StepOutput
from crossl.nn.heads import mlp_head
from crossl.nn.masking import MODALITY_STRATEGIES, view_keep_masks


class CroSSL(MethodModule):
    """Cross-modal SSL through latent masking (Deldari et al., WSDM 2024).

    Each step encodes the batch once, draws the keep masks of two views over the present
    modalities' embeddings (``cfg.masking_strategy``, see :mod:`crossl.nn.masking`), aggregates
    both masked grids with the shared aggregator and applies VICReg to the two aggregated views.
    With input augmentation (``cfg.augment``), each view is encoded from its own freshly augmented
    copy of the batch before masking. Encoder dropout is off during
    pretraining unless ``encoder_dropout_in_pretraining`` (the authors run the encoders with
    ``training=False``). An optional expander (``cfg.expander``) maps the aggregated views to a
    wider space for the loss only; downstream features never use it.
    """

    def build_heads(self) -> None:
        cfg = self.cfg
        one = len(self.modality_shapes) == 1
        if one and cfg.masking_strategy in MODALITY_STRATEGIES and not self.augmenter:
            raise CrosslError(
                f"masking_strategy={cfg.masking_strategy} hides whole modalities, and this data "
                "has one: both views would be identical and CroSSL would learn nothing; use "
                "masking_strategy=paired or random, or add augment=[...]"
            )
        self.expander = mlp_head(self.backbone.aggregator.out_dim, cfg.expander)

    def step(self, batch: WindowSet) -> StepOutput:
        cfg = self.cfg
        self.backbone.encoders.train(cfg.encoder_dropout_in_pretraining)
        if self.augmenter:
            embs = self.backbone.embed_views([self.augment(batch) for _ in range(2)])
        else:
            embs = [self.backbone.embed_patches(batch)] * 2
        keeps = view_keep_masks(
            batch.present,
            embs[0].shape[-1],
            cfg.masking_strategy,
            cfg.masking_ratio,
            self.generator,
            patches=self.backbone.latent_patches,
        )
        # both views through the aggregator in one call (it has no batch statistics); the
        # expander (BatchNorm) sees each view apart
        aggregated = self.backbone.aggregate(
            torch.cat(embs), torch.cat(keeps), batch.present.repeat(2, 1)
        )
        views = [self.expander(view) for view in aggregated.chunk(2)]
        terms = vicreg_terms(views[0], views[1], gather_distributed=self.gather_distributed)
        loss = weigh_vicreg_terms(terms, cfg.sim_coeff, cfg.std_coeff, cfg.cov_coeff)
        if cfg.weight_l2 > 0:
            loss = loss + cfg.weight_l2 * self.backbone.conv_weight_l2()
        return StepOutput(loss, terms, self.probe_features(embs[0], batch.present))
