import math

import pytest
import torch

from crossl.nn.dropout import Dropout, dropout_mask


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_mask_keeps_each_element_with_probability_one_minus_p(p):
    torch.manual_seed(0)
    n = 400_000
    kept = dropout_mask(torch.Size([n]), p, torch.device("cpu")).double().mean().item()
    assert abs(kept - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)


def test_mask_keeps_nothing_when_p_is_within_float_resolution_of_one():
    assert not dropout_mask(torch.Size([1000]), 1 - 1e-12, torch.device("cpu")).any()
    assert dropout_mask(torch.Size([1000]), 0.0, torch.device("cpu")).all()


def test_mask_elements_are_independent_within_and_across_lanes():
    torch.manual_seed(0)
    mask = dropout_mask(torch.Size([200_000, 2]), 0.5, torch.device("cpu")).double()
    # neighbours share a 64-bit draw (one lane each) or not: both pairs uncorrelated
    for a, b in [(mask[:, 0], mask[:, 1]), (mask[:-1, 1], mask[1:, 0])]:
        corr = torch.corrcoef(torch.stack([a, b]))[0, 1].item()
        assert abs(corr) < 5 / math.sqrt(len(a))


def test_dropout_scales_kept_values_and_their_gradients():
    torch.manual_seed(3)
    drop = Dropout(0.25)
    x = (torch.rand(64, 50) + 1.0).requires_grad_()
    y = drop(x)
    kept = y != 0
    torch.testing.assert_close(y[kept], x[kept] / 0.75)
    y.sum().backward()
    torch.testing.assert_close(x.grad, kept.float() / 0.75)


def test_dropout_is_identity_in_eval_mode_and_reproducible_by_seed():
    x = torch.randn(8, 16, 4)
    drop = Dropout(0.3)
    assert torch.equal(drop.eval()(x), x)
    drop.train()
    torch.manual_seed(7)
    a = drop(x)
    torch.manual_seed(7)
    assert torch.equal(drop(x), a)
    assert torch.equal(Dropout(1.0)(x), torch.zeros_like(x))
