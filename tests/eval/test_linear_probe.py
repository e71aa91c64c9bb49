"""The logistic-regression probe: C chosen on validation (ties to the stronger regularisation)."""

import numpy as np
import pytest

from crossl.errors import CrosslError
from crossl.eval.linear_probe import fit_linear_probe


def blobs(n, seed):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return rng.normal(size=(n, 3)) + 4.0 * y[:, None], y


def test_separable_classes_tie_every_c_and_the_smallest_wins():
    (x, y), (xv, yv) = blobs(40, 0), blobs(20, 1)
    probe, c = fit_linear_probe(x, y, xv, yv, c_grid=(10.0, 0.1, 1.0))
    assert c == 0.1
    assert (probe.predict(xv) == yv).all()


def test_bad_inputs_are_one_clear_error():
    x, y = blobs(10, 0)
    with pytest.raises(CrosslError, match=r"one class only \(0\)"):
        fit_linear_probe(x, np.zeros(10, int), x, y)
    with pytest.raises(CrosslError, match="x_val has 2 features but x_train has 3"):
        fit_linear_probe(x, y, x[:, :2], y)


def test_a_registered_probe_is_fitted_by_name_on_mean_filled_features(monkeypatch):
    from crossl.eval import probes

    seen = {}

    class Majority:
        def __init__(self, label):
            self.label = label

        def predict(self, x):
            return np.full(len(x), self.label)

    def fit(data):
        seen["x_train"] = data.x_train
        return Majority(int(np.bincount(data.y_train).argmax())), {"rule": "majority"}

    monkeypatch.setitem(probes.FROZEN_PROBES, "majority", probes.FrozenProbe(fit, seeded=False))
    x = np.array([[1.0, np.nan], [3.0, 4.0], [5.0, 6.0]])
    probe, hyper = probes.fit_frozen_probe("majority", x, np.array([1, 1, 0]), x, x[:, 0], 2, 0)
    assert hyper == {"rule": "majority"}
    assert np.array_equal(seen["x_train"][:, 1], [5.0, 4.0, 6.0])  # the NaN got the column mean
    assert probe.predict(x).tolist() == [1, 1, 1]
    with pytest.raises(CrosslError, match="unknown frozen probe 'nope': choose linear, knn, mlp"):
        probes.fit_frozen_probe("nope", x, np.array([1, 1, 0]), x, x[:, 0], 2, 0)
