"""Parser for the ``.arff`` files of the UEA/UCR time-series classification archive.

Only the two layouts the archive (https://www.timeseriesclassification.com) uses are read.
Lines starting with ``%`` are comments; keywords are case-insensitive; ``@relation NAME`` names
the problem.

* Univariate (UCR): ``@attribute att1 numeric`` ... ``@attribute attT numeric`` (``real`` and
  ``integer`` are accepted too), then the class ``@attribute target {c1,c2,...}``; after
  ``@data`` each case is one line ``v1,...,vT,label``.
* Multivariate (UEA): ``@attribute relationalAtt relational``, the ``T`` numeric attributes of
  one time step, ``@end relationalAtt``, then the nominal class attribute; each case is one line
  ``'dim0 values\\ndim1 values\\n...',label``: a quoted value holding the dimensions separated by
  the two characters ``\\n``, each dimension's ``T`` values separated by ``,``.

The class attribute must be the last attribute and nominal (its declared values in order are the
class labels); regression targets and string or date attributes are not supported. ``?`` (or
``NaN``) is a missing value; quotes around names and labels are dropped. Every case has ``T``
values per dimension: the archive pads unequal-length problems in ``.arff`` with missing values,
which stay NaN (their ``.ts`` files give the true lengths).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crossl.data.sources.ts_archive import (
    TsArchive,
    assemble_case,
    check_label,
    collect_cases,
    content_lines,
    open_archive_file,
)
from crossl.errors import CrosslError

_ATTRIBUTE = re.compile(r"@attribute\s+('[^']*'|\"[^\"]*\"|\S+)\s+(.+)", re.IGNORECASE)
_NUMERIC = ("numeric", "real", "integer")
_QUOTES = "'\""


@dataclass
class _Header:
    problem: str
    n_values: int = 0
    relational: bool = False
    class_labels: list[str] = field(default_factory=list)


def read_arff(path: str | Path) -> TsArchive:
    """Parse a univariate or relational ``.arff`` file of the archive (format in the docstring)."""
    path = Path(path)
    with open_archive_file(path) as file:
        lines = content_lines(file, comment="%")
        header = _read_header(path, lines)
        archive = TsArchive(header.problem, path, [], [], header.class_labels, [])
        return collect_cases(
            archive,
            lines,
            None if header.relational else 1,
            lambda text, where: _parse_case(text, header, where),
        )


def _read_header(path: Path, lines: Iterator[tuple[int, str]]) -> _Header:
    header = _Header(problem=path.stem.rsplit("_", 1)[0])
    inside_relational = False
    for number, text in lines:
        where = f"{path}, line {number}"
        keyword = text.split(maxsplit=1)[0].lower()
        if keyword == "@data":
            return _checked(header, inside_relational, where)
        if keyword == "@relation":
            header.problem = text.split(maxsplit=1)[-1].strip(_QUOTES)
        elif keyword == "@end":
            inside_relational = False
        elif keyword == "@attribute":
            inside_relational = _add_attribute(header, text, inside_relational, where)
        else:
            raise CrosslError(f"{where}: unexpected {text[:40]!r} before @data: not an .arff file")
    raise CrosslError(f"{path}: no @data line: the file is truncated or not an .arff file")


def _add_attribute(header: _Header, text: str, inside_relational: bool, where: str) -> bool:
    """Record one ``@attribute`` line; return whether a relational attribute is now open."""
    if header.class_labels:
        raise CrosslError(f"{where}: the nominal class attribute must be the last attribute")
    match = _ATTRIBUTE.fullmatch(text)
    kind = match.group(2).strip() if match else ""
    if kind.lower() in _NUMERIC and (inside_relational or not header.relational):
        header.n_values += 1
    elif kind.lower() == "relational" and not (inside_relational or header.n_values):
        header.relational = True
        return True
    elif kind.startswith("{") and kind.endswith("}") and not inside_relational:
        header.class_labels = [label.strip().strip(_QUOTES) for label in kind[1:-1].split(",")]
    else:
        raise CrosslError(
            f"{where}: unsupported attribute {text[:60]!r}: expected numeric time points (inside "
            "one relational attribute for multivariate problems) and a nominal class last"
        )
    return inside_relational


def _checked(header: _Header, inside_relational: bool, where: str) -> _Header:
    if inside_relational:
        raise CrosslError(f"{where}: @data inside the relational attribute: add its @end line")
    if not header.class_labels:
        raise CrosslError(
            f"{where}: no nominal class attribute {{...}} before @data: only classification "
            "problems are supported"
        )
    if not header.n_values:
        raise CrosslError(f"{where}: no numeric attribute before @data: no time points declared")
    return header


def _parse_case(text: str, header: _Header, where: str) -> tuple[np.ndarray, str]:
    if header.relational:
        values, label = _split_relational(text, where)
        case = assemble_case(values.split("\\n"), where)
    else:
        values, _, label = text.rpartition(",")
        case = assemble_case([values], where)
    if case.shape[1] != header.n_values:
        raise CrosslError(
            f"{where}: {case.shape[1]} values per dimension, expected {header.n_values} (one per "
            "numeric attribute): the line is truncated or malformed"
        )
    return case, check_label(label.strip().strip(_QUOTES), header.class_labels, where)


def _split_relational(text: str, where: str) -> tuple[str, str]:
    """Split ``'values',label`` into the quoted values and the label."""
    quote = text[0]
    end = text.find(quote, 1) if quote in _QUOTES else -1
    rest = text[end + 1 :].strip() if end > 0 else ""
    if not rest.startswith(","):
        raise CrosslError(
            f"{where}: expected a quoted relational value then ',label': the line is truncated "
            "or malformed"
        )
    return text[1:end], rest[1:]
