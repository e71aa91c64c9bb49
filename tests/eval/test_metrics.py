import warnings

import numpy as np
import pytest
from sklearn.metrics import f1_score

from crossl.errors import CrosslError
from crossl.eval.metrics import classification_metrics


def test_two_class_values_worked_out_by_hand():
    # Confusion (rows true, columns predicted): [[5, 1], [2, 2]], n = 10.
    # accuracy = 7/10; recalls 5/6 and 2/4, so balanced accuracy = (5/6 + 1/2) / 2 = 2/3.
    # kappa: p_o = 0.7, marginals true (0.6, 0.4), predicted (0.7, 0.3),
    #   p_e = 0.6*0.7 + 0.4*0.3 = 0.54, kappa = (0.7 - 0.54) / (1 - 0.54) = 8/23.
    # F1 = 2TP / (2TP + FP + FN): class 0: 10 / (10 + 2 + 1) = 10/13; class 1: 4 / (4 + 1 + 2) = 4/7.
    y_true = np.array([0] * 6 + [1] * 4)
    y_pred = np.array([0] * 5 + [1] + [0] * 2 + [1] * 2)
    m = classification_metrics(y_true, y_pred, ["still", "moving"])
    assert m["accuracy"] == pytest.approx(0.7)
    assert m["balanced_accuracy"] == pytest.approx(2 / 3)
    assert m["cohen_kappa"] == pytest.approx(8 / 23)
    assert m["per_class_f1"] == pytest.approx({"still": 10 / 13, "moving": 4 / 7})
    assert m["macro_f1"] == pytest.approx((10 / 13 + 4 / 7) / 2)


def test_class_absent_from_both_arrays_scores_zero_but_does_not_dilute_macro_f1():
    # Class "b" (1) is neither true nor predicted. Class 0: TP 1, FN 1 -> F1 2/3;
    # class 2: TP 2, FP 1 -> F1 4/5. macro_f1 averages over {0, 2} only.
    y_true, y_pred = np.array([0, 0, 2, 2]), np.array([0, 2, 2, 2])
    m = classification_metrics(y_true, y_pred, ["a", "b", "c"])
    assert list(m["per_class_f1"]) == ["a", "b", "c"]
    assert m["per_class_f1"] == pytest.approx({"a": 2 / 3, "b": 0.0, "c": 4 / 5})
    assert m["macro_f1"] == pytest.approx((2 / 3 + 4 / 5) / 2)
    unnamed = classification_metrics(y_true, y_pred)
    assert unnamed["per_class_f1"] == pytest.approx({"0": 2 / 3, "1": 0.0, "2": 4 / 5})


def test_named_classes_beyond_the_largest_label_are_listed():
    m = classification_metrics(np.array([0, 1]), np.array([0, 1]), ["a", "b", "c", "d"])
    assert m["per_class_f1"] == {"a": 1.0, "b": 1.0, "c": 0.0, "d": 0.0}


def test_predicted_class_absent_from_truth_counts_in_macro_f1_not_in_balanced_accuracy():
    # Recalls over the true classes: class 0 1/2, class 1 2/2 -> balanced accuracy 3/4.
    # F1: class 0 2/3, class 1 1, class 2 (predicted once, never true) 0 -> macro (2/3 + 1 + 0) / 3.
    y_true, y_pred = np.array([0, 0, 1, 1]), np.array([0, 2, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = classification_metrics(y_true, y_pred)
    assert m["balanced_accuracy"] == pytest.approx(0.75)
    assert m["macro_f1"] == pytest.approx((2 / 3 + 1) / 3)


@pytest.mark.parametrize(
    "y_true, y_pred, kappa",
    [
        ([0, 1, 2, 2], [0, 1, 2, 2], 1.0),
        ([0, 1], [1, 0], -1.0),  # p_o = 0, p_e = 1/2
        ([0, 1, 1, 2], [1, 1, 1, 1], 0.0),  # constant prediction: p_o = p_e = 1/2
        ([1, 1, 1], [1, 1, 1], 0.0),  # one class in both: 0/0, reported as a constant prediction
    ],
)
def test_kappa_reference_points(y_true, y_pred, kappa):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = classification_metrics(np.array(y_true), np.array(y_pred))
    assert m["cohen_kappa"] == pytest.approx(kappa)


def test_accuracy_and_macro_f1_keep_their_definitions_over_random_draws():
    rng = np.random.default_rng(0)
    for _ in range(50):
        n, k = rng.integers(5, 40), rng.integers(2, 6)
        y_true, y_pred = rng.integers(0, k, n), rng.integers(0, k, n)
        m = classification_metrics(y_true, y_pred)
        assert m["accuracy"] == pytest.approx(np.mean(y_true == y_pred))
        assert m["macro_f1"] == pytest.approx(
            f1_score(y_true, y_pred, average="macro", zero_division=0)
        )
        if len(np.union1d(y_true, y_pred)) == max(y_true.max(), y_pred.max()) + 1:
            assert m["macro_f1"] == pytest.approx(np.mean(list(m["per_class_f1"].values())))


@pytest.mark.parametrize(
    "y_true, y_pred, names, message",
    [
        ([0, 1, 1], [0, 1], None, "same length"),
        ([], [], None, "non-empty"),
        ([[0, 1]], [[0, 1]], None, "1-D"),
        ([0, -1], [0, 1], None, "unlabelled"),
        ([0.0, 1.0], [0, 1], None, "class indices"),
        ([0, 3], [0, 1], ["a", "b"], "label 3 has no name"),
    ],
)
def test_bad_labels_are_refused(y_true, y_pred, names, message):
    with pytest.raises(CrosslError, match=message):
        classification_metrics(np.array(y_true), np.array(y_pred), names)
