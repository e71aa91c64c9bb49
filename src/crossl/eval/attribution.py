"""What drives a probe's decision: occlusion of whole modalities, and integrated gradients over
time steps (Captum), for a frozen network with crossl's linear probe on top."""

from __future__ import annotations

from typing import cast

import numpy as np
import torch
from torch import Tensor, nn

from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.eval.features import fill_absent_blocks
from crossl.eval.mean_fill import MeanFilledProbe
from crossl.nn.backbone import MultimodalBackbone


class ProbedNetwork(nn.Module):
    """A frozen backbone and a fitted linear probe (crossl's standardisation + logistic
    regression, absent encoder blocks filled with the training means) as one differentiable
    network: ``forward(x_1, ..., x_M, present)`` on normalised windows gives class logits."""

    def __init__(self, backbone: MultimodalBackbone, probe: MeanFilledProbe, features: str):
        super().__init__()
        scaler, regression = probe.probe.named_steps.values()
        coef = torch.as_tensor(regression.coef_, dtype=torch.float32)
        intercept = torch.as_tensor(regression.intercept_, dtype=torch.float32)
        if len(coef) == 1:  # binary: ±half the log-odds, so that either class has a gradient
            coef = torch.cat([-coef, coef]) / 2
            intercept = torch.cat([-intercept, intercept]) / 2
        self.backbone = backbone.eval()
        self.features = features
        self.classes = [int(c) for c in regression.classes_]
        for name, value in (
            ("fill", probe.fill.means),
            ("mean", scaler.mean_),
            ("scale", scaler.scale_),
        ):
            self.register_buffer(name, torch.as_tensor(value, dtype=torch.float32))
        self.register_buffer("coef", coef)
        self.register_buffer("intercept", intercept)

    def forward(self, *inputs: Tensor) -> Tensor:
        """``forward(x_1, ..., x_M, present)``: class logits ``[B, K]`` (K = 2 for a binary probe:
        ± half its log-odds)."""
        *windows, present = inputs
        emb = self.backbone.embed_tensors(windows, present)
        feats = self.backbone.features_from_embeddings(emb, present, self.features)
        if self.features == "encoders":
            feats = fill_absent_blocks(feats, present, cast(Tensor, self.fill))
        z = (feats - cast(Tensor, self.mean)) / cast(Tensor, self.scale)
        return z @ cast(Tensor, self.coef).T + cast(Tensor, self.intercept)

    def logits(self, windows: WindowSet, present: Tensor | None = None) -> Tensor:
        """Class logits of ``windows`` (with ``present`` instead of theirs, if given)."""
        xs = [windows.modalities[n] for n in self.backbone.modality_names]
        with torch.no_grad():
            return self(*xs, windows.present if present is None else present)


def modality_occlusion(model: ProbedNetwork, windows: WindowSet) -> tuple[np.ndarray, np.ndarray]:
    """``(predicted, drop)``: each window's predicted class index and ``drop [N, M]``, how much
    the probability of that class falls when modality ``m`` is marked absent (as a lost sensor,
    which the aggregator is told about). NaN where ``m`` is absent already or is the only one
    present."""
    model.eval()
    probs = model.logits(windows).softmax(1)
    predicted = probs.argmax(1)
    full = probs.gather(1, predicted[:, None])[:, 0]
    present = windows.present
    drop = torch.full(present.shape, float("nan"))
    for m in range(present.shape[1]):
        fewer = present.clone()
        fewer[:, m] = False
        rows = present[:, m] & fewer.any(1)
        after = model.logits(windows, fewer).softmax(1).gather(1, predicted[:, None])[:, 0]
        drop[rows, m] = (full - after)[rows]
    return predicted.numpy(), drop.numpy()


def time_attribution(
    model: ProbedNetwork, windows: WindowSet, target: np.ndarray, steps: int = 512
) -> tuple[list[np.ndarray], np.ndarray]:
    """Integrated gradients of the logit of class index ``target [N]`` with respect to every
    input sample, from the all-zero window (the training mean, in normalised units), summed over
    each modality's channels: one array ``[N, T_m]`` per modality, and each window's
    convergence gap ``[N]`` (the attributions' sum minus the logit's change from the baseline;
    the TCN's layer norms make the network steep near the zero window, so it needs many
    ``steps``)."""
    try:
        from captum.attr import IntegratedGradients
    except ImportError:
        raise CrosslError("attribution needs captum: pip install 'crossl[explain]'") from None
    if len(target) != len(windows):
        raise CrosslError(f"{len(target)} targets for {len(windows)} windows")
    model.eval()
    xs = tuple(windows.modalities[n] for n in model.backbone.modality_names)
    attributions, gap = IntegratedGradients(model).attribute(
        xs,
        baselines=tuple(torch.zeros_like(x) for x in xs),
        target=torch.as_tensor(target),
        additional_forward_args=(windows.present,),
        n_steps=steps,
        return_convergence_delta=True,
    )
    return [a.sum(1).detach().numpy() for a in attributions], gap.detach().numpy()


def modality_shares(per_time: list[np.ndarray]) -> np.ndarray:
    """``[N, M]``: each modality's share of a window's total absolute attribution.

    >>> modality_shares([np.array([[1.0, -1.0]]), np.array([[2.0, 0.0]])]).tolist()
    [[0.5, 0.5]]
    """
    mass = np.stack([np.abs(a).sum(1) for a in per_time], axis=1)
    return mass / np.maximum(mass.sum(1, keepdims=True), 1e-12)
