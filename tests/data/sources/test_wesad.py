import codecs
import os
import subprocess
import sys

import numpy as np
import pytest
from wesad_files import wesad_subject_data, write_wesad_subject

from crossl.data.sources.wesad import iter_wesad, read_wesad, wesad_modalities
from crossl.errors import CrosslError


def test_modalities_describe_both_devices():
    table = [(m.name, m.channels, m.unit, m.rate_hz, m.device) for m in wesad_modalities()]
    assert table == [
        ("chest_acc", ("x", "y", "z"), "g", 700.0, "chest"),
        ("chest_ecg", ("ecg",), "mV", 700.0, "chest"),
        ("chest_emg", ("emg",), "mV", 700.0, "chest"),
        ("chest_eda", ("eda",), "uS", 700.0, "chest"),
        ("chest_temp", ("temperature",), "degC", 700.0, "chest"),
        ("chest_resp", ("respiration",), "%", 700.0, "chest"),
        ("wrist_acc", ("x", "y", "z"), "1/64 g", 32.0, "wrist"),
        ("wrist_bvp", ("bvp",), "a.u.", 64.0, "wrist"),
        ("wrist_eda", ("eda",), "uS", 4.0, "wrist"),
        ("wrist_temp", ("temperature",), "degC", 4.0, "wrist"),
    ]


def test_reads_a_python2_pickle_into_one_recording(tmp_path):
    path = write_wesad_subject(tmp_path, 5)
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in path.read_bytes()
    [rec] = read_wesad(tmp_path / "WESAD")
    assert rec.subject == 5
    assert rec.session == "S5/S5.pkl"
    assert rec.label_rate_hz == 700.0
    assert rec.labels.dtype == np.int64
    assert rec.labels.shape == (2100,)
    assert rec.labels[[0, 699, 700, 1400, 2099]].tolist() == [1, 1, 2, 3, 3]
    assert rec.rates == {
        "chest_acc": 700.0,
        "chest_ecg": 700.0,
        "chest_emg": 700.0,
        "chest_eda": 700.0,
        "chest_temp": 700.0,
        "chest_resp": 700.0,
        "wrist_acc": 32.0,
        "wrist_bvp": 64.0,
        "wrist_eda": 4.0,
        "wrist_temp": 4.0,
    }
    shapes = {name: x.shape for name, x in rec.signals.items()}
    assert shapes == {
        "chest_acc": (2100, 3),
        "chest_ecg": (2100, 1),
        "chest_emg": (2100, 1),
        "chest_eda": (2100, 1),
        "chest_temp": (2100, 1),
        "chest_resp": (2100, 1),
        "wrist_acc": (96, 3),
        "wrist_bvp": (192, 1),
        "wrist_eda": (12, 1),
        "wrist_temp": (12, 1),
    }
    assert all(x.dtype == np.float32 for x in rec.signals.values())
    s = rec.signals
    assert s["chest_acc"][700].tolist() == [1700.0, 1710.0, 1720.0]
    assert s["chest_ecg"][5, 0] == 2005.0
    assert s["chest_emg"][0, 0] == 3000.0
    assert s["chest_eda"][1, 0] == 4001.0
    assert s["chest_temp"][2, 0] == 5002.0
    assert s["chest_resp"][2099, 0] == 8099.0
    assert s["wrist_acc"][32].tolist() == [7032.0, 7042.0, 7052.0]
    assert s["wrist_bvp"][100, 0] == 8100.0
    assert s["wrist_eda"][11, 0] == 9011.0
    assert s["wrist_temp"][3, 0] == 10003.0


def test_a_python3_protocol2_pickle_reads_the_same(tmp_path):
    write_wesad_subject(tmp_path / "py2", 5)
    path = write_wesad_subject(tmp_path / "py3", 5, python2=False)
    assert b"_codecs" in path.read_bytes()
    [py2] = read_wesad(tmp_path / "py2")
    [py3] = read_wesad(tmp_path / "py3")
    assert py3.labels.tolist() == py2.labels.tolist()
    assert py3.signals.keys() == py2.signals.keys()
    for name, x in py2.signals.items():
        np.testing.assert_array_equal(py3.signals[name], x)


def test_reads_every_subject_in_order_from_the_parent_folder(tmp_path):
    for subject in (10, 2, 3):
        write_wesad_subject(tmp_path, subject)
    (tmp_path / "WESAD" / "S2" / "S2_readme.txt").write_text("not read")
    (tmp_path / "WESAD" / "wesad_readme.pdf").write_text("not read")
    recs = read_wesad(tmp_path)
    assert [r.subject for r in recs] == [2, 3, 10]
    assert [r.session for r in recs] == ["S2/S2.pkl", "S3/S3.pkl", "S10/S10.pkl"]


def test_reads_only_the_requested_modalities(tmp_path):
    data = wesad_subject_data(5)
    del data["signal"]["chest"]["EMG"]
    write_wesad_subject(tmp_path, 5, data)
    [rec] = read_wesad(tmp_path, modalities=["wrist_eda", "chest_ecg", "wrist_eda"])
    assert list(rec.signals) == ["wrist_eda", "chest_ecg"]
    assert rec.rates == {"wrist_eda": 4.0, "chest_ecg": 700.0}
    assert rec.signals["wrist_eda"][:3, 0].tolist() == [9000.0, 9001.0, 9002.0]


@pytest.mark.parametrize("modalities", [["chest_ecg", "ecg"], []])
def test_unknown_modality_lists_the_valid_ones(tmp_path, modalities):
    with pytest.raises(
        CrosslError, match=r"WESAD modalit.*: choose one or more of chest_acc, chest_ecg"
    ):
        read_wesad(tmp_path, modalities=modalities)


def test_every_known_label_code_and_uint8_labels(tmp_path):
    data = wesad_subject_data(5, codes=(0, 4, 5, 6, 7))
    data["label"] = data["label"].astype(np.uint8)
    write_wesad_subject(tmp_path, 5, data)
    [rec] = read_wesad(tmp_path)
    assert rec.labels.dtype == np.int64
    assert rec.labels[::700].tolist() == [0, 4, 5, 6, 7]
    assert rec.signals["wrist_eda"].shape == (20, 1)


def test_unknown_label_code_names_file_and_code(tmp_path):
    write_wesad_subject(tmp_path, 5, wesad_subject_data(5, codes=(1, 9, 2)))
    with pytest.raises(CrosslError, match=r"S5\.pkl: label code 9 is not a WESAD code"):
        read_wesad(tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(CrosslError, match="does not exist"):
        read_wesad(tmp_path / "nowhere")


def test_folder_without_subjects(tmp_path):
    (tmp_path / "WESAD" / "notes").mkdir(parents=True)
    with pytest.raises(CrosslError, match=r"holds no subject folders S2/ \.\.\. S17/"):
        read_wesad(tmp_path)


def test_subject_folder_without_its_pickle(tmp_path):
    write_wesad_subject(tmp_path, 2)
    (tmp_path / "WESAD" / "S3").mkdir()
    with pytest.raises(CrosslError, match=r"S3\.pkl is missing"):
        read_wesad(tmp_path)


def test_empty_pickle(tmp_path):
    write_wesad_subject(tmp_path, 5).write_bytes(b"")
    with pytest.raises(CrosslError, match=r"S5\.pkl: the file is empty"):
        read_wesad(tmp_path)


@pytest.mark.parametrize("python2", [True, False])
def test_truncated_pickle(tmp_path, python2):
    path = write_wesad_subject(tmp_path, 5, python2=python2)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CrosslError, match=r"S5\.pkl: corrupt or truncated pickle"):
        read_wesad(tmp_path)


def test_subjects_are_read_one_pickle_at_a_time(tmp_path):
    write_wesad_subject(tmp_path, 2)
    path = write_wesad_subject(tmp_path, 3)
    path.write_bytes(path.read_bytes()[:100])  # read only when its turn comes
    count, recordings = iter_wesad(tmp_path)
    assert count == 2
    assert next(recordings).subject == 2
    with pytest.raises(CrosslError, match=r"S3\.pkl: corrupt or truncated pickle"):
        next(recordings)


def test_not_a_pickle(tmp_path):
    write_wesad_subject(tmp_path, 5).write_text("subject,label\nS5,1\n")
    with pytest.raises(CrosslError, match=r"S5\.pkl: corrupt or truncated pickle"):
        read_wesad(tmp_path)


def test_pickle_of_something_else_than_a_dict(tmp_path):
    write_wesad_subject(tmp_path, 5, ["S5", 1, 2], python2=False)
    with pytest.raises(CrosslError, match=r"S5\.pkl: expected a pickled dict, found list"):
        read_wesad(tmp_path)


@pytest.mark.parametrize(
    "keys",
    [
        ("signal",),
        ("label",),
        ("subject",),
        ("signal", "chest"),
        ("signal", "wrist"),
        ("signal", "chest", "ECG"),
        ("signal", "wrist", "TEMP"),
    ],
)
def test_missing_key_is_named_by_its_path(tmp_path, keys):
    data = wesad_subject_data(5)
    parent = data
    for key in keys[:-1]:
        parent = parent[key]
    del parent[keys[-1]]
    write_wesad_subject(tmp_path, 5, data)
    with pytest.raises(CrosslError, match=rf"S5\.pkl: entry {'/'.join(keys)} is missing"):
        read_wesad(tmp_path)


def test_signal_that_is_not_a_dict(tmp_path):
    data = wesad_subject_data(5)
    data["signal"]["chest"] = [1, 2]
    write_wesad_subject(tmp_path, 5, data)
    with pytest.raises(CrosslError, match=r"S5\.pkl: signal/chest should be a dict, found list"):
        read_wesad(tmp_path)


def test_subject_field_must_match_the_folder(tmp_path):
    write_wesad_subject(tmp_path, 5, wesad_subject_data(6))
    with pytest.raises(
        CrosslError, match=r"S5\.pkl: the file names subject 'S6' but lies in folder S5/"
    ):
        read_wesad(tmp_path)


def test_chest_signal_must_have_one_row_per_label(tmp_path):
    data = wesad_subject_data(5)
    data["signal"]["chest"]["ECG"] = data["signal"]["chest"]["ECG"][:-1]
    write_wesad_subject(tmp_path, 5, data)
    with pytest.raises(
        CrosslError, match=r"S5\.pkl: signal/chest/ECG has shape \(2099, 1\), expected \(2100, 1\)"
    ):
        read_wesad(tmp_path)


@pytest.mark.parametrize(
    ("device", "key", "shape", "expected"),
    [
        ("chest", "ACC", (2100, 2), r"\(2100, 3\)"),
        ("wrist", "ACC", (96,), r"\(samples, 3\)"),
        ("wrist", "EDA", (12, 2), r"\(samples, 1\)"),
    ],
)
def test_wrong_channel_count(tmp_path, device, key, shape, expected):
    data = wesad_subject_data(5)
    data["signal"][device][key] = np.zeros(shape)
    write_wesad_subject(tmp_path, 5, data)
    with pytest.raises(
        CrosslError, match=rf"signal/{device}/{key} has shape .*expected {expected}"
    ):
        read_wesad(tmp_path)


def test_wrist_signal_shorter_than_the_labels(tmp_path):
    data = wesad_subject_data(5)
    data["signal"]["wrist"]["BVP"] = data["signal"]["wrist"]["BVP"][:64]
    write_wesad_subject(tmp_path, 5, data)
    with pytest.raises(CrosslError, match=r"S5/S5\.pkl.*'wrist_bvp' lasts 1\.00 s .* 3\.00 s"):
        read_wesad(tmp_path)


def test_label_must_be_one_dimensional(tmp_path):
    data = wesad_subject_data(5)
    data["label"] = data["label"][:, None]
    write_wesad_subject(tmp_path, 5, data)
    with pytest.raises(CrosslError, match=r"S5\.pkl: label has shape \(2100, 1\)"):
        read_wesad(tmp_path)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([[1.0]] * 2100, "should be a NumPy array, found list"),
        (np.array([["a"]] * 2100, dtype=object), "is not a valid numeric array .*is not numeric"),
        (np.array([["a"]] * 2100), "is not a valid numeric array .*is not numeric"),
    ],
)
def test_signal_must_be_a_numeric_array(tmp_path, value, message):
    data = wesad_subject_data(5)
    data["signal"]["chest"]["ECG"] = value
    write_wesad_subject(tmp_path, 5, data, python2=False)
    with pytest.raises(CrosslError, match=rf"S5\.pkl: signal/chest/ECG {message}"):
        read_wesad(tmp_path)


class _Hostile:
    def __init__(self, call, *args):
        self.call, self.args = call, args

    def __reduce__(self):
        return self.call, self.args


@pytest.mark.parametrize("attack", ["os.system", "exec", "subprocess.Popen"])
def test_hostile_pickle_is_refused_before_it_runs(tmp_path, attack):
    marker = tmp_path / "pwned"
    create = f"open({str(marker)!r}, 'w').close()"
    payload = {
        "os.system": _Hostile(os.system, f"{sys.executable} -c {create!r}"),
        "exec": _Hostile(exec, create),
        "subprocess.Popen": _Hostile(subprocess.Popen, [sys.executable, "-c", create]),
    }[attack]
    data = wesad_subject_data(5)
    data["subject"] = payload
    write_wesad_subject(tmp_path, 5, data, python2=False)
    with pytest.raises(CrosslError, match=r"S5\.pkl: refusing to load, the pickle references"):
        read_wesad(tmp_path)
    assert not marker.exists()


def test_codecs_encode_only_to_latin1(tmp_path):
    data = wesad_subject_data(5)
    data["subject"] = _Hostile(codecs.encode, "S5", "rot13")
    write_wesad_subject(tmp_path, 5, data, python2=False)
    with pytest.raises(CrosslError, match=r"S5\.pkl: .*refusing _codecs\.encode to 'rot13'"):
        read_wesad(tmp_path)
