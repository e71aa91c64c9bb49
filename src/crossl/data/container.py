"""``WindowSet``: the one container of multimodal windows, used for whole datasets and for batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

from crossl.errors import CrosslError


@dataclass(init=False)
class WindowSet:
    """Windows of several modalities, aligned by index.

    ``modalities`` maps a modality name to a float tensor ``[N, C_m, T_m]`` (channels first; each
    modality may have its own channel count and length). ``labels [N]`` is int64 with -1 for
    unlabelled, ``subjects [N]`` int64, ``present [N, M]`` bool in the order of ``modalities``:
    False means the sensor gave nothing for that window (its data are zeros). Without ``present``
    every modality of every window is present.

    >>> ws = WindowSet({"acc": torch.zeros(4, 3, 8)}, labels=torch.tensor([0, 1, -1, 1]),
    ...                subjects=torch.tensor([1, 1, 2, 2]))
    >>> len(ws), ws.modality_names, ws.present.shape
    (4, ['acc'], torch.Size([4, 1]))
    """

    modalities: dict[str, Tensor]
    labels: Tensor
    subjects: Tensor
    present: Tensor
    class_names: list[str] = field(default_factory=list)

    def __init__(
        self,
        modalities: dict[str, Tensor],
        labels: Tensor,
        subjects: Tensor,
        present: Tensor | None = None,
        class_names: list[str] | None = None,
    ) -> None:
        # Written out (``init=False``) so that ``present`` may be omitted, meaning every modality
        # is present, while the attribute is always a tensor.
        self.modalities = modalities
        self.labels = labels
        self.subjects = subjects
        self.class_names = [] if class_names is None else class_names
        self.present = self._checked_present(present)

    def _checked_present(self, present: Tensor | None) -> Tensor:
        """Check the other fields, then return ``present`` (all True when ``None``) once checked."""
        if not self.modalities:
            raise CrosslError("a WindowSet needs at least one modality")
        n = len(self.labels)
        for name, x in self.modalities.items():
            if x.ndim != 3:
                raise CrosslError(
                    f"modality {name!r} has shape {tuple(x.shape)}: expected [N, channels, time]"
                )
            if x.shape[0] != n:
                raise CrosslError(
                    f"modality {name!r} has {x.shape[0]} windows but there are {n} labels"
                )
            if not x.is_floating_point():
                raise CrosslError(f"modality {name!r} must be a float tensor, got {x.dtype}")
        if self.subjects.shape != (n,):
            raise CrosslError(f"subjects has shape {tuple(self.subjects.shape)}, expected ({n},)")
        if present is None:
            present = torch.ones(n, len(self.modalities), dtype=torch.bool)
        if present.shape != (n, len(self.modalities)) or present.dtype != torch.bool:
            raise CrosslError(
                f"present must be a bool tensor of shape ({n}, {len(self.modalities)}), "
                f"got {present.dtype} {tuple(present.shape)}"
            )
        return present

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def modality_names(self) -> list[str]:
        """Modality names in the order of the columns of ``present``."""
        return list(self.modalities)

    @property
    def shapes(self) -> dict[str, tuple[int, int]]:
        """``{modality: (channels, samples)}`` of one window."""
        return {k: (int(v.shape[1]), int(v.shape[2])) for k, v in self.modalities.items()}

    @property
    def device(self) -> torch.device:
        return self.labels.device

    def check_finite(self) -> None:
        """Raise :class:`CrosslError` if any present window holds NaN or infinity."""
        for i, (name, x) in enumerate(self.modalities.items()):
            bad = ~torch.isfinite(x).flatten(1).all(dim=1) & self.present[:, i]
            if bad.any():
                raise CrosslError(
                    f"modality {name!r} has NaN or infinite values in {int(bad.sum())} windows: "
                    "clean or interpolate the recording, or mark those windows as not present"
                )

    def select(self, index: Tensor | Sequence[int]) -> WindowSet:
        """The windows at ``index`` (a bool mask or integer indices), as a new set."""
        idx = torch.as_tensor(index, device=self.labels.device)
        return WindowSet(
            {k: v[idx] for k, v in self.modalities.items()},
            self.labels[idx],
            self.subjects[idx],
            self.present[idx],
            list(self.class_names),
        )

    def labelled(self) -> WindowSet:
        """Only the windows with a label."""
        return self.select(self.labels >= 0)

    def unlabelled(self) -> WindowSet:
        """The same windows with every label hidden (-1), e.g. to pretrain on held-out users."""
        hidden = torch.full_like(self.labels, -1)
        return WindowSet(
            self.modalities, hidden, self.subjects, self.present, list(self.class_names)
        )

    def with_present(self, names: Sequence[str]) -> WindowSet:
        """A copy in which only the modalities ``names`` are present; the others are zeroed."""
        unknown = set(names) - set(self.modalities)
        if unknown:
            raise CrosslError(f"unknown modality {sorted(unknown)}: have {self.modality_names}")
        keep = torch.tensor([m in names for m in self.modalities], device=self.device)
        return self.with_availability(self.present & keep)

    def with_random_absence(self, p: float, generator: torch.Generator) -> WindowSet:
        """A copy in which each present modality of each window is absent with probability ``p``
        (drawn by :func:`random_absence` for the whole set at once, from ``generator``); absent
        modalities stay absent, their data are zeroed as in :meth:`with_present`.

        >>> ws = WindowSet({"acc": torch.ones(4, 3, 8), "gyro": torch.ones(4, 3, 8)},
        ...                torch.zeros(4).long(), torch.zeros(4).long())
        >>> dropped = ws.with_random_absence(0.9, torch.Generator().manual_seed(0))
        >>> dropped.present.any(dim=1).all().item()
        True
        """
        return self.with_availability(random_absence(self.present, p, generator))

    def with_availability(self, present: Tensor) -> WindowSet:
        """A copy with availability flags ``present [N, M]``; the data of absent modalities are
        zeroed."""
        modalities = {
            k: v * present[:, i, None, None].to(v.dtype)
            for i, (k, v) in enumerate(self.modalities.items())
        }
        return WindowSet(modalities, self.labels, self.subjects, present, list(self.class_names))

    def to(self, device: torch.device | str) -> WindowSet:
        """The same windows on ``device``."""
        return WindowSet(
            {k: v.to(device) for k, v in self.modalities.items()},
            self.labels.to(device),
            self.subjects.to(device),
            self.present.to(device),
            list(self.class_names),
        )

    def batches(
        self,
        batch_size: int,
        *,
        shuffle: bool = False,
        generator: torch.Generator | None = None,
        drop_last: bool = False,
    ) -> Iterator[WindowSet]:
        """Yield consecutive (or shuffled) batches as WindowSets; slicing only, no per-sample Python."""
        n = len(self)
        order = torch.randperm(n, generator=generator) if shuffle else None
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            if order is None:
                sl = slice(start, min(start + batch_size, n))
                yield WindowSet(
                    {k: v[sl] for k, v in self.modalities.items()},
                    self.labels[sl],
                    self.subjects[sl],
                    self.present[sl],
                    self.class_names,
                )
            else:
                yield self.select(order[start : start + batch_size].to(self.device))


def concat(sets: Sequence[WindowSet]) -> WindowSet:
    """Concatenate window sets with the same modalities."""
    names = sets[0].modality_names
    for s in sets[1:]:
        if s.modality_names != names:
            raise CrosslError(f"cannot concatenate modalities {s.modality_names} with {names}")
    return WindowSet(
        {k: torch.cat([s.modalities[k] for s in sets]) for k in names},
        torch.cat([s.labels for s in sets]),
        torch.cat([s.subjects for s in sets]),
        torch.cat([s.present for s in sets]),
        list(sets[0].class_names),
    )


def random_absence(present: Tensor, p: float, generator: torch.Generator) -> Tensor:
    """Availability flags ``present [N, M]`` with each present modality of each window made
    absent with probability ``p``, drawn on ``present``'s device from ``generator``.

    A window never loses all its modalities: where every present one would go, one of them,
    chosen uniformly at random, stays (so with ``M`` present modalities each is dropped with
    probability ``p - p**M / M``). The draws depend on the shape only, so the flags of a whole
    split can be drawn first and applied to it chunk by chunk.

    >>> flags = random_absence(torch.ones(5, 2, dtype=torch.bool), 0.9, torch.Generator())
    >>> flags.any(dim=1).all().item()
    True
    """
    if not 0.0 <= p < 1.0:
        raise CrosslError(f"modality drop-out probability {p} must be in [0, 1), e.g. 0.5")
    shape = present.shape
    kept = present & (torch.rand(shape, generator=generator, device=present.device) >= p)
    emptied = present.any(dim=1) & ~kept.any(dim=1)
    scores = torch.rand(shape, generator=generator, device=present.device).masked_fill(~present, -1)
    rescued = torch.zeros_like(present).scatter_(1, scores.argmax(dim=1, keepdim=True), True)
    return kept | rescued & emptied[:, None]
