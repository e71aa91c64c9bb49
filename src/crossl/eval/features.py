"""Frozen-feature extraction from a trained backbone."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from crossl.data.container import WindowSet
from crossl.nn.backbone import MultimodalBackbone


@torch.no_grad()
def extract_features(
    backbone: MultimodalBackbone, windows: WindowSet, kind: str, batch_size: int = 1024
) -> np.ndarray:
    """Features ``[N, F]`` of ``windows`` with the backbone in eval mode (no dropout, no masking).

    For ``kind="encoders"`` the block of a modality absent from a window is NaN: the probes fill it
    with the training mean (:mod:`crossl.eval.mean_fill`). Aggregator features are always finite:
    the aggregator is told which modalities are absent.
    """
    was_training = backbone.training
    backbone.eval()
    device = next(backbone.parameters()).device
    try:
        parts = [
            backbone.features(batch.to(device), kind).float().cpu()
            for batch in windows.batches(batch_size)
        ]
    finally:
        backbone.train(was_training)
    features = torch.cat(parts)
    if kind == "encoders":
        features = absent_blocks_as_nan(features, windows.present.cpu())
    return features.numpy()


def absent_blocks_as_nan(features: Tensor, present: Tensor) -> Tensor:
    """Encoder features ``[B, M·D]`` with the block of each absent modality (``present [B, M]``
    false) set to NaN, so that no consumer mistakes it for a measured embedding.

    >>> absent_blocks_as_nan(torch.ones(1, 4), torch.tensor([[True, False]])).tolist()
    [[1.0, 1.0, nan, nan]]
    """
    return fill_absent_blocks(features, present, torch.full((), float("nan"), dtype=features.dtype))


def fill_absent_blocks(features: Tensor, present: Tensor, fill: Tensor) -> Tensor:
    """Encoder features ``[B, M·D]`` with the block of each absent modality (``present [B, M]``
    false) replaced by ``fill``: a scalar, or one value per feature ``[M·D]``.

    >>> fill_absent_blocks(torch.ones(1, 4), torch.tensor([[False, True]]),
    ...                    torch.tensor([5.0, 6.0, 7.0, 8.0])).tolist()
    [[5.0, 6.0, 1.0, 1.0]]
    """
    b, m = present.shape
    blocks = features.reshape(b, m, -1)
    values = fill.reshape(1, m, -1) if fill.dim() else fill
    return torch.where(present[:, :, None].bool(), blocks, values).reshape(b, -1)
