import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from crossl.errors import CrosslError
from crossl.estimators import ArrayInputError, CrosslClassifier, CrosslEncoder

TINY = {"kernel_sizes": [2, 2, 2], "augment": [{"name": "jitter"}]}
HAPT_CHANNELS = {"acc": [0, 1, 2], "gyro": [3, 4, 5]}

NOT_APPLICABLE = {
    "CrosslEncoder": {
        "check_transformer_preserve_dtypes": "features are float32, the precision of the network",
        "check_methods_subset_invariance": "a window's features in batches of other sizes differ "
        "in the last float bits (multi-threaded convolutions), above the check's atol of 1e-7",
    },
    "CrosslClassifier": {
        "check_classifiers_classes": "y = -1 marks an unlabelled window (scikit-learn's "
        "semi-supervised convention), so a class named -1 cannot be learnt",
    },
}


def _tiny_encoder(**kw) -> CrosslEncoder:
    return CrosslEncoder("simclr", epochs=1, batch_size=4, settings=TINY, **kw)


@parametrize_with_checks(
    [_tiny_encoder(), CrosslClassifier(_tiny_encoder())],
    expected_failed_checks=lambda est: NOT_APPLICABLE[type(est).__name__],
)
def test_scikit_learn_conventions(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def hapt_arrays(hapt_data):
    """HAPT windows as one [N, 6, 128] array: 600 training-user windows, 300 test-user ones."""

    def arrays(windows, n):
        labelled = windows.labelled()
        idx = np.random.default_rng(0).permutation(len(labelled))[:n]
        x = np.concatenate([labelled.modalities[m].numpy() for m in ("acc", "gyro")], axis=1)
        return x[idx], labelled.labels.numpy()[idx]

    return arrays(hapt_data.splits.train, 600), arrays(hapt_data.splits.test, 300)


def test_an_encoder_in_a_pipeline_with_a_plain_logistic_regression_learns_hapt(hapt_arrays):
    (x_train, y_train), (x_test, y_test) = hapt_arrays
    encoder = CrosslEncoder(epochs=2, batch_size=32, channels=HAPT_CHANNELS)
    pipeline = make_pipeline(encoder, LogisticRegression(max_iter=2000))
    copy = clone(pipeline)
    assert copy.get_params()["crosslencoder__channels"] == HAPT_CHANNELS
    assert copy.set_params(crosslencoder__epochs=3).get_params()["crosslencoder__epochs"] == 3
    assert pipeline.fit(x_train, y_train).score(x_test, y_test) > 0.6  # 6 classes: chance 0.17


def test_the_classifier_learns_from_few_labels_and_is_reproducible(hapt_arrays):
    (x_train, y_train), (x_test, y_test) = hapt_arrays
    y_few = np.where(np.arange(len(y_train)) % 10 == 0, y_train, -1)  # 60 of 600 labelled
    make = lambda: CrosslClassifier(  # noqa: E731
        CrosslEncoder(epochs=2, batch_size=32, channels=HAPT_CHANNELS)
    )
    first, second = make().fit(x_train, y_few), make().fit(x_train, y_few)
    assert first.score(x_test, y_test) > 0.5
    np.testing.assert_array_equal(first.predict_proba(x_test), second.predict_proba(x_test))
    assert first.classes_.tolist() == sorted(set(y_train.tolist()))


def test_a_lost_sensor_as_nan_or_as_a_presence_mask_gives_the_same_features(hapt_arrays):
    (x_train, _), _ = hapt_arrays
    for features in ("aggregator", "encoders"):
        enc = CrosslEncoder(epochs=1, batch_size=32, features=features).fit(
            {"acc": x_train[:, :3], "gyro": x_train[:, 3:]}
        )
        gyro = x_train[:50, 3:].copy()
        gyro[::2] = np.nan  # every other window lost its gyroscope
        by_nan = enc.transform({"acc": x_train[:50, :3], "gyro": gyro})
        present = np.stack([np.ones(50, bool), np.arange(50) % 2 == 1], axis=1)
        zeros = np.where(np.isnan(gyro), 0.0, gyro)
        by_mask = enc.transform({"acc": x_train[:50, :3], "gyro": zeros, "present": present})
        np.testing.assert_array_equal(by_nan, by_mask)
        if features == "aggregator":
            assert np.isfinite(by_nan).all()
        else:  # the gyroscope's block, and only it, is NaN where the sensor was lost
            lost = np.isnan(by_nan).reshape(50, 2, -1).all(-1)
            np.testing.assert_array_equal(lost, ~present)


@pytest.mark.parametrize(
    ("x", "kwargs", "message"),
    [
        ({"acc": np.zeros((8, 3, 16)), "gyro": np.zeros((7, 3, 16))}, {}, "different numbers"),
        (np.zeros((8, 6, 16)), {"channels": {"acc": [0, 1, 9]}}, "must name channels 0..5"),
        (np.zeros((8, 6, 16)), {"channels": {"a": [0, 1], "b": [1]}}, "in two modalities"),
        (np.full((8, 2, 16), np.inf), {}, "infinite values"),
        (np.zeros((8, 2, 16, 1)), {}, "Reshape your data"),
        ({"present": np.ones((8, 1), bool)}, {}, "without modalities"),
    ],
)
def test_bad_arrays_are_one_clear_error(x, kwargs, message):
    with pytest.raises(ArrayInputError, match=message):
        CrosslEncoder(epochs=1, batch_size=4, **kwargs).fit(x)


def test_bad_windows_and_names_after_fit_are_one_clear_error():
    x = np.random.default_rng(0).normal(size=(16, 3, 16)).astype(np.float32)
    holes = x.copy()
    holes[3, 1, 5] = np.nan
    with pytest.raises(ArrayInputError, match="NaN inside window 3"):
        _tiny_encoder().fit(holes)
    with pytest.raises(CrosslError, match="did you mean simclr"):
        CrosslEncoder("simclrr").fit(x)
    enc = _tiny_encoder().fit(x)
    with pytest.raises(ArrayInputError, match="expecting 3 features"):
        enc.transform(x[:, :2])
    with pytest.raises(ArrayInputError, match=r"\{'x': \(3, 8\)\}"):
        enc.transform(x[:, :, :8])
    with pytest.raises(ArrayInputError, match="y has 5 labels but X has 16 windows"):
        CrosslClassifier(_tiny_encoder()).fit(x, np.zeros(5, int))
    with pytest.raises(ArrayInputError, match="0 labelled window"):
        CrosslClassifier(_tiny_encoder()).fit(x, np.full(16, -1))
    with pytest.raises(CrosslError, match="pretrains without labels"):
        CrosslEncoder("supervised").fit(x)
    with pytest.raises(CrosslError, match="epochs"):  # 0 is refused, not replaced by the preset's
        CrosslEncoder("simclr", epochs=0).fit(x)
    ddp = {"trainer": {"devices": 2, "strategy": "ddp"}}
    with pytest.raises(CrosslError, match="CrosslEncoder pretrains in one process"):
        CrosslEncoder("simclr", settings=ddp).fit(x)
    with pytest.raises(CrosslError, match="leave pretrain_protocol at crossl"):
        CrosslEncoder("crossl", settings={"pretrain_protocol": "authors"}).fit(x)


def test_fitting_leaves_the_callers_random_streams_alone():
    x = np.random.default_rng(0).normal(size=(16, 3, 16)).astype(np.float32)
    np.random.seed(5)
    torch.manual_seed(5)
    want = np.random.rand(3), torch.rand(3)
    np.random.seed(5)
    torch.manual_seed(5)
    _tiny_encoder(random_state=1).fit(x)
    np.testing.assert_array_equal(np.random.rand(3), want[0])
    assert torch.equal(torch.rand(3), want[1])
