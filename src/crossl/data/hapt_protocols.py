"""The datasets held in memory without a prepared cache (UCI HAPT): how each becomes
train / validation / test windows.

Free of torch, so that ``crossl datasets list`` answers at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypedDict

from crossl.data.recording import Recording
from crossl.data.sources.hapt_pickle import embedded_hapt_recordings
from crossl.data.sources.uci_hapt import read_uci_hapt
from crossl.errors import CrosslError

HAPT_ACTIVITIES = (
    "WALKING",
    "WALKING_UPSTAIRS",
    "WALKING_DOWNSTAIRS",
    "SITTING",
    "STANDING",
    "LAYING",
)
HAPT_TRANSITIONS = (
    "STAND_TO_SIT",
    "SIT_TO_STAND",
    "SIT_TO_LIE",
    "LIE_TO_SIT",
    "STAND_TO_LIE",
    "LIE_TO_STAND",
)
HAPT_TEST_USERS = (2, 4, 9, 10, 12, 13, 18, 20, 24)


@dataclass(frozen=True)
class Protocol:
    """How one dataset becomes train / validation / test windows."""

    name: str
    description: str
    window: int
    stride: int
    sampling_rate_hz: float
    class_names: tuple[str, ...]
    test_subjects: tuple[int, ...]
    n_val_subjects: int
    val_seed: int
    read: Callable[[str | None], Sequence[Recording]]

    @property
    def class_of(self) -> dict[int, int]:
        """Raw activity code (1-based) to class index."""
        return {code: i for i, code in enumerate(range(1, len(self.class_names) + 1))}


def _read_hapt(data_dir: str | None) -> Sequence[Recording]:
    return read_uci_hapt(data_dir) if data_dir else embedded_hapt_recordings()


class _ProtocolCommon(TypedDict):
    """The :class:`Protocol` fields the HAPT protocols share."""

    window: int
    stride: int
    sampling_rate_hz: float
    test_subjects: tuple[int, ...]
    n_val_subjects: int
    val_seed: int
    read: Callable[[str | None], Sequence[Recording]]


_HAPT_COMMON = _ProtocolCommon(
    window=128,
    stride=64,
    sampling_rate_hz=50.0,
    test_subjects=HAPT_TEST_USERS,
    n_val_subjects=3,
    val_seed=0,
    read=_read_hapt,
)

PROTOCOLS = {
    "hapt": Protocol(
        name="hapt",
        description="UCI HAPT, waist phone acc + gyro at 50 Hz, 6 activities, UCI-HAR test users",
        class_names=HAPT_ACTIVITIES,
        **_HAPT_COMMON,
    ),
    "hapt-transitions": Protocol(
        name="hapt-transitions",
        description="UCI HAPT with the 6 postural transitions as extra classes (12 classes)",
        class_names=HAPT_ACTIVITIES + HAPT_TRANSITIONS,
        **_HAPT_COMMON,
    ),
}


def protocol_names() -> list[str]:
    """Names accepted by ``dataset=``: the HAPT protocols held in memory (this module's) and the
    datasets read from a cache (:mod:`crossl.data.catalog`)."""
    from crossl.data.catalog import RECIPES

    return [*PROTOCOLS, *RECIPES]


def get_protocol(name: str) -> Protocol:
    """The protocol called ``name``."""
    if name not in PROTOCOLS:
        raise CrosslError(f"unknown dataset {name!r}: choose one of {', '.join(PROTOCOLS)}")
    return PROTOCOLS[name]
