import subprocess
import sys

import numpy as np

from crossl.cli import main
from crossl.data.cache.folder import DatasetCache

PREPARE = [sys.executable, "-m", "crossl.cli", "datasets", "prepare", "npz", "--no-progress"]


def _raw(root):
    root.mkdir()
    rng = np.random.default_rng(0)
    np.savez(
        root / "w.npz",
        acc=rng.normal(size=(40, 3, 32)),
        labels=np.arange(40) % 3,
        subjects=np.arange(40) // 8,
    )
    return root


def test_two_concurrent_prepares_leave_a_valid_cache_or_one_clear_line(tmp_path):
    raw = _raw(tmp_path / "raw")
    for attempt in range(3):
        cache = tmp_path / f"cache{attempt}"
        args = [*PREPARE, "--raw", str(raw), "--out", str(cache), "rate_hz=16"]
        runs = [subprocess.Popen(args, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in runs]
        assert any(code == 0 for code, _ in results), results
        for code, err in results:
            assert "Traceback" not in err
            if code != 0:
                lines = err.strip().splitlines()
                assert code == 2 and len(lines) == 1 and "in use by another crossl prepare" in err
        assert len(DatasetCache(cache)) == 40
        assert not list(tmp_path.glob(f".{cache.name}.partial*"))


def test_a_crashed_prepare_is_cleaned_by_the_next_with_a_line(tmp_path, capfd):
    raw = _raw(tmp_path / "raw")
    cache = tmp_path / "cache"
    left = tmp_path / ".cache.partial-crashed"
    left.mkdir()
    (left / "acc.npy").write_bytes(b"half")
    args = ["datasets", "prepare", "npz", "--raw", str(raw), "--out", str(cache), "rate_hz=16"]
    assert main([*args, "--no-progress"]) == 0
    err = capfd.readouterr().err
    assert f"removed {left}, left by a prepare of {cache} that did not finish" in err
    assert not left.exists() and len(DatasetCache(cache)) == 40


def test_a_prepare_while_another_holds_the_cache_gets_one_line(tmp_path):
    from crossl.run_folder import folder_lock

    raw = _raw(tmp_path / "raw")
    cache = tmp_path / "cache"
    with folder_lock(cache, "prepare", beside=True):  # this process is the other writer
        done = subprocess.run(
            [*PREPARE, "--raw", str(raw), "--out", str(cache), "rate_hz=16"],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert f"crossl: error: {cache} is in use by another crossl prepare (pid " in line
    assert not cache.exists()
