import numpy as np
import pytest
from uci_har_files import SIGNAL_FILES, har_part, write_uci_har

from crossl.data.sources.uci_har import UCI_HAR_ACTIVITIES, read_uci_har, uci_har_modalities
from crossl.errors import CrosslError


@pytest.fixture
def release(tmp_path):
    train, test = har_part(3, seed=0), har_part(2, seed=1)
    train["signals"][1, SIGNAL_FILES.index("body_gyro_y"), 7] = 2.5
    train["subjects"][:] = [1, 1, 3]
    train["activities"][:] = [1, 6, 4]
    test["subjects"][:] = [2, 9]
    test["activities"][:] = [5, 2]
    return write_uci_har(tmp_path, train, test), train, test


def signal_file(dataset, name, part="train"):
    return dataset / part / "Inertial Signals" / f"{name}_{part}.txt"


def with_value(line, index, text):
    fields = line.split()
    fields[index] = text
    return " ".join(fields)


def test_reads_both_parts_into_windows(release):
    dataset, train, test = release
    windows = read_uci_har(dataset.parent)
    assert sorted(windows.signals) == ["body_acc", "body_gyro", "total_acc"]
    assert windows.signals["body_gyro"][1, 1, 7] == 2.5  # body_gyro_y, second train window
    both = np.concatenate([train["signals"], test["signals"]])
    for first, name in ((0, "body_acc"), (3, "body_gyro"), (6, "total_acc")):
        assert windows.signals[name].dtype == np.float32
        np.testing.assert_array_equal(windows.signals[name], both[:, first : first + 3])
    assert windows.labels.tolist() == [1, 6, 4, 5, 2]
    assert windows.subjects.tolist() == [1, 1, 3, 2, 9]
    assert windows.partition.tolist() == [0, 0, 0, 1, 1]
    assert windows.partition.dtype == np.int8 and windows.labels.dtype == np.int64
    again = read_uci_har(dataset)
    np.testing.assert_array_equal(again.signals["total_acc"], windows.signals["total_acc"])


def test_modalities_and_activities():
    described = [(m.name, m.channels, m.unit, m.rate_hz, m.device) for m in uci_har_modalities()]
    assert described == [
        ("body_acc", ("x", "y", "z"), "g", 50.0, "phone"),
        ("body_gyro", ("x", "y", "z"), "rad/s", 50.0, "phone"),
        ("total_acc", ("x", "y", "z"), "g", 50.0, "phone"),
    ]
    assert UCI_HAR_ACTIVITIES[1] == "WALKING" and UCI_HAR_ACTIVITIES[6] == "LAYING"
    assert sorted(UCI_HAR_ACTIVITIES) == [1, 2, 3, 4, 5, 6]


def test_missing_folder_and_files(tmp_path, release):
    dataset, _, _ = release
    with pytest.raises(CrosslError, match="does not exist"):
        read_uci_har(tmp_path / "nope")
    with pytest.raises(CrosslError, match="has no train/ folder"):
        read_uci_har(dataset / "train")
    signal_file(dataset, "body_gyro_z", "test").unlink()
    with pytest.raises(CrosslError, match=r"body_gyro_z_test\.txt is missing"):
        read_uci_har(dataset)
    (dataset / "train" / "y_train.txt").unlink()
    with pytest.raises(CrosslError, match=r"y_train\.txt is missing"):
        read_uci_har(dataset)


def test_row_counts_must_agree(release):
    dataset, _, _ = release
    path = signal_file(dataset, "total_acc_x")
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:2]))
    with pytest.raises(
        CrosslError, match=r"total_acc_x_train\.txt has 2 lines but y_train\.txt has 3"
    ):
        read_uci_har(dataset)
    path.write_text("".join(lines))
    (dataset / "test" / "subject_test.txt").write_text("2\n9\n4\n")
    with pytest.raises(CrosslError, match=r"subject_test\.txt has 3 lines but y_test\.txt has 2"):
        read_uci_har(dataset)


def test_short_line_and_non_numeric_value(release):
    dataset, _, _ = release
    path = signal_file(dataset, "body_acc_y")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[1].rsplit(maxsplit=1)[0], lines[2]]) + "\n")
    with pytest.raises(
        CrosslError, match=r"body_acc_y_train\.txt, line 2: 127 values, expected 128"
    ):
        read_uci_har(dataset)
    path.write_text("\n".join([lines[0], lines[1], with_value(lines[2], 5, "abc")]))
    with pytest.raises(CrosslError, match=r"body_acc_y_train\.txt, line 3: .*'abc'"):
        read_uci_har(dataset)
    path.write_text("".join(f"{line.split()[0]}\n" for line in lines))
    with pytest.raises(CrosslError, match=r"line 1: 1 values, expected 128"):
        read_uci_har(dataset)
    path.write_text("")
    with pytest.raises(CrosslError, match=r"body_acc_y_train\.txt is empty"):
        read_uci_har(dataset)


def test_unknown_activity_and_bad_subject(release):
    dataset, _, _ = release
    (dataset / "test" / "y_test.txt").write_text("5\n7\n")
    with pytest.raises(CrosslError, match=r"y_test\.txt, line 2: unknown activity code 7"):
        read_uci_har(dataset)
    (dataset / "test" / "y_test.txt").write_text("5\n2\n")
    (dataset / "train" / "subject_train.txt").write_text("1\n1.5\n3\n")
    with pytest.raises(CrosslError, match=r"subject_train\.txt, line 2: 1\.5 is not an integer"):
        read_uci_har(dataset)
    (dataset / "train" / "subject_train.txt").write_text("1 2\n1 2\n3 4\n")
    with pytest.raises(CrosslError, match=r"subject_train\.txt, line 1: 2 values, expected 1"):
        read_uci_har(dataset)


def test_nan_is_a_missing_sample_and_infinity_is_rejected(release):
    dataset, _, _ = release
    path = signal_file(dataset, "body_gyro_x", "test")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], with_value(lines[1], 3, "NaN")]))
    gyro = read_uci_har(dataset).signals["body_gyro"]
    assert np.isnan(gyro[4, 0, 3]) and np.isnan(gyro).sum() == 1
    path.write_text("\n".join([lines[0], with_value(lines[1], 0, "-inf")]))
    with pytest.raises(CrosslError, match=r"body_gyro_x_test\.txt: contains infinite values"):
        read_uci_har(dataset)
