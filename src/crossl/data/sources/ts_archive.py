"""Parser for the ``.ts`` files of the UEA/UCR time-series classification archive.

A ``.ts`` file (https://www.timeseriesclassification.com) holds, in this order: comment lines
starting with ``#``; header lines ``@tag value`` (tags are case-insensitive); the line ``@data``;
one case per line. The header tags read are:

* ``@problemName NAME`` -- the problem's name (quotes around it are dropped);
* ``@timeStamps false`` -- ``true`` (values given as ``(time,value)`` pairs) is not supported;
* ``@univariate true|false`` and ``@dimensions N`` (or ``@dimension N``) -- the number of
  dimensions every case must have (1 when univariate; otherwise the first case decides);
* ``@equalLength true|false`` and ``@seriesLength L`` -- when both ``true`` and ``L`` are given,
  every dimension of every case must have ``L`` values;
* ``@classLabel true LABEL...`` declares the class labels in order, and each case then ends with
  one of them; ``@classLabel false`` means cases carry no label;
* ``@targetLabel true`` (a regression target) is not supported.

Other tags (``@missing`` among them) are accepted and ignored. A case line holds its dimensions
separated by ``:``, the values of a dimension separated by ``,``, and the class label as the last
``:`` field, e.g. ``1.0,2.0,?:0.5,0.1,0.2:walking``. ``?`` (or ``NaN``) is a missing value. All
dimensions of a case have the same length; a dimension that is entirely missing may be written
as a single ``?``. Cases may differ in length (``@equalLength false``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from crossl.errors import CrosslError


@dataclass
class TsArchive:
    """The cases of one ``_TRAIN`` or ``_TEST`` file of a UEA/UCR problem.

    ``cases[i]`` is ``[D, T_i]`` float64 (NaN marks a missing value), ``labels[i]`` its class
    label (one of ``class_labels``, the declared labels in order; None when the file carries no
    labels) and ``lines[i]`` the line of ``path`` it was read from.
    """

    problem: str
    path: Path
    cases: list[np.ndarray]
    labels: list[str | None]
    class_labels: list[str]
    lines: list[int]

    @property
    def n_dimensions(self) -> int:
        return self.cases[0].shape[0]


@dataclass
class _Header:
    problem: str
    dimensions: int | None = None
    equal_length: bool = False
    series_length: int | None = None
    class_labels: list[str] | None = None

    @property
    def required_length(self) -> int | None:
        return self.series_length if self.equal_length else None


def read_ts(path: str | Path) -> TsArchive:
    """Parse a ``.ts`` file of the UEA/UCR archive (format in the module docstring)."""
    path = Path(path)
    with open_archive_file(path) as file:
        lines = content_lines(file, comment="#")
        header = _read_header(path, lines)
        archive = TsArchive(header.problem, path, [], [], header.class_labels or [], [])
        return collect_cases(
            archive, lines, header.dimensions, lambda text, where: _parse_case(text, header, where)
        )


def collect_cases(
    archive: TsArchive,
    lines: Iterator[tuple[int, str]],
    dimensions: int | None,
    parse_case: Callable[[str, str], tuple[np.ndarray, str | None]],
) -> TsArchive:
    """Parse every data line into ``archive`` (cases, labels, line numbers), checking that all
    cases have ``dimensions`` dimensions (the first case's when None)."""
    for number, text in lines:
        where = f"{archive.path}, line {number}"
        case, label = parse_case(text, where)
        dimensions = check_dimensions(case, dimensions, where)
        archive.cases.append(case)
        archive.labels.append(label)
        archive.lines.append(number)
    if not archive.cases:
        raise CrosslError(f"{archive.path}: no case after @data: the file is truncated")
    return archive


def open_archive_file(path: Path) -> TextIO:
    """Open an archive file as text, with a clear error when it is missing."""
    try:
        return path.open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise CrosslError(f"{path} is missing: download the problem again") from None
    except OSError as err:
        raise CrosslError(f"{path}: unreadable ({err})") from None


def content_lines(file: Iterable[str], comment: str) -> Iterator[tuple[int, str]]:
    """``(line number, stripped text)`` of every line that is neither blank nor a comment."""
    for number, line in enumerate(file, start=1):
        text = line.strip()
        if text and not text.startswith(comment):
            yield number, text


def parse_values(text: str, where: str) -> np.ndarray:
    """The ``,``-separated numbers of ``text`` as float64; ``?`` and ``NaN`` become NaN."""
    tokens = text.split(",")
    if "?" in text:
        tokens = ["nan" if token.strip() == "?" else token for token in tokens]
    try:
        values = np.array(tokens, dtype=np.float64)
    except ValueError as err:
        raise CrosslError(f"{where}: {err} (write '?' for a missing value)") from None
    if np.isinf(values).any():
        raise CrosslError(f"{where}: infinite value (write '?' for a missing value)")
    return values


def assemble_case(dimensions: Sequence[str], where: str) -> np.ndarray:
    """Stack the value texts of a case's dimensions into ``[D, T]``.

    Dimensions with an observed value must agree in length; a dimension without any observed
    value (e.g. a single ``?``) becomes all-NaN of that length.
    """
    values = [parse_values(text, f"{where}, dimension {d}") for d, text in enumerate(dimensions)]
    observed = sorted({len(v) for v in values if not np.isnan(v).all()})
    if len(observed) > 1:
        raise CrosslError(
            f"{where}: its dimensions have different lengths {observed}; every dimension of a "
            "case must have the same length"
        )
    length = observed[0] if observed else max(len(v) for v in values)
    return np.stack([v if len(v) == length else np.full(length, np.nan) for v in values])


def check_dimensions(case: np.ndarray, expected: int | None, where: str) -> int:
    """Check ``case`` has ``expected`` dimensions (any when None); return its count."""
    if expected is not None and case.shape[0] != expected:
        raise CrosslError(
            f"{where}: {case.shape[0]} dimensions, expected {expected}: "
            "the line is truncated or malformed"
        )
    return case.shape[0]


def check_label(label: str, class_labels: Sequence[str], where: str) -> str:
    """Return ``label`` when it is one of the declared ``class_labels``."""
    if label not in class_labels:
        raise CrosslError(
            f"{where}: class label {label!r} is not declared (declared: "
            f"{' '.join(class_labels)}): the line is truncated or malformed"
        )
    return label


def _read_header(path: Path, lines: Iterator[tuple[int, str]]) -> _Header:
    header = _Header(problem=path.stem.rsplit("_", 1)[0])
    for number, text in lines:
        tag, *rest = text.split(maxsplit=1)
        tag, value, where = tag.lower(), "".join(rest), f"{path}, line {number}"
        if tag == "@data":
            return header
        if not tag.startswith("@"):
            raise CrosslError(f"{where}: a case before the @data line: add the missing @data")
        _apply_tag(header, tag, value, where)
    raise CrosslError(f"{path}: no @data line: the file is truncated or not a .ts file")


def _apply_tag(header: _Header, tag: str, value: str, where: str) -> None:
    if tag == "@problemname":
        header.problem = value.strip("'\"")
    elif tag == "@timestamps" and _flag(value, where):
        raise CrosslError(f"{where}: @timeStamps true is not supported: give values without times")
    elif tag == "@targetlabel" and _flag(value, where):
        raise CrosslError(f"{where}: @targetLabel true (regression) is not supported")
    elif tag == "@univariate" and _flag(value, where):
        header.dimensions = header.dimensions or 1
    elif tag in ("@dimension", "@dimensions"):
        header.dimensions = _positive_int(value, where)
    elif tag == "@equallength":
        header.equal_length = _flag(value, where)
    elif tag == "@serieslength":
        header.series_length = _positive_int(value, where)
    elif tag == "@classlabel":
        flag, *labels = value.split() or [""]
        has_labels = _flag(flag, where)
        if has_labels and not labels:
            raise CrosslError(f"{where}: @classLabel true lists no labels")
        header.class_labels = labels if has_labels else None


def _parse_case(text: str, header: _Header, where: str) -> tuple[np.ndarray, str | None]:
    fields = text.split(":")
    label = None
    if header.class_labels is not None:
        if len(fields) < 2:
            raise CrosslError(f"{where}: no class label after the values: the line is truncated")
        label = check_label(fields.pop().strip(), header.class_labels, where)
    case = assemble_case(fields, where)
    if header.required_length is not None and case.shape[1] != header.required_length:
        raise CrosslError(
            f"{where}: {case.shape[1]} values per dimension, expected {header.required_length} "
            "(@seriesLength): the line is truncated or malformed"
        )
    return case, label


def _flag(value: str, where: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise CrosslError(f"{where}: expected true or false, found {value!r}")
    return value.lower() == "true"


def _positive_int(value: str, where: str) -> int:
    if not value.isdigit() or int(value) == 0:
        raise CrosslError(f"{where}: expected a positive whole number, found {value!r}")
    return int(value)
