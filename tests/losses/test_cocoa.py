import math

import pytest
import torch
from hand_reference import Z, cos

from crossl.losses import COCOALoss, cocoa_loss

PRESENT = [[True, True, True], [True, False, True], [True, True, False], [False, False, True]]


def _reference(z, present, t, lam):
    """COCOA written out over plain lists."""
    b, m = len(z), len(z[0])
    window_means = []
    for i in range(b):
        ks = [j for j in range(m) if present[i][j]]
        terms = [math.exp((1 - cos(z[i][j], z[i][k])) / t) for j in ks for k in ks if j != k]
        if terms:
            window_means.append(sum(terms) / len(terms))
    modality_means = []
    for j in range(m):
        rows = [i for i in range(b) if present[i][j]]
        terms = [math.exp(cos(z[i][j], z[o][j]) / t) for i in rows for o in rows if i != o]
        if terms:
            modality_means.append(sum(terms) / len(terms))
    positive = sum(window_means) / len(window_means) if window_means else 0.0
    negative = sum(modality_means) / len(modality_means) if modality_means else 0.0
    return positive + lam * negative


def test_two_windows_by_hand():
    # window 0: orthogonal modalities -> exp(1 / t); window 1: equal -> exp(0) = 1
    # modality 0: equal across windows -> exp(1 / t); modality 1: orthogonal -> exp(0) = 1
    z = torch.tensor([[[1.0, 0.0], [0.0, 2.0]], [[3.0, 0.0], [1.0, 0.0]]])
    expected = (math.exp(1 / 0.5) + 1) / 2 * (1 + 0.3)
    assert cocoa_loss(z, temperature=0.5, lambda_=0.3).item() == pytest.approx(expected, rel=1e-6)


def test_missing_modalities_by_hand():
    z, present = torch.tensor(Z), torch.tensor(PRESENT)
    expected = _reference(Z, PRESENT, 0.5, 0.7)
    got = cocoa_loss(z, present, temperature=0.5, lambda_=0.7).item()
    assert got == pytest.approx(expected, rel=1e-5)
    assert COCOALoss(0.5, 0.7)(z, present).item() == pytest.approx(got)
    all_present = [[True] * 3 for _ in Z]
    assert cocoa_loss(z).item() == pytest.approx(_reference(Z, all_present, 0.1, 0.5), rel=1e-5)


def test_invariant_to_modality_and_batch_order():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(6, 4, 5, generator=g)
    present = torch.rand(6, 4, generator=g) > 0.3
    base = cocoa_loss(z, present).item()
    modalities, windows = torch.tensor([2, 0, 3, 1]), torch.randperm(6, generator=g)
    assert cocoa_loss(z[:, modalities], present[:, modalities]).item() == pytest.approx(base)
    assert cocoa_loss(z[windows], present[windows]).item() == pytest.approx(base, rel=1e-6)
    assert cocoa_loss(z, present, gather_distributed=True).item() == pytest.approx(base)


def test_all_equal_and_degenerate_inputs_are_finite():
    z = torch.ones(3, 2, 4, requires_grad=True)
    loss = cocoa_loss(z, temperature=1.0, lambda_=1.0)
    assert loss.item() == pytest.approx(1 + math.e)
    loss.backward()
    assert torch.isfinite(z.grad).all()
    lonely = torch.tensor([[True, False], [False, True]])  # no window with 2, no modality with 2
    assert cocoa_loss(torch.randn(2, 2, 3), lonely).item() == 0.0
