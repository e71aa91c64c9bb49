import numpy as np
import pytest
from pamap2_files import DEFAULT_ACTIVITIES, pamap2_table, write_pamap2_subject

from crossl.data.sources.pamap2 import PAMAP2_ACTIVITIES, pamap2_modalities, read_pamap2
from crossl.errors import CrosslError

N_ROWS = sum(n for _, n in DEFAULT_ACTIVITIES)


def read_one(tmp_path, table=None, **kwargs):
    write_pamap2_subject(tmp_path, 101, table)
    (rec,) = read_pamap2(tmp_path, **kwargs)
    return rec


def test_modality_table():
    infos = {m.name: m for m in pamap2_modalities()}
    assert len(infos) == 16
    assert infos["chest_acc"].channels == ("x", "y", "z")
    assert (infos["chest_acc"].unit, infos["chest_acc"].device) == ("m/s^2", "chest")
    assert (infos["ankle_gyro"].unit, infos["hand_mag"].unit) == ("rad/s", "uT")
    assert (infos["hand_temp"].n_channels, infos["hand_temp"].unit) == (1, "degC")
    assert (infos["heart_rate"].unit, infos["heart_rate"].device) == ("bpm", "heart_rate_monitor")
    assert {m.rate_hz for m in infos.values()} == {100.0}
    assert "heart_rate" not in {m.name for m in pamap2_modalities(heart_rate=False)}
    assert PAMAP2_ACTIVITIES[7] == "nordic_walking" and PAMAP2_ACTIVITIES[0] == "other"


def test_values_land_in_their_modality_and_channel(tmp_path):
    rec = read_one(tmp_path)
    s = rec.signals
    # value of 1-based column c on row r is 1000 * c + r
    np.testing.assert_array_equal(s["hand_temp"][5], [4005])
    np.testing.assert_array_equal(s["hand_acc"][0], [5000, 6000, 7000])
    np.testing.assert_array_equal(s["hand_acc6"][0], [8000, 9000, 10000])
    np.testing.assert_array_equal(s["chest_temp"][1], [21001])
    np.testing.assert_array_equal(s["chest_gyro"][10], [28010, 29010, 30010])
    np.testing.assert_array_equal(s["ankle_acc"][2], [39002, 40002, 41002])
    np.testing.assert_array_equal(s["ankle_mag"][299], [48299, 49299, 50299])
    assert all(x.dtype == np.float32 and x.shape[0] == N_ROWS for x in s.values())
    assert rec.rates == dict.fromkeys(s, 100.0) and rec.label_rate_hz == 100.0


def test_orientation_is_dropped_and_every_other_column_kept_once(tmp_path):
    rec = read_one(tmp_path, modalities=[m.name for m in pamap2_modalities(heart_rate=False)])
    row0 = np.concatenate([x[0] for x in rec.signals.values()])
    kept = [c for first in (4, 21, 38) for c in range(first, first + 13)]
    assert sorted(row0.tolist()) == [1000.0 * c for c in kept]


def test_heart_rate_keeps_nan_between_readings(tmp_path):
    hr = read_one(tmp_path).signals["heart_rate"][:, 0]
    assert hr.shape == (N_ROWS,)
    np.testing.assert_array_equal(np.flatnonzero(~np.isnan(hr)), np.arange(0, N_ROWS, 11))
    assert hr[0] == 100 and hr[22] == 102


def test_lost_imu_samples_stay_nan(tmp_path):
    s = read_one(tmp_path).signals
    assert np.isnan(s["hand_acc"][120:125]).all() and np.isnan(s["hand_temp"][120:125]).all()
    assert not np.isnan(s["hand_acc"][[119, 125]]).any()
    assert not np.isnan(s["chest_acc"]).any()


def test_labels_subject_and_session(tmp_path):
    rec = read_one(tmp_path)
    expected = np.concatenate([np.full(n, code) for code, n in DEFAULT_ACTIVITIES])
    np.testing.assert_array_equal(rec.labels, expected)
    assert rec.labels.dtype == np.int64
    assert (rec.subject, rec.session) == (101, "Protocol/subject101.dat")


def test_files_are_ordered_by_subject_and_dataset_folder_accepted(tmp_path):
    write_pamap2_subject(tmp_path, 102)
    write_pamap2_subject(tmp_path, 101)
    for folder in (tmp_path, tmp_path / "PAMAP2_Dataset"):
        assert [r.subject for r in read_pamap2(folder)] == [101, 102]


@pytest.mark.parametrize("jump_s", [0.5, 1.0])
def test_short_jump_becomes_nan_rows(tmp_path, jump_s):
    table = pamap2_table()
    table[150:, 0] += jump_s - 0.01
    rec = read_one(tmp_path, table)
    missing = round(jump_s * 100) - 1
    assert len(rec) == N_ROWS + missing
    gap = slice(150, 150 + missing)
    assert (rec.labels[gap] == -1).all() and np.isnan(rec.signals["chest_acc"][gap]).all()
    np.testing.assert_array_equal(rec.signals["chest_acc"][149], [22149, 23149, 24149])
    np.testing.assert_array_equal(rec.signals["chest_acc"][150 + missing], [22150, 23150, 24150])
    assert rec.labels[149] == 0 and rec.labels[150 + missing] == 4


@pytest.mark.parametrize("jump_s", [1.01, 5.0])
def test_long_jump_splits_the_recording(tmp_path, jump_s):
    table = pamap2_table()
    table[150:, 0] += jump_s - 0.01
    write_pamap2_subject(tmp_path, 101, table)
    first, second = read_pamap2(tmp_path)
    assert (len(first), len(second)) == (150, 150)
    assert (first.subject, second.subject) == (101, 101)
    assert first.session == "Protocol/subject101.dat#part1"
    assert second.session == "Protocol/subject101.dat#part2"
    np.testing.assert_array_equal(second.signals["ankle_temp"][0], [38150])
    assert second.labels[0] == table[150, 1]


def test_modality_selection(tmp_path):
    rec = read_one(tmp_path, modalities=["heart_rate", "chest_acc"])
    assert list(rec.signals) == ["heart_rate", "chest_acc"]
    assert set(rec.rates) == {"heart_rate", "chest_acc"}


@pytest.mark.parametrize(
    ("names", "message"),
    [(["chest_orientation"], r"unknown PAMAP2 modalities \['chest_orientation'\]"), ([], "no")],
)
def test_unknown_modality(tmp_path, names, message):
    write_pamap2_subject(tmp_path, 101)
    with pytest.raises(
        CrosslError, match=message + r".*: choose one or more of hand_acc, .*heart_rate"
    ):
        read_pamap2(tmp_path, modalities=names)


def test_optional_folder(tmp_path):
    write_pamap2_subject(tmp_path, 101)
    write_pamap2_subject(tmp_path, 105, pamap2_table([(9, 100), (10, 100)]), part="Optional")
    assert [r.subject for r in read_pamap2(tmp_path)] == [101]
    recs = read_pamap2(tmp_path, optional=True)
    assert [(r.subject, r.session) for r in recs] == [
        (101, "Protocol/subject101.dat"),
        (105, "Optional/subject105.dat"),
    ]
    np.testing.assert_array_equal(recs[1].labels, [9] * 100 + [10] * 100)


def test_missing_optional_folder(tmp_path):
    write_pamap2_subject(tmp_path, 101)
    with pytest.raises(CrosslError, match=r"no Optional/ folder"):
        read_pamap2(tmp_path, optional=True)


def test_missing_folder(tmp_path):
    with pytest.raises(CrosslError, match=r"does not exist: give the unpacked PAMAP2_Dataset"):
        read_pamap2(tmp_path / "nowhere")


def test_folder_without_protocol(tmp_path):
    with pytest.raises(CrosslError, match=r"no Protocol/ folder: give the PAMAP2_Dataset folder"):
        read_pamap2(tmp_path)


def test_no_subject_files(tmp_path):
    (tmp_path / "PAMAP2_Dataset" / "Protocol").mkdir(parents=True)
    with pytest.raises(CrosslError, match=r"Protocol holds no subjectNNN.dat files"):
        read_pamap2(tmp_path)


def test_truncated_last_line(tmp_path):
    path = write_pamap2_subject(tmp_path, 101)
    text = path.read_text()
    path.write_text(text[: text.rfind(" ", 0, len(text) - 200)])
    with pytest.raises(CrosslError, match=rf"subject101.dat: line {N_ROWS} has \d+ values, exp"):
        read_pamap2(tmp_path)


def test_wrong_column_count_everywhere(tmp_path):
    write_pamap2_subject(tmp_path, 101, pamap2_table()[:, :53])
    with pytest.raises(CrosslError, match=r"subject101.dat: line 1 has 53 values, expected 54"):
        read_pamap2(tmp_path)


def test_non_numeric_value(tmp_path):
    path = write_pamap2_subject(tmp_path, 101)
    lines = path.read_text().splitlines()
    lines[6] = lines[6].replace(" 5006 ", " abc ")
    path.write_text("\n".join(lines))
    with pytest.raises(CrosslError, match=r"line 7, column 5 holds 'abc', which is not a number"):
        read_pamap2(tmp_path)


def test_empty_file(tmp_path):
    write_pamap2_subject(tmp_path, 101).write_text("")
    with pytest.raises(CrosslError, match=r"subject101.dat: the file is empty"):
        read_pamap2(tmp_path)


@pytest.mark.parametrize("code", [8, -1, 2.5])
def test_unknown_activity_code(tmp_path, code):
    table = pamap2_table()
    table[42, 1] = code
    write_pamap2_subject(tmp_path, 101, table)
    with pytest.raises(CrosslError, match=rf"subject101.dat: row 43 has activity code {code:g},"):
        read_pamap2(tmp_path)


@pytest.mark.parametrize("shift", [-0.5, -0.01])
def test_timestamps_going_back(tmp_path, shift):
    table = pamap2_table()
    table[200:, 0] += shift - 0.01
    write_pamap2_subject(tmp_path, 101, table)
    with pytest.raises(CrosslError, match=r"subject101.dat: the timestamp .* on row 201 does not"):
        read_pamap2(tmp_path)
