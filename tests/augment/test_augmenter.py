import pytest
import torch

from crossl.augment import Augmenter, AugmentSpec
from crossl.data.container import WindowSet
from crossl.errors import CrosslError


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def batch(n: int = 32, acc_length: int = 64, gyro_length: int = 64, present=None) -> WindowSet:
    g = gen(7)
    return WindowSet(
        {
            "acc": torch.randn(n, 3, acc_length, generator=g),
            "gyro": torch.randn(n, 3, gyro_length, generator=g),
        },
        labels=torch.arange(n) % 3,
        subjects=torch.arange(n) // 4,
        present=present,
        class_names=["a", "b", "c"],
    )


def test_empty_augmenter_is_identity_and_falsy():
    data = batch()
    aug = Augmenter()
    assert not aug
    assert aug(data, gen(0)) is data
    assert not Augmenter([], {"acc": []})
    assert Augmenter([], {"acc": [AugmentSpec("jitter")]})


def test_returns_a_new_batch_with_the_same_metadata():
    data = batch()
    out = Augmenter([AugmentSpec("jitter")])(data, gen(0))
    assert out is not data and out.modality_names == data.modality_names
    assert torch.equal(out.labels, data.labels) and torch.equal(out.subjects, data.subjects)
    assert torch.equal(out.present, data.present) and out.class_names == data.class_names
    assert not torch.equal(out.modalities["acc"], data.modalities["acc"])


def test_acc_and_gyro_of_a_sample_share_the_rotation():
    data = batch()
    same = WindowSet(
        {"acc": data.modalities["acc"], "gyro": data.modalities["acc"].clone()},
        data.labels,
        data.subjects,
    )
    out = Augmenter([AugmentSpec("rotation", p=0.5)])(same, gen(0))
    assert torch.equal(out.modalities["acc"], out.modalities["gyro"])
    rotated = ~torch.isclose(out.modalities["acc"], same.modalities["acc"]).all(dim=(1, 2))
    assert 0 < rotated.sum() < len(rotated), "p=0.5 rotates some samples"

    out = Augmenter([AugmentSpec("rotation")])(data, gen(1))
    acc, gyro = data.modalities["acc"], data.modalities["gyro"]
    new_acc, new_gyro = out.modalities["acc"], out.modalities["gyro"]
    dot = (acc * gyro).sum(dim=1)
    assert torch.allclose((new_acc * new_gyro).sum(dim=1), dot, atol=1e-4)
    cross = torch.linalg.cross(acc, gyro, dim=1)
    new_cross = torch.linalg.cross(new_acc, new_gyro, dim=1)
    assert torch.allclose(new_cross.norm(dim=1), cross.norm(dim=1), atol=1e-4)
    # recover each sample's matrix from step 0 (acc, gyro, their cross product): it explains all steps
    basis = torch.stack([acc[..., 0], gyro[..., 0], cross[..., 0]], dim=2)
    image = torch.stack([new_acc[..., 0], new_gyro[..., 0], new_cross[..., 0]], dim=2)
    matrices = image @ torch.linalg.inv(basis)
    assert torch.allclose(matrices @ gyro, new_gyro, atol=1e-3)
    assert torch.allclose(matrices @ acc, new_acc, atol=1e-3)


def test_same_crop_aligns_modalities_of_different_lengths():
    n = 64
    ramps = {t: torch.linspace(0, 1, t).expand(n, 3, t).contiguous() for t in (128, 32)}
    zeros = torch.zeros(n, dtype=torch.long)
    data = WindowSet({"acc": ramps[128], "gyro": ramps[32]}, zeros, zeros)
    aug = Augmenter([AugmentSpec("crop_and_resize", p=0.5, params={"min_scale": 0.3})])
    out = aug(data, gen(0))
    a, b = out.modalities["acc"][:, 0], out.modalities["gyro"][:, 0]
    assert torch.allclose(a[:, [0, -1]], b[:, [0, -1]], atol=1e-5)
    cropped = (a[:, -1] - a[:, 0]) < 1 - 1e-4
    assert 0 < cropped.sum() < n

    apart = Augmenter(aug.default.steps, same_crop=False)(data, gen(0))
    a, b = apart.modalities["acc"][:, 0], apart.modalities["gyro"][:, 0]
    assert not torch.allclose(a[:, [0, -1]], b[:, [0, -1]], atol=1e-3)


def test_missing_modalities_stay_zero():
    n = 16
    present = torch.ones(n, 2, dtype=torch.bool)
    present[::3, 1] = False
    data = batch(n=n, present=present)
    data.modalities["gyro"][~present[:, 1]] = 0  # a missing sensor gave nothing
    aug = Augmenter([AugmentSpec("jitter"), AugmentSpec("magnitude_warp"), AugmentSpec("rotation")])
    out = aug(data, gen(0))
    assert (out.modalities["gyro"][::3] == 0).all()
    assert (out.modalities["gyro"][1::3] != 0).any()
    assert (out.modalities["acc"] != 0).any(dim=(1, 2)).all()


def test_per_modality_pipelines_override_the_default():
    data = batch()
    aug = Augmenter([AugmentSpec("sign_flip")], {"gyro": [AugmentSpec("time_reversal")]})
    out = aug(data, gen(0))
    assert torch.equal(out.modalities["acc"], -data.modalities["acc"])
    assert torch.equal(out.modalities["gyro"], data.modalities["gyro"].flip(-1))
    only_acc = Augmenter([AugmentSpec("sign_flip")], {"gyro": []})(data, gen(0))
    assert torch.equal(only_acc.modalities["gyro"], data.modalities["gyro"])


def test_unknown_modality_is_reported_with_the_batch_modalities():
    aug = Augmenter(per_modality={"ecg": [AugmentSpec("jitter")]})
    with pytest.raises(CrosslError, match=r"unknown modalities \['ecg'\].*\['acc', 'gyro'\]"):
        aug(batch(), gen(0))


def test_invalid_steps_fail_at_construction():
    with pytest.raises(CrosslError, match="unknown augmentation"):
        Augmenter(per_modality={"acc": [AugmentSpec("flip")]})


def test_same_seed_same_batch():
    aug = Augmenter([AugmentSpec("rotation", p=0.5), AugmentSpec("time_warp", p=0.5)])
    data = batch()
    a, b = aug(data, gen(3)), aug(data, gen(3))
    assert all(torch.equal(a.modalities[k], b.modalities[k]) for k in a.modalities)


def test_rotation_of_a_modality_without_three_axes_is_refused_before_any_batch():
    aug = Augmenter([AugmentSpec("rotation"), AugmentSpec("jitter")])
    aug.check_shapes({"acc": (3, 32), "gyro": (6, 32)})
    with pytest.raises(CrosslError, match=r"modality 'ecg' has 1 channel\(s\): give it its own"):
        aug.check_shapes({"acc": (3, 32), "ecg": (1, 700)})
    per_modality = Augmenter([AugmentSpec("rotation")], {"ecg": [AugmentSpec("jitter")]})
    per_modality.check_shapes({"acc": (3, 32), "ecg": (1, 700)})
