import math

import pytest
import torch

from crossl.losses import VICRegLoss, vicreg_loss, vicreg_terms

Z_A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 0.0]])
Z_B = torch.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])


def test_terms_by_hand():
    t = vicreg_terms(Z_A, Z_B)
    assert t["invariance"].item() == pytest.approx(19 / 6)
    # view a: population variance 8/3 in both dims -> std > 1 -> 0; view b: variance 2/3
    expected_var = (0 + (1 - math.sqrt(2 / 3 + 1e-4))) / 2
    assert t["variance"].item() == pytest.approx(expected_var, rel=1e-5)
    # view a: off-diagonal covariance -2 -> 2 * 4 / D=2 = 4; view b: 1 -> 2 * 1 / 2 = 1
    assert t["covariance"].item() == pytest.approx(5.0)


def test_weighted_loss_by_hand():
    expected = 10 * 19 / 6 + 10 * (1 - math.sqrt(2 / 3 + 1e-4)) / 2 + 100 * 5
    assert vicreg_loss(Z_A, Z_B).item() == pytest.approx(expected, rel=1e-6)
    assert VICRegLoss(1, 0, 0)(Z_A, Z_B).item() == pytest.approx(19 / 6)
    assert vicreg_loss(Z_A, Z_B, 0, 0, 1).item() == pytest.approx(5.0)


def test_variance_and_covariance_ignore_a_constant_shift():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(32, 8, generator=g), torch.randn(32, 8, generator=g)
    t0 = vicreg_terms(a, b)
    t1 = vicreg_terms(a + 3.0, b - 2.0)
    assert t1["variance"].item() == pytest.approx(t0["variance"].item(), abs=1e-5)
    assert t1["covariance"].item() == pytest.approx(t0["covariance"].item(), rel=1e-4)
    assert vicreg_terms(a, a)["invariance"].item() == 0


def test_gradients_flow_and_bad_shapes():
    a = Z_A.clone().requires_grad_()
    vicreg_loss(a, Z_B).backward()
    assert torch.isfinite(a.grad).all() and a.grad.abs().sum() > 0
    with pytest.raises(ValueError):
        vicreg_loss(Z_A, Z_B[:2])
    with pytest.raises(ValueError):
        vicreg_loss(Z_A[:1], Z_B[:1])


def test_gathering_without_a_process_group_changes_nothing():
    gathered = vicreg_terms(Z_A, Z_B, gather_distributed=True)
    for name, value in vicreg_terms(Z_A, Z_B).items():
        assert gathered[name].item() == value.item()
    expected = vicreg_loss(Z_A, Z_B, 1, 2, 3, 1e-3)
    module = VICRegLoss(1, 2, 3, eps=1e-3, gather_distributed=True)
    assert module(Z_A, Z_B).item() == expected.item()
