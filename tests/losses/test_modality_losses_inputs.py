import pytest
import torch
from hand_reference import Z

from crossl.losses import cocoa_loss, cross_modal_infonce_loss

PRESENT = [[True, True, True], [True, False, True], [True, True, False], [False, False, True]]


@pytest.mark.parametrize("loss", [cocoa_loss, cross_modal_infonce_loss])
def test_absent_embeddings_change_nothing(loss):
    z, present = torch.tensor(Z, requires_grad=True), torch.tensor(PRESENT)
    base = loss(z, present)
    base.backward()
    for fill in (5.0, -7.0):
        changed = z.detach().clone()
        changed[~present] = torch.tensor([float("nan"), fill])
        changed.requires_grad_()
        again = loss(changed, present)
        again.backward()
        assert again.item() == pytest.approx(base.item())
        assert torch.equal(changed.grad[~present], torch.zeros_like(changed.grad[~present]))
        assert torch.allclose(changed.grad, z.grad)


@pytest.mark.parametrize("loss", [cocoa_loss, cross_modal_infonce_loss])
def test_cross_modal_losses_refuse_bad_inputs_with_a_clear_message(loss):
    z = torch.randn(4, 3, 2)
    with pytest.raises(ValueError, match=r"\[B, M, D\]"):
        loss(z[0])
    with pytest.raises(ValueError, match="batch of at least 2"):
        loss(z[:1])
    with pytest.raises(ValueError, match="at least 2 modalities"):
        loss(z[:, :1])
    with pytest.raises(ValueError, match="present"):
        loss(z, torch.ones(4, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match="present"):
        loss(z, torch.ones(4, 3))
    with pytest.raises(ValueError, match="temperature"):
        loss(z, temperature=-1.0)
