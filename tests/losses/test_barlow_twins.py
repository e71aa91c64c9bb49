import math

import pytest
import torch

from crossl.losses import BarlowTwinsLoss, barlow_twins_loss

EPS = 1e-5


def _reference(a, b, lam):
    """Barlow Twins written out over plain lists (population std, eps inside the sqrt)."""
    n, d = len(a), len(a[0])

    def standardise(z):
        cols = []
        for j in range(d):
            col = [row[j] for row in z]
            mean = sum(col) / n
            var = sum((x - mean) ** 2 for x in col) / n
            cols.append([(x - mean) / math.sqrt(var + EPS) for x in col])
        return cols

    ca, cb = standardise(a), standardise(b)
    loss = 0.0
    for i in range(d):
        for j in range(d):
            c = sum(x * y for x, y in zip(ca[i], cb[j], strict=True)) / n
            loss += (1 - c) ** 2 if i == j else lam * c**2
    return loss


def test_two_windows_by_hand():
    # standardised: a -> [[-1, 1], [1, -1]] * s, b -> [[-1, -1], [1, 1]] * s, s^2 = 1 / (1 + eps)
    # C = [[s^2, s^2], [-s^2, -s^2]]
    a = torch.tensor([[1.0, 2.0], [3.0, 0.0]], dtype=torch.float64)
    b = torch.tensor([[0.0, 0.0], [2.0, 2.0]], dtype=torch.float64)
    s2 = 1 / (1 + EPS)
    expected = (1 - s2) ** 2 + (1 + s2) ** 2 + 0.01 * (s2**2 + s2**2)
    assert barlow_twins_loss(a, b, lambda_=0.01).item() == pytest.approx(expected, rel=1e-12)


def test_three_windows_by_hand():
    a = [[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0]]
    b = [[0.5, 1.0], [2.0, 1.0], [-1.0, -1.0]]
    got = barlow_twins_loss(torch.tensor(a), torch.tensor(b)).item()
    assert got == pytest.approx(_reference(a, b, 5e-3), rel=1e-5)
    assert BarlowTwinsLoss()(torch.tensor(a), torch.tensor(b)).item() == pytest.approx(got)


def test_invariant_to_per_dimension_affine_rescaling():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(32, 6, generator=g), torch.randn(32, 6, generator=g)
    scale, shift = torch.rand(6, generator=g) * 3 + 0.5, torch.randn(6, generator=g) * 4
    base = barlow_twins_loss(a, b).item()
    assert barlow_twins_loss(a * scale + shift, b).item() == pytest.approx(base, rel=1e-4)
    assert barlow_twins_loss(a, b * scale - shift).item() == pytest.approx(base, rel=1e-4)
    assert barlow_twins_loss(a, b, gather_distributed=True).item() == pytest.approx(base)


def test_identical_decorrelated_standardised_views_score_zero():
    z = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    assert barlow_twins_loss(z, z).item() == pytest.approx(0.0, abs=1e-8)
    g = torch.Generator().manual_seed(2)
    x = torch.randn(64, 8, generator=g, dtype=torch.float64)
    q, _ = torch.linalg.qr(x - x.mean(dim=0))  # centred, orthonormal columns
    assert barlow_twins_loss(q * 8, q * 8).item() == pytest.approx(0.0, abs=1e-6)


def test_all_equal_inputs_are_finite_and_bad_inputs():
    z = torch.ones(4, 3, requires_grad=True)
    loss = barlow_twins_loss(z, z)
    assert loss.item() == pytest.approx(3.0)
    loss.backward()
    assert torch.isfinite(z.grad).all()
    with pytest.raises(ValueError, match=r"\[B, D\]"):
        barlow_twins_loss(z, z[:2])
    with pytest.raises(ValueError, match="at least 2"):
        barlow_twins_loss(z[:1], z[:1])
