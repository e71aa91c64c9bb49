"""Per-channel standardisation fitted on training windows only."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from crossl.data.container import WindowSet
from crossl.errors import CrosslError


@dataclass
class ChannelStats:
    """Mean and standard deviation of every channel of every modality."""

    mean: dict[str, Tensor]
    std: dict[str, Tensor]

    def to_dict(self) -> dict[str, dict[str, list[float]]]:
        """Plain lists, for checkpoints and JSON."""
        return {
            "mean": {k: v.tolist() for k, v in self.mean.items()},
            "std": {k: v.tolist() for k, v in self.std.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, list[float]]]) -> ChannelStats:
        return cls(
            {k: torch.tensor(v) for k, v in data["mean"].items()},
            {k: torch.tensor(v) for k, v in data["std"].items()},
        )

    @property
    def channels(self) -> dict[str, int]:
        """``{modality: number of channels}`` these statistics are for."""
        return {k: len(v) for k, v in self.mean.items()}

    def check_matches(self, channels: dict[str, int]) -> None:
        """Raise :class:`CrosslError` unless these statistics are for exactly the modalities and
        channel counts ``channels`` (``{modality: channels}``): data of another sensor set than
        the one a checkpoint was pretrained on cannot be normalised with its statistics."""
        mine = self.channels
        if mine != dict(channels):
            have = ", ".join(f"{k} ({c} ch)" for k, c in channels.items())
            want = ", ".join(f"{k} ({c} ch)" for k, c in mine.items())
            raise CrosslError(
                f"the data have modalities {have}, but the checkpoint was pretrained on {want}: "
                "evaluate it on data with the sensors it was pretrained on"
            )


def fit_channel_stats(windows: WindowSet, min_std: float = 1e-6) -> ChannelStats:
    """Mean and std per channel over all present windows and time steps of ``windows``.

    >>> ws = WindowSet({"a": torch.tensor([[[0.0, 2.0]], [[4.0, 6.0]]])}, torch.zeros(2).long(),
    ...                torch.zeros(2).long())
    >>> fit_channel_stats(ws).mean["a"].tolist()
    [3.0]
    """
    mean, std = {}, {}
    for i, (name, x) in enumerate(windows.modalities.items()):
        rows = x[windows.present[:, i]]
        if len(rows) == 0:
            raise CrosslError(f"modality {name!r} is never present: cannot fit its normalisation")
        flat = rows.transpose(0, 1).reshape(x.shape[1], -1).double()
        mean[name] = flat.mean(dim=1).float()
        std[name] = flat.std(dim=1).clamp_min(min_std).float()
    return ChannelStats(mean, std)


def normalise(windows: WindowSet, stats: ChannelStats) -> WindowSet:
    """Standardise each channel with ``stats``; windows of absent modalities stay zero."""
    out = {}
    for i, (name, x) in enumerate(windows.modalities.items()):
        if name not in stats.mean:
            raise CrosslError(f"no normalisation statistics for modality {name!r}")
        z = (x - stats.mean[name][None, :, None]) / stats.std[name][None, :, None]
        out[name] = z * windows.present[:, i, None, None].to(z.dtype)
    return WindowSet(out, windows.labels, windows.subjects, windows.present, windows.class_names)
