import pytest
import torch

from crossl.augment import Augmenter, AugmentSpec, random_rotation_matrices, rotation
from crossl.data.container import WindowSet
from crossl.data.normalisation import ChannelStats, fit_channel_stats
from crossl.errors import CrosslError


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_random_matrices_are_proper_rotations(dtype):
    r = random_rotation_matrices(500, gen(0), dtype=dtype)
    assert r.shape == (500, 3, 3) and r.dtype == dtype
    eye = torch.eye(3, dtype=dtype).expand(500, 3, 3)
    assert torch.allclose(r @ r.transpose(1, 2), eye, atol=1e-5)
    assert torch.allclose(torch.linalg.det(r), torch.ones(500, dtype=dtype), atol=1e-5)


def test_random_matrices_are_uniform():
    r = random_rotation_matrices(20000, gen(0), dtype=torch.float64)
    assert r.mean(dim=0).abs().max() < 0.02  # Haar measure: every entry has mean 0
    assert r.pow(2).mean(dim=0).sub(1 / 3).abs().max() < 0.01  # and second moment 1/3


def test_rotation_keeps_norms_of_each_triad():
    x = torch.randn(64, 6, 30, generator=gen(0))
    y = rotation(x, gen(1))
    for k in range(2):
        triad = slice(3 * k, 3 * k + 3)
        assert torch.allclose(y[:, triad].norm(dim=1), x[:, triad].norm(dim=1), atol=1e-5)
    assert not torch.allclose(y, x, atol=1e-2)


def test_rotation_applies_one_matrix_to_every_triad_and_step():
    x = torch.randn(8, 6, 20, generator=gen(0))
    matrices = random_rotation_matrices(8, gen(1))
    y = rotation(x, gen(2), matrices=matrices)
    expected = torch.einsum("bij,bjt->bit", matrices, x[:, 3:])
    assert torch.allclose(y[:, 3:], expected, atol=1e-6)
    assert torch.allclose(y, rotation(x, gen(1)), atol=1e-6), "same seed, same draw"


def test_rotation_needs_triads_and_matching_matrices():
    with pytest.raises(CrosslError, match="groups of three"):
        rotation(torch.zeros(2, 4, 10), gen(0))
    with pytest.raises(CrosslError, match="expected"):
        rotation(torch.zeros(2, 3, 10), gen(0), matrices=torch.eye(3).expand(3, 3, 3))


def raw_device_windows(n: int = 32, t: int = 40) -> dict[str, torch.Tensor]:
    """Tri-axial windows in sensor units: gravity on z, axes of unequal spread."""
    g = gen(3)
    scale = torch.tensor([0.2, 0.5, 1.5])[:, None]
    offset = torch.tensor([0.0, 0.3, 9.8])[:, None]
    return {
        "acc": torch.randn(n, 3, t, generator=g) * scale + offset,
        "gyro": torch.randn(n, 3, t, generator=g) * scale.flip(0),
    }


def standardised_batch(raw: dict[str, torch.Tensor]):
    n = raw["acc"].shape[0]
    ws = WindowSet(raw, labels=torch.zeros(n).long(), subjects=torch.zeros(n).long())
    stats = fit_channel_stats(ws)
    z = {k: (v - stats.mean[k][:, None]) / stats.std[k][:, None] for k, v in raw.items()}
    return WindowSet(z, ws.labels, ws.subjects), stats


def test_rotation_in_sensor_units_keeps_the_norm_of_each_raw_triad():
    raw = raw_device_windows()
    batch, stats = standardised_batch(raw)
    for units, keeps in ((stats, True), (None, False)):
        out = Augmenter([AugmentSpec("rotation")], units=units)(batch, gen(0))
        for name, x in raw.items():
            back = out.modalities[name] * stats.std[name][:, None] + stats.mean[name][:, None]
            same = torch.allclose(back.norm(dim=1), x.norm(dim=1), atol=1e-4)
            assert same == keeps, (name, units is None)
            assert not torch.allclose(back, x, atol=1e-2)


def test_rotation_in_sensor_units_is_the_standardised_rotation_of_the_raw_values():
    x = torch.randn(6, 3, 12, generator=gen(0))
    mean, std = torch.tensor([1.0, -2.0, 9.8]), torch.tensor([0.5, 2.0, 4.0])
    matrices = random_rotation_matrices(6, gen(1))
    y = rotation(x, gen(2), matrices=matrices, mean=mean, std=std)
    raw = x * std[:, None] + mean[:, None]
    expected = (torch.einsum("bij,bjt->bit", matrices, raw) - mean[:, None]) / std[:, None]
    assert torch.allclose(y, expected, atol=1e-5)


def test_rotation_in_sensor_units_needs_both_statistics_per_channel():
    x = torch.zeros(2, 3, 10)
    with pytest.raises(CrosslError, match="both mean and std"):
        rotation(x, gen(0), mean=torch.zeros(3))
    with pytest.raises(CrosslError, match="one value per channel"):
        rotation(x, gen(0), mean=torch.zeros(6), std=torch.ones(6))


def test_augmenter_refuses_statistics_of_other_modalities():
    batch, _ = standardised_batch(raw_device_windows(4))
    wrong = ChannelStats({"acc": torch.zeros(3)}, {"acc": torch.ones(3)})
    augmenter = Augmenter([AugmentSpec("rotation")], units=wrong)
    with pytest.raises(CrosslError, match="standardisation statistics are for"):
        augmenter(batch, gen(0))
    with pytest.raises(CrosslError, match="standardisation statistics are for"):
        augmenter.check_shapes({"acc": (3, 40), "gyro": (3, 40)})
