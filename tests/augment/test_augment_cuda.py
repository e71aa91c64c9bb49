import pytest
import torch

from crossl.augment import AUGMENTATIONS, Augmenter, AugmentSpec, random_rotation_matrices
from crossl.data.container import WindowSet

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@needs_cuda
@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_augmentations_run_on_the_batch_device(name):
    x = torch.randn(16, 6, 64, device="cuda")
    g = torch.Generator(device="cuda").manual_seed(0)
    y = AUGMENTATIONS[name](x, g)
    assert y.device == x.device and y.shape == x.shape and y.dtype == x.dtype
    assert torch.equal(y, AUGMENTATIONS[name](x, torch.Generator(device="cuda").manual_seed(0)))


@needs_cuda
def test_augmenter_and_matrices_on_cuda():
    g = torch.Generator(device="cuda").manual_seed(0)
    assert random_rotation_matrices(4, g).device.type == "cuda"
    n = 8
    data = WindowSet(
        {"acc": torch.randn(n, 3, 32), "gyro": torch.randn(n, 3, 16)},
        torch.zeros(n, dtype=torch.long),
        torch.zeros(n, dtype=torch.long),
    ).to("cuda")
    specs = [AugmentSpec(name, p=0.5) for name in sorted(AUGMENTATIONS)]
    out = Augmenter(specs)(data, g)
    assert all(v.device.type == "cuda" for v in out.modalities.values())
