"""The Lightning module every method builds on: backbone, optimiser, schedule, throughput, metadata."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import lightning as L
import torch
from torch import Tensor

from crossl.config import Config
from crossl.data.container import WindowSet
from crossl.nn.backbone import MultimodalBackbone


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
    )


class MethodModule(L.LightningModule):
    """Shared base: owns the backbone, the optimiser and schedule, and measures windows per second.

    Subclasses implement :meth:`training_loss` (a dict with at least ``loss``).
    """

    def __init__(
        self,
        cfg: Config,
        modality_shapes: Mapping[str, tuple[int, int]],
        metadata: dict[str, Any] | None = None,
    ):
        super().__init__()
        self.cfg = cfg
        self.modality_shapes = dict(modality_shapes)
        self.metadata = dict(metadata or {})
        self.backbone = build_backbone(cfg, modality_shapes)
        self._epoch_windows = 0
        self._epoch_start = 0.0
        self.throughput: list[float] = []

    def training_loss(self, batch: WindowSet) -> dict[str, Tensor]:
        raise NotImplementedError

    def training_step(self, batch: WindowSet, batch_idx: int) -> Tensor:
        terms = self.training_loss(batch)
        self._epoch_windows += len(batch)
        self.log_dict(
            {f"train/{k}": v.detach() for k, v in terms.items()},
            on_step=False,
            on_epoch=True,
            batch_size=len(batch),
            prog_bar=False,
        )
        return terms["loss"]

    def on_train_epoch_start(self) -> None:
        self._epoch_windows = 0
        self._epoch_start = time.perf_counter()

    def on_train_epoch_end(self) -> None:
        seconds = time.perf_counter() - self._epoch_start
        rate = self._epoch_windows / max(seconds, 1e-9)
        self.throughput.append(rate)
        self.log("train/windows_per_second", rate, prog_bar=True)

    def transfer_batch_to_device(
        self, batch: WindowSet, device: torch.device, dataloader_idx: int
    ) -> WindowSet:
        return batch.to(device)

    def configure_optimizers(self) -> Any:
        optimiser = torch.optim.Adam(
            self.parameters(), lr=self.cfg.lr, weight_decay=self.cfg.weight_decay
        )
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
