"""``ModalityInfo``: what one modality of a dataset is (channels, unit, rate, physical device)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ModalityInfo:
    """Description of one modality: its channel names, physical unit, sampling rate in Hz and the
    device (physical sensor) it comes from; modalities of one device go missing together.

    >>> ModalityInfo("hand_acc", ("x", "y", "z"), "m/s^2", 100.0, "hand").n_channels
    3
    """

    name: str
    channels: tuple[str, ...]
    unit: str
    rate_hz: float
    device: str

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy, for manifests."""
        return {**asdict(self), "channels": list(self.channels)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModalityInfo:
        return cls(**{**data, "channels": tuple(data["channels"])})
