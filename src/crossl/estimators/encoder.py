"""``CrosslEncoder``: pretrain any crossl method on NumPy arrays, transform arrays to features."""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from crossl.config import Config, did_you_mean, load_config
from crossl.data.container import WindowSet
from crossl.data.normalisation import ChannelStats, fit_channel_stats, normalise
from crossl.data.protocols import PreparedData
from crossl.data.splits import Splits
from crossl.errors import CrosslError
from crossl.estimators.arrays import ArrayInputError, windows_from_arrays
from crossl.eval.features import extract_features
from crossl.methods.registry import get_method
from crossl.nn.backbone import MultimodalBackbone
from crossl.shipped import preset_names


@contextmanager
def _callers_random_state() -> Iterator[None]:
    """Restore the caller's Python, NumPy and torch random states (and Lightning's seed
    variable) afterwards: pretraining seeds them globally, an estimator must not."""
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    seed = os.environ.get("PL_GLOBAL_SEED")
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])
        if seed is None:
            os.environ.pop("PL_GLOBAL_SEED", None)
        else:
            os.environ["PL_GLOBAL_SEED"] = seed


class CrosslEncoder(TransformerMixin, BaseEstimator):
    """Self-supervised pretraining of ``method`` (a preset name: ``crossl``, ``crossl-paper``,
    ``simclr``, ...) on ``X``; :meth:`transform` gives features.

    ``X`` follows :mod:`crossl.estimators.arrays`: ``{modality: [N, C, T]}`` or one array with
    ``channels={modality: [channel indices]}``; a modality that is NaN over a whole window is
    absent there. The method starts from its preset; ``epochs``, ``batch_size`` and
    ``settings`` (any config key, e.g. ``{"lr": 1e-3, "masking_ratio": 0.25}``) change it.
    Channels are standardised with the statistics of the windows given to :meth:`fit`.
    ``features`` is ``"aggregator"`` (the cross-modal embedding) or ``"encoders"`` (the modality
    embeddings side by side, NaN where a modality is absent). Labels are not used.

    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(64, 6, 32)).astype("float32")
    >>> enc = CrosslEncoder(epochs=1, batch_size=16, channels={"acc": [0, 1, 2], "gyro": [3, 4, 5]},
    ...                     settings={"kernel_sizes": [4, 4, 4]})
    >>> enc.fit_transform(X).shape
    (64, 32)
    """

    def __init__(
        self,
        method: str = "crossl",
        *,
        epochs: int | None = None,
        batch_size: int | None = None,
        settings: Mapping[str, Any] | None = None,
        channels: Mapping[str, Sequence[int]] | None = None,
        features: str = "aggregator",
        random_state: int = 0,
        device: str = "cpu",
        progress: bool = False,
    ):
        self.method = method
        self.epochs = epochs
        self.batch_size = batch_size
        self.settings = settings
        self.channels = channels
        self.features = features
        self.random_state = random_state
        self.device = device
        self.progress = progress

    def config(self) -> Config:
        """The validated config this encoder pretrains with."""
        if self.method not in preset_names():
            raise CrosslError(
                f"unknown method {self.method!r}{did_you_mean(self.method, preset_names())}: "
                f"give a preset name ({', '.join(preset_names())})"
            )
        typed: dict[str, Any] = {
            "seed": self.random_state,
            "device": self.device,
            "online_probe": False,  # no labelled validation windows here
            "features": self.features,
        }
        sizes = (("epochs", self.epochs), ("batch_size", self.batch_size))
        typed |= {k: v for k, v in sizes if v is not None}
        cfg = load_config(self.method, settings={**typed, **(self.settings or {})})
        if get_method(cfg.method).needs_labels:
            raise CrosslError(
                "CrosslEncoder pretrains without labels; for the supervised baseline use "
                "CrosslClassifier with a self-supervised encoder, or crossl pretrain"
            )
        if cfg.pretrain_protocol != "crossl":
            raise CrosslError(
                "CrosslEncoder pretrains on every window it is given: leave pretrain_protocol "
                "at crossl (the authors' protocol selects users of a dataset protocol)"
            )
        cfg.check_one_process("CrosslEncoder")
        return cfg

    def fit(self, X: Any, y: Any = None) -> CrosslEncoder:
        """Pretrain on the windows of ``X`` (``y`` is ignored: pretraining uses no labels)."""
        from crossl.experiments.pretrain import pretrain

        cfg = self.config()
        windows = windows_from_arrays(X, self.channels)
        if cfg.batch_size > len(windows):
            raise ArrayInputError(
                f"batch_size={cfg.batch_size} is more than the n_samples={len(windows)} windows "
                "of X: "
                "give more windows or a smaller batch_size"
            )
        stats = fit_channel_stats(windows)
        train = normalise(windows, stats)
        none = train.select(torch.zeros(0, dtype=torch.long))
        shapes = train.shapes
        data = PreparedData(Splits(train, none, none), stats, [], shapes)
        with tempfile.TemporaryDirectory(prefix="crossl-fit-") as out, _callers_random_state():
            outcome = pretrain(cfg, out, data, progress=self.progress)
        self.backbone_: MultimodalBackbone = outcome.module.backbone.eval()
        self.stats_: ChannelStats = stats
        self.config_: Config = cfg
        self.modality_shapes_ = shapes
        self.n_features_out_ = self.backbone_.feature_dim(cfg.features)
        if isinstance(X, np.ndarray):  # scikit-learn's column count: channels, or time in 2-D
            self.n_features_in_ = X.shape[1]
        elif hasattr(self, "n_features_in_"):  # refitted on a dict: no column count
            del self.n_features_in_
        return self

    def windows(self, X: Any) -> WindowSet:
        """``X`` standardised with the training statistics, checked against the fitted shapes."""
        check_is_fitted(self, "backbone_")
        columns = getattr(self, "n_features_in_", None)
        if isinstance(X, np.ndarray) and X.ndim > 1 and columns and X.shape[1] != columns:
            raise ArrayInputError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting {columns} "
                "features as input (the channels of [N, C, T] windows, or the time steps of [N, T])"
            )
        windows = windows_from_arrays(X, self.channels)
        shapes = windows.shapes
        if shapes != self.modality_shapes_:
            raise ArrayInputError(
                f"X has modalities {shapes} (channels, time) but the encoder was fitted on "
                f"{self.modality_shapes_}"
            )
        return normalise(windows, self.stats_)

    def transform(self, X: Any) -> np.ndarray:
        """Features ``[N, F]`` of the windows of ``X``."""
        return extract_features(self.backbone_, self.windows(X), self.config_.features)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``crosslencoder0``, ``crosslencoder1``, ... (scikit-learn's naming of new features)."""
        check_is_fitted(self, "backbone_")
        return np.array([f"crosslencoder{i}" for i in range(self.n_features_out_)], dtype=object)
