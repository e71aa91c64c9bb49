"""The datasets ``crossl datasets prepare`` knows: the CroSSL paper's (PAMAP2, WESAD, Sleep-EDF),
UCI-HAR, the UEA/UCR archives and the user's own ``.npz`` windows or CSV/Parquet tables.

Each recipe fixes the preprocessing the paper left unpublished: modalities, window and stride,
resampling, gap handling, classes, and the subject-wise split (docs/datasets.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from crossl.data.cutting import CutSpec
from crossl.data.label_map import LabelMap
from crossl.data.modality_info import ModalityInfo
from crossl.data.raw_windows import RawWindows
from crossl.data.recipe import Recipe, Source, devices_of
from crossl.errors import CrosslError

PAMAP2_CLASSES = (1, 2, 3, 4, 5, 6, 7, 12, 13, 16, 17, 24)
PAMAP2_PAIRS = ("hand_acc", "hand_gyro", "chest_acc", "chest_gyro", "ankle_acc", "ankle_gyro")
WESAD_CHEST = ("chest_ecg", "chest_emg", "chest_eda")
WESAD_WRIST = ("wrist_acc", "wrist_bvp", "wrist_eda", "wrist_temp")
SLEEP_MODALITIES = ("eeg_fpz_cz", "eeg_pz_oz", "eog", "emg")


def files_under(root: Path, patterns: Sequence[str]) -> list[Path]:
    """Files below ``root`` matching any of the glob ``patterns``, sorted, without duplicates."""
    if root.is_file():
        return [root]
    return sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})


def _globs(*patterns: str) -> Callable[[Path, dict[str, Any]], list[Path]]:
    return lambda root, options: files_under(root, patterns)


def _pamap2_inputs(root: Path, options: dict[str, Any]) -> list[Path]:
    parts = ["Protocol", "Optional"] if options["optional"] else ["Protocol"]
    return files_under(root, [f"**/{part}/subject*.dat" for part in parts])


def _table_inputs(root: Path, options: dict[str, Any]) -> list[Path]:
    from crossl.data.sources.table_spec import load_table_spec

    spec = Path(options["spec"]) if options["spec"] else None
    if spec is None or not spec.is_file():
        raise CrosslError(
            "dataset table needs its YAML spec: add spec=PATH to an existing file "
            "(see docs/datasets.md, own data)"
        )
    return [spec, *files_under(root, [load_table_spec(spec).files])]


def _select(infos: list[ModalityInfo], names: Sequence[str], rates: dict[str, float]):
    by_name = {m.name: m for m in infos}
    return [
        ModalityInfo(n, by_name[n].channels, by_name[n].unit, rates[n], by_name[n].device)
        for n in names
    ]


def _open_pamap2(root: Path, options: dict[str, Any], heart_rate: bool) -> Source:
    from crossl.data.sources.pamap2 import PAMAP2_ACTIVITIES, pamap2_modalities, read_pamap2

    names = [*PAMAP2_PAIRS, "heart_rate"] if heart_rate else list(PAMAP2_PAIRS)
    recordings = [
        r
        for r in read_pamap2(root, modalities=names, optional=bool(options["optional"]))
        if r.subject not in options["exclude_subjects"]
    ]
    rates = dict.fromkeys(names, 100.0)
    modalities = _select(pamap2_modalities(heart_rate), names, rates)
    classes = {code: i for i, code in enumerate(PAMAP2_CLASSES)}
    gaps = {n: float(options["max_gap_s"]) for n in names} | {"heart_rate": 2.0}
    return Source(
        recordings,
        len(recordings),
        modalities,
        [PAMAP2_ACTIVITIES[c] for c in PAMAP2_CLASSES],
        LabelMap(classes, ignore=frozenset(set(PAMAP2_ACTIVITIES) - set(classes))),
        CutSpec(tuple(names), 5.12, 2.56, rates, gaps),
        {"kind": "loso", "n_val": 1},
        devices_of(modalities),
    )


def _open_wesad(root: Path, options: dict[str, Any], wrist: bool) -> Source:
    from crossl.data.sources.wesad import WESAD_LABELS, iter_wesad, wesad_modalities

    chest_rate = float(options["chest_rate_hz"])
    names = [*WESAD_CHEST, *WESAD_WRIST] if wrist else list(WESAD_CHEST)
    native = {m.name: m.rate_hz for m in wesad_modalities()}
    rates = {n: chest_rate if n in WESAD_CHEST else native[n] for n in names}
    count, recordings = iter_wesad(root, modalities=names)
    modalities = _select(wesad_modalities(), names, rates)
    devices = devices_of(modalities) if wrist else {n: [n] for n in names}
    window = float(options["window_s"])
    return Source(
        recordings,
        count,
        modalities,
        [WESAD_LABELS[c] for c in (1, 2, 3, 4)],
        LabelMap({1: 0, 2: 1, 3: 2, 4: 3}, ignore=frozenset({0, 5, 6, 7})),
        CutSpec(tuple(names), window, window / 2, rates, dict.fromkeys(names, 0.0)),
        {"kind": "loso", "n_val": 1},
        devices,
    )


def _open_sleep_edf(root: Path, options: dict[str, Any]) -> Source:
    from crossl.data.sources.sleep_edf import SLEEP_STAGES, iter_sleep_edf, sleep_edf_modalities

    names = list(SLEEP_MODALITIES)
    count, nights = iter_sleep_edf(
        root, modalities=names, wake_margin_min=options["wake_margin_min"]
    )
    rates = {m.name: m.rate_hz for m in sleep_edf_modalities()}
    modalities = _select(sleep_edf_modalities(), names, rates)
    return Source(
        nights,
        count,
        modalities,
        [SLEEP_STAGES[c] for c in range(5)],
        LabelMap({c: c for c in range(5)}, drop=frozenset({5, 6})),
        CutSpec(tuple(names), 30.0, 30.0, rates, dict.fromkeys(names, 0.0)),
        {"kind": "random", "test_fraction": 0.2, "val_fraction": 0.1, "seed": 0},
        {n: [n] for n in names},
    )


def _windowed_cut(modalities: list[ModalityInfo], shapes: dict[str, int]) -> CutSpec:
    names = tuple(m.name for m in modalities)
    rates = {m.name: m.rate_hz for m in modalities}
    window = shapes[names[0]] / rates[names[0]]
    return CutSpec(names, window, window, rates, dict.fromkeys(names, 0.0))


def _open_uci_har(root: Path, options: dict[str, Any]) -> Source:
    from crossl.data.sources.uci_har import UCI_HAR_ACTIVITIES, read_uci_har, uci_har_modalities

    raw = read_uci_har(root)
    modalities = uci_har_modalities()
    shapes = {k: v.shape[2] for k, v in raw.signals.items()}
    return Source(
        raw,
        1,
        modalities,
        [UCI_HAR_ACTIVITIES[c] for c in sorted(UCI_HAR_ACTIVITIES)],
        LabelMap({c: i for i, c in enumerate(sorted(UCI_HAR_ACTIVITIES))}),
        _windowed_cut(modalities, shapes),
        {"kind": "official", "val_fraction": 0.15, "seed": 0},
        devices_of(modalities),
    )


def _open_uea(root: Path, options: dict[str, Any]) -> Source:
    from crossl.data.sources.uea import read_uea

    raw, class_names, modalities = read_uea(root, channel_groups=options["channels"])
    return _windows_source(raw, class_names, modalities)


def _open_npz(root: Path, options: dict[str, Any]) -> Source:
    from crossl.data.sources.npz_windows import read_npz

    files = files_under(root, ["*.npz"])
    if len(files) != 1:
        raise CrosslError(
            f"{root}: expected one .npz file (or a folder holding one), found {len(files)}"
        )
    raw, class_names = read_npz(files[0])
    rate = float(options["rate_hz"])
    modalities = [
        ModalityInfo(k, tuple(f"ch{i}" for i in range(v.shape[1])), "", rate, k)
        for k, v in raw.signals.items()
    ]
    return _windows_source(raw, class_names, modalities)


def _windows_source(
    raw: RawWindows, class_names: list[str], modalities: list[ModalityInfo]
) -> Source:
    official = bool((raw.partition == 1).any())
    split = (
        {"kind": "official", "val_fraction": 0.2, "seed": 0}
        if official
        else {"kind": "random", "test_fraction": 0.2, "val_fraction": 0.1, "seed": 0}
    )
    return Source(
        raw,
        1,
        modalities,
        class_names,
        LabelMap({i: i for i in range(len(class_names))}),
        _windowed_cut(modalities, {k: v.shape[2] for k, v in raw.signals.items()}),
        split,
        devices_of(modalities),
    )


def _table_split(split: Any) -> dict[str, Any]:
    """The split rule of a table spec's ``split`` (default: 20 % test, 10 % validation subjects)."""
    if split is None:
        return {"kind": "random", "test_fraction": 0.2, "val_fraction": 0.1, "seed": 0}
    if split.by_subjects:
        return {"kind": "fixed", "test": list(split.test_subjects), "val": list(split.val_subjects)}
    return {
        "kind": "random",
        "test_fraction": split.test_fraction,
        "val_fraction": split.val_fraction,
        "seed": split.seed,
    }


def _open_table(root: Path, options: dict[str, Any]) -> Source:
    from crossl.data.sources.long_table import read_table
    from crossl.data.sources.table_spec import load_table_spec

    spec = load_table_spec(Path(options["spec"]))
    recordings = read_table(root, spec)
    modalities = spec.modalities()
    names = tuple(m.name for m in modalities)
    rates = {m.name: m.rate_hz for m in modalities}
    gaps = dict.fromkeys(names, float(options["max_gap_s"]))
    return Source(
        recordings,
        len(recordings),
        modalities,
        spec.class_names,
        LabelMap({i: i for i in range(len(spec.class_names))}),
        CutSpec(names, spec.window_s, spec.stride_s, rates, gaps),
        _table_split(spec.split),
        devices_of(modalities),
    )


RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        Recipe(
            "pamap2",
            "PAMAP2, hand/chest/ankle IMU acc (±16 g) + gyro at 100 Hz, 12 activities, "
            "5.12-s windows, leave-one-subject-out",
            "PAMAP2_Dataset/Protocol/subject101.dat … (Optional/ with optional=true)",
            lambda root, o: _open_pamap2(root, o, heart_rate=False),
            _pamap2_inputs,
            {"optional": False, "exclude_subjects": [109], "max_gap_s": 0.1},
        ),
        Recipe(
            "pamap2-hr",
            "PAMAP2 with heart rate as a 7th modality (interpolated over gaps up to 2 s)",
            "PAMAP2_Dataset/Protocol/subject101.dat …",
            lambda root, o: _open_pamap2(root, o, heart_rate=True),
            _pamap2_inputs,
            {"optional": False, "exclude_subjects": [109], "max_gap_s": 0.1},
        ),
        Recipe(
            "wesad",
            "WESAD chest ECG, EMG, EDA resampled 700 → 100 Hz, 4 affect states, 10-s windows "
            "(1000 samples), leave-one-subject-out",
            "WESAD/S2/S2.pkl … WESAD/S17/S17.pkl",
            lambda root, o: _open_wesad(root, o, wrist=False),
            _globs("**/S*.pkl"),
            {"chest_rate_hz": 100.0, "window_s": 10.0},
        ),
        Recipe(
            "wesad-wrist-chest",
            "WESAD chest ECG/EMG/EDA (100 Hz) + wrist ACC 32 Hz, BVP 64 Hz, EDA 4 Hz, TEMP 4 Hz",
            "WESAD/S2/S2.pkl … WESAD/S17/S17.pkl",
            lambda root, o: _open_wesad(root, o, wrist=True),
            _globs("**/S*.pkl"),
            {"chest_rate_hz": 100.0, "window_s": 10.0},
        ),
        Recipe(
            "sleepedf",
            "Sleep-EDF cassette, EEG Fpz-Cz, EEG Pz-Oz, EOG (100 Hz), EMG (1 Hz), 30-s epochs, "
            "W/N1/N2/N3/REM, wake trimmed to 30 min around sleep, subject-wise split",
            "sleep-cassette/SC4001E0-PSG.edf + SC4001EC-Hypnogram.edf …",
            _open_sleep_edf,
            _globs("**/SC*-PSG.edf", "**/SC*-Hypnogram.edf"),
            {"wake_margin_min": 30.0},
        ),
        Recipe(
            "ucihar",
            "UCI-HAR, waist phone body_acc, body_gyro, total_acc at 50 Hz, published 2.56-s "
            "windows, 6 activities, official train/test subjects",
            "UCI HAR Dataset/{train,test}/Inertial Signals/*.txt",
            _open_uci_har,
            _globs("**/Inertial Signals/*.txt", "**/subject_*.txt", "**/y_*.txt"),
        ),
        Recipe(
            "uea",
            "a UEA/UCR archive problem (.ts or .arff), channels grouped into modalities",
            "Problem/Problem_TRAIN.ts + Problem_TEST.ts (or .arff)",
            _open_uea,
            _globs("*.ts", "*.arff"),
            {"channels": None},
        ),
        Recipe(
            "npz",
            "your own windows: one [N, C, T] array per modality + labels + subjects in a .npz",
            "windows.npz",
            _open_npz,
            _globs("*.npz"),
            {"rate_hz": 1.0},
        ),
        Recipe(
            "table",
            "your own long CSV/Parquet tables (subject, timestamp, channels, label) + a YAML spec",
            "*.csv or *.parquet + spec.yaml",
            _open_table,
            _table_inputs,
            {"spec": None, "max_gap_s": 0.1},
        ),
    )
}


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``."""
    if name not in RECIPES:
        raise CrosslError(f"unknown dataset {name!r}: choose one of {', '.join(RECIPES)}")
    return RECIPES[name]
