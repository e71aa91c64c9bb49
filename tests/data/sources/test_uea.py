import textwrap

import numpy as np
import pytest
from uea_files import write_arff, write_ts, write_uea_problem

from crossl.data.sources.arff_archive import read_arff
from crossl.data.sources.ts_archive import read_ts
from crossl.data.sources.uea import read_uea
from crossl.errors import CrosslError

nan = np.nan

TS_HEADER = """\
#Toy problem: two dimensions, unequal lengths, missing values.
@problemName 'Toy'
@timeStamps false
@missing true
@univariate false
@dimensions 2
@equalLength false
@classLabel true b a
@data
"""  # the first case is on line 10


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def toy(tmp_path):
    folder = tmp_path / "Toy"
    write(folder / "Toy_TRAIN.ts", TS_HEADER + "1,2,3:4,5,?:b\n7,8:?:a\n")
    write(folder / "Toy_TEST.ts", TS_HEADER + "9,10,11,12:13,14,?,?:a\n")
    return folder


def test_ts_cases_labels_and_padding(toy):
    windows, class_names, modalities = read_uea(toy)
    assert class_names == ["b", "a"]
    expected = [
        [[1, 2, 3, 3], [4, 5, nan, 5]],  # padded with each dimension's last observed value
        [[7, 8, 8, 8], [nan, nan, nan, nan]],  # a wholly missing dimension stays NaN
        [[9, 10, 11, 12], [13, 14, nan, nan]],  # missing values inside a case stay NaN
    ]
    assert windows.signals["signal"].dtype == np.float32
    np.testing.assert_array_equal(windows.signals["signal"], np.array(expected, np.float32))
    assert windows.labels.tolist() == [0, 1, 1]
    assert windows.subjects.tolist() == [0, 1, 2]
    assert windows.partition.tolist() == [0, 0, 1]
    [info] = modalities
    assert (info.name, info.channels, info.unit, info.rate_hz, info.device) == (
        "signal",
        ("dim0", "dim1"),
        "",
        1.0,
        "signal",
    )


def test_read_ts_keeps_raw_cases(toy):
    archive = read_ts(toy / "Toy_TRAIN.ts")
    assert archive.problem == "Toy" and archive.class_labels == ["b", "a"]
    assert archive.labels == ["b", "a"] and archive.lines == [10, 11]
    np.testing.assert_array_equal(archive.cases[0], [[1, 2, 3], [4, 5, nan]])
    np.testing.assert_array_equal(archive.cases[1], [[7, 8], [nan, nan]])


def test_channel_groups(tmp_path):
    case = np.arange(12.0).reshape(4, 3)
    folder = write_uea_problem(tmp_path, "Four", ([case, case + 100], ["x", "y"]), ([case], ["y"]))
    windows, _, modalities = read_uea(folder, channel_groups={"acc": [2, 0], "gyro": [3]})
    np.testing.assert_array_equal(windows.signals["acc"][1], [[106, 107, 108], [100, 101, 102]])
    np.testing.assert_array_equal(windows.signals["gyro"][2], [[9, 10, 11]])
    assert [(m.name, m.channels, m.device) for m in modalities] == [
        ("acc", ("dim2", "dim0"), "acc"),
        ("gyro", ("dim3",), "gyro"),
    ]
    assert windows.labels.tolist() == [0, 1, 1]


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ({"acc": [0, 1], "gyro": [1, 2]}, "dimension 1 is in channel groups 'acc' and 'gyro'"),
        ({"acc": [0, 4]}, r"names dimension 4, but the problem has dimensions 0\.\.3"),
        ({"acc": [-1]}, "names dimension -1"),
        ({"acc": ["0"]}, "names dimension '0'"),
        ({"acc": []}, "channel group 'acc' has no dimension"),
        ({}, "channel_groups is empty"),
    ],
)
def test_bad_channel_groups(tmp_path, groups, message):
    case = np.zeros((4, 2))
    folder = write_uea_problem(tmp_path, "Four", ([case], ["x"]), ([case], ["x"]))
    with pytest.raises(CrosslError, match=message):
        read_uea(folder, channel_groups=groups)


def test_univariate_arff(tmp_path):
    text = """\
        %A UCR problem.
        @Relation Uni
        @attribute att1 numeric
        @attribute att2 numeric
        @attribute att3 NUMERIC
        @attribute  target {x,'y'}

        @data
        1.5,-2,?,'y'
        0,1E-1,3,x
        """
    write(tmp_path / "Uni" / "Uni_TRAIN.arff", text)
    archive = read_arff(tmp_path / "Uni" / "Uni_TRAIN.arff")
    assert archive.problem == "Uni" and archive.class_labels == ["x", "y"]
    assert archive.labels == ["y", "x"] and archive.lines == [9, 10]
    np.testing.assert_array_equal(archive.cases[0], [[1.5, -2, nan]])
    np.testing.assert_array_equal(archive.cases[1], [[0, 0.1, 3]])
    write(tmp_path / "Uni" / "Uni_TEST.arff", text)
    windows, class_names, _ = read_uea(tmp_path / "Uni")
    assert class_names == ["x", "y"] and windows.labels.tolist() == [1, 0, 1, 0]
    assert windows.signals["signal"].shape == (4, 1, 3)


def test_relational_arff(tmp_path):
    path = write(
        tmp_path / "Multi_TRAIN.arff",
        """\
        @relation 'Multi'
        @attribute relationalAtt relational
        @attribute att0 numeric
        @attribute att1 numeric
        @end relationalAtt
        @attribute activity {Standing,Running}
        @data
        '1,2\\n3,?\\n?',Running
        "5,6\\n7,8\\n9,10",Standing
        """,
    )
    archive = read_arff(path)
    assert archive.problem == "Multi" and archive.labels == ["Running", "Standing"]
    np.testing.assert_array_equal(archive.cases[0], [[1, 2], [3, nan], [nan, nan]])
    np.testing.assert_array_equal(archive.cases[1], [[5, 6], [7, 8], [9, 10]])


def test_ts_is_preferred_and_writers_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    cases = [rng.normal(size=(3, 5)) for _ in range(4)]
    cases[1][2, 1] = nan
    labels = ["up", "down", "up", "left"]
    train, test = (cases[:3], labels[:3]), (cases[3:], labels[3:])
    folder = write_uea_problem(tmp_path, "Walk", train, test, suffix=".arff")
    from_arff, names_arff, _ = read_uea(folder)
    write_uea_problem(tmp_path, "Walk", (cases[:3], ["left", "down", "up"]), test, suffix=".ts")
    from_ts, names_ts, _ = read_uea(folder)
    assert names_arff == names_ts == ["down", "left", "up"]
    assert from_arff.labels.tolist() == [2, 0, 2, 1]
    assert from_ts.labels.tolist() == [1, 0, 2, 1]  # the .ts files won
    for windows in (from_arff, from_ts):
        np.testing.assert_array_equal(windows.signals["signal"], np.array(cases, np.float32))


def test_unlabelled_ts(tmp_path):
    folder = tmp_path / "Free"
    folder.mkdir()
    write_ts(folder / "Free_TRAIN.ts", [np.ones((1, 3))], None)
    write_ts(folder / "Free_TEST.ts", [np.zeros((1, 2))], None)
    windows, class_names, _ = read_uea(folder)
    assert class_names == [] and windows.labels.tolist() == [-1, -1]
    np.testing.assert_array_equal(windows.signals["signal"][1], [[0, 0, 0]])


def test_folder_errors(tmp_path, toy):
    with pytest.raises(CrosslError, match="does not exist"):
        read_uea(tmp_path / "nope")
    with pytest.raises(CrosslError, match=r"no \*_TRAIN\.ts or \*_TRAIN\.arff file"):
        read_uea(tmp_path)
    (toy / "Toy_TEST.ts").unlink()
    with pytest.raises(CrosslError, match=r"no \*_TEST\.ts or \*_TEST\.arff file"):
        read_uea(toy)
    write(toy / "Toy_TEST.ts", TS_HEADER + "1:2:a\n")
    write(toy / "Other_TRAIN.ts", TS_HEADER + "1:2:a\n")
    with pytest.raises(CrosslError, match="several TRAIN files"):
        read_uea(toy)


def test_train_and_test_must_agree(toy):
    write_ts(toy / "Toy_TEST.ts", [np.ones((3, 2))], ["a"], ["b", "a"])
    with pytest.raises(CrosslError, match=r"Toy_TRAIN\.ts has 2 dimensions but Toy_TEST\.ts has 3"):
        read_uea(toy)
    write_ts(toy / "Toy_TEST.ts", [np.ones((2, 2)), np.ones((2, 2))], ["a", "c"], ["a", "c"])
    with pytest.raises(
        CrosslError,
        match=r"Toy_TEST\.ts, line \d+: class label 'c' is not declared in Toy_TRAIN\.ts",
    ):
        read_uea(toy)


@pytest.mark.parametrize(
    ("header", "data", "message"),
    [
        ("@timeStamps true\n", "1:2:a\n", r"line 3: @timeStamps true is not supported"),
        ("@targetLabel true\n", "1:2:1.5\n", r"@targetLabel true \(regression\) is not supported"),
        ("@univariate maybe\n", "1:2:a\n", "expected true or false, found 'maybe'"),
        ("@dimensions two\n", "1:2:a\n", "expected a positive whole number, found 'two'"),
        ("@classLabel true\n", "1:2\n", "@classLabel true lists no labels"),
        (
            "@equalLength true\n@seriesLength 2\n",
            "1,2:3,4:a\n5:6:a\n",
            "line 7: 1 values per dimension, expected 2",
        ),
        ("", "1,2:3,4:a\n5,6:a\n", r"line 5: 1 dimensions, expected 2: the line is truncated"),
        (
            "",
            "1,2:3,4:a\n5,x:7,8:b\n",
            r"line 5, dimension 0: could not convert string to float: 'x'",
        ),
        ("", "1,2:3,4:a\n5,6:7,inf:b\n", r"line 5, dimension 1: infinite value"),
        ("", "1,2,3:4,5:a\n", r"line 4: its dimensions have different lengths \[2, 3\]"),
        ("", "1,2:3,4:c\n", r"line 4: class label 'c' is not declared \(declared: a b\)"),
        ("", "1,2\n", r"line 4: no class label after the values"),
        ("", "1,2:3,4:a\n5,6:7,", r"line 5: class label '7,' is not declared .*truncated"),
        ("", "", r"no case after @data: the file is truncated"),
    ],
)
def test_ts_errors(tmp_path, header, data, message):
    # "@problemName" is line 1, the tested header lines start on line 3, "@data" follows them.
    text = "@problemName Bad\n@classLabel true a b\n" + header + "@data\n" + data
    path = write(tmp_path / "Bad_TRAIN.ts", text)
    with pytest.raises(CrosslError, match=message):
        read_ts(path)


def test_ts_without_data_line(tmp_path):
    path = write(tmp_path / "Bad_TRAIN.ts", "@problemName Bad\n@classLabel true a\n")
    with pytest.raises(CrosslError, match="no @data line"):
        read_ts(path)
    write(path, "@problemName Bad\n@classLabel true a\n1,2:a\n")
    with pytest.raises(CrosslError, match="line 3: a case before the @data line"):
        read_ts(path)
    with pytest.raises(CrosslError, match=r"Nope_TRAIN\.ts is missing"):
        read_ts(tmp_path / "Nope_TRAIN.ts")


ARFF_UNI = "@relation Bad\n@attribute t1 numeric\n@attribute t2 numeric\n@attribute class {a,b}\n"
ARFF_REL = (
    "@relation Bad\n@attribute rel relational\n@attribute t1 numeric\n@attribute t2 numeric\n"
    "@end rel\n@attribute class {a,b}\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ARFF_UNI + "@data\n1,2,a\n1,b\n", r"line 7: 1 values per dimension, expected 2"),
        (ARFF_UNI + "@data\n1,2,3,a\n", r"line 6: 3 values per dimension, expected 2"),
        (ARFF_UNI + "@data\n1,2,c\n", r"line 6: class label 'c' is not declared"),
        (
            ARFF_UNI + "@data\n1,x,a\n",
            r"line 6, dimension 0: could not convert string to float: 'x'",
        ),
        (
            ARFF_UNI + "@attribute t3 numeric\n@data\n",
            "line 5: the nominal class attribute must be the last",
        ),
        (ARFF_UNI.replace("{a,b}", "numeric") + "@data\n1,2,3\n", "no nominal class attribute"),
        (ARFF_UNI.replace("t2 numeric", "t2 string") + "@data\n", r"line 3: unsupported attribute"),
        (ARFF_UNI + "1,2,a\n", r"line 5: unexpected '1,2,a' before @data"),
        (ARFF_UNI, "no @data line"),
        (ARFF_UNI + "@data\n", "no case after @data"),
        (
            ARFF_REL + "@data\n'1,2\\n3,4',a\n'1,2\\n3,4\\n5,6',b\n",
            r"line 9: 3 dimensions, expected 2",
        ),
        (
            ARFF_REL + "@data\n'1,2\\n3,4',a\n'1,2\\n3,4",
            r"line 9: expected a quoted relational value",
        ),
        (
            ARFF_REL + "@data\n'1,2\\n3',a\n",
            r"line 8: its dimensions have different lengths \[1, 2\]",
        ),
        (
            ARFF_REL.replace("@end rel\n", "") + "@data\n",
            r"line 5: unsupported attribute '@attribute class",
        ),
        (
            ARFF_REL.replace("@end rel\n@attribute class {a,b}\n", "") + "@data\n",
            "inside the relational",
        ),
        (
            "@relation Bad\n@attribute t0 numeric\n@attribute rel relational\n",
            "line 3: unsupported attribute",
        ),
    ],
)
def test_arff_errors(tmp_path, text, message):
    path = write(tmp_path / "Bad_TRAIN.arff", text)
    with pytest.raises(CrosslError, match=message):
        read_arff(path)


def test_writers_produce_the_archive_layouts(tmp_path):
    uni = write_arff(tmp_path / "U_TRAIN.arff", [np.array([[1.0, nan]])], ["k"])
    assert uni.read_text().splitlines()[-1] == "1.0,?,k"
    multi = write_arff(tmp_path / "M_TRAIN.arff", [np.array([[1.0], [2.0]])], ["k"])
    assert multi.read_text().splitlines()[-1] == "'1.0\\n2.0',k"
    ts = write_ts(tmp_path / "T_TRAIN.ts", [np.array([[1.0, 2.0], [3.0, nan]])], ["k"])
    assert ts.read_text().splitlines()[-1] == "1.0,2.0:3.0,?:k"
