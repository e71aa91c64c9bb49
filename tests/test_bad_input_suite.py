"""Bad input through the real ``crossl`` command: every case ends with exit 2, one line on stderr
that names the problem, no traceback, and no output folder that looks like a finished run.

The table runs in-process (``crossl.cli.main``, stderr read at the file-descriptor level); the
``slow`` variant runs each case as its own ``crossl`` process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from crossl.cli import main
from crossl.data.cache.writer import prepare_dataset

POINT = "pretrain --out {ckpt_dir} epochs=1 limit_windows=64 --no-progress"

# (case, arguments with {placeholders}, what the one line must contain)
CASES = [
    ("out is a file", "pretrain --out {file} epochs=1", "is a file, not a folder"),
    ("out unwritable", "pretrain --out /proc/crossl-out epochs=1", "cannot write there"),
    ("out with NUL", "pretrain --out {nul} epochs=1", "not a valid path"),
    ("evaluate out is a file", "evaluate --checkpoint {ckpt} --out {file}", "is a file"),
    (
        "evaluate cannot honour a model key",
        "evaluate --checkpoint {ckpt} --out {out} code_size=64",
        "evaluate cannot change code_size: the checkpoint was pretrained with code_size=96",
    ),
    ("empty C grid", "evaluate --checkpoint {ckpt} --out {out} probe_c_grid=[]", "probe_c_grid"),
    (
        "negative C",
        "evaluate --checkpoint {ckpt} --out {out} probe_c_grid=[-1.0]",
        "positive inverse regularisation",
    ),
    ("no eval seeds", "evaluate --checkpoint {ckpt} --out {out} eval_seeds=[]", "eval_seeds=[]"),
    ("negative weight decay", "pretrain --out {out} weight_decay=-1", "weight_decay=-1"),
    ("YAML list", "pretrain --config {list_yaml} --out {out}", "not a list"),
    (
        "checkpoint without config",
        "evaluate --checkpoint {no_config_ckpt} --out {out}",
        "crossl metadata without config",
    ),
    (
        "data.root missing",
        "pretrain --out {out} dataset=npz data.root={missing}",
        "does not exist: give the folder written by crossl datasets prepare npz",
    ),
    (
        "other sensors than the checkpoint's",
        "evaluate --checkpoint {ckpt} --out {out} dataset=npz data.root={npz_cache}",
        "the checkpoint was pretrained on acc (3 ch), gyro (3 ch)",
    ),
    (
        "prepare into an unwritable place",
        "datasets prepare npz --raw {npz_raw} --out /proc/crossl-cache rate_hz=16",
        "cannot write there",
    ),
    (
        "all-NaN recordings",
        "datasets prepare npz --raw {nan_raw} --out {out} rate_hz=16 --no-progress",
        "no sensor has a value in it (all NaN)",
    ),
    ("resume without a stopped run", "pretrain --out {out} --resume", "no stopped pretraining"),
    ("benchmark out is a file", "benchmark --config hapt-quick --out {file}", "is a file"),
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The files the cases name: a small real checkpoint, broken variants, npz data."""
    root = tmp_path_factory.mktemp("inputs")
    ckpt_dir = root / "pretrained"
    assert main(POINT.format(ckpt_dir=ckpt_dir).split()) == 0
    ckpt = ckpt_dir / "last.ckpt"
    saved = torch.load(ckpt, weights_only=True)
    del saved["crossl"]["config"]
    torch.save(saved, root / "no-config.ckpt")
    (root / "afile").write_text("not a folder")
    (root / "list.yaml").write_text("- epochs: 3\n- lr: 0.1\n")
    rng = np.random.default_rng(0)
    signals = {"hand_acc": rng.normal(size=(40, 3, 32))}
    (root / "npz").mkdir()
    np.savez(
        root / "npz" / "w.npz", **signals, labels=np.arange(40) % 3, subjects=np.arange(40) // 8
    )
    prepare_dataset("npz", root / "npz", root / "npz-cache", {"rate_hz": 16})
    (root / "nan").mkdir()
    nan = {"acc": np.full((6, 3, 32), np.nan)}
    np.savez(root / "nan" / "w.npz", **nan, labels=np.arange(6) % 2, subjects=np.arange(6) // 2)
    return {
        "ckpt": ckpt,
        "no_config_ckpt": root / "no-config.ckpt",
        "file": root / "afile",
        "list_yaml": root / "list.yaml",
        "npz_raw": root / "npz",
        "npz_cache": root / "npz-cache",
        "nan_raw": root / "nan",
        "missing": root / "does-not-exist",
        "nul": "a\0b",
    }


def _args(template: str, inputs: dict, out: Path) -> list[str]:
    return [a.format(**inputs, out=out) for a in template.split()]


def _check(code: int, err: str, message: str, out: Path) -> None:
    lines = err.strip().splitlines()
    assert code == 2, err
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("crossl: error:"), err
    assert message in lines[0]
    assert not out.exists()  # not even an empty folder: a run that failed removes what it made


@pytest.mark.parametrize("template, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_in_process(template, message, inputs, tmp_path, capfd):
    out = tmp_path / "out"
    code = main(_args(template, inputs, out))
    _check(code, capfd.readouterr().err, message, out)


@pytest.mark.slow
@pytest.mark.parametrize("template, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_as_a_process(template, message, inputs, tmp_path):
    out = tmp_path / "out"
    args = _args(template, inputs, out)
    if "\0" in " ".join(args):
        pytest.skip("a process argument cannot hold a NUL character")
    done = subprocess.run(
        [sys.executable, "-m", "crossl.cli", *args], capture_output=True, text=True, timeout=300
    )
    _check(done.returncode, done.stderr, message, out)
