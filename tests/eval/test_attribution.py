import numpy as np
import pytest
import torch

from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.eval.attribution import (
    ProbedNetwork,
    modality_occlusion,
    modality_shares,
    time_attribution,
)
from crossl.eval.features import extract_features
from crossl.eval.probes import fit_frozen_probe
from crossl.nn import MultimodalBackbone


def _windows(n: int, seed: int) -> WindowSet:
    """Two sensors; the label is the sign of sensor a's level, sensor b is noise only."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 2, (n,), generator=g)
    a = (2.0 * labels - 1.0)[:, None, None] + 0.5 * torch.randn(n, 2, 32, generator=g)
    b = torch.randn(n, 2, 32, generator=g)
    return WindowSet({"a": a, "b": b}, labels, torch.zeros(n).long())


@pytest.fixture(scope="module", params=["encoders", "aggregator"])
def probed(request):
    torch.manual_seed(0)
    net = MultimodalBackbone({"a": (2, 32), "b": (2, 32)}, kernel_sizes=(5, 3, 3)).eval()
    train, val = _windows(300, 1), _windows(100, 2)
    probe, _ = fit_frozen_probe(
        "linear",
        extract_features(net, train, request.param),
        train.labels.numpy(),
        extract_features(net, val, request.param),
        val.labels.numpy(),
        num_classes=2,
        seed=0,
    )
    return ProbedNetwork(net, probe, request.param), probe, request.param


def test_the_network_computes_the_probes_own_decisions(probed):
    model, probe, features = probed
    test = _windows(200, 3)
    test.present[::3, 1] = False  # a lost sensor b in every third window
    logits = model.logits(test).numpy()
    sklearn = probe.predict(extract_features(model.backbone, test, features))
    np.testing.assert_array_equal(np.array(model.classes)[logits.argmax(1)], sklearn)
    assert (sklearn == test.labels.numpy()).mean() > 0.8  # the task is learnt


def test_occluding_the_informative_sensor_moves_the_decision_and_the_noise_does_not(probed):
    model, _, features = probed
    if features == "aggregator":
        pytest.skip("an untrained aggregator mixes the sensors: the probe depends on both")
    test = _windows(200, 3)
    test.present[:10, 1] = False
    predicted, drop = modality_occlusion(model, test)
    assert predicted.shape == (200,) and drop.shape == (200, 2)
    assert np.isnan(drop[:10]).all()  # one sensor left: nothing to occlude; b absent already
    a, b = np.nanmean(drop[10:, 0]), np.nanmean(np.abs(drop[10:, 1]))
    assert a > 0.2 and a > 5 * b


def test_integrated_gradients_are_complete_and_on_encoders_put_the_mass_on_the_right_sensor(probed):
    model, _, features = probed
    test = _windows(40, 4)
    per_time, gap = time_attribution(model, test, test.labels.numpy())
    assert [a.shape for a in per_time] == [(40, 32), (40, 32)] and gap.shape == (40,)
    shares = modality_shares(per_time)
    np.testing.assert_allclose(shares.sum(1), 1.0, rtol=1e-6)
    # completeness: the attributions add up to logit(x) - logit(baseline), but for the gap
    xs = [test.modalities[n] for n in ("a", "b")]
    with torch.no_grad():
        change = model(*xs, test.present) - model(*[torch.zeros_like(x) for x in xs], test.present)
    change = change.gather(1, test.labels[:, None])[:, 0].numpy()
    np.testing.assert_allclose(sum(a.sum(1) for a in per_time) - change, gap, atol=1e-4)
    if features == "encoders":  # the probe reads the two sensors' blocks apart
        assert np.median(shares[:, 0]) > 0.8
        assert np.abs(gap).max() < 0.03 * np.abs(change).max()


def test_one_target_per_window(probed):
    model, _, _ = probed
    with pytest.raises(CrosslError, match="3 targets for 40 windows"):
        time_attribution(model, _windows(40, 4), np.zeros(3, int))
