import numpy as np
import torch

from crossl.data.container import WindowSet
from crossl.eval.features import extract_features
from crossl.eval.mean_fill import MeanFill
from crossl.eval.probes import fit_frozen_probe, refit_linear_probe
from crossl.nn.backbone import MultimodalBackbone


def test_mean_fill_by_hand():
    x = np.array([[1.0, 2.0, np.nan], [3.0, np.nan, np.nan], [5.0, 4.0, np.nan]])
    fill = MeanFill.fit(x)
    np.testing.assert_allclose(fill.means, [3.0, 3.0, 0.0])
    np.testing.assert_allclose(fill(np.array([[np.nan, 7.0, np.nan]])), [[3.0, 7.0, 0.0]])
    finite = np.ones((2, 3))
    assert fill(finite) is finite


def test_a_mean_filled_block_contributes_nothing_to_the_linear_probe():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6)) + rng.normal(size=6)
    y = (x[:, 0] + x[:, 4] > x[:, 0].mean() + x[:, 4].mean()).astype(int)
    probe, _ = fit_frozen_probe("linear", x, y, x, y, num_classes=2, seed=0, c_grid=[1.0])
    x_missing = x.copy()
    x_missing[:, 3:] = np.nan  # the second "modality" is absent
    pipeline = probe.probe
    scaler, lr = pipeline[0], pipeline[-1]
    z = scaler.transform(x)
    z[:, 3:] = 0.0  # standardised training mean: the block adds nothing to the logits
    np.testing.assert_allclose(
        pipeline.decision_function(probe.fill(x_missing)), lr.decision_function(z), atol=1e-9
    )
    # raw zeros instead would shift every logit by a constant
    zeros = np.where(np.isnan(x_missing), 0.0, x_missing)
    assert not np.allclose(pipeline.decision_function(zeros), lr.decision_function(z))


def test_every_frozen_probe_accepts_missing_blocks():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(120, 4))
    y = (x[:, 0] > 0).astype(int)
    x_test = x.copy()
    x_test[::2, 2:] = np.nan
    for protocol in ("linear", "knn", "mlp"):
        probe, _ = fit_frozen_probe(protocol, x, y, x, y, num_classes=2, seed=0)
        assert probe.predict(x_test).shape == (120,)
    refit = refit_linear_probe(x_test[::2], y[::2], 1.0)
    assert refit.predict(x_test).shape == (120,)


def test_encoder_features_mark_absent_blocks_nan_and_aggregator_features_stay_finite():
    torch.manual_seed(0)
    net = MultimodalBackbone({"acc": (3, 32), "gyro": (3, 32)})
    ws = WindowSet(
        {"acc": torch.randn(5, 3, 32), "gyro": torch.randn(5, 3, 32)},
        torch.zeros(5).long(),
        torch.zeros(5).long(),
    ).with_present(["acc"])
    enc = extract_features(net, ws, "encoders")
    assert np.isfinite(enc[:, :96]).all() and np.isnan(enc[:, 96:]).all()
    assert np.isfinite(extract_features(net, ws, "aggregator")).all()
