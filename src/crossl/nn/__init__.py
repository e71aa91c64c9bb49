"""Networks: the TCN encoder, the aggregators (MLP, mean, attention), latent masking, the
multimodal backbone, heads."""

from crossl.nn.aggregator import (
    AttentionAggregator,
    MeanAggregator,
    MLPAggregator,
    build_aggregator,
)
from crossl.nn.backbone import MultimodalBackbone
from crossl.nn.heads import mlp_head
from crossl.nn.masking import hide_units, latent_keep_mask, view_keep_masks
from crossl.nn.tcn import TCNEncoder

__all__ = [
    "AttentionAggregator",
    "MLPAggregator",
    "MeanAggregator",
    "MultimodalBackbone",
    "TCNEncoder",
    "build_aggregator",
    "hide_units",
    "latent_keep_mask",
    "mlp_head",
    "view_keep_masks",
]
