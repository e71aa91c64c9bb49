import pytest
import torch

from crossl.losses import cocoa_loss, cross_modal_infonce_loss


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
