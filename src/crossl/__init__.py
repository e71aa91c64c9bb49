"""crossl: self-supervised learning on multimodal time series.

>>> import crossl
>>> cfg = crossl.load_config("crossl-paper")
>>> cfg.batch_size, cfg.lr, cfg.masking_ratio
(8, 0.0001, 0.1)

The names below are imported on first use, so that ``import crossl`` (and ``crossl --help``)
does not pay for torch and Lightning until a workflow needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossl.lazy_names import lazy_names

_WHERE = {
    "AugmentSpec": "crossl.augment",
    "Augmenter": "crossl.augment",
    "BenchmarkConfig": "crossl.experiments.benchmark.config",
    "BenchmarkRunner": "crossl.experiments.benchmark.runner",
    "Config": "crossl.config",
    "CrosslClassifier": "crossl.estimators",
    "CrosslEncoder": "crossl.estimators",
    "CrosslError": "crossl.errors",
    "DatasetCache": "crossl.data",
    "DeployableModel": "crossl.deploy",
    "MethodModule": "crossl.methods",
    "MultimodalBackbone": "crossl.nn",
    "TCNEncoder": "crossl.nn",
    "WindowDataModule": "crossl.data.datamodule",
    "WindowSet": "crossl.data",
    "barlow_twins_loss": "crossl.losses",
    "build_aggregator": "crossl.nn",
    "classification_metrics": "crossl.eval.metrics",
    "cocoa_loss": "crossl.losses",
    "cross_modal_infonce_loss": "crossl.losses",
    "evaluate_checkpoint": "crossl.experiments.evaluate",
    "fit_frozen_probe": "crossl.eval.probes",
    "get_method": "crossl.methods",
    "label_fraction_indices": "crossl.data",
    "latent_keep_mask": "crossl.nn",
    "load_benchmark_config": "crossl.experiments.benchmark.config",
    "load_checkpoint": "crossl.experiments.checkpoint",
    "load_config": "crossl.config",
    "method_names": "crossl.methods",
    "nt_xent_loss": "crossl.losses",
    "prepare_data": "crossl.data",
    "prepare_dataset": "crossl.data",
    "pretrain": "crossl.experiments.pretrain",
    "pretrained": "crossl.weights",
    "run_demo": "crossl.experiments.demo",
    "vicreg_loss": "crossl.losses",
    "view_keep_masks": "crossl.nn",
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = lazy_names(__name__, _WHERE)

if TYPE_CHECKING:  # the same names, for type checkers and editors
    from crossl.augment import Augmenter as Augmenter
    from crossl.augment import AugmentSpec as AugmentSpec
    from crossl.config import Config as Config
    from crossl.config import load_config as load_config
    from crossl.data import DatasetCache as DatasetCache
    from crossl.data import WindowSet as WindowSet
    from crossl.data import label_fraction_indices as label_fraction_indices
    from crossl.data import prepare_data as prepare_data
    from crossl.data import prepare_dataset as prepare_dataset
    from crossl.data.datamodule import WindowDataModule as WindowDataModule
    from crossl.deploy import DeployableModel as DeployableModel
    from crossl.errors import CrosslError as CrosslError
    from crossl.estimators import CrosslClassifier as CrosslClassifier
    from crossl.estimators import CrosslEncoder as CrosslEncoder
    from crossl.eval.metrics import classification_metrics as classification_metrics
    from crossl.eval.probes import fit_frozen_probe as fit_frozen_probe
    from crossl.experiments.benchmark.config import BenchmarkConfig as BenchmarkConfig
    from crossl.experiments.benchmark.config import load_benchmark_config as load_benchmark_config
    from crossl.experiments.benchmark.runner import BenchmarkRunner as BenchmarkRunner
    from crossl.experiments.checkpoint import load_checkpoint as load_checkpoint
    from crossl.experiments.demo import run_demo as run_demo
    from crossl.experiments.evaluate import evaluate_checkpoint as evaluate_checkpoint
    from crossl.experiments.pretrain import pretrain as pretrain
    from crossl.losses import barlow_twins_loss as barlow_twins_loss
    from crossl.losses import cocoa_loss as cocoa_loss
    from crossl.losses import cross_modal_infonce_loss as cross_modal_infonce_loss
    from crossl.losses import nt_xent_loss as nt_xent_loss
    from crossl.losses import vicreg_loss as vicreg_loss
    from crossl.methods import MethodModule as MethodModule
    from crossl.methods import get_method as get_method
    from crossl.methods import method_names as method_names
    from crossl.nn import MultimodalBackbone as MultimodalBackbone
    from crossl.nn import TCNEncoder as TCNEncoder
    from crossl.nn import build_aggregator as build_aggregator
    from crossl.nn import latent_keep_mask as latent_keep_mask
    from crossl.nn import view_keep_masks as view_keep_masks
    from crossl.weights import pretrained as pretrained
