import json
import subprocess
import sys
from pathlib import Path

import pytest

from crossl.errors import CrosslError
from crossl.io import write_text
from crossl.run_folder import (
    HOLDER_NAME,
    check_writable_folder,
    folder_lock,
    move_previous_run,
    run_folder,
)

HOLD_LOCK = """
import sys, time
from pathlib import Path
from crossl.run_folder import folder_lock
with folder_lock(Path(sys.argv[1]), "pretraining"):
    print("locked", flush=True)
    time.sleep(60)
"""


def hold_lock(folder):
    """A second process holding the lock of ``folder`` until it is killed."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_file_or_an_unwritable_place_is_refused_before_anything_is_created(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(CrosslError, match="is a file, not a folder"):
        check_writable_folder(afile)
    assert afile.read_text() == "x"
    with pytest.raises(CrosslError, match="cannot write there"):
        check_writable_folder(afile / "below")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
    with pytest.raises(CrosslError, match="cannot write there"):
        check_writable_folder(Path("/proc/crossl-run"))  # not even root may create it
    with pytest.raises(CrosslError, match="not a valid path"):
        check_writable_folder(tmp_path / "nul\0name")
    assert check_writable_folder(tmp_path / "new" / "run") is True
    assert check_writable_folder(tmp_path / "new" / "run") is False


def test_a_folder_locked_by_another_process_is_refused_naming_it(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        with pytest.raises(CrosslError) as err, run_folder(tmp_path, what="pretraining"):
            pass
        message = str(err.value)
        assert f"pid {holder.pid}" in message and "in use by another crossl pretraining" in message
        assert f"-c {tmp_path}" in message  # the holder's command line
    finally:
        holder.kill()
        holder.wait()
    with run_folder(tmp_path):  # the lock dies with its process
        assert json.loads((tmp_path / HOLDER_NAME).read_text())["command"]
    assert not (tmp_path / HOLDER_NAME).exists()


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    with run_folder(tmp_path, ("results.json",)):
        write_text(tmp_path / "results.json", "{}")
        with run_folder(tmp_path, ("results.json",)):  # nested: nothing is moved
            assert (tmp_path / "results.json").exists()


def test_an_earlier_run_is_moved_aside_and_nothing_else(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "metrics.csv").write_text("old")
    (tmp_path / "results.json").write_text("old")
    (tmp_path / "notes.txt").write_text("mine")
    with run_folder(tmp_path, ("results.json", "logs", "*.png")):
        assert not (tmp_path / "results.json").exists() and not (tmp_path / "logs").exists()
    [previous] = (tmp_path / "previous").iterdir()
    assert (previous / "results.json").read_text() == "old"
    assert (previous / "logs" / "metrics.csv").read_text() == "old"
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert move_previous_run(tmp_path, ("results.json",)) is None
    (tmp_path / "results.json").write_text("second")
    again = move_previous_run(tmp_path, ("results.json",))
    assert again is not None and again != previous and (again / "results.json").exists()


def test_a_failed_run_removes_the_folder_it_created(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(CrosslError), run_folder(out):
        raise CrosslError("bad data")
    assert not out.exists()
    out.mkdir()
    with pytest.raises(CrosslError), run_folder(out):
        raise CrosslError("bad data")
    assert out.is_dir()  # it existed before: left alone


def test_locks_of_benchmark_shards_are_independent(tmp_path):
    with folder_lock(tmp_path, tag="shard-0-of-2"):
        holder = hold_lock(tmp_path)  # the unsharded lock of the same folder
        try:
            with folder_lock(tmp_path, tag="shard-1-of-2"):
                pass
            with pytest.raises(CrosslError, match="in use"), folder_lock(tmp_path):
                pass
        finally:
            holder.kill()
            holder.wait()


def pretrain_while_locked(folder, capfd) -> tuple[int, str]:
    """``crossl pretrain --out folder`` while another process holds the folder: its holder's
    pid and the one line on stderr."""
    from crossl.cli import main

    holder = hold_lock(folder)
    try:
        assert main(["pretrain", "--out", str(folder), "epochs=1", "limit_windows=64"]) == 2
    finally:
        holder.kill()
        holder.wait()
    [line] = capfd.readouterr().err.strip().splitlines()
    return holder.pid, line


def test_a_second_pretrain_into_a_folder_in_use_gets_one_line(tmp_path, capfd):
    pid, line = pretrain_while_locked(tmp_path, capfd)
    assert f"in use by another crossl pretraining (pid {pid}" in line
    assert not (tmp_path / "results.json").exists() and not (tmp_path / "logs").exists()


def test_a_busy_folder_is_reported_as_busy_even_once_it_holds_a_resume_checkpoint(tmp_path, capfd):
    (tmp_path / "resume.ckpt").write_bytes(b"the live run's state")
    _, line = pretrain_while_locked(tmp_path, capfd)
    assert "in use by another crossl pretraining" in line and "resume" not in line
    assert (tmp_path / "resume.ckpt").read_bytes() == b"the live run's state"
