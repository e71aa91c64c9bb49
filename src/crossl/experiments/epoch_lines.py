"""One line per pretraining epoch, for output that is not a terminal.

A progress bar redraws itself with carriage returns many times a second; written to a file
(``make demo > log``) that is thousands of updates per epoch. Where stderr is not a terminal,
pretraining prints this instead.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import lightning as L
from lightning.pytorch.callbacks import Callback


class EpochLines(Callback):
    """Prints ``epoch k/n: loss …, … windows/s[, online macro-F1 …]`` at the end of each epoch."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream
        self._start = 0.0
        self._last_step_end = 0.0
        self._windows = 0

    def on_train_epoch_start(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        self._start = time.perf_counter()
        self._windows = 0

    def on_train_batch_end(
        self, trainer: L.Trainer, module: L.LightningModule, outputs: Any, batch: Any, idx: int
    ) -> None:
        self._windows += len(batch)
        self._last_step_end = time.perf_counter()

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        # training steps only, as the module's own windows/s: validation is left out
        seconds = max(self._last_step_end - self._start, 1e-9)
        parts = []
        history = getattr(module, "history", [])
        record = history[-1] if history else {}
        if "train_loss" in record:
            parts.append(f"loss {record['train_loss']:.4f}")
        parts.append(f"{self._windows / seconds:.0f} windows/s")
        if "online_macro_f1" in record:
            parts.append(f"online macro-F1 {record['online_macro_f1']:.3f}")
        head = f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs}"
        print(f"{head}: {', '.join(parts)}", file=self.stream or sys.stderr, flush=True)
