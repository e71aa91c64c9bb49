"""One line per pretraining epoch, for output that is not a terminal.

A progress bar redraws itself with carriage returns many times a second; written to a file
(``make demo > log``) that is thousands of updates per epoch. Where stderr is not a terminal,
pretraining prints this instead.
"""

from __future__ import annotations

import sys
from typing import TextIO

import lightning as L
from lightning.pytorch.callbacks import Callback

from crossl.methods.base import MethodModule


class EpochLines(Callback):
    """Prints ``epoch k/n: loss …, … windows/s[, online macro-F1 …]`` at the end of each epoch
    of a :class:`~crossl.methods.base.MethodModule`, from the module's own epoch figures."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        if isinstance(module, MethodModule):
            print(epoch_line(trainer, module), file=self.stream or sys.stderr, flush=True)


def epoch_line(trainer: L.Trainer, module: MethodModule) -> str:
    """``epoch k/n: loss …, … windows/s[, online macro-F1 …]`` of the epoch that just ended."""
    record = module.history[-1] if module.history else {}
    parts = []
    if "train_loss" in record:
        parts.append(f"loss {record['train_loss']:.4f}")
    parts.append(f"{module.epoch_windows_per_second():.0f} windows/s")
    if "online_macro_f1" in record:
        parts.append(f"online macro-F1 {record['online_macro_f1']:.3f}")
    return f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs}: {', '.join(parts)}"
