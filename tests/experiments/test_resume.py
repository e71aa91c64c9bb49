import json

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
