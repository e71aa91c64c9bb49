"""crossl: self-supervised learning on multimodal time series.

>>> import crossl
>>> cfg = crossl.load_config("crossl-paper")
>>> cfg.batch_size, cfg.lr, cfg.masking_ratio
(8, 0.0001, 0.1)
"""

from crossl.config import Config, load_config
from crossl.data import WindowSet, label_fraction_indices, prepare_data
from crossl.errors import CrosslError
from crossl.losses import vicreg_loss
from crossl.nn import MultimodalBackbone, TCNEncoder, latent_keep_mask

__all__ = [
    "Config",
    "CrosslError",
    "MultimodalBackbone",
    "TCNEncoder",
    "WindowSet",
    "label_fraction_indices",
    "latent_keep_mask",
    "load_config",
    "prepare_data",
    "vicreg_loss",
]
