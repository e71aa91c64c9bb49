import pytest
import torch

from crossl.config import load_config
from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.eval.supervised import train_supervised
from crossl.methods.base import build_backbone
from crossl.nn.backbone import MultimodalBackbone

SHAPES = {"acc": (3, 32), "gyro": (3, 32)}
FAST = ["code_size=8", "supervised_epochs=1", "supervised_min_steps=0", "batch_size=8"]


def windows(n: int, seed: int) -> WindowSet:
    g = torch.Generator().manual_seed(seed)
    return WindowSet(
        {name: torch.randn(n, c, t, generator=g) for name, (c, t) in SHAPES.items()},
        labels=torch.arange(n) % 3,
        subjects=torch.zeros(n, dtype=torch.long),
    )


def pretrained(*overrides: str) -> MultimodalBackbone:
    """A backbone whose weights differ from the ones ``train_supervised`` would start from."""
    torch.manual_seed(123)
    backbone = build_backbone(load_config("crossl", [*FAST, *overrides]), SHAPES)
    with torch.no_grad():
        for p in backbone.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return backbone


def fit(*overrides: str, init: MultimodalBackbone | None = None):
    cfg = load_config("crossl", [*FAST, *overrides])
    return train_supervised(
        cfg, SHAPES, windows(32, 0), windows(16, 1), 3, seed=0, init_backbone=init
    ).module


def largest_difference(a: MultimodalBackbone, b: MultimodalBackbone) -> float:
    theirs = dict(b.named_parameters())
    with torch.no_grad():
        return max(float((p - theirs[n]).abs().max()) for n, p in a.named_parameters())


def test_fine_tuning_starts_from_the_given_weights():
    init = pretrained()
    # lr 1e-9: four Adam steps move each weight by about 4e-9, so the backbone still is the init
    tuned = fit("lr=1e-9", init=init)
    assert largest_difference(tuned.backbone, init) < 1e-6
    scratch = fit("lr=1e-9")
    assert largest_difference(scratch.backbone, init) > 1e-2


def test_the_init_backbone_itself_is_left_unchanged():
    init = pretrained()
    before = {k: v.clone() for k, v in init.state_dict().items()}
    tuned = fit("lr=1e-2", init=init)
    assert largest_difference(tuned.backbone, init) > 1e-4
    for name, tensor in init.state_dict().items():
        assert torch.equal(tensor, before[name]), name


def test_modality_dropout_reaches_training_batches_and_never_validation(monkeypatch):
    seen: list[tuple[bool, torch.Tensor]] = []
    features = MultimodalBackbone.features

    def recording(self, batch, kind="aggregator"):
        seen.append((self.training, batch.present.clone()))
        return features(self, batch, kind)

    monkeypatch.setattr(MultimodalBackbone, "features", recording)

    def absent_fractions(p: float) -> tuple[float, float]:
        seen.clear()
        fit(f"modality_dropout={p}", "supervised_epochs=2")
        train = torch.cat([present for training, present in seen if training])
        val = torch.cat([present for training, present in seen if not training])
        assert train.any(dim=1).all()  # never every sensor of a window
        return (~train).float().mean().item(), (~val).float().mean().item()

    # p = 0.5 with two sensors: each is dropped with probability 0.5 - 0.25 / 2 = 0.375
    train_absent, val_absent = absent_fractions(0.5)
    assert 0.2 < train_absent < 0.55 and val_absent == 0.0
    assert absent_fractions(0.0) == (0.0, 0.0)


def test_backbone_of_another_shape_is_refused():
    with pytest.raises(CrosslError, match="init_backbone does not fit"):
        fit(init=pretrained("code_size=16"))
    torch.manual_seed(0)
    acc_only = MultimodalBackbone({"acc": (3, 32)}, code_size=8)
    with pytest.raises(
        CrosslError, match=r"built for modalities \['acc'\], the data have \['acc', 'gyro'\]"
    ):
        fit(init=acc_only)


@pytest.mark.parametrize("value", ["1.0", "-0.1"])
def test_modality_dropout_outside_zero_one_is_refused(value):
    with pytest.raises(CrosslError, match=rf"modality_dropout={value} must be in \[0, 1\)"):
        load_config("crossl", [f"modality_dropout={value}"])


def test_the_settings_that_ran_are_reported():
    cfg = load_config("crossl", [*FAST, "supervised_epochs=5", "batch_size=64"])
    run = train_supervised(cfg, SHAPES, windows(32, 0), windows(16, 1), 3, seed=0)
    # 32 labelled windows: batch min(64, ceil(32 / 4)) = 8; 16 validation windows: every epoch
    assert cfg.batch_size == 64 and run.settings["batch_size"] == 8
    assert run.settings["validation_every"] == 1
    assert run.settings["max_epochs"] == 5
    assert 1 <= run.settings["epochs_trained"] <= 5
