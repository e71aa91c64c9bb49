"""Frozen-feature extraction from a trained backbone."""

from __future__ import annotations

import numpy as np
import torch

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
    features = torch.cat(parts).numpy()
    if kind == "encoders" and not bool(windows.present.all()):
        absent = ~windows.present.cpu().numpy()
        blocks = features.reshape(len(features), absent.shape[1], -1)
        blocks[absent] = np.nan
    return features
