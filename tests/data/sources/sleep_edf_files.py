"""Write small Sleep-EDF (Sleep Cassette) nights laid out like the PhysioNet release, with edfio.

A night is a plain-EDF polysomnogram ``SC4ssNE0-PSG.edf`` (30-s data records) and an
annotation-only EDF+ hypnogram ``SC4ssNEx-Hypnogram.edf`` (one data record of duration 0), both
starting at the same date and time.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from edfio import Edf, EdfAnnotation, EdfSignal, Recording

PSG_CHANNELS: dict[str, float] = {
    "EEG Fpz-Cz": 100.0,
    "EEG Pz-Oz": 100.0,
    "EOG horizontal": 100.0,
    "Resp oro-nasal": 1.0,
    "EMG submental": 1.0,
    "Temp rectal": 1.0,
    "Event marker": 1.0,
}
"""The signals of a cassette PSG, in file order, with their sampling rates in Hz."""

UNITS = {"Resp oro-nasal": "", "Temp rectal": "DegC", "Event marker": ""}
RECORD_S = 30
# Digital -32768..32767 onto physical -3276.8..3276.7: one digital step is exactly 0.1.
PHYSICAL_RANGE = (-3276.8, 3276.7)
_START = datetime.datetime(1989, 4, 24, 16, 13)


def channel_values(label: str, rate: float, seconds: int) -> np.ndarray:
    """The physical values written for signal ``label``: a ramp of 0.1 steps restarting every
    1000 samples, offset by 100 times the signal's position in :data:`PSG_CHANNELS`."""
    offset = 100.0 * list(PSG_CHANNELS).index(label)
    return offset + 0.1 * (np.arange(round(seconds * rate)) % 1000)


def write_psg(path: Path, seconds: int, channels: Mapping[str, float] = PSG_CHANNELS) -> Path:
    """A PSG of ``seconds`` (a multiple of 30) with ``channels`` (label: rate in Hz)."""
    signals = [
        EdfSignal(
            channel_values(label, rate, seconds),
            rate,
            label=label,
            physical_dimension=UNITS.get(label, "uV"),
            physical_range=PHYSICAL_RANGE,
        )
        for label, rate in channels.items()
    ]
    Edf(
        signals,
        recording=Recording(startdate=_START.date()),
        starttime=_START.time(),
        data_record_duration=RECORD_S,
    ).write(path)
    return path


def write_hypnogram(path: Path, stages: Sequence[tuple[float, float, str]]) -> Path:
    """An annotation-only EDF+ hypnogram of ``(onset s, duration s, text)`` annotations."""
    Edf(
        [],
        recording=Recording(startdate=_START.date()),
        starttime=_START.time(),
        annotations=[EdfAnnotation(onset, duration, text) for onset, duration, text in stages],
    ).write(path)
    return path


def write_sleep_edf_night(
    folder: Path,
    subject: int,
    night: int,
    stages: Sequence[tuple[float, float, str]],
    *,
    seconds: int,
    channels: Mapping[str, float] = PSG_CHANNELS,
    scorer: str = "C",
) -> tuple[Path, Path]:
    """Write night ``night`` of ``subject`` into ``folder``; returns ``(psg, hypnogram)``."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"SC4{subject:02d}{night}E"
    psg = write_psg(folder / f"{stem}0-PSG.edf", seconds, channels)
    return psg, write_hypnogram(folder / f"{stem}{scorer}-Hypnogram.edf", stages)
