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
