import pytest
import torch

from crossl.augment import random_rotation_matrices, rotation
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
