"""crossl: self-supervised learning on multimodal time series.

>>> import crossl
>>> cfg = crossl.load_config("crossl-paper")
>>> cfg.batch_size, cfg.lr, cfg.masking_ratio
(8, 0.0001, 0.1)
"""

from crossl.augment import Augmenter, AugmentSpec
from crossl.config import Config, load_config
from crossl.data import (
    DatasetCache,
    WindowSet,
    label_fraction_indices,
    prepare_data,
    prepare_dataset,
)
from crossl.errors import CrosslError
from crossl.eval.metrics import classification_metrics
from crossl.eval.probes import fit_frozen_probe
from crossl.experiments.benchmark import BenchmarkRunner
from crossl.experiments.benchmark_config import BenchmarkConfig, load_benchmark_config
from crossl.experiments.checkpoint import load_checkpoint
from crossl.experiments.demo import run_demo
from crossl.experiments.evaluate import evaluate_checkpoint
from crossl.experiments.pretrain import pretrain
from crossl.losses import (
    barlow_twins_loss,
    cocoa_loss,
    cross_modal_infonce_loss,
    nt_xent_loss,
    vicreg_loss,
)
from crossl.methods import get_method, method_names
from crossl.nn import (
    MultimodalBackbone,
    TCNEncoder,
    build_aggregator,
    latent_keep_mask,
    view_keep_masks,
)

__all__ = [
    "AugmentSpec",
    "Augmenter",
    "BenchmarkConfig",
    "BenchmarkRunner",
    "Config",
    "CrosslError",
    "DatasetCache",
    "MultimodalBackbone",
    "TCNEncoder",
    "WindowSet",
    "barlow_twins_loss",
    "build_aggregator",
    "classification_metrics",
    "cocoa_loss",
    "cross_modal_infonce_loss",
    "evaluate_checkpoint",
    "fit_frozen_probe",
    "get_method",
    "label_fraction_indices",
    "latent_keep_mask",
    "load_benchmark_config",
    "load_checkpoint",
    "load_config",
    "method_names",
    "nt_xent_loss",
    "prepare_data",
    "prepare_dataset",
    "pretrain",
    "run_demo",
    "vicreg_loss",
    "view_keep_masks",
]
