import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from crossl.errors import CrosslError
from crossl.eval.metrics import macro_f1
from crossl.eval.mlp_probe import fit_mlp_probe

FAST = {"hidden": 32, "max_epochs": 60, "patience": 60, "lr": 1e-2}


def rings(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric rings (radius 1 and 3): no straight line separates them."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = 1 + 2 * y + rng.normal(0, 0.2, n)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1), y


def noise(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features unrelated to the labels: whatever the probe predicts comes from its randomness."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 8)), rng.integers(0, 3, n)


def test_learns_concentric_rings_that_a_linear_model_cannot():
    x_train, y_train = rings(300, 0)
    x_val, y_val = rings(200, 1)
    x_test, y_test = rings(400, 2)
    probe, info = fit_mlp_probe(x_train, y_train, x_val, y_val, num_classes=2, seed=0, **FAST)
    mlp_accuracy = np.mean(probe.predict(x_test) == y_test)
    linear = LogisticRegression().fit(x_train, y_train)
    linear_accuracy = np.mean(linear.predict(x_test) == y_test)
    assert mlp_accuracy > 0.95
    assert linear_accuracy < 0.7
    assert info["hidden"] == 32 and 1 <= info["epochs"] <= info["epochs_run"] <= 60


def test_same_seed_same_predictions_other_seed_other_predictions():
    x_train, y_train = noise(200, 0)
    x_val, y_val = noise(100, 1)
    x_test, _ = noise(300, 2)

    def predictions(seed, global_seed):
        torch.manual_seed(global_seed)  # the global random state must not matter
        probe, _ = fit_mlp_probe(x_train, y_train, x_val, y_val, 3, seed, **FAST)
        return probe.predict(x_test)

    first = predictions(0, global_seed=1)
    assert np.array_equal(first, predictions(0, global_seed=2))
    assert np.mean(first != predictions(1, global_seed=1)) > 0.1


def test_leaves_the_global_random_state_alone():
    x, y = noise(50, 0)
    state = torch.get_rng_state()
    fit_mlp_probe(x, y, x, y, 3, seed=0, **FAST)
    assert torch.equal(torch.get_rng_state(), state)


def test_stops_patience_epochs_after_the_best_and_restores_the_best_weights():
    x_train, y_train = noise(200, 0)
    x_val, y_val = noise(100, 1)
    probe, info = fit_mlp_probe(
        x_train, y_train, x_val, y_val, 3, seed=0, hidden=32, max_epochs=300, patience=5
    )
    assert info["epochs_run"] == info["epochs"] + 5 < 300
    assert macro_f1(y_val, probe.predict(x_val)) == info["val_macro_f1"]


def test_max_epochs_caps_training():
    x, y = rings(200, 0)
    _, info = fit_mlp_probe(x, y, x, y, 2, seed=0, hidden=8, max_epochs=3, patience=30, lr=1e-4)
    assert info["epochs_run"] == 3


def test_constant_feature_is_standardised_without_dividing_by_zero():
    x, y = rings(200, 0)
    x = np.concatenate([x, np.full((200, 1), 7.0)], axis=1)
    probe, _ = fit_mlp_probe(x, y, x, y, 2, seed=0, **FAST)
    assert np.mean(probe.predict(x) == y) > 0.95


@pytest.mark.parametrize(
    "x_train, y_train, x_val, y_val, message",
    [
        (np.zeros(10), np.zeros(10, int), np.zeros((4, 2)), np.zeros(4, int), "x_train"),
        (np.zeros((10, 2)), np.zeros(9, int), np.zeros((4, 2)), np.zeros(4, int), "y_train"),
        (np.zeros((10, 2)), np.zeros(10, int), np.zeros((4, 3)), np.zeros(4, int), "3 features"),
        (np.zeros((10, 2)), np.full(10, 3), np.zeros((4, 2)), np.zeros(4, int), "outside 0..2"),
        (np.zeros((10, 2)), np.zeros(10, int), np.zeros((4, 2)), np.full(4, -1), "unlabelled"),
    ],
)
def test_bad_shapes_and_labels_are_refused(x_train, y_train, x_val, y_val, message):
    with pytest.raises(CrosslError, match=message):
        fit_mlp_probe(x_train, y_train, x_val, y_val, num_classes=3, seed=0)


def test_bad_settings_and_prediction_shapes_are_refused():
    x, y = rings(20, 0)
    with pytest.raises(CrosslError, match="patience=0 must be at least 1"):
        fit_mlp_probe(x, y, x, y, 2, seed=0, patience=0)
    with pytest.raises(CrosslError, match="lr=0"):
        fit_mlp_probe(x, y, x, y, 2, seed=0, lr=0)
    probe, _ = fit_mlp_probe(x, y, x, y, 2, seed=0, max_epochs=1)
    with pytest.raises(CrosslError, match="fitted on 2 features"):
        probe.predict(np.zeros((3, 5)))
