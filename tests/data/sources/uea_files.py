"""Write small UEA/UCR archive files (``.ts`` and ``.arff``) in the archive's exact format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _values(row: np.ndarray) -> str:
    return ",".join("?" if np.isnan(v) else repr(float(v)) for v in row)


def write_ts(
    path: Path,
    cases: Sequence[np.ndarray],
    labels: Sequence[str] | None,
    class_labels: Sequence[str] | None = None,
    problem: str = "Toy",
) -> Path:
    """Write ``[D, T_i]`` cases (NaN written as ``?``) as a ``.ts`` file; ``labels=None`` writes
    ``@classLabel false``. ``class_labels`` defaults to the sorted distinct labels."""
    lengths = {case.shape[1] for case in cases}
    dims = cases[0].shape[0]
    header = [
        "#A toy problem written for tests.",
        f"@problemName {problem}",
        "@timeStamps false",
        f"@missing {str(any(np.isnan(c).any() for c in cases)).lower()}",
        f"@univariate {str(dims == 1).lower()}",
        *([] if dims == 1 else [f"@dimensions {dims}"]),
        f"@equalLength {str(len(lengths) == 1).lower()}",
        *([f"@seriesLength {lengths.pop()}"] if len(lengths) == 1 else []),
    ]
    if labels is None:
        header.append("@classLabel false")
    else:
        declared = class_labels if class_labels is not None else sorted(set(labels))
        header.append(f"@classLabel true {' '.join(declared)}")
    rows = [":".join(_values(row) for row in case) for case in cases]
    if labels is not None:
        rows = [f"{row}:{label}" for row, label in zip(rows, labels, strict=True)]
    path.write_text("\n".join([*header, "@data", *rows]) + "\n")
    return path


def write_arff(
    path: Path,
    cases: Sequence[np.ndarray],
    labels: Sequence[str],
    class_labels: Sequence[str] | None = None,
    problem: str = "Toy",
) -> Path:
    """Write equal-length ``[D, T]`` cases as ``.arff``: the UCR univariate layout when ``D`` is 1,
    else the UEA relational layout."""
    dims, steps = cases[0].shape
    declared = class_labels if class_labels is not None else sorted(set(labels))
    numeric = [f"@attribute att{t} numeric" for t in range(steps)]
    if dims == 1:
        attributes = numeric
        rows = [f"{_values(case[0])},{label}" for case, label in zip(cases, labels, strict=True)]
    else:
        attributes = ["@attribute relationalAtt relational", *numeric, "@end relationalAtt"]
        rows = [
            "'" + "\\n".join(_values(row) for row in case) + f"',{label}"
            for case, label in zip(cases, labels, strict=True)
        ]
    lines = [
        "%A toy problem written for tests.",
        f"@relation '{problem}'",
        "",
        *attributes,
        f"@attribute target {{{','.join(declared)}}}",
        "",
        "@data",
        *rows,
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_uea_problem(
    root: Path,
    problem: str,
    train: tuple[Sequence[np.ndarray], Sequence[str]],
    test: tuple[Sequence[np.ndarray], Sequence[str]],
    suffix: str = ".ts",
) -> Path:
    """Write ``root/<problem>/<problem>_TRAIN<suffix>`` and ``_TEST`` from ``(cases, labels)``
    pairs (labels declared in sorted order); return the problem folder."""
    folder = root / problem
    folder.mkdir(parents=True, exist_ok=True)
    write = write_ts if suffix == ".ts" else write_arff
    declared = sorted(set(train[1]) | set(test[1]))
    for part, (cases, labels) in (("TRAIN", train), ("TEST", test)):
        write(folder / f"{problem}_{part}{suffix}", cases, labels, declared, problem)
    return folder
