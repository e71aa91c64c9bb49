import sys

import numpy as np
import pytest
from own_files import write_spec, write_table

from crossl.data.cutting import CutSpec, cut_recording
from crossl.data.label_map import LabelMap
from crossl.data.modality_info import ModalityInfo
from crossl.data.sources.long_table import read_table
from crossl.data.sources.table_spec import SplitSpec, load_table_spec, parse_table_spec
from crossl.errors import CrosslError

NAN = np.nan
SPEC = {
    "files": "*.csv",
    "subject": "subject",
    "timestamp": "time_s",
    "label": "activity",
    "rate_hz": 10,
    "classes": ["walk", "run", "sit"],
    "ignore_labels": ["other"],
    "modalities": {
        "acc": {"columns": ["ax", "ay", "az"], "unit": "g", "device": "wrist"},
        "hr": {"columns": ["hr"], "unit": "bpm", "device": "chest_strap", "rate_hz": 2},
    },
    "window_s": 1.0,
    "stride_s": 0.5,
}
# Subject 1: steps 0-9, a 0.3 s gap (steps 10-12 missing), steps 13-19, then 3 s later 5 rows.
# Subject 2: steps 0-4. The heart rate (2 Hz) is logged into the 10 Hz table on a few rows.
S1_STEPS = [*range(10), *range(13, 20)]
S1_LABELS = ["walk"] * 5 + ["run"] * 5 + ["other"] * 4 + [None, None, "sit"]
S1_HR = {1: 61.0, 4: 64.0, 5: 65.0, 16: 76.0}


def table_rows():
    rows = [
        (2, s / 10, "run", 200 + s, 300 + s, -200 - s, 90.0 if s == 0 else NAN) for s in range(5)
    ]
    rows += [
        (1, s / 10, label, s, 100 + s, -s, S1_HR.get(s, NAN))
        for s, label in zip(S1_STEPS, S1_LABELS, strict=True)
    ]
    rows += [(1, 5.0 + s / 10, "walk", 50 + s, 0, 0, 80.0 if s == 2 else NAN) for s in range(5)]
    return rows[::-1]


def columns_of(rows):
    names = ("subject", "time_s", "activity", "ax", "ay", "az", "hr")
    return {name: [r[i] for r in rows] for i, name in enumerate(names)}


def spec_of(**changes):
    return parse_table_spec({**SPEC, **changes})


@pytest.fixture(params=["csv", "parquet"])
def table_folder(request, tmp_path):
    write_table(tmp_path / f"data.{request.param}", columns_of(table_rows()))
    return tmp_path, spec_of(files=f"*.{request.param}")


def test_rows_land_on_the_grid_with_gaps_and_splits(table_folder):
    folder, spec = table_folder
    first, second, other = read_table(folder, spec)
    assert [r.subject for r in (first, second, other)] == [1, 1, 2]
    assert first.rates == {"acc": 10.0, "hr": 2.0} and first.label_rate_hz == 10.0
    assert first.signals["acc"].dtype == np.float32 and first.signals["acc"].shape == (20, 3)
    steps = np.arange(20.0)
    steps[10:13] = NAN  # the 0.3 s gap becomes NaN rows
    np.testing.assert_array_equal(first.signals["acc"][:, 0], steps)
    np.testing.assert_array_equal(first.signals["acc"][:, 1], 100 + steps)
    np.testing.assert_array_equal(first.signals["acc"][:, 2], -steps)
    assert first.labels.tolist() == [0] * 5 + [1] * 5 + [-1] * 3 + [-1] * 4 + [-1, -1, 2]
    # 2 Hz samples at steps 0, 5, 10, 15: step 5 beats the earlier step 4; none in the gap.
    np.testing.assert_array_equal(first.signals["hr"][:, 0], [61, 65, NAN, 76])
    assert second.signals["acc"][:, 0].tolist() == [50, 51, 52, 53, 54]
    assert second.signals["hr"][:, 0].tolist() == [80.0] and second.labels.tolist() == [0] * 5
    assert second.session.endswith("from 5 s")
    assert other.signals["acc"][:, 0].tolist() == [200, 201, 202, 203, 204]
    assert other.signals["hr"][:, 0].tolist() == [90.0] and other.labels.tolist() == [1] * 5


def test_files_read_in_name_order_and_unlabelled_spec(tmp_path):
    rows = table_rows()
    write_table(tmp_path / "b.csv", columns_of([r for r in rows if r[0] == 1]))
    write_table(tmp_path / "a.csv", columns_of([r for r in rows if r[0] == 2]))
    spec = {k: v for k, v in SPEC.items() if k not in ("label", "classes", "ignore_labels")}
    recordings = read_table(tmp_path, parse_table_spec(spec))
    assert [(r.subject, r.session) for r in recordings] == [
        (2, "a.csv from 0 s"),
        (1, "b.csv from 0 s"),
        (1, "b.csv from 5 s"),
    ]
    assert all((r.labels == -1).all() for r in recordings)


def test_integer_classes_match_numeric_label_cells(tmp_path):
    write_table(
        tmp_path / "t.csv",
        {
            "subject": [4, 4, 4, 4],
            "time_s": [0.0, 0.1, 0.2, 0.3],
            "activity": [7, None, 3, 9],
            "ax": [1, 2, 3, 4],
            "ay": [0] * 4,
            "az": [0] * 4,
            "hr": [NAN] * 4,
        },
    )
    (rec,) = read_table(tmp_path, spec_of(files="t.csv", classes=[3, 7], ignore_labels=[9]))
    assert rec.labels.tolist() == [1, -1, 0, -1]
    assert np.isnan(rec.signals["hr"]).all() and rec.signals["hr"].shape == (1, 1)


def test_a_modality_slower_than_1_hz_takes_the_reading_nearest_each_sample(tmp_path):
    readings = {1: 20.5, 19: 21.0, 41: 21.5, 60: 22.0, 79: 22.5}  # row -> temperature
    rows = [(1, s / 10, "walk", s, 0, 0, readings.get(s, NAN)) for s in range(80)]
    write_table(tmp_path / "t.csv", columns_of(rows))
    slow = {"columns": ["hr"], "unit": "degC", "rate_hz": 0.5}
    spec = spec_of(files="t.csv", modalities={**SPEC["modalities"], "hr": slow}, window_s=4.0)
    (rec,) = read_table(tmp_path, spec)
    # 0.5 Hz samples at rows 0, 20, 40, 60; the reading at row 79 also falls to the last sample,
    # which keeps the nearer one at row 60.
    assert rec.rates["hr"] == 0.5 and rec.signals["hr"][:, 0].tolist() == [20.5, 21.0, 21.5, 22.0]
    cut = CutSpec(("acc", "hr"), 4.0, 4.0, rec.rates, {"acc": 0.1, "hr": 2.0})
    block = cut_recording(rec, cut, LabelMap({0: 0}))
    assert block.signals["acc"].shape == (2, 3, 40) and block.signals["hr"].shape == (2, 1, 2)
    assert block.signals["hr"][:, 0].tolist() == [[20.5, 21.0], [21.5, 22.0]]
    assert block.labels.tolist() == [0, 0] and block.present.all()


@pytest.mark.parametrize(("written", "exact"), [(0.016667, 1 / 60), (0.5, 0.5), (2.5, 2.5)])
def test_a_modality_rate_written_to_5_digits_is_the_exact_fraction(written, exact):
    spec = spec_of(rate_hz=5, modalities={"t": {"columns": ["x"], "rate_hz": written}})
    assert spec.modality_specs["t"].rate_hz == exact


def test_timestamps_within_a_quarter_period_snap_to_the_grid(tmp_path):
    write_table(tmp_path / "t.csv", columns_of([(1, t, "walk", t, 0, 0, 1) for t in (0, 0.12)]))
    (rec,) = read_table(tmp_path, spec_of(files="t.csv"))
    assert rec.signals["acc"][:, 0].tolist() == pytest.approx([0.0, 0.12])


def test_a_one_second_gap_is_kept_and_a_longer_one_splits(tmp_path):
    times = [0.0, 1.1, 2.3]  # 1.0 s missing, then 1.1 s missing
    write_table(tmp_path / "t.csv", columns_of([(1, t, "walk", t, 0, 0, 1) for t in times]))
    lengths = [len(r) for r in read_table(tmp_path, spec_of(files="t.csv"))]
    assert lengths == [12, 1]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda rows: [*rows[:3], (1, 9.0, "jump", 0, 0, 0, 1)], r"t\.csv line 5: label 'jump'"),
        (
            lambda rows: [(1, 0, "run", 0, 0, 0, 1), (1, 0.33, "run", 0, 0, 0, 1)],
            r"line 3: timestamp 0\.33 s",
        ),
        (
            lambda rows: [*rows, rows[0]],
            r"line 2 and line \d+: duplicate timestamps, subject 1 has two rows",
        ),
        (lambda rows: [(1.5, 0.0, "walk", 0, 0, 0, 1)], r"subject 1\.5 is not an integer"),
        (lambda rows: [("s1", 0.0, "walk", 0, 0, 0, 1)], r"column 'subject' holds 's1'"),
        (lambda rows: [(1, None, "walk", 0, 0, 0, 1)], r"column 'time_s' holds nan"),
        (lambda rows: [(1, 0.0, "walk", "high", 0, 0, 1)], r"column 'ax' holds 'high'"),
        (lambda rows: [(1, 0.0, "walk", np.inf, 0, 0, 1)], r"column 'ax' holds inf"),
    ],
)
def test_bad_rows(tmp_path, change, message):
    write_table(tmp_path / "t.csv", columns_of(change(table_rows())))
    with pytest.raises(CrosslError, match=message):
        read_table(tmp_path, spec_of(files="t.csv"))


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_missing_column_lists_the_columns_of_the_file(tmp_path, suffix):
    columns = columns_of(table_rows())
    columns["accz"] = columns.pop("az")
    write_table(tmp_path / f"t.{suffix}", columns)
    with pytest.raises(CrosslError, match=rf"t\.{suffix}: no column 'az'; .* 'ay', 'hr', 'accz'"):
        read_table(tmp_path, spec_of(files=f"t.{suffix}"))


def test_truncated_and_malformed_csv(tmp_path):
    path = write_table(tmp_path / "t.csv", columns_of(table_rows()))
    text = path.read_text()
    path.write_text(text[: len(text) - 9])  # cut inside the last line
    with pytest.raises(CrosslError, match=r"t\.csv: truncated, the file does not end with a new"):
        read_table(tmp_path, spec_of(files="t.csv"))
    lines = text.splitlines(keepends=True)
    path.write_text("".join(lines[:3]) + lines[3].rstrip("\n") + ",7\n" + "".join(lines[4:]))
    with pytest.raises(CrosslError, match=r"t\.csv: not a readable CSV .*line 4"):
        read_table(tmp_path, spec_of(files="t.csv"))
    path.write_text(lines[0] + "".join(line.rstrip("\n") + ",7\n" for line in lines[1:]))
    with pytest.raises(CrosslError, match=r"t\.csv line 2: the first row has more fields than"):
        read_table(tmp_path, spec_of(files="t.csv"))
    path.write_text(lines[0])
    with pytest.raises(CrosslError, match=r"t\.csv: the table has a header but no rows"):
        read_table(tmp_path, spec_of(files="t.csv"))
    path.write_text("")
    with pytest.raises(CrosslError, match=r"t\.csv: the file is empty"):
        read_table(tmp_path, spec_of(files="t.csv"))


def test_corrupt_and_truncated_parquet(tmp_path):
    path = write_table(tmp_path / "t.parquet", columns_of(table_rows()))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CrosslError, match=r"t\.parquet: not a readable Parquet file"):
        read_table(tmp_path, spec_of(files="t.parquet"))
    path.write_bytes(np.random.default_rng(0).bytes(300))
    with pytest.raises(CrosslError, match=r"t\.parquet: not a readable Parquet file"):
        read_table(tmp_path, spec_of(files="t.parquet"))


def test_missing_folder_and_no_matching_file(tmp_path):
    with pytest.raises(CrosslError, match="does not exist"):
        read_table(tmp_path / "nope", spec_of())
    (tmp_path / "t.parquet.csv.txt").write_text("x\n")
    with pytest.raises(CrosslError, match=r"no file matches files: '\*\.csv'"):
        read_table(tmp_path, spec_of())


def test_missing_pandas_names_the_extra(tmp_path, monkeypatch):
    write_table(tmp_path / "t.csv", columns_of(table_rows()))
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(CrosslError, match=r"needs pandas: pip install 'crossl\[tables\]'"):
        read_table(tmp_path, spec_of(files="t.csv"))


def test_yaml_spec_from_file(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(
        """
files: "*.csv"
subject: subject
timestamp: time_s
label: activity
rate_hz: 50
classes: [walk, run, sit]
ignore_labels: [other]
modalities:
  acc: {columns: [ax, ay, az], unit: g, device: wrist}
  hr: {columns: [hr], unit: bpm, device: chest_strap, rate_hz: 1}
window_s: 5.0
stride_s: 2.5
split: {test_subjects: [3], val_subjects: [2]}
"""
    )
    spec = load_table_spec(path)
    assert spec.modalities() == [
        ModalityInfo("acc", ("ax", "ay", "az"), "g", 50.0, "wrist"),
        ModalityInfo("hr", ("hr",), "bpm", 1.0, "chest_strap"),
    ]
    assert spec.class_names == ["walk", "run", "sit"]
    assert spec.label_codes() == {"walk": 0, "run": 1, "sit": 2, "other": -1}
    assert (spec.window_s, spec.stride_s) == (5.0, 2.5)
    assert spec.split == SplitSpec(test_subjects=(3,), val_subjects=(2,))
    assert spec.split.by_subjects
    write_spec(path, {**SPEC, "split": {"test_fraction": 0.2, "val_fraction": 0.1, "seed": 3}})
    split = load_table_spec(path).split
    assert (split.test_fraction, split.val_fraction, split.seed, split.by_subjects) == (
        0.2,
        0.1,
        3,
        False,
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"window": 5}, r"unknown key window; valid keys: files, subject, timestamp"),
        ({"rate_hz": "fast"}, r"rate_hz must be a positive number, got 'fast'"),
        ({"subject": 3}, r"subject must be a non-empty text, got 3"),
        ({"classes": ["walk", True]}, r"classes must be a list of label values"),
        ({"classes": ["1", 1]}, r"label value '1' appears more than once"),
        ({"label": "activity", "classes": []}, r"classes must be a list"),
        ({"files": "/data/*.csv"}, r"files must be a file name or glob relative"),
        ({"files": "*.xlsx"}, r"files must be a pattern of \.csv or \.parquet"),
        ({"modalities": {"acc": {"columns": "ax"}}}, r"modalities\.acc\.columns must be a non"),
        ({"modalities": {"acc": {"cols": ["ax"]}}}, r"unknown key modalities\.acc\.cols; valid"),
        ({"modalities": {"a": {"columns": ["ax"], "rate_hz": 3}}}, r"a\.rate_hz must be the"),
        ({"modalities": {"a": {"columns": ["ax"], "rate_hz": 0.0167}}}, r"a\.rate_hz must be the"),
        ({"modalities": {"a": {"columns": ["ax"], "rate_hz": 20}}}, r"a\.rate_hz must be the"),
        ({"modalities": {"a": {"columns": ["ax", "subject"]}}}, r"column 'subject' is used"),
        ({"split": {"test_subjects": [1], "seed": 2}}, r"both subject lists and fractions"),
        ({"split": {"test_subjects": [1], "val_subjects": [1]}}, r"subjects \[1\] are both"),
        ({"split": {"test_fraction": 0.6, "val_fraction": 0.5}}, r"above 0 and below 1"),
        ({"split": {"test_subjects": ["a"]}}, r"split\.test_subjects must be a list of integer"),
    ],
)
def test_bad_spec(changes, message):
    with pytest.raises(CrosslError, match=message):
        spec_of(**changes)


def test_required_keys_and_bad_yaml(tmp_path):
    spec = {k: v for k, v in SPEC.items() if k != "window_s"}
    with pytest.raises(CrosslError, match=r"required key window_s is missing"):
        parse_table_spec(spec)
    with pytest.raises(CrosslError, match=r"spec\.yaml does not exist"):
        load_table_spec(tmp_path / "spec.yaml")
    (tmp_path / "spec.yaml").write_text("files: [a\nsubject: s\n")
    with pytest.raises(CrosslError, match=r"spec\.yaml: not valid YAML .*line"):
        load_table_spec(tmp_path / "spec.yaml")
    (tmp_path / "spec.yaml").write_text("- a\n- b\n")
    with pytest.raises(CrosslError, match=r"spec\.yaml: the spec must be a mapping"):
        load_table_spec(tmp_path / "spec.yaml")
