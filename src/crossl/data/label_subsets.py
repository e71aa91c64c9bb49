"""Seeded, class-stratified, nested label-fraction subsets."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from crossl.errors import CrosslError


def label_fraction_indices(labels: Tensor, fraction: float, seed: int) -> Tensor:
    """Indices of a class-stratified subset holding ``fraction`` of the labelled windows.

    Each class keeps ``max(1, round(fraction * n_class))`` windows, so every class is present.
    The subsets of one seed are nested: the 1 % subset is contained in the 10 % subset.
    Unlabelled windows (label -1) are never chosen.

    >>> y = torch.tensor([0] * 100 + [1] * 10 + [-1] * 5)
    >>> idx = label_fraction_indices(y, 0.1, seed=0)
    >>> torch.bincount(y[idx]).tolist()
    [10, 1]
    """
    if not 0 < fraction <= 1:
        raise CrosslError(f"label fraction {fraction} must be in (0, 1]")
    y = labels.cpu().numpy()
    classes = np.unique(y[y >= 0])
    if len(classes) == 0:
        raise CrosslError("no labelled windows to draw a label fraction from")
    chosen = []
    for c in classes:
        members = np.flatnonzero(y == c)
        rng = np.random.default_rng([seed, int(c)])
        order = rng.permutation(members)
        k = max(1, math.floor(fraction * len(members) + 0.5))
        chosen.append(order[:k])
    return torch.from_numpy(np.sort(np.concatenate(chosen)))
