"""``Recipe``: how one dataset's raw download becomes windows (reader, classes, windows, split)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossl.data.cutting import CutSpec
from crossl.data.label_map import LabelMap
from crossl.data.modality_info import ModalityInfo
from crossl.data.raw_windows import RawWindows
from crossl.data.recording import Recording
from crossl.errors import CrosslError


@dataclass
class Source:
    """A dataset opened for preparation: its recordings (or published windows) and protocol.

    ``modalities`` describe the kept modalities at the rates of the windows; ``devices`` maps a
    physical device to the modalities that go missing together; ``count`` is the number of
    recordings (for progress).
    """

    items: Iterable[Recording] | RawWindows
    count: int
    modalities: list[ModalityInfo]
    class_names: list[str]
    labels: LabelMap
    cut: CutSpec
    split: dict[str, Any]
    devices: dict[str, list[str]]


@dataclass(frozen=True)
class Recipe:
    """A named preprocessing protocol: ``open(raw_dir, options)`` reads the raw download,
    ``inputs(raw_dir, options)`` lists the raw files it reads (their checksum is the cache's).

    ``options`` are the settings a user may change at ``crossl datasets prepare`` (with their
    defaults); they are part of the cache's fingerprint. ``layout`` shows the expected files.
    """

    name: str
    description: str
    layout: str
    open: Callable[[Path, dict[str, Any]], Source]
    inputs: Callable[[Path, dict[str, Any]], list[Path]]
    options: Mapping[str, Any] = field(default_factory=dict)

    def resolve_options(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The defaults updated with ``given``; an unknown option is a :class:`CrosslError`."""
        unknown = sorted(set(given) - set(self.options))
        if unknown:
            valid = ", ".join(self.options) or "none"
            raise CrosslError(
                f"dataset {self.name} has no option {unknown[0]!r}: its options are {valid}"
            )
        return {**self.options, **given}


def devices_of(modalities: Iterable[ModalityInfo]) -> dict[str, list[str]]:
    """Modalities grouped by their device, in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for m in modalities:
        groups.setdefault(m.device, []).append(m.name)
    return groups
