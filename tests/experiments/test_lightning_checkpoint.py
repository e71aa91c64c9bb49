import torch

from crossl.config import load_config
from crossl.experiments.pretrain import pretrain
from crossl.methods.registry import get_method


def test_a_checkpoint_loads_with_lightnings_load_from_checkpoint(tmp_path):
    cfg = load_config("crossl", ["epochs=1", "limit_windows=64"])
    outcome = pretrain(cfg, tmp_path, progress=False)
    loaded = get_method("crossl").load_from_checkpoint(tmp_path / "last.ckpt")
    assert loaded.cfg == cfg and loaded.modality_shapes == outcome.module.modality_shapes
    assert loaded.metadata["class_names"] == outcome.module.metadata["class_names"]
    a, b = outcome.module.state_dict(), loaded.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
