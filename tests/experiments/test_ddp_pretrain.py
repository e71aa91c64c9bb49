"""``crossl pretrain`` under DDP: two CPU processes (gloo) started by Lightning, against one
process on the concatenated batch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import lightning as L
import torch

from crossl.experiments.checkpoint import load_checkpoint
from crossl.experiments.evaluate import evaluate_checkpoint
from crossl.methods.base import build_backbone

# Both views show every sensor (nothing is masked), so no random draw differs between a process
# of rank r and the single process; a learning rate of 1e-3 makes 4 steps move the weights.
SETTINGS = [
    "device=cpu",
    "epochs=1",
    "limit_windows=128",
    "online_probe=false",
    "masking_strategy=spatial",
    "masking_ratio=0",
    "lr=1e-3",
    "seed=3",
]


def _pretrain(out: Path, *extra: str) -> subprocess.CompletedProcess:
    crossl = Path(sys.executable).with_name("crossl")
    command = [str(crossl), "pretrain", "--out", str(out), "--no-progress", *SETTINGS, *extra]
    env = os.environ | {"OMP_NUM_THREADS": "1"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def _shift_invariant(name: str, value: torch.Tensor) -> torch.Tensor:
    """Elements whose gradient is zero in exact arithmetic, so that Adam moves them on rounding
    noise alone: the attention's key biases (softmax ignores a shift shared by all keys) and the
    output bias (VICReg's variance and covariance are centred, and with equal views the
    invariance term is 0)."""
    mask = torch.zeros_like(value, dtype=torch.bool)
    if name.endswith("self_attn.in_proj_bias"):
        third = len(value) // 3
        mask[third : 2 * third] = True
    if name == "aggregator.head.2.bias":
        mask[:] = True
    return mask


def test_two_ddp_processes_train_as_one_process_on_the_concatenated_batch(tmp_path):
    one = _pretrain(tmp_path / "one", "batch_size=32")
    two = _pretrain(tmp_path / "two", "batch_size=16", "trainer.devices=2", "trainer.strategy=ddp")
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    assert two.stdout.count("pretrained crossl") == 1  # rank 0 reports, the other is silent
    a, b = (json.loads((tmp_path / n / "results.json").read_text()) for n in ("one", "two"))
    assert a["pretrain"]["processes"] == 1 and b["pretrain"]["processes"] == 2
    assert a["pretrain"]["train_windows"] == b["pretrain"]["train_windows"] == 128
    assert abs(a["pretrain"]["final_loss"] - b["pretrain"]["final_loss"]) < 1e-5
    weights = [load_checkpoint(tmp_path / n / "last.ckpt").backbone for n in ("one", "two")]
    loaded = load_checkpoint(tmp_path / "one" / "last.ckpt")
    L.seed_everything(loaded.config.seed, verbose=False)  # the network both runs started from
    shapes = {k: tuple(v) for k, v in loaded.metadata["modality_shapes"].items()}
    start = build_backbone(loaded.config, shapes).state_dict()
    moved = 0.0
    for name, value in weights[0].state_dict().items():
        other = weights[1].state_dict()[name]
        keep = ~_shift_invariant(name, value)
        assert torch.allclose(value[keep], other[keep], atol=1e-6), name
        moved = max(moved, float((value - start[name]).abs().max()))
    assert moved > 1e-3  # four steps at lr 1e-3 moved the weights: the check above matters
    assert not list((tmp_path / "two").glob("*.tmp"))
    # the DDP checkpoint is evaluated in one process, like any other
    settings = ["label_fractions=[1.0]", "eval_seeds=[0]", "missing_modalities=false"]
    [pretrained, evaluated] = evaluate_checkpoint(
        tmp_path / "two" / "last.ckpt", settings, tmp_path / "eval"
    )
    assert pretrained["processes"] == 2 and evaluated["config"]["trainer"]["devices"] == 1
    assert evaluated["n_test"] == 2874 and 0 < evaluated["macro_f1"] <= 1


def test_a_method_that_leaves_the_aggregator_untrained_runs_under_ddp(tmp_path):
    # CMC's objective reads the encoders only: DDP must be told to expect unused parameters
    ddp = ["trainer.devices=2", "trainer.strategy=ddp", "batch_size=16", "--config", "cmc"]
    done = _pretrain(tmp_path / "cmc", *ddp)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "cmc" / "results.json").read_text())["pretrain"]["processes"] == 2


def test_too_few_windows_for_every_process_is_one_line(tmp_path):
    ddp = ["trainer.devices=2", "trainer.strategy=ddp", "batch_size=128", "limit_windows=128"]
    done = _pretrain(tmp_path / "few", *ddp)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("crossl: error: no full batch of batch_size=128 for")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "few").exists()
