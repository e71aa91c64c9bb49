"""The Lightning module every method builds on: backbone, input augmentation, optimiser, schedule,
online probe, collapse diagnostics, throughput and metadata."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import lightning as L
import torch
from torch import Tensor

from crossl.augment import Augmenter
from crossl.config import Config, config_from_dict
from crossl.data.container import WindowSet
from crossl.data.normalisation import ChannelStats
from crossl.methods.collapse import collapse_warning, effective_rank, normalised_std
from crossl.methods.online_probe import OnlineProbe
from crossl.nn.backbone import MultimodalBackbone

log = logging.getLogger(__name__)


def build_backbone(
    cfg: Config, modality_shapes: Mapping[str, tuple[int, int]]
) -> MultimodalBackbone:
    """The encoders + aggregator described by ``cfg``."""
    return MultimodalBackbone(
        modality_shapes,
        code_size=cfg.code_size,
        kernel_sizes=cfg.kernel_sizes,
        dropout=cfg.dropout,
        aggregator_hidden=cfg.aggregator_hidden,
        aggregator_out=cfg.aggregator_out,
        aggregator_flags=cfg.aggregator_flags,
        aggregator=cfg.aggregator,
        latent_patches=cfg.latent_patches,
    )


def fused_adam_available() -> bool:
    """Whether this torch has Adam's fused kernel (one call updates every parameter) for CPU as
    well as CUDA: 2.4 and later. The update is the same up to float rounding."""
    major, minor = (int(part) for part in torch.__version__.split(".")[:2])
    return (major, minor) >= (2, 4)


@dataclass
class StepOutput:
    """What a method's training step produced.

    ``loss`` is minimised; ``terms`` are logged under ``train/``; ``features`` are the downstream
    features (``cfg.features``) of the batch, which the online probe reads detached. A method whose
    features cost an extra encoder pass returns None when there is no online probe to read them.
    """

    loss: Tensor
    terms: dict[str, Tensor]
    features: Tensor | None


class MethodModule(L.LightningModule):
    """Shared base: owns the backbone, the input augmenter, the optimiser and schedule, the online
    probe and the per-epoch diagnostics.

    Subclasses implement :meth:`step` and, if they own modules, :meth:`build_heads`.
    ``trains_aggregator`` says whether the objective trains the aggregator (if not, only
    ``features=encoders`` is meaningful downstream); ``needs_augmentation`` whether it is
    meaningless without input augmentation; ``needs_labels`` whether it trains on labels (then
    on the labelled windows only, and it is no self-supervised pretraining).
    """

    trains_aggregator: ClassVar[bool] = True
    needs_augmentation: ClassVar[bool] = False
    needs_labels: ClassVar[bool] = False

    def __init__(
        self,
        cfg: Config | dict[str, Any],
        modality_shapes: Mapping[str, Sequence[int]],
        metadata: dict[str, Any] | None = None,
        num_classes: int | None = None,
    ):
        super().__init__()
        # a dict config: Lightning's load_from_checkpoint passes the saved hyper-parameters
        cfg = config_from_dict(cfg) if isinstance(cfg, dict) else cfg
        shapes = {k: (int(v[0]), int(v[1])) for k, v in modality_shapes.items()}
        self.cfg = cfg
        self.modality_shapes = shapes
        self.metadata = dict(metadata or {})
        self.num_classes = num_classes
        self.backbone = build_backbone(cfg, shapes)
        stats = self.metadata.get("normalisation")
        self.augmenter = Augmenter(
            cfg.augment,
            cfg.augment_per_modality,
            cfg.augment_same_crop,
            units=ChannelStats.from_dict(stats) if stats else None,
        )
        self.augmenter.check_shapes(shapes)
        self.online_probe = (
            OnlineProbe(self.backbone.feature_dim(cfg.features), num_classes)
            if cfg.online_probe and num_classes
            else None
        )
        self._epoch_windows = 0
        self._epoch_sums: dict[str, Tensor] = {}
        self._epoch_start = 0.0
        self._last_step_end = 0.0
        self._val_features: list[Tensor] = []
        self._generator: torch.Generator | None = None
        self.throughput: list[float] = []
        self.history: list[dict[str, float]] = []
        self.build_heads()

    def build_heads(self) -> None:
        """Create the method's own modules (heads, decoders); called at the end of ``__init__``."""

    def step(self, batch: WindowSet) -> StepOutput:
        """The method's objective on one batch."""
        raise NotImplementedError

    @property
    def trains_every_parameter(self) -> bool:
        """Whether every parameter of the module gets a gradient from each training step (DDP
        must otherwise look for the ones that do not)."""
        return self.trains_aggregator

    @property
    def gather_distributed(self) -> bool:
        """Whether losses gather across processes (the run has more than one)."""
        return self._trainer is not None and self.trainer.world_size > 1

    @property
    def generator(self) -> torch.Generator:
        """The generator of every random draw of the training step (masks, augmentations),
        seeded with ``cfg.seed`` (plus the process rank) on the module's device."""
        if self._generator is None or self._generator.device != self.device:
            seed = self.cfg.seed + self.global_rank
            self._generator = torch.Generator(device=self.device).manual_seed(seed)
        return self._generator

    def on_train_start(self) -> None:
        self._generator = None

    def probe_features(self, emb: Tensor, present: Tensor) -> Tensor | None:
        """The downstream features (``cfg.features``) of embeddings ``emb``, for the online
        probe, which reads them detached: computed without autograd, and only when there is a
        probe."""
        if self.online_probe is None:
            return None
        with torch.no_grad():
            return self.backbone.features_from_embeddings(emb, present, self.cfg.features)

    def augment(self, batch: WindowSet) -> WindowSet:
        """A freshly augmented copy of ``batch`` (the batch itself when no augmentation is set)."""
        return self.augmenter(batch, self.generator) if self.augmenter else batch

    def training_step(self, batch: WindowSet, batch_idx: int) -> Tensor:
        out = self.step(batch)
        logged = {"loss": out.loss, **out.terms}
        loss = out.loss
        if self.online_probe is not None and out.features is not None:
            probe_loss = self.online_probe.loss(out.features, batch.labels)
            logged["online_probe_loss"] = probe_loss
            loss = loss + probe_loss
        self._accumulate(logged, len(batch))
        return loss

    def _accumulate(self, terms: Mapping[str, Tensor], windows: int) -> None:
        """Add a batch's terms, weighted by its size, to the epoch's sums (in float32, whatever
        the precision of the step). The epoch means are logged once per epoch
        (:meth:`on_train_epoch_end`): the same values as Lightning's ``on_epoch`` logging,
        without its cost on every step."""
        self._epoch_windows += windows
        for name, value in terms.items():
            weighted = value.detach().float() * windows
            previous = self._epoch_sums.get(name)
            self._epoch_sums[name] = weighted if previous is None else previous + weighted

    def on_train_batch_end(self, outputs: Any, batch: Any, batch_idx: int) -> None:
        self._last_step_end = time.perf_counter()

    def validation_step(self, batch: WindowSet, batch_idx: int) -> None:
        self.record_validation(self.backbone.features(batch, self.cfg.features), batch.labels)

    def record_validation(self, features: Tensor, labels: Tensor) -> None:
        """Keep held-out features for the epoch's diagnostics and score the online probe on them."""
        self._val_features.append(features.detach())
        if self.online_probe is not None:
            self.online_probe.update(features, labels)

    def on_validation_epoch_end(self) -> None:
        if self.trainer.sanity_checking or not self._val_features:
            self._val_features = []
            if self.online_probe is not None:
                self.online_probe.reset()
            return
        features = torch.cat(self._val_features)
        self._val_features = []
        record = {"epoch": float(self.current_epoch)}
        if self._epoch_windows and "loss" in self._epoch_sums:
            record["train_loss"] = float(self._epoch_totals()["loss"]) / self._epoch_windows
        if len(features) >= 2:
            record["embedding_std"] = float(normalised_std(features))
            record["effective_rank"] = float(effective_rank(features))
            warning = collapse_warning(record["embedding_std"], record["effective_rank"])
            if warning:
                log.warning("epoch %d: %s", self.current_epoch, warning)
        scores = self.online_probe.compute() if self.online_probe is not None else None
        if scores is not None:
            record["online_accuracy"] = scores["accuracy"]
            record["online_macro_f1"] = scores["macro_f1"]
        self.history.append(record)
        self.log_dict({f"val/{k}": v for k, v in record.items() if k != "epoch"})

    def on_train_epoch_start(self) -> None:
        self._epoch_windows = 0
        self._epoch_sums = {}
        self._epoch_start = time.perf_counter()

    def epoch_windows_per_second(self) -> float:
        """Training windows per second of the current epoch so far: its steps only, from the
        epoch's start to the end of its last step (validation is left out)."""
        seconds = self._last_step_end - self._epoch_start
        return self._epoch_windows / max(seconds, 1e-9)

    def _epoch_totals(self) -> dict[str, Tensor]:
        """The epoch's window-weighted sums of the step terms; under DDP their mean over the
        processes, whose shares of the epoch are equal, so that dividing by this process's
        window count gives the mean over every process's windows."""
        strategy = self.trainer.strategy
        return {k: strategy.reduce(v, reduce_op="mean") for k, v in self._epoch_sums.items()}

    def on_train_epoch_end(self) -> None:
        rate = self.epoch_windows_per_second()
        self.throughput.append(rate)
        if self._epoch_windows:
            totals = self._epoch_totals()
            self.log_dict({f"train/{k}": v / self._epoch_windows for k, v in totals.items()})
        self.log("train/windows_per_second", rate, prog_bar=True)

    def transfer_batch_to_device(
        self, batch: WindowSet, device: torch.device, dataloader_idx: int
    ) -> WindowSet:
        return batch.to(device)

    def configure_optimizers(self) -> Any:
        groups: list[dict[str, Any]] = [
            {
                "params": [
                    p for n, p in self.named_parameters() if not n.startswith("online_probe")
                ],
                "lr": self.cfg.lr,
                "weight_decay": self.cfg.weight_decay,
            }
        ]
        if self.online_probe is not None:
            groups.append(
                {
                    "params": list(self.online_probe.parameters()),
                    "lr": self.cfg.online_probe_lr,
                    "weight_decay": 0.0,
                }
            )
        optimiser = torch.optim.Adam(groups, fused=fused_adam_available() or None)
        if self.cfg.schedule == "none":
            return optimiser
        total = max(1, int(self.trainer.estimated_stepping_batches))
        steps_per_epoch = max(1, total // max(1, self.cfg.epochs))
        warmup = self.cfg.warmup_epochs * steps_per_epoch

        def factor(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            progress = (step - warmup) / max(1, total - warmup)
            return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, factor)
        return {
            "optimizer": optimiser,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
        }

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["crossl"] = {
            "config": self.cfg.to_dict(),
            "modality_shapes": {k: list(v) for k, v in self.modality_shapes.items()},
            **self.metadata,
        }
        # the constructor's arguments, as plain data: Method.load_from_checkpoint(path) works
        checkpoint[self.CHECKPOINT_HYPER_PARAMS_KEY] = {
            "cfg": self.cfg.to_dict(),
            "modality_shapes": {k: list(v) for k, v in self.modality_shapes.items()},
            "metadata": self.metadata,
            "num_classes": self.num_classes,
        }
        # the epochs so far, which a resumed run continues (crossl.experiments.resume)
        checkpoint["crossl_history"] = {"history": self.history, "throughput": self.throughput}

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        state = checkpoint.get("crossl_history")
        if state is not None:
            self.history = list(state["history"])
            self.throughput = list(state["throughput"])
