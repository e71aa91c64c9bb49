import numpy as np
import pytest
from own_files import write_npz

from crossl.data.sources.npz_windows import read_npz
from crossl.errors import CrosslError

ACC = np.arange(4 * 3 * 8, dtype=np.float64).reshape(4, 3, 8)
HR = np.array([[[60, 61]], [[62, 63]], [[64, 65]], [[66, 67]]], dtype=np.int16)


def test_windows_labels_subjects_and_class_names(tmp_path):
    path = write_npz(
        tmp_path / "mine.npz",
        {"acc": ACC, "hr": HR},
        labels=[0, 2, -1, 1],
        subjects=[7, 7, 8, 9],
        partition=np.array([0, 0, 1, 1], dtype=np.uint8),
        class_names=np.array(["walk", "run", "sit"]),
    )
    windows, classes = read_npz(path)
    assert classes == ["walk", "run", "sit"]
    assert list(windows.signals) == ["acc", "hr"]
    assert windows.signals["acc"].dtype == np.float32 and windows.signals["hr"].dtype == np.float32
    np.testing.assert_array_equal(windows.signals["acc"], ACC)
    assert windows.signals["hr"][3].tolist() == [[66.0, 67.0]]
    assert windows.labels.tolist() == [0, 2, -1, 1] and windows.labels.dtype == np.int64
    assert windows.subjects.tolist() == [7, 7, 8, 9] and windows.subjects.dtype == np.int64
    assert windows.partition.tolist() == [0, 0, 1, 1] and windows.partition.dtype == np.int8


def test_defaults_for_partition_and_class_names(tmp_path):
    acc = ACC.copy()
    acc[1, 0, 2] = np.nan
    path = write_npz(tmp_path / "mine.npz", {"acc": acc}, labels=[2, -1, 0, 2], subjects=[1] * 4)
    windows, classes = read_npz(path)
    assert classes == ["class_0", "class_1", "class_2"]
    assert windows.partition.tolist() == [0, 0, 0, 0]
    assert np.isnan(windows.signals["acc"][1, 0, 2])


def test_compressed_archive_and_bool_modality(tmp_path):
    path = tmp_path / "mine.npz"
    np.savez_compressed(path, on=np.ones((2, 1, 3), bool), labels=[-1, -1], subjects=[1, 2])
    windows, classes = read_npz(path)
    assert windows.signals["on"].dtype == np.float32 and windows.signals["on"].sum() == 6
    assert classes == []


GOOD = {"acc": ACC, "labels": np.array([0, 1, 1, 0]), "subjects": np.array([1, 1, 2, 2])}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"acc": None, "hr": None}, r"no modality array; .* \[windows, channels, time\]"),
        ({"labels": None}, r"no 'labels' array"),
        ({"subjects": None}, r"no 'subjects' array"),
        ({"acc": ACC[0]}, r"array 'acc' has shape \(3, 8\), expected \[windows, channels, time\]"),
        ({"hr": HR[:3]}, r"array 'hr' has 3 windows but 'acc' has 4"),
        ({"acc": ACC[:0], "hr": None, "labels": [], "subjects": []}, r"the arrays hold no wind"),
        ({"acc": ACC.astype(complex)}, r"array 'acc' has dtype complex128, expected real numbers"),
        ({"acc": np.full((4, 1, 2), np.inf)}, r"array 'acc' holds infinite values"),
        ({"labels": np.array([0.0, 1.0, 1.0, 0.0])}, r"'labels' has dtype float64, expected int"),
        ({"subjects": np.ones(4, bool)}, r"'subjects' has dtype bool, expected integers"),
        ({"labels": np.array([0, 1])}, r"'labels' has shape \(2,\), expected \(4,\)"),
        ({"labels": np.array([0, 1, 3, 0]), "class_names": np.array(["a", "b", "c"])}, r"label 3"),
        ({"labels": np.array([0, -2, 1, 0])}, r"label -2 is outside -1 \.\. 1 \(2 classes\)"),
        ({"partition": np.array([0, 1, 2, 0])}, r"'partition' must hold 0 \(train\) or 1"),
        ({"class_names": np.array([1, 2])}, r"'class_names' must be a 1-D array of distinct str"),
        ({"class_names": np.array(["a", "a"])}, r"'class_names' must be a 1-D array of distinct"),
        ({"meta": np.array([{"a": 1}], dtype=object)}, r"array 'meta' cannot be read .*object"),
    ],
)
def test_bad_arrays(tmp_path, changes, message):
    arrays = {k: v for k, v in {**GOOD, "hr": HR, **changes}.items() if v is not None}
    path = tmp_path / "mine.npz"
    np.savez(path, **arrays)
    with pytest.raises(CrosslError, match=rf"mine\.npz: {message}"):
        read_npz(path)


def test_missing_truncated_and_foreign_files(tmp_path):
    path = tmp_path / "mine.npz"
    with pytest.raises(CrosslError, match=r"mine\.npz does not exist"):
        read_npz(path)
    write_npz(path, {"acc": ACC}, labels=[0, 1, 1, 0], subjects=[1, 1, 2, 2])
    data = bytearray(path.read_bytes())
    data[data.index(ACC.tobytes()) + 5] ^= 0xFF
    path.write_bytes(data)
    with pytest.raises(CrosslError, match=r"mine\.npz: array 'acc' cannot be read \(Bad CRC"):
        read_npz(path)
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CrosslError, match=r"mine\.npz: not a \.npz archive, or truncated"):
        read_npz(path)
    path.write_text("subject,time\n1,0.0\n")
    with pytest.raises(CrosslError, match=r"mine\.npz: not a \.npz archive"):
        read_npz(path)
    with path.open("wb") as f:
        np.save(f, ACC)
    with pytest.raises(CrosslError, match=r"mine\.npz: a single \.npy array, expected an \.npz"):
        read_npz(path)
