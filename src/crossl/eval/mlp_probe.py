"""One-hidden-layer MLP probe on frozen features, early-stopped on the validation users' macro-F1.

Early stopping watches validation macro-F1 rather than validation loss: macro-F1 is the number the
evaluation reports and the one that chooses the linear probe's C and the kNN probe's k, and a
probe's validation loss often rises from over-confident logits while its decisions still improve.
Ties keep the earlier epoch. There is no dropout: torch's dropout draws from the global random
state, which the probe leaves alone so that its result depends on ``seed`` only; weight decay and
early stopping regularise instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from crossl.errors import CrosslError
from crossl.eval.metrics import macro_f1
from crossl.eval.probe_inputs import check_probe_inputs


class MLPProbe(nn.Module):
    """Standardisation (fitted on the training features) → Linear → ReLU → Linear, initialised
    from ``generator``."""

    mean: Tensor
    scale: Tensor

    def __init__(
        self, mean: Tensor, scale: Tensor, hidden: int, num_classes: int, generator: torch.Generator
    ):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("scale", scale)
        first: nn.Linear = nn.utils.skip_init(nn.Linear, len(mean), hidden)
        last: nn.Linear = nn.utils.skip_init(nn.Linear, hidden, num_classes)
        self.net = nn.Sequential(first, nn.ReLU(), last)
        # PyTorch's default nn.Linear initialisation, drawn from ``generator``
        for layer in (first, last):
            bound = 1 / math.sqrt(layer.in_features)
            layer.weight.data.uniform_(-bound, bound, generator=generator)
            layer.bias.data.uniform_(-bound, bound, generator=generator)

    def forward(self, x: Tensor) -> Tensor:
        return self.net((x - self.mean) / self.scale)

    @torch.no_grad()
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class indices ``[N]`` for features ``[N, F]``."""
        if x.ndim != 2 or x.shape[1] != len(self.mean):
            raise CrosslError(
                f"features of shape {x.shape} given to a probe fitted on {len(self.mean)} features"
            )
        return self(torch.as_tensor(x, dtype=torch.float32)).argmax(dim=1).numpy()


def fit_mlp_probe(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    num_classes: int,
    seed: int,
    hidden: int = 256,
    max_epochs: int = 300,
    patience: int = 30,
    lr: float = 1e-3,
    weight_decay: float = 1e-4,
    batch_size: int = 128,
) -> tuple[MLPProbe, dict[str, Any]]:
    """Train an MLP probe with Adam on shuffled mini-batches (on the CPU); keep the epoch with the
    best validation macro-F1 and stop ``patience`` epochs after it (or at ``max_epochs``).

    Initialisation and shuffling draw from a generator seeded with ``seed`` only. Returns the probe
    with the best weights and ``{"hidden", "epochs" (the best epoch), "epochs_run",
    "val_macro_f1"}``.

    >>> x = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]] * 8)
    >>> y = np.array([0, 0, 1, 1] * 8)  # XOR
    >>> probe, info = fit_mlp_probe(x, y, x, y, num_classes=2, seed=0, hidden=16, lr=1e-2)
    >>> probe.predict(x[:4]).tolist(), info["val_macro_f1"]
    ([0, 0, 1, 1], 1.0)
    """
    check_probe_inputs(x_train, y_train, x_val, y_val, num_classes)
    limits = {
        "hidden": hidden,
        "max_epochs": max_epochs,
        "patience": patience,
        "batch_size": batch_size,
    }
    for name, value in limits.items():
        if value < 1:
            raise CrosslError(f"{name}={value} must be at least 1")
    if lr <= 0 or weight_decay < 0:
        raise CrosslError(f"lr={lr} must be positive and weight_decay={weight_decay} at least 0")
    generator = torch.Generator().manual_seed(seed)
    x = torch.as_tensor(x_train, dtype=torch.float32)
    y = torch.as_tensor(y_train, dtype=torch.long)
    xv = torch.as_tensor(x_val, dtype=torch.float32)
    std = x.std(dim=0, unbiased=False)
    scale = torch.where(std > 1e-8, std, 1.0)
    probe = MLPProbe(x.mean(dim=0), scale, hidden, num_classes, generator)
    optimiser = torch.optim.Adam(probe.parameters(), lr=lr, weight_decay=weight_decay)
    best_score, best_epoch = -1.0, 0
    best_state: dict[str, Tensor] = {}
    epoch = 0
    while epoch < max_epochs and epoch - best_epoch < patience:
        epoch += 1
        order = torch.randperm(len(x), generator=generator)
        for idx in order.split(batch_size):
            loss = F.cross_entropy(probe(x[idx]), y[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        with torch.no_grad():
            score = macro_f1(y_val, probe(xv).argmax(dim=1).numpy())
        if score > best_score:
            best_score, best_epoch = score, epoch
            best_state = {k: v.clone() for k, v in probe.state_dict().items()}
    probe.load_state_dict(best_state)
    probe.eval()
    info = {"hidden": hidden, "epochs": best_epoch, "epochs_run": epoch, "val_macro_f1": best_score}
    return probe, info
