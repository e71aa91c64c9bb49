"""Latent masking of the modality embeddings: hides only present modalities, never all of them.

A *strategy* says how the two views of a CroSSL step are drawn:

- ``spatial`` / ``random``: each view independently hides ``ratio`` of the present modalities
  (``spatial``) or of the present embedding entries (``random``), the count rounded
  stochastically, never all of them ("exact" count schemes).
- ``bernoulli`` / ``bernoulli-random``: the authors' draws, each present modality (or entry)
  hidden with probability ``ratio``, independently per view; a sample with everything hidden is
  drawn again.
- ``paired``: per sample, either a *full* view beside a *partial* one (``ratio`` of the present
  modalities hidden, at least one), or a *complementary* pair (one view shows exactly what the
  other hides), half of the samples each, which view is which drawn at random. A sample with a
  single present modality gets two independent element-wise masks at ``ratio``, so the views
  still differ on one-modality data.
- ``temporal`` / ``spatiotemporal``: with latent patches (embeddings ``[B, M, P, D]``, see
  :class:`crossl.nn.backbone.MultimodalBackbone`), each view independently hides ``ratio`` of the
  P time patches of every modality, or of the present (modality, patch) tokens; never all.
"""

from __future__ import annotations

import torch
from torch import Tensor

from crossl.errors import CrosslError

EXACT_STRATEGIES = ("spatial", "random")
BERNOULLI_STRATEGIES = ("bernoulli", "bernoulli-random")
PATCH_STRATEGIES = ("temporal", "spatiotemporal")
MASKING_STRATEGIES = (*EXACT_STRATEGIES, *BERNOULLI_STRATEGIES, "paired", *PATCH_STRATEGIES)
# strategies that hide whole modalities: with one modality there is nothing they can hide
MODALITY_STRATEGIES = ("spatial", "bernoulli")
COMPLEMENTARY_SHARE = 0.5


def _check_ratio(ratio: float) -> None:
    if not 0.0 <= ratio < 1.0:
        raise CrosslError(f"masking ratio {ratio} must be in [0, 1)")


def _check_strategy(strategy: str) -> None:
    if strategy not in MASKING_STRATEGIES:
        raise CrosslError(
            f"unknown masking strategy {strategy!r}: use {', '.join(MASKING_STRATEGIES)}"
        )


def hide_units(
    available: Tensor,
    ratio: float,
    generator: torch.Generator | None = None,
    at_least_one: bool = False,
) -> Tensor:
    """Choose units to hide in each row of ``available [B, U]`` (bool); return ``hidden [B, U]``.

    Row ``b`` hides ``k_b`` of its ``n_b`` available units, chosen uniformly at random, where ``k_b``
    is ``ratio · n_b`` rounded stochastically (so its mean is exactly ``ratio · n_b``) and capped at
    ``n_b - 1``: an unavailable unit is never hidden, and a row with any available unit keeps one.
    With ``at_least_one``, a row of two or more available units hides one at least.

    >>> avail = torch.tensor([[True, True, False]])
    >>> hide_units(avail, 0.5, torch.Generator().manual_seed(0))[0, 2].item()
    False
    """
    _check_ratio(ratio)
    n = available.sum(dim=1)
    target = ratio * n.to(torch.float32)
    base = target.floor()
    u = torch.rand(n.shape, generator=generator, device=available.device)
    k = (base + (u < target - base).to(base.dtype)).long()
    if at_least_one:
        k = k.clamp_min(1)
    k = torch.minimum(k, (n - 1).clamp_min(0))
    scores = torch.rand(available.shape, generator=generator, device=available.device)
    scores = scores.masked_fill(~available, 2.0)
    ranks = scores.argsort(dim=1).argsort(dim=1)
    return ranks < k[:, None]


def bernoulli_hidden(
    available: Tensor, ratio: float, generator: torch.Generator | None = None
) -> Tensor:
    """Each available unit of ``available [B, U]`` hidden with probability ``ratio``; a row with
    every available unit hidden is drawn again (a row of one unit therefore never hides it).

    >>> avail = torch.ones(20000, 3, dtype=torch.bool)
    >>> h = bernoulli_hidden(avail, 0.5, torch.Generator().manual_seed(0))
    >>> bool(h.all(1).any()), round(h.float().mean().item(), 2)  # 0.5 · 3 / (1 - 0.5³) / 3
    (False, 0.43)
    """
    _check_ratio(ratio)
    hidden = torch.zeros_like(available)
    todo = available.sum(1) > 1
    while todo.any():
        draw = torch.rand(available.shape, generator=generator, device=available.device) < ratio
        draw &= available
        redo = (draw | ~available).all(1)
        hidden = torch.where((todo & ~redo)[:, None], draw, hidden)
        todo &= redo
    return hidden


def _units(present: Tensor, dim: int, strategy: str) -> tuple[Tensor, bool]:
    """The units a strategy draws over: modalities ``[B, M]`` or entries ``[B, M·dim]``."""
    if strategy in MODALITY_STRATEGIES:
        return present, True
    b, m = present.shape
    return present[:, :, None].expand(b, m, dim).reshape(b, m * dim), False


def latent_keep_mask(
    present: Tensor,
    dim: int,
    strategy: str,
    ratio: float,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Float mask ``[B, M, dim]`` of one view: 1 where an embedding entry stays visible, 0 where it
    is hidden, for the single-view strategies (``spatial``, ``random``, ``bernoulli``,
    ``bernoulli-random``). Entries of missing modalities (``present`` False) are 0 as well.

    >>> present = torch.ones(1000, 2, dtype=torch.bool)
    >>> keep = latent_keep_mask(present, 4, "spatial", 0.25, torch.Generator().manual_seed(0))
    >>> abs((1 - keep.mean().item()) - 0.25) < 0.03
    True
    """
    _check_strategy(strategy)
    if strategy == "paired" or strategy in PATCH_STRATEGIES:
        raise CrosslError(
            f"masking strategy {strategy!r} is not a single-view mask over pooled embeddings: "
            "use view_keep_masks"
        )
    b, m = present.shape
    units, per_modality = _units(present, dim, strategy)
    draw = bernoulli_hidden if strategy in BERNOULLI_STRATEGIES else hide_units
    hidden = draw(units, ratio, generator)
    hidden = hidden[:, :, None].expand(b, m, dim) if per_modality else hidden.reshape(b, m, dim)
    return (present[:, :, None] & ~hidden).to(torch.float32)


def _paired_hidden(
    present: Tensor, dim: int, ratio: float, generator: torch.Generator | None
) -> tuple[Tensor, Tensor]:
    b, m = present.shape
    device = present.device
    hidden = hide_units(present, ratio, generator, at_least_one=True)
    complementary = torch.rand(b, generator=generator, device=device) < COMPLEMENTARY_SHARE
    # complementary: view a hides what view b shows; otherwise view a is the full view
    hidden_a = torch.where(complementary[:, None], present & ~hidden, torch.zeros_like(hidden))
    view_a = hidden_a[:, :, None].expand(b, m, dim)
    view_b = hidden[:, :, None].expand(b, m, dim)
    single = (present.sum(1) == 1)[:, None, None]
    entries, _ = _units(present, dim, "random")
    lone_a = hide_units(entries, ratio, generator).reshape(b, m, dim)
    lone_b = hide_units(entries, ratio, generator).reshape(b, m, dim)
    view_a = torch.where(single, lone_a, view_a)
    view_b = torch.where(single, lone_b, view_b)
    swap = (torch.rand(b, generator=generator, device=device) < 0.5)[:, None, None]
    return torch.where(swap, view_b, view_a), torch.where(swap, view_a, view_b)


def patch_keep_mask(
    present: Tensor,
    patches: int,
    dim: int,
    strategy: str,
    ratio: float,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Float mask ``[B, M, patches · dim]`` of one view for ``temporal`` (whole time patches, in
    every modality at once) or ``spatiotemporal`` masking (single (modality, patch) tokens); the
    entries of missing modalities are 0, and a sample always keeps one token of a present modality.

    >>> present = torch.ones(500, 2, dtype=torch.bool)
    >>> keep = patch_keep_mask(present, 4, 3, "temporal", 0.5, torch.Generator().manual_seed(0))
    >>> keep.shape, round(1 - keep.mean().item(), 2)
    (torch.Size([500, 2, 12]), 0.5)
    """
    b, m = present.shape
    if strategy == "temporal":
        times = present.any(dim=1, keepdim=True).expand(b, patches)
        hidden = hide_units(times, ratio, generator)[:, None, :].expand(b, m, patches)
    elif strategy == "spatiotemporal":
        tokens = present[:, :, None].expand(b, m, patches).reshape(b, m * patches)
        hidden = hide_units(tokens, ratio, generator).reshape(b, m, patches)
    else:
        raise CrosslError(f"{strategy!r} is not a masking strategy over time patches")
    keep = present[:, :, None] & ~hidden
    return keep[:, :, :, None].expand(b, m, patches, dim).reshape(b, m, patches * dim).float()


def view_keep_masks(
    present: Tensor,
    dim: int,
    strategy: str,
    ratio: float,
    generator: torch.Generator | None = None,
    patches: int = 1,
) -> tuple[Tensor, Tensor]:
    """The keep masks ``[B, M, dim]`` (float, 1 = visible) of a CroSSL step's two views.

    With latent patches, ``dim`` is ``patches · D`` (a modality's patches one after the other):
    ``temporal`` and ``spatiotemporal`` mask patches, every other strategy sees the entries.

    >>> present = torch.ones(4, 2, dtype=torch.bool)
    >>> a, b = view_keep_masks(present, 3, "paired", 0.5, torch.Generator().manual_seed(0))
    >>> bool(((a + b) > 0).all())  # with two modalities every pair together shows both
    True
    """
    _check_strategy(strategy)
    if strategy in PATCH_STRATEGIES:
        if patches < 2:
            raise CrosslError(
                f"masking_strategy={strategy} needs embeddings with a time axis: set "
                "latent_patches (2 or more time patches per window)"
            )
        _check_ratio(ratio)
        d = dim // patches
        a = patch_keep_mask(present, patches, d, strategy, ratio, generator)
        return a, patch_keep_mask(present, patches, d, strategy, ratio, generator)
    if strategy != "paired":
        a = latent_keep_mask(present, dim, strategy, ratio, generator)
        return a, latent_keep_mask(present, dim, strategy, ratio, generator)
    _check_ratio(ratio)
    hidden_a, hidden_b = _paired_hidden(present, dim, ratio, generator)
    keep = present[:, :, None]
    return (keep & ~hidden_a).to(torch.float32), (keep & ~hidden_b).to(torch.float32)


def masking_units(strategy: str, num_modalities: int, patches: int = 1) -> tuple[int, str]:
    """How many units an exact-count strategy chooses from, and what they are, e.g.
    ``(2, "modalities")`` for spatial masking of two sensors; ``(0, "entries")`` for the
    element-wise and Bernoulli strategies, which have no count to cap."""
    if strategy in ("spatial", "paired"):
        return num_modalities, "modalities"
    if strategy == "temporal":
        return patches, "patches"
    if strategy == "spatiotemporal":
        return num_modalities * patches, "tokens"
    return 0, "entries"


def effective_ratio(strategy: str, ratio: float, num_modalities: int, patches: int = 1) -> float:
    """The ratio a strategy really applies with ``num_modalities`` present and ``patches`` latent
    time patches: an exact count is capped at one unit fewer than there are (spatial: M − 1 of
    M modalities, temporal: P − 1 of P patches, spatio-temporal: M·P − 1 of M·P tokens), so any
    ratio above the cap is the same draw, and the paired scheme hides between one and M − 1
    modalities. Two study points with equal effective ratios are the same experiment.

    >>> effective_ratio("spatial", 0.75, 2), effective_ratio("paired", 0.1, 4)
    (0.5, 0.25)
    >>> effective_ratio("temporal", 0.75, 2, patches=2), effective_ratio("spatiotemporal", 0.9, 2, 2)
    (0.5, 0.75)
    """
    n, _ = masking_units(strategy, num_modalities, patches)
    if n < 2:
        return ratio
    low = 1 / n if strategy == "paired" else 0.0
    return min(max(ratio, low), (n - 1) / n)
