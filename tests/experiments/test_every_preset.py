import lightning as L
import pytest
import torch

from crossl.config import load_config
from crossl.experiments.pretrain import load_data, pretrain
from crossl.methods import get_method
from crossl.shipped import preset_names

TINY = ["limit_windows=96", "epochs=1", "batch_size=32", "online_probe=false"]


@pytest.mark.parametrize("preset", preset_names())
def test_every_shipped_preset_loads_and_trains(preset, tmp_path):
    cfg = load_config(preset, TINY)
    data = load_data(cfg)
    L.seed_everything(cfg.seed, verbose=False)
    start = get_method(cfg.method)(cfg, data.modality_shapes, num_classes=6).backbone.state_dict()
    outcome = pretrain(cfg, tmp_path / "run", data, progress=False)
    history = outcome.summary["history"]
    assert len(history) == 1 and torch.isfinite(torch.tensor(history[0]["train_loss"]))
    trained = outcome.module.backbone.state_dict()
    assert trained.keys() == start.keys()
    encoders = [k for k in start if k.startswith("encoders.")]
    assert encoders and all(
        not torch.equal(start[k], trained[k]) for k in encoders if "weight" in k
    )
    assert outcome.module.augmenter.units is not None, "the augmenter knows the sensor units"
