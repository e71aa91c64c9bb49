"""Reader for one problem of the UEA/UCR time-series classification archive.

Download a problem from https://www.timeseriesclassification.com and unpack it: its folder (e.g.
``BasicMotions/``) holds ``<Problem>_TRAIN.ts`` and ``<Problem>_TEST.ts`` and/or the same as
``.arff``; the ``.ts`` file is read when both exist (formats: :mod:`.ts_archive`,
:mod:`.arff_archive`). Each case is one window. The archive publishes no sampling rate, units or
subjects: every modality gets rate 1.0 Hz (one step per sample), unit ``""`` and its own name as
device, and every case is its own subject (ids ``0..N-1``, TRAIN then TEST).

Cases shorter than the longest case of the problem (TRAIN and TEST together) are padded at the
end by repeating each dimension's last observed value; a dimension with no observed value stays
all-NaN. Missing values (``?``) inside a case stay NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from crossl.data.modality_info import ModalityInfo
from crossl.data.raw_windows import RawWindows
from crossl.data.sources.arff_archive import read_arff
from crossl.data.sources.ts_archive import TsArchive, read_ts
from crossl.errors import CrosslError

_READERS = {".ts": read_ts, ".arff": read_arff}
_PARTS = ("TRAIN", "TEST")


def read_uea(
    folder: str | Path, *, channel_groups: Mapping[str, Sequence[int]] | None = None
) -> tuple[RawWindows, list[str], list[ModalityInfo]]:
    """Read a problem folder into windows, the class names and the modalities.

    Labels are indices into the class names (the TRAIN file's declared labels in order; -1 when
    the files carry no labels); partition 0 holds TRAIN, 1 TEST. ``channel_groups`` maps a
    modality name to its dimension indices, e.g. ``{"acc": [0, 1, 2], "gyro": [3, 4, 5]}``
    (each dimension at most once; dimensions in no group are left out); by default one modality
    ``signal`` holds all dimensions. Channels are named ``dim<index>``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CrosslError(
            f"data folder {folder} does not exist: give the problem's folder holding "
            "<Problem>_TRAIN.ts and <Problem>_TEST.ts"
        )
    train, test = (_read_part(folder, part) for part in _PARTS)
    if train.n_dimensions != test.n_dimensions:
        raise CrosslError(
            f"{train.path.name} has {train.n_dimensions} dimensions but {test.path.name} has "
            f"{test.n_dimensions}: the files belong to different problems"
        )
    groups = _channel_groups(folder, channel_groups, train.n_dimensions)
    data = _pad(train.cases + test.cases)
    labels = np.concatenate([_codes(part, train) for part in (train, test)])
    partition = np.repeat(np.arange(2, dtype=np.int8), [len(train.cases), len(test.cases)])
    windows = RawWindows(
        {name: data[:, dims, :] for name, dims in groups.items()},
        labels,
        np.arange(len(labels), dtype=np.int64),
        partition,
    )
    modalities = [
        ModalityInfo(name, tuple(f"dim{d}" for d in dims), "", 1.0, name)
        for name, dims in groups.items()
    ]
    return windows, list(train.class_labels), modalities


def _read_part(folder: Path, part: str) -> TsArchive:
    for suffix, read in _READERS.items():
        found = sorted(folder.glob(f"*_{part}{suffix}"))
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise CrosslError(f"{folder} holds several {part} files ({names}): keep one problem")
        if found:
            return read(found[0])
    raise CrosslError(
        f"{folder} has no *_{part}.ts or *_{part}.arff file: give the folder of one unpacked "
        "UEA/UCR problem"
    )


def _codes(part: TsArchive, train: TsArchive) -> np.ndarray:
    """Class indices of ``part``'s cases in ``train``'s declared labels (-1 for no label)."""
    index = {label: code for code, label in enumerate(train.class_labels)}
    codes = np.full(len(part.labels), -1, dtype=np.int64)
    for i, (label, line) in enumerate(zip(part.labels, part.lines, strict=True)):
        if label is None:
            continue
        if label not in index:
            raise CrosslError(
                f"{part.path}, line {line}: class label {label!r} is not declared in "
                f"{train.path.name}: the files belong to different problems"
            )
        codes[i] = index[label]
    return codes


def _channel_groups(
    folder: Path, channel_groups: Mapping[str, Sequence[int]] | None, n_dimensions: int
) -> dict[str, list[int]]:
    if channel_groups is None:
        return {"signal": list(range(n_dimensions))}
    if not channel_groups:
        raise CrosslError(f"{folder}: channel_groups is empty: name at least one modality")
    owner: dict[int, str] = {}
    for name, dims in channel_groups.items():
        if not dims:
            raise CrosslError(f"{folder}: channel group {name!r} has no dimension")
        for d in dims:
            if not _is_index(d, n_dimensions):
                raise CrosslError(
                    f"{folder}: channel group {name!r} names dimension {d!r}, but the problem has "
                    f"dimensions 0..{n_dimensions - 1}"
                )
            if d in owner:
                raise CrosslError(
                    f"{folder}: dimension {d} is in channel groups {owner[d]!r} and {name!r}: "
                    "give each dimension to one group"
                )
            owner[d] = name
    return {name: [int(d) for d in dims] for name, dims in channel_groups.items()}


def _is_index(d: object, n_dimensions: int) -> bool:
    if isinstance(d, bool) or not isinstance(d, int | np.integer):
        return False
    return bool(0 <= d < n_dimensions)


def _pad(cases: list[np.ndarray]) -> np.ndarray:
    """Stack ``[D, T_i]`` cases into ``[N, D, T]`` float32, repeating each dimension's last
    observed value up to the longest ``T``."""
    length = max(case.shape[1] for case in cases)
    out = np.empty((len(cases), cases[0].shape[0], length), dtype=np.float32)
    for i, case in enumerate(cases):
        steps = case.shape[1]
        out[i, :, :steps] = case
        observed = ~np.isnan(case)
        last = steps - 1 - np.argmax(observed[:, ::-1], axis=1)
        fill = np.where(observed.any(axis=1), case[np.arange(len(case)), last], np.nan)
        out[i, :, steps:] = fill[:, None]
    return out
