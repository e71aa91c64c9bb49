"""``Augmenter``: per-modality pipelines applied to a ``WindowSet`` batch, with shared draws."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from crossl.augment.pipeline import Pipeline, SharedDraws
from crossl.augment.spec import AugmentSpec
from crossl.data.container import WindowSet
from crossl.data.normalisation import ChannelStats
from crossl.errors import CrosslError

Steps = Sequence[AugmentSpec | Mapping[str, Any]]


class Augmenter:
    """Augment every modality of a batch: ``per_modality[m]`` if given, else ``default``.

    Within one call, every modality whose pipeline rotates shares the rotation matrices and the
    per-sample decisions (the accelerometer and gyroscope of a device turn together); with
    ``same_crop`` the crops are shared likewise, as fractions of the window, so modalities of
    different lengths stay aligned in time. Windows of missing modalities stay zero. An augmenter
    without steps is falsy and returns the batch unchanged.

    ``units`` are the per-channel statistics the batches were standardised with: given them, a
    rotation turns the sensor's own vectors (see :func:`~crossl.augment.rotation.rotation`), not
    the standardised values.

    >>> from crossl.data.container import WindowSet
    >>> batch = WindowSet({"acc": torch.randn(4, 3, 32), "gyro": torch.randn(4, 3, 32)},
    ...                   labels=torch.zeros(4, dtype=torch.long), subjects=torch.zeros(4, dtype=torch.long))
    >>> aug = Augmenter([AugmentSpec("rotation"), AugmentSpec("jitter", p=0.5)])
    >>> aug(batch, torch.Generator().manual_seed(0)).modalities["gyro"].shape
    torch.Size([4, 3, 32])
    """

    def __init__(
        self,
        default: Steps = (),
        per_modality: Mapping[str, Steps] | None = None,
        same_crop: bool = True,
        units: ChannelStats | None = None,
    ) -> None:
        self.default = Pipeline(default)
        self.per_modality = {str(m): Pipeline(s) for m, s in (per_modality or {}).items()}
        self.same_crop = bool(same_crop)
        self.units = units
        self._units_on: dict[tuple[torch.device, str], tuple[torch.Tensor, torch.Tensor]] = {}

    def __bool__(self) -> bool:
        return bool(self.default) or any(self.per_modality.values())

    def __repr__(self) -> str:
        return (
            f"Augmenter(default={list(self.default.steps)!r}, per_modality="
            f"{ {m: list(p.steps) for m, p in self.per_modality.items()}!r}, same_crop={self.same_crop})"
        )

    def pipeline(self, modality: str) -> Pipeline:
        """The pipeline used for ``modality``."""
        return self.per_modality.get(modality, self.default)

    def check_modalities(self, names: Sequence[str]) -> None:
        """Raise :class:`CrosslError` if ``per_modality`` names a modality not in ``names``."""
        unknown = sorted(set(self.per_modality) - set(names))
        if unknown:
            raise CrosslError(
                f"augmentations configured for unknown modalities {unknown}: "
                f"the data have {list(names)}"
            )

    def check_shapes(self, shapes: Mapping[str, Sequence[int]]) -> None:
        """:meth:`check_modalities` for the modalities of ``shapes`` (``{name: (C, T)}``), and
        raise before any batch if a pipeline rotates a modality whose channels are not groups of
        three axes (an ECG, an EEG derivation)."""
        self.check_modalities(list(shapes))
        self._check_units({name: int(c) for name, (c, *_) in shapes.items()})
        for name, (channels, *_) in shapes.items():
            if channels % 3 and any(s.name == "rotation" for s in self.pipeline(name).steps):
                raise CrosslError(
                    f"augment: rotation turns groups of three axes (x, y, z), but modality "
                    f"{name!r} has {channels} channel(s): give it its own steps in "
                    f"augment_per_modality (e.g. augment_per_modality.{name}=[{{name: jitter}}]) "
                    "or remove rotation from augment"
                )

    def _check_units(self, channels: Mapping[str, int]) -> None:
        if self.units is None:
            return
        mine = self.units.channels
        if mine != dict(channels):
            raise CrosslError(
                f"augment: the standardisation statistics are for {mine} (modality: channels), "
                f"the data have {dict(channels)}: give the statistics the data were standardised "
                "with"
            )

    def _units_for(
        self, name: str, device: torch.device
    ) -> tuple[torch.Tensor, torch.Tensor] | None:
        """Modality ``name``'s (mean, std) on ``device``, copied there once, not every batch."""
        if self.units is None:
            return None
        key = (device, name)
        if key not in self._units_on:
            self._units_on[key] = (
                self.units.mean[name].to(device),
                self.units.std[name].to(device),
            )
        return self._units_on[key]

    def __call__(self, batch: WindowSet, generator: torch.Generator) -> WindowSet:
        """A new batch with augmented modalities and the same labels, subjects and presence."""
        self.check_modalities(batch.modality_names)
        if not self:
            return batch
        self._check_units({n: x.shape[1] for n, x in batch.modalities.items()})
        shared = SharedDraws(["rotation", "crop_and_resize"] if self.same_crop else ["rotation"])
        modalities = {}
        for i, (name, x) in enumerate(batch.modalities.items()):
            pipeline = self.pipeline(name)
            if pipeline:
                y = pipeline(x, generator, shared, self._units_for(name, x.device))
                x = y * batch.present[:, i, None, None].to(y.dtype)
            modalities[name] = x
        return WindowSet(
            modalities, batch.labels, batch.subjects, batch.present, list(batch.class_names)
        )
