"""Networks: the TCN encoder, the MLP aggregator, latent masking, the multimodal backbone, heads."""

from crossl.nn.aggregator import MLPAggregator
from crossl.nn.backbone import MultimodalBackbone
from crossl.nn.heads import mlp_head
from crossl.nn.masking import hide_units, latent_keep_mask
from crossl.nn.tcn import TCNEncoder

__all__ = [
    "MLPAggregator",
    "MultimodalBackbone",
    "TCNEncoder",
    "hide_units",
    "latent_keep_mask",
    "mlp_head",
]
