import math

import pytest
import torch

from crossl.methods.collapse import collapse_warning, effective_rank, normalised_std
from crossl.methods.online_probe import OnlineProbe


def test_effective_rank_by_hand():
    # centred rows span two axes with singular values 2 and 1: p = (2/3, 1/3)
    z = torch.tensor(
        [
            [math.sqrt(2), 0.0],
            [-math.sqrt(2), 0.0],
            [0.0, 1 / math.sqrt(2)],
            [0.0, -1 / math.sqrt(2)],
        ]
    )
    p = torch.tensor([2 / 3, 1 / 3])
    assert effective_rank(z).item() == pytest.approx(math.exp(-(p * p.log()).sum().item()))


def test_isotropic_embeddings_have_full_rank_and_unit_normalised_std():
    z = torch.randn(4000, 16, generator=torch.Generator().manual_seed(0))
    assert effective_rank(z).item() == pytest.approx(16, rel=0.02)
    assert normalised_std(z).item() == pytest.approx(1.0, abs=0.02)


def test_collapsed_embeddings_are_flagged():
    direction = torch.randn(1, 16)
    collapsed = direction * torch.rand(64, 1) + 1e-6 * torch.randn(64, 16)
    std, rank = normalised_std(collapsed).item(), effective_rank(collapsed).item()
    assert std < 0.01 and rank < 1.5
    assert "collapsing" in collapse_warning(std, rank)
    healthy = torch.randn(64, 16)
    assert collapse_warning(normalised_std(healthy).item(), effective_rank(healthy).item()) is None


def test_diagnostics_refuse_a_single_embedding():
    with pytest.raises(ValueError, match="B >= 2"):
        effective_rank(torch.zeros(1, 4))


def test_online_probe_skips_unlabelled_windows_and_scores_by_hand():
    probe = OnlineProbe(2, 2)
    with torch.no_grad():
        probe.linear.weight.copy_(torch.eye(2))
        probe.linear.bias.zero_()
    features = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [5.0, 0.0]])
    labels = torch.tensor([0, 1, 1, -1])
    logits = features[:3]
    expected = torch.nn.functional.cross_entropy(logits, labels[:3])
    assert probe.loss(features, labels).item() == pytest.approx(expected.item())
    assert probe.compute() is None
    probe.update(features, labels)
    scores = probe.compute()
    assert scores["accuracy"] == pytest.approx(2 / 3)
    assert scores["macro_f1"] == pytest.approx(
        (2 / 3 + 2 / 3) / 2
    )  # F1 of class 0: 2/3, class 1: 2/3
    assert probe.compute() is None  # reset after compute
    assert probe.loss(features, torch.full((4,), -1)).item() == 0.0


def test_epoch_sums_are_size_weighted_float32_whatever_the_step_precision():
    from crossl.config import load_config
    from crossl.methods import get_method

    module = get_method("crossl")(load_config("crossl"), {"acc": (3, 32), "gyro": (3, 32)})
    # bf16 terms of batches of unequal size; 1/3 is not exact in bf16, the weighting must not
    # make it worse
    for value, size in [(1.0, 2), (3.0, 6), (1 / 3, 5)]:
        module._accumulate({"loss": torch.tensor(value, dtype=torch.bfloat16)}, size)
    total = module._epoch_sums["loss"]
    assert total.dtype == torch.float32 and module._epoch_windows == 13
    bf16_third = float(torch.tensor(1 / 3, dtype=torch.bfloat16))
    assert float(total) / 13 == pytest.approx((2 * 1.0 + 6 * 3.0 + 5 * bf16_third) / 13, rel=1e-6)
