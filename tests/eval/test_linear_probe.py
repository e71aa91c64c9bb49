"""The logistic-regression probe: C chosen on validation (ties to the stronger regularisation)."""

import numpy as np
import pytest

from crossl.errors import CrosslError
from crossl.eval.linear_probe import fit_linear_probe, fit_probe


def blobs(n, seed):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return rng.normal(size=(n, 3)) + 4.0 * y[:, None], y


def test_separable_classes_tie_every_c_and_the_smallest_wins():
    (x, y), (xv, yv) = blobs(40, 0), blobs(20, 1)
    probe, c = fit_linear_probe(x, y, xv, yv, c_grid=(10.0, 0.1, 1.0))
    assert c == 0.1
    assert (probe.predict(xv) == yv).all()


def three_noisy_classes(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)) * [1.0, 3.0, 0.5, 2.0, 1.0] + [0.0, 5.0, -1.0, 0.0, 2.0]
    logits = x @ rng.normal(size=(5, 3)) + rng.normal(scale=2.0, size=(n, 3))
    return x, logits.argmax(axis=1)


@pytest.mark.parametrize("c", [0.01, 1.0, 100.0])
def test_the_fit_is_the_minimum_of_the_penalised_likelihood(c):
    """At the solution, the gradient of mean cross-entropy + ||W||^2 / (2 C n) (the objective
    scikit-learn scales its tolerance by), worked out by hand, vanishes."""
    x, y = three_noisy_classes(300, 0)
    scaler, regression = fit_probe(x, y, c).named_steps.values()
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    assert np.allclose(scaler.transform(x), z)
    logits = z @ regression.coef_.T + regression.intercept_
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    residual = p - np.eye(3)[y]
    n = len(x)
    grad_w = residual.T @ z / n + regression.coef_ / (c * n)
    grad_b = residual.mean(axis=0)
    assert np.abs(grad_w).max() < 1e-5 and np.abs(grad_b).max() < 1e-5


def test_it_agrees_with_a_tightly_converged_lbfgs_fit():
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    (x, y), (x_test, _) = three_noisy_classes(400, 1), three_noisy_classes(400, 2)
    scaler = StandardScaler().fit(x)
    for c in (0.1, 10.0):
        reference = LogisticRegression(C=c, tol=1e-12, max_iter=100_000).fit(scaler.transform(x), y)
        probe = fit_probe(x, y, c)
        assert np.abs(probe[-1].coef_ - reference.coef_).max() < 1e-3
        assert (probe.predict(x_test) == reference.predict(scaler.transform(x_test))).all()


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
