"""YAML spec that describes a long CSV / Parquet table of the user's own recordings.

A long table has one row per time step. The spec names its columns and says how to cut it::

    files: "*.csv"            # glob relative to the data folder, or one file; .csv or .parquet
    subject: subject          # column of integer subject ids
    timestamp: time_s         # column of times in seconds (numbers)
    label: activity           # optional column of label values; absent: every row unlabelled
    rate_hz: 50               # the table's row rate
    classes: [walk, run, sit] # label values in class order (strings or integers)
    ignore_labels: [other]    # optional: label values that are known but no class
    modalities:
      acc: {columns: [ax, ay, az], unit: g, device: wrist}
      hr: {columns: [hr], unit: bpm, device: chest_strap, rate_hz: 1}
    window_s: 5.0             # window length in seconds
    stride_s: 2.5             # optional, default window_s
    split: {test_subjects: [3], val_subjects: [2]}   # optional; or
    # split: {test_fraction: 0.2, val_fraction: 0.1, seed: 0}   (fractions of the subjects)

Required keys: ``files``, ``subject``, ``timestamp``, ``rate_hz``, ``modalities``, ``window_s``;
``classes`` is required when ``label`` is given. A modality needs ``columns``; ``unit`` defaults
to ``""``, ``device`` to the modality's name (modalities of one device go missing together) and
``rate_hz`` to the table's rate. A modality logged at a lower rate (a heart-rate monitor writing
into a faster table, a thermometer read once a minute) must have a rate that divides the
table's rate. Quote label
values such as ``yes``, ``no``, ``on`` and ``off``: YAML reads them as booleans.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from crossl.data.modality_info import ModalityInfo
from crossl.errors import CrosslError

_MISSING = object()
_TOP_KEYS = (
    "files",
    "subject",
    "timestamp",
    "label",
    "rate_hz",
    "classes",
    "ignore_labels",
    "modalities",
    "window_s",
    "stride_s",
    "split",
)
_MODALITY_KEYS = ("columns", "unit", "device", "rate_hz")
# Relative precision to which a modality's rate_hz must match the table rate over an integer.
_RATE_DIGITS = 1e-4
_SUBJECT_SPLIT_KEYS = ("test_subjects", "val_subjects")
_FRACTION_SPLIT_KEYS = ("test_fraction", "val_fraction", "seed")


@dataclass(frozen=True)
class ModalitySpec:
    """Columns of one modality, its unit, device and sampling rate in Hz."""

    columns: tuple[str, ...]
    unit: str
    device: str
    rate_hz: float


@dataclass(frozen=True)
class SplitSpec:
    """Test / validation subjects, given as lists or as seeded fractions of the subjects."""

    test_subjects: tuple[int, ...] = ()
    val_subjects: tuple[int, ...] = ()
    test_fraction: float = 0.0
    val_fraction: float = 0.0
    seed: int = 0

    @property
    def by_subjects(self) -> bool:
        """True when the split lists subjects, False when it draws fractions."""
        return bool(self.test_subjects or self.val_subjects)


@dataclass(frozen=True)
class TableSpec:
    """A validated table spec; build it with :func:`load_table_spec` or :func:`parse_table_spec`.

    >>> spec = parse_table_spec({"files": "a.csv", "subject": "s", "timestamp": "t",
    ...     "rate_hz": 4, "window_s": 2, "label": "y", "classes": ["rest", 7],
    ...     "modalities": {"hr": {"columns": ["bpm"], "rate_hz": 2}}})
    >>> spec.modalities()[0]
    ModalityInfo(name='hr', channels=('bpm',), unit='', rate_hz=2.0, device='hr')
    >>> spec.class_names, spec.label_codes(), spec.stride_s
    (['rest', '7'], {'rest': 0, '7': 1}, 2.0)
    """

    files: str
    subject: str
    timestamp: str
    rate_hz: float
    modality_specs: dict[str, ModalitySpec]
    window_s: float
    stride_s: float
    label: str | None = None
    classes: tuple[str | int, ...] = ()
    ignore_labels: tuple[str | int, ...] = ()
    split: SplitSpec | None = None

    def modalities(self) -> list[ModalityInfo]:
        """One :class:`ModalityInfo` per modality; its channels are the column names."""
        return [
            ModalityInfo(name, m.columns, m.unit, m.rate_hz, m.device)
            for name, m in self.modality_specs.items()
        ]

    @property
    def class_names(self) -> list[str]:
        """The class values as text, in class order."""
        return [str(c) for c in self.classes]

    @property
    def columns(self) -> list[str]:
        """Every column the table must have: subject, timestamp, label, then channels."""
        label = [self.label] if self.label is not None else []
        channels = [c for m in self.modality_specs.values() for c in m.columns]
        return [self.subject, self.timestamp, *label, *channels]

    def label_codes(self) -> dict[str, int]:
        """:func:`label_key` of each known label value → raw code (class index, or -1 if ignored)."""
        codes = {label_key(v): -1 for v in self.ignore_labels}
        codes.update({label_key(v): i for i, v in enumerate(self.classes)})
        return codes


def label_key(value: object) -> str:
    """Canonical text of a label value, so that ``1``, ``1.0`` and ``"1"`` are the same label.

    >>> label_key(3), label_key(3.0), label_key(" walk "), label_key(2.5)
    ('3', '3', 'walk', '2.5')
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer():
            return str(int(number))
        return repr(number)
    return str(value).strip()


def load_table_spec(path: str | Path) -> TableSpec:
    """Read and validate the YAML table spec at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise CrosslError(f"table spec {path} does not exist: give the path of the YAML spec")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise CrosslError(f"{path}: unreadable ({err})") from None
    except yaml.YAMLError as err:
        raise CrosslError(f"{path}: not valid YAML ({' '.join(str(err).split())})") from None
    return parse_table_spec(data, str(path))


def parse_table_spec(data: Any, source: str = "spec") -> TableSpec:
    """Validate a spec given as plain Python data (a YAML mapping); ``source`` names it in errors."""
    top = _Section(data, source, "", _TOP_KEYS)
    rate = top.positive("rate_hz")
    label = top.text("label", None)
    classes = top.label_values("classes", [] if label is None else _MISSING, label is not None)
    ignore = top.label_values("ignore_labels", [], required=False)
    window = top.positive("window_s")
    spec = TableSpec(
        files=_files_pattern(top),
        subject=top.text("subject"),
        timestamp=top.text("timestamp"),
        rate_hz=rate,
        modality_specs=_modalities(top, rate),
        window_s=window,
        stride_s=top.positive("stride_s", window),
        label=label,
        classes=classes,
        ignore_labels=ignore,
        split=_split(top),
    )
    _check_labels(source, classes, ignore)
    _check_columns(source, spec.columns)
    return spec


class _Section:
    """One mapping of the spec: refuses unknown keys and reads typed values, naming the key."""

    def __init__(self, data: Any, source: str, prefix: str, valid: tuple[str, ...]):
        self.source, self.prefix = source, prefix
        if not isinstance(data, Mapping):
            where = f"{prefix.rstrip('.')!r}" if prefix else "the spec"
            raise CrosslError(
                f"{source}: {where} must be a mapping of keys to values, got {data!r}"
            )
        unknown = [k for k in data if k not in valid]
        if unknown:
            raise CrosslError(
                f"{source}: unknown key {prefix}{unknown[0]}; valid keys: {', '.join(valid)}"
            )
        self.data = data

    def fail(self, key: str, expected: str) -> CrosslError:
        return CrosslError(
            f"{self.source}: {self.prefix}{key} must be {expected}, got {self.data[key]!r}"
        )

    def get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise CrosslError(f"{self.source}: required key {self.prefix}{key} is missing")
        return default

    def text(self, key: str, default: Any = _MISSING) -> Any:
        value = self.get(key, default)
        if key in self.data and not (isinstance(value, str) and value.strip()):
            raise self.fail(key, "a non-empty text")
        return value

    def positive(self, key: str, default: Any = _MISSING) -> float:
        value = self.get(key, default)
        if not _is_number(value) or not math.isfinite(value) or value <= 0:
            raise self.fail(key, "a positive number")
        return float(value)

    def fraction(self, key: str) -> float:
        value = self.get(key, 0.0)
        if not _is_number(value) or not 0 <= value < 1:
            raise self.fail(key, "a number in [0, 1)")
        return float(value)

    def integer(self, key: str, default: Any) -> int:
        value = self.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(key, "an integer")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.get(key, _MISSING)
        if not _is_list_of(value, str) or not value or len(set(value)) < len(value):
            raise self.fail(key, "a non-empty list of distinct column names (quoted if numeric)")
        return tuple(value)

    def integers(self, key: str) -> tuple[int, ...]:
        value = self.get(key, [])
        if not _is_list_of(value, int):
            raise self.fail(key, "a list of integer subject ids")
        return tuple(value)

    def label_values(self, key: str, default: Any, required: bool) -> tuple[str | int, ...]:
        value = self.get(key, default)
        if (
            not _is_list_of(value, (str, int))
            or any(label_key(v) == "" for v in value)
            or (required and not value)
        ):
            raise self.fail(
                key, "a list of label values, text or integers (quote yes / no / on / off)"
            )
        return tuple(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_list_of(value: Any, kind: type | tuple[type, ...]) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, kind) and not isinstance(v, bool) for v in value
    )


def _files_pattern(top: _Section) -> str:
    files = top.text("files")
    if Path(files).is_absolute():
        raise top.fail("files", "a file name or glob relative to the data folder")
    if not files.lower().endswith((".csv", ".parquet")):
        raise top.fail("files", "a pattern of .csv or .parquet files")
    return files


def _modalities(top: _Section, table_rate: float) -> dict[str, ModalitySpec]:
    entries = top.get("modalities", _MISSING)
    if not isinstance(entries, Mapping) or not entries:
        raise top.fail("modalities", "a mapping of modality names to {columns: [...], ...}")
    modalities = {}
    for name, entry in entries.items():
        if not (isinstance(name, str) and name.strip()):
            raise top.fail("modalities", "a mapping whose keys are modality names")
        section = _Section(entry, top.source, f"modalities.{name}.", _MODALITY_KEYS)
        rate = _modality_rate(section, section.positive("rate_hz", table_rate), table_rate)
        modalities[name] = ModalitySpec(
            columns=section.texts("columns"),
            unit=section.text("unit", ""),
            device=section.text("device", name),
            rate_hz=rate,
        )
    return modalities


def _modality_rate(section: _Section, rate: float, table_rate: float) -> float:
    """The table rate divided by the integer ``rate`` stands for; a rate written with a few
    digits (``0.016667`` for once a minute in a 1 Hz table) is taken as that exact fraction."""
    ratio = table_rate / rate
    if rate > table_rate or abs(ratio - round(ratio)) > _RATE_DIGITS * ratio:
        raise section.fail("rate_hz", f"the table rate {table_rate:g} Hz divided by an integer")
    return table_rate / round(ratio)


def _split(top: _Section) -> SplitSpec | None:
    data = top.get("split", None)
    if data is None:
        return None
    section = _Section(data, top.source, "split.", _SUBJECT_SPLIT_KEYS + _FRACTION_SPLIT_KEYS)
    if any(k in data for k in _SUBJECT_SPLIT_KEYS):
        if any(k in data for k in _FRACTION_SPLIT_KEYS):
            raise CrosslError(
                f"{top.source}: split gives both subject lists and fractions; "
                f"use either {' / '.join(_SUBJECT_SPLIT_KEYS)} or {' / '.join(_FRACTION_SPLIT_KEYS)}"
            )
        return _subject_split(section)
    split = SplitSpec(
        test_fraction=section.fraction("test_fraction"),
        val_fraction=section.fraction("val_fraction"),
        seed=section.integer("seed", 0),
    )
    if not 0 < split.test_fraction + split.val_fraction < 1:
        raise CrosslError(
            f"{top.source}: split needs test_subjects / val_subjects, or test_fraction + "
            "val_fraction above 0 and below 1"
        )
    return split


def _subject_split(section: _Section) -> SplitSpec:
    split = SplitSpec(
        test_subjects=section.integers("test_subjects"),
        val_subjects=section.integers("val_subjects"),
    )
    if not split.by_subjects:
        raise CrosslError(f"{section.source}: split names no test_subjects nor val_subjects")
    both = sorted(set(split.test_subjects) & set(split.val_subjects))
    if both:
        raise CrosslError(f"{section.source}: subjects {both} are both test and val subjects")
    return split


def _check_labels(source: str, classes: tuple, ignore: tuple) -> None:
    counts = Counter(label_key(v) for v in (*classes, *ignore))
    repeated = sorted(k for k, n in counts.items() if n > 1)
    if repeated:
        raise CrosslError(
            f"{source}: label value {repeated[0]!r} appears more than once in classes / "
            "ignore_labels (1, 1.0 and '1' are the same value)"
        )


def _check_columns(source: str, columns: list[str]) -> None:
    repeated = sorted(c for c, n in Counter(columns).items() if n > 1)
    if repeated:
        raise CrosslError(
            f"{source}: column {repeated[0]!r} is used more than once (subject, timestamp, "
            "label and every modality channel need their own column)"
        )
