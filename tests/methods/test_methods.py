import pytest
import torch

from crossl.config import load_config
from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.methods import get_method, method_names
from crossl.methods.mae import MaskedReconstruction, time_patch_mask

SHAPES = {"acc": (3, 32), "gyro": (3, 32)}
PRESETS = {"supervised": "supervised"}


def windows(n: int = 24, seed: int = 0, present: torch.Tensor | None = None) -> WindowSet:
    g = torch.Generator().manual_seed(seed)
    return WindowSet(
        {name: torch.randn(n, c, t, generator=g) for name, (c, t) in SHAPES.items()},
        labels=torch.arange(n) % 3,
        subjects=torch.zeros(n, dtype=torch.long),
        present=present,
    )


def build(name: str, *overrides: str):
    cfg = load_config(name, ["code_size=16", *overrides])
    return get_method(name)(cfg, SHAPES, num_classes=3)


def grad_norm(module: torch.nn.Module) -> float:
    return sum(float(p.grad.abs().sum()) for p in module.parameters() if p.grad is not None)


def test_every_registered_method_has_a_preset_that_loads():
    for name in method_names():
        assert load_config(name).method == name


@pytest.mark.parametrize("name", method_names())
def test_step_trains_the_encoders_and_only_the_parts_its_objective_reaches(name):
    module = build(name)
    out = module.step(windows())
    assert out.loss.ndim == 0 and torch.isfinite(out.loss)
    assert out.features.shape == (24, 32)  # encoders 2 x code 16, or the aggregator's 32
    out.loss.backward()
    for encoder in module.backbone.encoders.values():
        assert grad_norm(encoder) > 0
    aggregator_grad = grad_norm(module.backbone.aggregator)
    assert (aggregator_grad > 0) == type(module).trains_aggregator
    assert module.online_probe is not None and grad_norm(module.online_probe) == 0


@pytest.mark.parametrize("name", ["simclr", "vicreg", "barlow", "crossl", "cocoa", "mae"])
def test_training_draws_fresh_randomness_each_step_and_repeats_under_the_seed(name):
    extra = ["augment=[{name: jitter, p: 1.0}]"] if name in ("crossl", "cocoa") else []
    batch = windows()

    def two_losses():
        torch.manual_seed(0)
        module = build(name, *extra)
        return [module.step(batch).loss.item() for _ in range(2)]

    first, again = two_losses(), two_losses()
    assert first == again
    assert first[0] != first[1]


def test_mae_skips_the_extra_feature_pass_without_an_online_probe():
    module = build("mae", "online_probe=false")
    out = module.step(windows())
    assert module.online_probe is None and out.features is None and torch.isfinite(out.loss)


def test_online_probe_learns_from_detached_features_only():
    module = build("crossl")
    batch = windows()
    out = module.step(batch)
    probe_loss = module.online_probe.loss(out.features, batch.labels)
    probe_loss.backward()
    assert grad_norm(module.backbone) == 0 and grad_norm(module.online_probe) > 0


def test_methods_without_augmentation_are_refused_when_they_need_it():
    for name in ("simclr", "vicreg", "barlow"):
        with pytest.raises(CrosslError, match="augment"):
            load_config(name, ["augment=[]"])


def test_methods_that_do_not_train_the_aggregator_refuse_aggregator_features():
    for name in ("cocoa", "cmc", "mae"):
        with pytest.raises(CrosslError, match="features=encoders"):
            load_config(name, ["features=aggregator"])


def test_cross_modal_methods_need_two_modalities():
    cfg = load_config("cmc")
    with pytest.raises(CrosslError, match="at least two"):
        get_method("cmc")(cfg, {"acc": (3, 32)}, num_classes=3)


def test_mae_refuses_patches_longer_than_half_the_window():
    cfg = load_config("mae", ["mae_patch_size=20"])
    with pytest.raises(CrosslError, match="mae_patch_size"):
        MaskedReconstruction(cfg, SHAPES)


def test_time_patch_mask_hides_whole_patches_in_the_ratio_range():
    g = torch.Generator().manual_seed(3)
    mask = time_patch_mask(500, 34, 8, (0.4, 0.75), g)  # 4 patches, the tail of 2 joins the last
    patches = mask[:, :32].reshape(500, 4, 8)
    assert (patches.all(dim=2) | ~patches.any(dim=2)).all()  # all or nothing per patch
    assert (mask[:, 32:] == mask[:, 31:32]).all()
    hidden = patches.all(dim=2).sum(dim=1)
    assert set(hidden.tolist()) == {2, 3}  # round(0.4*4)=2 ... round(0.75*4)=3
    assert (patches.all(dim=2).float().mean(dim=0) - hidden.float().mean() / 4).abs().max() < 0.08


def test_mae_loss_is_the_error_on_hidden_steps_of_present_modalities_only():
    cfg = load_config("mae", ["code_size=16", "mae_patch_size=4", "mae_mask_ratio=[0.5,0.5]"])
    module = MaskedReconstruction(cfg, SHAPES)
    for name, (c, _) in SHAPES.items():
        module.decoders[name] = torch.nn.Conv1d(16, c, 1)
        torch.nn.init.zeros_(module.decoders[name].weight)
        torch.nn.init.zeros_(module.decoders[name].bias)
    present = torch.ones(24, 2, dtype=torch.bool)
    present[:12, 1] = False
    batch = windows(present=present)
    replay = torch.Generator().manual_seed(cfg.seed)
    loss = module.step(batch).loss  # the decoders predict 0, so the loss is mean(x^2) where hidden
    total, count = 0.0, 0
    for i, x in enumerate(batch.modalities.values()):
        hide = time_patch_mask(24, 32, 4, (0.5, 0.5), replay) & present[:, i, None]
        total += float((x.pow(2) * hide[:, None, :]).sum())
        count += int(hide.sum()) * x.shape[1]
    assert loss.item() == pytest.approx(total / count, rel=1e-5)


ONE = {"acc": (3, 32)}


def one_modality_windows(n: int = 16) -> WindowSet:
    g = torch.Generator().manual_seed(0)
    return WindowSet(
        {"acc": torch.randn(n, 3, 32, generator=g)},
        torch.zeros(n, dtype=torch.long),
        torch.zeros(n, dtype=torch.long),
    )


@pytest.mark.parametrize("strategy", ["spatial", "bernoulli"])
def test_crossl_refuses_whole_modality_masking_on_one_modality_data(strategy):
    cfg = load_config("crossl", ["code_size=16", f"masking_strategy={strategy}"])
    with pytest.raises(CrosslError, match="both views would be identical"):
        get_method("crossl")(cfg, ONE)


def test_the_recommended_preset_learns_on_one_modality_data():
    cfg = load_config("crossl", ["code_size=16"])
    module = get_method("crossl")(cfg, ONE)
    out = module.step(one_modality_windows())
    # identical views would have an invariance term of exactly zero
    assert out.terms["invariance"].item() > 0


@pytest.mark.parametrize("aggregator", ["mean", "attention"])
def test_crossl_trains_each_set_aggregator(aggregator):
    module = build("crossl", f"aggregator={aggregator}", "masking_strategy=paired")
    out = module.step(windows())
    out.loss.backward()
    assert grad_norm(module.backbone.aggregator) > 0


@pytest.mark.parametrize("strategy", ["temporal", "spatiotemporal", "paired"])
def test_crossl_over_latent_patches_trains_and_keeps_pooled_encoder_features(strategy):
    module = build(
        "crossl", "latent_patches=4", f"masking_strategy={strategy}", "features=encoders"
    )
    batch = windows()
    out = module.step(batch)
    out.loss.backward()
    assert grad_norm(module.backbone.aggregator) > 0 and out.features.shape == (24, 32)
    torch.testing.assert_close(out.features, module.backbone.embed(batch).flatten(1))
