import json
from pathlib import Path

import pytest
import torch
from lightning.pytorch.callbacks import Callback

from crossl.cli import main
from crossl.config import load_config
from crossl.errors import CrosslError
from crossl.experiments.pretrain import pretrain
from crossl.experiments.resume import RESUME_NAME

SMALL = ["epochs=3", "limit_windows=96", "batch_size=16"]


class Killed(RuntimeError):
    pass


class KillAtEpoch(Callback):
    """Stops the run as a kill would: at the start of one epoch, mid-run."""

    def __init__(self, epoch: int):
        self.epoch = epoch

    def on_train_epoch_start(self, trainer, pl_module):
        if trainer.current_epoch == self.epoch:
            raise Killed


def _numbers(folder):
    doc = json.loads((folder / "results.json").read_text())["pretrain"]
    return doc["final_loss"], doc["history"], doc["epochs"]


@pytest.mark.parametrize("preset", ["crossl", "simclr"])
def test_a_killed_and_resumed_run_ends_with_the_same_weights_and_numbers(preset, tmp_path):
    cfg = load_config(preset, SMALL)
    whole = pretrain(cfg, tmp_path / "whole", progress=False)
    with pytest.raises(Killed):
        pretrain(cfg, tmp_path / "cut", progress=False, callbacks=[KillAtEpoch(2)])
    assert (tmp_path / "cut" / RESUME_NAME).is_file()
    assert not (tmp_path / "cut" / "results.json").exists()
    resumed = pretrain(cfg, tmp_path / "cut", progress=False, resume=True)
    a, b = whole.module.state_dict(), resumed.module.state_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    assert _numbers(tmp_path / "whole") == _numbers(tmp_path / "cut")
    assert not (tmp_path / "cut" / RESUME_NAME).exists()
    # the resumed epochs are logged beside the first ones, not over them
    assert (tmp_path / "cut" / "logs" / "metrics.csv").is_file()
    assert (tmp_path / "cut" / "logs" / "resumed-after-epoch-2" / "metrics.csv").is_file()


def test_a_stopped_run_is_neither_overwritten_nor_resumed_with_another_config(tmp_path):
    cfg = load_config("crossl", SMALL)
    with pytest.raises(Killed):
        pretrain(cfg, tmp_path, progress=False, callbacks=[KillAtEpoch(1)])
    with pytest.raises(CrosslError, match="stopped after epoch 1 of 3: continue it with --resume"):
        pretrain(cfg, tmp_path, progress=False)
    other = load_config("crossl", [*SMALL, "lr=0.01"])
    with pytest.raises(CrosslError, match=r"started with lr=0\.0001 \(now 0\.01\)"):
        pretrain(other, tmp_path, progress=False, resume=True)
    with pytest.raises(CrosslError, match="no stopped pretraining"):
        pretrain(cfg, tmp_path / "empty", progress=False, resume=True)


def test_resume_alone_on_the_command_line_takes_the_stopped_runs_config(tmp_path, capsys):
    cfg = load_config("crossl", SMALL)
    with pytest.raises(Killed):
        pretrain(cfg, tmp_path, progress=False, callbacks=[KillAtEpoch(1)])
    assert main(["pretrain", "--out", str(tmp_path), "--resume", "--no-progress"]) == 0
    assert "3 epochs" in capsys.readouterr().out
    assert json.loads((tmp_path / "results.json").read_text())["config"] == cfg.to_dict()


@pytest.mark.slow
def test_crossl_pretrain_killed_with_sigterm_resumes_to_the_same_numbers(tmp_path):
    import signal
    import subprocess
    import sys

    args = ["epochs=3", "limit_windows=256", "batch_size=16"]
    command = [sys.executable, "-m", "crossl.cli", "pretrain", "--out", str(tmp_path / "cut")]
    run = subprocess.Popen([*command, *args], stderr=subprocess.PIPE, text=True)
    assert run.stderr is not None
    for line in run.stderr:
        if line.startswith("epoch 1/3"):
            run.send_signal(signal.SIGTERM)
            break
    err = run.stderr.read()
    assert run.wait(timeout=300) == 130
    assert err.strip().splitlines()[-1] == (
        f"crossl: interrupted; continue with crossl pretrain --out {tmp_path / 'cut'} --resume"
    )
    done = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    pretrain(load_config("crossl", args), tmp_path / "whole", progress=False)
    assert _numbers(tmp_path / "cut") == _numbers(tmp_path / "whole")


def _resume_state_worker(rank_: int, init_file: str, out: str) -> None:
    import torch.distributed as dist

    from crossl.data.batches import EpochBatches
    from crossl.data.container import WindowSet
    from crossl.experiments.resume import EpochCheckpoint

    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank_, world_size=2)
    windows = WindowSet({"a": torch.zeros(8, 1, 2)}, torch.zeros(8).long(), torch.zeros(8).long())
    torch.manual_seed(100 + rank_)  # each process's own global stream, as under DDP
    saving = EpochCheckpoint(Path(out) / RESUME_NAME, EpochBatches(windows, 2, shard=(rank_, 2)))
    state = saving.state_dict()  # called by every process together, as Lightning does
    drawn = torch.get_rng_state()
    torch.manual_seed(0)  # a resumed process starts from elsewhere
    restoring = EpochCheckpoint(Path(out) / RESUME_NAME, EpochBatches(windows, 2, shard=(rank_, 2)))
    restoring.load_state_dict(state)
    torch.save(
        {"pending": restoring._pending["torch"], "drawn": drawn, "ranks": len(state["ranks"])},
        Path(out) / f"rank{rank_}.pt",
    )
    dist.destroy_process_group()


def test_a_ddp_resume_gives_each_process_back_its_own_random_state(tmp_path):
    import torch.multiprocessing as mp

    mp.spawn(_resume_state_worker, args=(str(tmp_path / "init"), str(tmp_path)), nprocs=2)
    got = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    assert [g["ranks"] for g in got] == [2, 2]
    for g in got:
        assert torch.equal(g["pending"], g["drawn"])
    assert not torch.equal(got[0]["drawn"], got[1]["drawn"])


def test_a_resume_state_of_other_processes_is_refused(tmp_path):
    from crossl.data.batches import EpochBatches
    from crossl.data.container import WindowSet
    from crossl.experiments.resume import EpochCheckpoint

    windows = WindowSet({"a": torch.zeros(8, 1, 2)}, torch.zeros(8).long(), torch.zeros(8).long())
    callback = EpochCheckpoint(tmp_path / RESUME_NAME, EpochBatches(windows, 2))
    state = callback.state_dict()
    with pytest.raises(CrosslError, match="written by 2 process"):
        callback.load_state_dict({**state, "ranks": state["ranks"] * 2})
