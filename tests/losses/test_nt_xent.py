import math

import pytest
import torch

from crossl.losses import NTXentLoss, nt_xent_loss


def _unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def _reference(a, b, t):
    """NT-Xent written out over plain lists: 2N anchors, 1 positive, 2N - 2 negatives each."""
    n = len(a)
    views = [_unit(v) for v in a] + [_unit(v) for v in b]
    total = 0.0
    for i in range(2 * n):
        p = (i + n) % (2 * n)

        def e(k, i=i):
            return math.exp(sum(x * y for x, y in zip(views[i], views[k], strict=True)) / t)

        total += -math.log(e(p) / sum(e(k) for k in range(2 * n) if k != i))
    return total / (2 * n)


def test_orthogonal_pairs_by_hand():
    a = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    b = torch.tensor([[2.0, 0.0], [0.0, 3.0]])
    # every anchor: positive cosine 1, two negatives of cosine 0
    expected = math.log(1 + 2 * math.exp(-1 / 0.5))
    assert nt_xent_loss(a, b, temperature=0.5).item() == pytest.approx(expected, rel=1e-6)


def test_three_windows_by_hand():
    a = [[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0]]
    b = [[0.5, 1.0], [2.0, 1.0], [-1.0, -1.0]]
    got = nt_xent_loss(torch.tensor(a), torch.tensor(b), temperature=0.2).item()
    assert got == pytest.approx(_reference(a, b, 0.2), rel=1e-5)
    assert NTXentLoss(0.2)(torch.tensor(a), torch.tensor(b)).item() == pytest.approx(got)


def test_invariant_to_swapping_views_and_positive_rescaling():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(16, 8, generator=g), torch.randn(16, 8, generator=g)
    scale = torch.rand(16, 1, generator=g) * 5 + 0.1
    base = nt_xent_loss(a, b).item()
    assert nt_xent_loss(b, a).item() == pytest.approx(base, rel=1e-5)
    assert nt_xent_loss(a * scale, b * 3.0).item() == pytest.approx(base, rel=1e-5)
    assert nt_xent_loss(a, b, gather_distributed=True).item() == pytest.approx(base, rel=1e-6)


def test_aligned_separated_views_score_lower_than_random():
    g = torch.Generator().manual_seed(1)
    aligned = torch.eye(8)
    random_a, random_b = torch.randn(8, 8, generator=g), torch.randn(8, 8, generator=g)
    assert nt_xent_loss(aligned, 2 * aligned) < nt_xent_loss(random_a, random_b)


def test_all_equal_inputs_are_finite():
    z = torch.ones(4, 3, requires_grad=True)
    loss = nt_xent_loss(z, z)
    assert loss.item() == pytest.approx(math.log(2 * 4 - 1), rel=1e-6)
    loss.backward()
    assert torch.isfinite(z.grad).all()
    assert torch.isfinite(nt_xent_loss(torch.zeros(3, 2), torch.zeros(3, 2)))


def test_bad_inputs():
    z = torch.randn(4, 3)
    with pytest.raises(ValueError, match=r"\[B, D\]"):
        nt_xent_loss(z, z[:, :2])
    with pytest.raises(ValueError, match="at least 2"):
        nt_xent_loss(z[:1], z[:1])
    with pytest.raises(ValueError, match="temperature"):
        nt_xent_loss(z, z, temperature=0.0)
