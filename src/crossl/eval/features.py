"""Frozen-feature extraction from a trained backbone."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

from crossl.data.container import WindowSet
from crossl.data.labelled_split import LabelledSplit
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


def split_features(
    backbone: MultimodalBackbone,
    split: LabelledSplit,
    kind: str,
    present: Sequence[str] | None = None,
    availability: Tensor | None = None,
    chunk_windows: int = 8192,
    batch_size: int = 1024,
) -> np.ndarray:
    """:func:`extract_features` of the windows of ``split``, read ``chunk_windows`` at a time, so
    that a split larger than memory is embedded with bounded memory. ``present`` keeps only those
    modalities; ``availability [N, M]`` (e.g. from :func:`~crossl.data.container.random_absence`)
    then sets every window's flags. The chunks are whole batches, so the features are those of
    the whole split embedded at once, bit for bit.
    """
    if chunk_windows % batch_size:
        raise ValueError(f"chunk_windows={chunk_windows} must be a multiple of {batch_size}")
    parts = []
    for start, windows in split.chunks(chunk_windows):
        if present is not None:
            windows = windows.with_present(present)
        if availability is not None:
            windows = windows.with_availability(availability[start : start + len(windows)])
        parts.append(extract_features(backbone, windows, kind, batch_size))
    return np.concatenate(parts)


def chunk_windows(window_bytes: int, memory_budget_mb: float, batch_size: int = 1024) -> int:
    """Windows per chunk of :func:`split_features` for a memory budget: a quarter of it, in whole
    batches (at least one).

    >>> chunk_windows(3072, 64), chunk_windows(3072, 4096), chunk_windows(10**9, 1)
    (5120, 349184, 1024)
    """
    fit = int(memory_budget_mb * 2**20 / 4 // max(window_bytes, 1))
    return max(batch_size, fit // batch_size * batch_size)


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
