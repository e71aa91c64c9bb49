"""Reader for the Sleep Cassette study of the Sleep-EDF Database Expanded (PhysioNet).

The official release (https://physionet.org/content/sleep-edfx/1.0.0/) unpacks to a folder
``sleep-edf-database-expanded-1.0.0/`` whose ``sleep-cassette/`` sub-folder holds one pair of
files per night:

* ``SC4ssNE0-PSG.edf``: the polysomnogram, an EDF file (data records of 30 s) with the
  signals ``EEG Fpz-Cz``, ``EEG Pz-Oz`` and ``EOG horizontal`` at 100 Hz and ``Resp oro-nasal``,
  ``EMG submental``, ``Temp rectal`` and ``Event marker`` at 1 Hz; ``ss`` is the subject (00-82)
  and ``N`` the night (1 or 2);
* ``SC4ssNXX-Hypnogram.edf``: the sleep stages scored by experts, an annotation-only EDF+ file
  (one data record of duration 0 whose ``EDF Annotations`` signal holds the annotations). Each
  annotation has an onset and a duration in seconds from the start of the PSG and one of the
  texts ``Sleep stage W``, ``Sleep stage 1``, ``Sleep stage 2``, ``Sleep stage 3``,
  ``Sleep stage 4``, ``Sleep stage R``, ``Sleep stage ?`` or ``Movement time``. Its name differs
  from the PSG's from the 8th character on, so the two are paired by their first six characters
  ``SC4ssN``.

:func:`read_sleep_edf` returns one :class:`Recording` per night (subject ``ss``, session the PSG
file name) with the EEG, EOG and EMG channels in physical units (uV) at the rates their EDF
header gives, and one raw label code per second (:data:`SLEEP_STAGES`; stages 3 and 4 both become
N3, as in the AASM rules). Seconds no annotation covers, and annotated ``Sleep stage ?``, get the
code for unscored; annotations running past the end of the PSG are clipped. By default the long
wake periods before and after the night are cut off, the common protocol for this dataset: each
night keeps only the span from ``wake_margin_min`` minutes before its first epoch scored N1, N2,
N3 or REM to ``wake_margin_min`` minutes after its last one, widened to whole 30-s epochs and
clipped to the recording, every modality cut at the same second.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from edfio import EdfSignal, read_edf

from crossl.data.modality_info import ModalityInfo
from crossl.data.recording import Recording
from crossl.data.sources.selection import select_modalities
from crossl.errors import CrosslError

SLEEP_STAGES: dict[int, str] = {
    0: "W",
    1: "N1",
    2: "N2",
    3: "N3",
    4: "REM",
    5: "movement",
    6: "unscored",
}
"""Raw label codes: sleep stages (N3 = R&K stages 3 and 4), movement time, unscored."""

EPOCH_S = 30
"""Length of a scored epoch in seconds; wake trimming cuts on this grid."""

LABEL_RATE_HZ = 1.0

_STAGE_CODES = {
    "Sleep stage W": 0,
    "Sleep stage 1": 1,
    "Sleep stage 2": 2,
    "Sleep stage 3": 3,
    "Sleep stage 4": 3,
    "Sleep stage R": 4,
    "Movement time": 5,
    "Sleep stage ?": 6,
}
_UNSCORED = 6
_SLEEP_CODES = (1, 2, 3, 4)
# modality: (EDF signal label, sampling rate in the cassette files)
_CHANNELS = {
    "eeg_fpz_cz": ("EEG Fpz-Cz", 100.0),
    "eeg_pz_oz": ("EEG Pz-Oz", 100.0),
    "eog": ("EOG horizontal", 100.0),
    "emg": ("EMG submental", 1.0),
}
_PSG = re.compile(r"SC4(\d\d)([12])[A-Z]0-PSG\.edf$")
# What edfio raises on a malformed file (a header field that does not parse, a header cut short,
# a zero data record duration); its warnings about a truncated file are turned into errors too.
_EDF_ERRORS = (ValueError, IndexError, ArithmeticError, NameError, OSError, UserWarning)


def sleep_edf_modalities() -> list[ModalityInfo]:
    """The modalities :func:`read_sleep_edf` can produce, each its own device.

    >>> [(m.name, m.rate_hz) for m in sleep_edf_modalities()]
    [('eeg_fpz_cz', 100.0), ('eeg_pz_oz', 100.0), ('eog', 100.0), ('emg', 1.0)]
    """
    return [
        ModalityInfo(name, (label,), "uV", rate, name) for name, (label, rate) in _CHANNELS.items()
    ]


def _cassette_dir(folder: Path) -> Path:
    if not folder.is_dir():
        raise CrosslError(
            f"data folder {folder} does not exist: give the sleep-cassette folder of the "
            "Sleep-EDF Database Expanded (or the folder that contains it)"
        )
    nested = folder / "sleep-cassette"
    return nested if nested.is_dir() else folder


def _night_files(folder: Path) -> list[tuple[int, Path, Path]]:
    """``(subject, PSG, hypnogram)`` of every night in ``folder``, by subject then night."""
    psgs = sorted((m.groups(), p) for p in folder.iterdir() if (m := _PSG.match(p.name)))
    if not psgs:
        raise CrosslError(
            f"{folder} holds no SC4ssNE0-PSG.edf files: give the sleep-cassette folder of the "
            "Sleep-EDF Database Expanded"
        )
    nights = []
    for (subject, _), psg in psgs:
        hypnograms = sorted(folder.glob(f"{psg.name[:6]}??-Hypnogram.edf"))
        if len(hypnograms) != 1:
            found = ", ".join(h.name for h in hypnograms) or "none"
            raise CrosslError(
                f"{psg}: expected one hypnogram {psg.name[:6]}??-Hypnogram.edf next to it, "
                f"found {found}; download the night's hypnogram or remove the extra files"
            )
        nights.append((int(subject), psg, hypnograms[0]))
    return nights


@contextmanager
def _edf_errors(path: Path) -> Iterator[None]:
    """Turn edfio's errors and warnings about a malformed file into one :class:`CrosslError`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            yield
    except _EDF_ERRORS as err:
        reason = " ".join(str(err).split())
        raise CrosslError(
            f"{path}: corrupt or truncated EDF file ({reason}); download it again"
        ) from None


def _stage_labels(path: Path, n_seconds: int) -> np.ndarray:
    """One code per second of the PSG from the hypnogram's annotations (unscored if none)."""
    with _edf_errors(path):
        annotations = read_edf(path).annotations
    labels = np.full(n_seconds, _UNSCORED, dtype=np.int64)
    for onset, duration, text in annotations:
        if text not in _STAGE_CODES:
            raise CrosslError(
                f"{path}: unknown annotation {text!r} at {onset:g} s; expected one of "
                f"{', '.join(_STAGE_CODES)}"
            )
        if duration is None:
            raise CrosslError(f"{path}: annotation {text!r} at {onset:g} s has no duration")
        start = max(round(onset), 0)
        labels[start : max(round(onset + duration), start)] = _STAGE_CODES[text]
    return labels


def _sleep_span(labels: np.ndarray, margin_min: float, hypnogram: Path) -> tuple[int, int]:
    """Seconds ``[start, stop)`` from ``margin_min`` before the first sleep epoch to as long
    after the last, widened to whole epochs and clipped to the recording."""
    asleep = np.flatnonzero(np.isin(labels, _SLEEP_CODES))
    if not len(asleep):
        raise CrosslError(
            f"{hypnogram}: no epoch is scored as sleep, so the wake around the night cannot be "
            "trimmed; pass wake_margin_min=None to keep the whole recording"
        )
    margin_s = margin_min * 60
    start = math.floor((asleep[0] - margin_s) / EPOCH_S) * EPOCH_S
    stop = math.ceil((asleep[-1] + 1 + margin_s) / EPOCH_S) * EPOCH_S
    return max(start, 0), min(stop, len(labels))


def _read_signals(
    path: Path, by_label: dict[str, EdfSignal], names: list[str], start: int, stop: int
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The chosen modalities between seconds ``start`` and ``stop``, as float32 ``[T, 1]``."""
    signals, rates = {}, {}
    for name in names:
        label = _CHANNELS[name][0]
        if label not in by_label:
            raise CrosslError(
                f"{path}: no channel {label!r} (modality {name!r}); the file has "
                f"{', '.join(by_label) or 'no signals'}"
            )
        signal = by_label[label]
        with _edf_errors(path):
            data = signal.get_data_slice(start, stop)
        signals[name] = data.astype(np.float32)[:, None]
        rates[name] = signal.sampling_frequency
    return signals, rates


def iter_sleep_edf(
    folder: str | Path,
    *,
    modalities: Sequence[str] | None = None,
    wake_margin_min: float | None = 30.0,
) -> tuple[int, Iterator[Recording]]:
    """The number of nights and an iterator that reads them one at a time, by subject then night
    (so that preparing the whole study never holds more than one night in memory).

    Arguments as for :func:`read_sleep_edf`; the folder and options are checked at once.
    """
    names = select_modalities(modalities, _CHANNELS, "Sleep-EDF")
    if wake_margin_min is not None and wake_margin_min < 0:
        raise CrosslError(f"wake_margin_min must be >= 0 or None, got {wake_margin_min}")
    nights = _night_files(_cassette_dir(Path(folder)))
    return len(nights), (
        _read_night(subject, psg, hypnogram, names, wake_margin_min)
        for subject, psg, hypnogram in nights
    )


def read_sleep_edf(
    folder: str | Path,
    *,
    modalities: Sequence[str] | None = None,
    wake_margin_min: float | None = 30.0,
) -> list[Recording]:
    """Read every night of the Sleep Cassette study into recordings, by subject then night.

    ``folder`` is ``sleep-cassette/`` or a folder that contains it; ``modalities`` picks among
    :func:`sleep_edf_modalities` (all by default). Wake farther than ``wake_margin_min`` minutes
    from the first and last sleep epoch is cut off; ``None`` keeps the whole recording.
    """
    _, nights = iter_sleep_edf(folder, modalities=modalities, wake_margin_min=wake_margin_min)
    return list(nights)


def _read_night(
    subject: int,
    psg_path: Path,
    hypnogram: Path,
    names: list[str],
    wake_margin_min: float | None,
) -> Recording:
    with _edf_errors(psg_path):
        psg = read_edf(psg_path)
        channels = {signal.label: signal for signal in psg.signals}
    labels = _stage_labels(hypnogram, int(psg.duration))
    start, stop = 0, len(labels)
    if wake_margin_min is not None:
        start, stop = _sleep_span(labels, wake_margin_min, hypnogram)
    signals, rates = _read_signals(psg_path, channels, names, start, stop)
    return Recording(
        subject=subject,
        signals=signals,
        labels=labels[start:stop],
        rates=rates,
        label_rate_hz=LABEL_RATE_HZ,
        session=psg_path.name,
    )
