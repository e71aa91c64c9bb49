import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from crossl.errors import CrosslError
from crossl.eval.knn_probe import fit_knn_probe


def on_circle(degrees):
    a = np.deg2rad(np.asarray(degrees, dtype=float))
    return np.stack([np.cos(a), np.sin(a)], axis=1)


def test_neighbour_is_the_closest_direction_not_the_closest_point():
    # q = (1, 0.1) is 0.9 from b = (1, 1) but 9.0 from a = (10, 0); its angle to a is 5.7°,
    # to b 39.3°, so the cosine neighbour is a and the Euclidean one is b.
    x = np.array([[10.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1])
    q = np.array([[1.0, 0.1]])
    knn, k = fit_knn_probe(x, y, x, y, k_grid=(1,))
    assert k == 1
    assert knn.predict(q).tolist() == [0]
    assert KNeighborsClassifier(n_neighbors=1).fit(x, y).predict(q).tolist() == [1]


def test_scale_of_a_feature_vector_does_not_change_its_prediction():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 5)), rng.integers(0, 3, 40)
    q = rng.normal(size=(30, 5))
    knn, _ = fit_knn_probe(x, y, x, y, k_grid=(3,))
    scales = rng.uniform(0.01, 100, size=(30, 1))
    assert np.array_equal(knn.predict(q), knn.predict(q * scales))


def test_k_is_chosen_on_validation_and_ties_go_to_the_larger_k():
    # Class 0 at ±1°, ±2°, ±3° plus a mislabelled class-1 point at 0°; class 1 at 89°, 90°, 91°.
    # Validation: 0° (class 0) and 90° (class 1). k=1 takes the mislabelled point (wrong);
    # k=3 votes 2:1 and k=5 4:1 for class 0 at 0°, and 3:0, 3:2 for class 1 at 90° (both right);
    # k=10 takes all ten points, 6:4 for class 0 everywhere (90° wrong). Best: 3 and 5 -> 5.
    x_train = on_circle([-3, -2, -1, 1, 2, 3, 0, 89, 90, 91])
    y_train = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    x_val, y_val = on_circle([0, 90]), np.array([0, 1])
    knn, k = fit_knn_probe(x_train, y_train, x_val, y_val, k_grid=(10, 1, 3, 5))
    assert k == 5 and knn.n_neighbors == 5
    assert knn.predict(x_val).tolist() == [0, 1]
    for worse, predicted in ((1, [1, 1]), (10, [0, 0])):
        alone, _ = fit_knn_probe(x_train, y_train, x_val, y_val, k_grid=(worse,))
        assert alone.predict(x_val).tolist() == predicted


def test_k_is_capped_by_the_number_of_training_windows():
    x = on_circle([0, 10, 90, 100])
    y = np.array([0, 0, 1, 1])
    knn, k = fit_knn_probe(x, y, x, y, k_grid=(50, 4, 5))
    assert k == 4 and knn.n_neighbors == 4
    with pytest.raises(CrosslError, match="no k in k_grid=\\[5, 50\\] is at most the 4 training"):
        fit_knn_probe(x, y, x, y, k_grid=(5, 50))


@pytest.mark.parametrize(
    "x_train, y_train, x_val, k_grid, message",
    [
        (np.zeros((4, 2)), np.zeros(4, int), np.zeros((2, 3)), (1,), "x_val has 3 features"),
        (np.zeros((4, 2)), np.zeros(3, int), np.zeros((2, 2)), (1,), "y_train"),
        (np.zeros(4), np.zeros(4, int), np.zeros((2, 2)), (1,), "x_train"),
        (np.zeros((4, 2)), np.arange(4) % 2, np.zeros((2, 2)), (0, 1), "positive"),
        (np.zeros((4, 2)), np.ones(4, int), np.zeros((2, 2)), (1,), r"one class only \(1\)"),
    ],
)
def test_bad_input_is_refused(x_train, y_train, x_val, k_grid, message):
    with pytest.raises(CrosslError, match=message):
        fit_knn_probe(x_train, y_train, x_val, np.zeros(2, int), k_grid)
