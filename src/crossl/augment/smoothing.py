"""Moving-average smoothing of random width."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from crossl.augment.params import check_param


def random_smoothing(x: Tensor, generator: torch.Generator, max_width: int = 9) -> Tensor:
    """Smooth each sample with a centred moving average of random odd width in ``[1, max_width]``.

    The width (default at most 9; width 1 leaves the sample unchanged) is drawn uniformly among
    the odd widths per sample and shared by its channels. The ends are padded by repeating the
    first and last values, so the length is kept. Window sums come from one cumulative sum in
    float64, whatever the width.

    >>> y = random_smoothing(torch.ones(2, 3, 10), torch.Generator().manual_seed(0))
    >>> bool((y == 1).all())
    True
    """
    check_param("random_smoothing", "max_width", max_width)
    b, c, t = x.shape
    radius = (max_width - 1) // 2
    if radius == 0:
        return x.clone()
    half = torch.randint(0, radius + 1, (b, 1, 1), generator=generator, device=x.device)
    padded = F.pad(x, (radius + 1, radius), mode="replicate")
    sums = padded.cumsum(dim=-1, dtype=torch.float64)
    last = torch.arange(t, device=x.device) + radius + 1
    high = (last + half).expand(b, c, t)
    low = (last - half - 1).expand(b, c, t)
    mean = (sums.gather(-1, high) - sums.gather(-1, low)) / (2 * half + 1)
    return torch.where(half == 0, x, mean.to(x.dtype))
