import math

import pytest
import torch
from hand_reference import Z, cos

from crossl.losses import CrossModalInfoNCELoss, cross_modal_infonce_loss

PRESENT = [[True, True, True], [True, False, True], [True, True, False], [False, True, True]]


def _reference(z, present, t):
    """Pairwise cross-modal InfoNCE written out over plain lists."""
    b, m = len(z), len(z[0])
    pair_losses = []
    for j in range(m):
        for k in range(m):
            rows = [i for i in range(b) if present[i][j] and present[i][k]]
            if j == k or len(rows) < 2:
                continue
            terms = []
            for i in rows:
                logits = {o: cos(z[i][j], z[o][k]) / t for o in rows}
                terms.append(-logits[i] + math.log(sum(math.exp(v) for v in logits.values())))
            pair_losses.append(sum(terms) / len(terms))
    return sum(pair_losses) / len(pair_losses) if pair_losses else 0.0


def test_two_windows_by_hand():
    # each anchor: positive cosine 1, one negative of cosine 0
    z = torch.tensor([[[1.0, 0.0], [2.0, 0.0]], [[0.0, 1.0], [0.0, 3.0]]])
    expected = math.log(1 + math.exp(-1 / 0.5))
    assert cross_modal_infonce_loss(z, temperature=0.5).item() == pytest.approx(expected, rel=1e-6)


def test_missing_modalities_by_hand():
    z, present = torch.tensor(Z), torch.tensor(PRESENT)
    # pairs seen together: {0,1}: windows 0, 2; {0,2}: 0, 1; {1,2}: 0, 3 -> all three pairs count
    got = cross_modal_infonce_loss(z, present, temperature=0.5).item()
    assert got == pytest.approx(_reference(Z, PRESENT, 0.5), rel=1e-5)
    assert CrossModalInfoNCELoss(0.5)(z, present).item() == pytest.approx(got)
    sparse = [[True, True, False], [True, False, True], [True, True, True], [False, True, True]]
    # {0,1}: windows 0, 2; {0,2}: 1, 2; {1,2}: 2, 3
    got = cross_modal_infonce_loss(z, torch.tensor(sparse)).item()
    assert got == pytest.approx(_reference(Z, sparse, 0.1), rel=1e-5)
    one_pair = [[True, True, False], [True, True, False], [True, False, True], [False, True, True]]
    # only {0,1} has 2 windows: the loss is that pair's symmetric InfoNCE alone
    got = cross_modal_infonce_loss(z, torch.tensor(one_pair), temperature=0.5).item()
    assert got == pytest.approx(_reference(Z, one_pair, 0.5), rel=1e-5)
    assert got == pytest.approx(cross_modal_infonce_loss(z[:2, :2], temperature=0.5).item())


def test_invariant_to_modality_and_batch_order():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(6, 4, 5, generator=g)
    present = torch.rand(6, 4, generator=g) > 0.3
    base = cross_modal_infonce_loss(z, present).item()
    modalities, windows = torch.tensor([2, 0, 3, 1]), torch.randperm(6, generator=g)
    got = cross_modal_infonce_loss(z[:, modalities], present[:, modalities]).item()
    assert got == pytest.approx(base, rel=1e-6)
    assert cross_modal_infonce_loss(z[windows], present[windows]).item() == pytest.approx(base)
    assert cross_modal_infonce_loss(z, present, gather_distributed=True).item() == base


def test_all_equal_and_degenerate_inputs_are_finite():
    z = torch.ones(3, 2, 4, requires_grad=True)
    loss = cross_modal_infonce_loss(z)
    assert loss.item() == pytest.approx(math.log(3))
    loss.backward()
    assert torch.isfinite(z.grad).all()
    apart = torch.tensor([[True, False], [False, True]])
    assert cross_modal_infonce_loss(torch.randn(2, 2, 3), apart).item() == 0.0
