"""Export of a :class:`DeployableModel` to ONNX or TorchScript, with a dynamic batch size, and a
check that the exported file computes what PyTorch computes for every set of present sensors."""

from __future__ import annotations

import importlib.util
import itertools
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from crossl.config import did_you_mean
from crossl.deploy.deployable import DeployableModel
from crossl.errors import CrosslError
from crossl.io import atomic_write

EXPORT_FORMATS = ("onnx", "torchscript")

Runner = Callable[..., np.ndarray]
"""An exported model as a function of NumPy arrays ``(x_1, ..., x_M, present) -> features``."""


def example_inputs(model: DeployableModel, batch: int = 2, seed: int = 0) -> tuple[Tensor, ...]:
    """Random windows of the model's shapes, in roughly sensor-scaled units, all present."""
    g = torch.Generator().manual_seed(seed)
    windows = [
        mean + std * torch.randn(batch, c, t, generator=g)
        for (mean, std), (c, t) in zip(
            model.channel_stats(), model.window_shapes.values(), strict=True
        )
    ]
    return (*windows, torch.ones(batch, len(windows), dtype=torch.bool))


@dataclass(frozen=True)
class ExportedModel:
    """A written export: where, in which format, and how far it is from PyTorch (the largest
    difference of :func:`verify_export`)."""

    path: Path
    format: str
    difference: float


def export_model(
    model: DeployableModel, path: str | Path, fmt: str, tolerance: float = 1e-4
) -> ExportedModel:
    """Write ``model`` to ``path`` as ``fmt`` (``onnx`` or ``torchscript``).

    The inputs are named after the modalities, then ``present``; the output is ``features``;
    the batch dimension is dynamic. The file is written to a temporary name and checked with
    :func:`verify_export` there; only within ``tolerance`` of PyTorch is it renamed onto
    ``path`` (a file already at ``path`` is kept otherwise, and a :class:`CrosslError` says
    why).
    """
    if fmt not in EXPORT_FORMATS:
        raise CrosslError(
            f"unknown export format {fmt!r}{did_you_mean(fmt, EXPORT_FORMATS)}: "
            f"use one of {', '.join(EXPORT_FORMATS)}"
        )
    path = Path(path)
    if path.is_dir():
        raise CrosslError(f"--out {path} is a folder: give a file, e.g. {path / 'model.onnx'}")
    model.eval()
    write = _write_onnx if fmt == "onnx" else _write_torchscript
    found: list[float] = []

    def write_and_check(tmp: Path) -> None:
        write(model, tmp)
        found.append(verify_export(model, tmp, fmt))
        if not found[0] <= tolerance:
            raise CrosslError(
                f"the exported model differs from PyTorch by {found[0]:.2g} (over {tolerance:g}), "
                "so it was not kept: report this with the checkpoint and the versions of torch "
                "and onnx"
            )

    try:
        atomic_write(path, write_and_check)
    except OSError as err:
        raise CrosslError(f"cannot write {path}: {err.strerror or err}") from None
    return ExportedModel(path, fmt, found[0])


def _write_torchscript(model: DeployableModel, tmp: Path) -> None:
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on Python ints taken from shapes
        traced = torch.jit.trace(model, example_inputs(model))
    traced.save(str(tmp))


def _write_onnx(model: DeployableModel, tmp: Path) -> None:
    missing = [m for m in ("onnxscript", "onnxruntime") if importlib.util.find_spec(m) is None]
    if missing:  # the exporter builds the graph with onnxscript; onnxruntime checks the file
        raise CrosslError(
            f"ONNX export needs {' and '.join(missing)}: pip install 'crossl[export]'"
        )
    batch = torch.export.Dim("batch")
    names = [*model.modality_names, "present"]
    onnx_log = logging.getLogger("torch.onnx")
    level = onnx_log.level
    onnx_log.setLevel(logging.ERROR)
    try:
        _onnx_export(model, tmp, names, batch)
    finally:
        onnx_log.setLevel(level)


def _onnx_export(model: DeployableModel, tmp: Path, names: list[str], batch: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            example_inputs(model),
            str(tmp),
            input_names=names,
            output_names=["features"],
            dynamic_shapes=(tuple({0: batch} for _ in names),),
            dynamo=True,
            external_data=False,  # one self-contained file (the weights are small)
            verbose=False,
        )


def load_exported(path: str | Path, fmt: str | None = None, threads: int | None = None) -> Runner:
    """Run an exported file of format ``fmt`` (default: ``onnx`` for a ``.onnx`` file, else
    ``torchscript``), with ``threads`` intra-op threads for onnxruntime (default: its own
    choice)."""
    path = Path(path)
    if not path.is_file():
        raise CrosslError(f"exported model {path} does not exist")
    if (fmt or ("onnx" if path.suffix == ".onnx" else "torchscript")) == "onnx":
        try:
            import onnxruntime
        except ImportError:
            raise CrosslError(
                "running an ONNX model needs onnxruntime: pip install onnxruntime"
            ) from None
        options = onnxruntime.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
        session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        names = [i.name for i in session.get_inputs()]
        return lambda *arrays: session.run(None, dict(zip(names, arrays, strict=True)))[0]
    module = torch.jit.load(str(path))

    def run(*arrays: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return module(*(torch.from_numpy(a) for a in arrays)).numpy()

    return run


def presence_subsets(modalities: int) -> list[tuple[bool, ...]]:
    """Every non-empty set of present modalities, as rows of ``present``.

    >>> presence_subsets(2)
    [(True, False), (False, True), (True, True)]
    """
    rows = itertools.product((False, True), repeat=modalities)
    return sorted((r for r in rows if any(r)), key=lambda r: (sum(r), r[::-1]))


@torch.no_grad()
def verify_export(
    model: DeployableModel, path: str | Path, fmt: str | None = None, batch: int = 3, seed: int = 1
) -> float:
    """Largest absolute difference between PyTorch and the exported file (of format ``fmt``, see
    :func:`load_exported`) over a batch of ``batch`` windows for every non-empty set of present
    sensors (NaN where both are NaN counts as equal, NaN on one side only as infinite); absent
    windows are fed as NaN."""
    run = load_exported(path, fmt)
    *windows, _ = example_inputs(model, batch, seed)
    worst = 0.0
    for row in presence_subsets(len(windows)):
        present = torch.tensor(row).expand(batch, -1).clone()
        fed = [
            x if keep else torch.full_like(x, float("nan"))
            for x, keep in zip(windows, row, strict=True)
        ]
        want = model(*fed, present).numpy()
        got = run(*(x.numpy() for x in fed), present.numpy())
        if got.shape != want.shape or not np.array_equal(np.isnan(got), np.isnan(want)):
            return float("inf")
        finite = ~np.isnan(want)
        worst = max(worst, float(np.abs(got[finite] - want[finite]).max(initial=0.0)))
    return worst
