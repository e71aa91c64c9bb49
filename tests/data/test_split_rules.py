"""Subject-wise split rules."""

import numpy as np
import pytest

from crossl.data.split_rules import split_subjects
from crossl.errors import CrosslError

SUBJECTS = np.repeat(np.arange(10, 20), 3)


def disjoint(parts):
    train, val, test = map(set, parts)
    return not (train & val or train & test or val & test)


def test_random_split_is_seeded_subject_wise_and_sized():
    rule = {"kind": "random", "test_fraction": 0.2, "val_fraction": 0.1, "seed": 0}
    parts = split_subjects(rule, SUBJECTS, np.zeros(len(SUBJECTS)))
    assert [len(p) for p in parts] == [7, 1, 2] and disjoint(parts)
    assert parts == split_subjects(rule, SUBJECTS, np.zeros(len(SUBJECTS)))
    other = split_subjects({**rule, "seed": 1}, SUBJECTS, np.zeros(len(SUBJECTS)))
    assert other != parts


def test_official_split_tests_on_the_published_test_subjects():
    partition = (SUBJECTS >= 17).astype(np.int8)
    train, val, test = split_subjects(
        {"kind": "official", "val_fraction": 0.15, "seed": 0}, SUBJECTS, partition
    )
    assert test == [17, 18, 19] and len(val) == 1 and disjoint((train, val, test))
    assert sorted(train + val) == list(range(10, 17))


def test_loso_folds_cover_every_subject_once():
    tested = []
    for fold in range(10):
        train, val, test = split_subjects({"kind": "loso"}, SUBJECTS, SUBJECTS * 0, fold)
        assert disjoint((train, val, test)) and len(train) == 8
        tested += test
    assert tested == list(range(10, 20))
    with pytest.raises(CrosslError, match="10 leave-one-subject-out folds"):
        split_subjects({"kind": "loso"}, SUBJECTS, SUBJECTS * 0, 10)


def test_fixed_split_and_errors():
    rule = {"kind": "fixed", "test": [12], "val": [11]}
    assert split_subjects(rule, SUBJECTS, SUBJECTS * 0)[1:] == ([11], [12])
    with pytest.raises(CrosslError, match="no windows"):
        split_subjects({"kind": "fixed", "test": [99]}, SUBJECTS, SUBJECTS * 0)
    with pytest.raises(CrosslError, match="only applies to leave-one-subject-out"):
        split_subjects(rule, SUBJECTS, SUBJECTS * 0, fold=1)
    with pytest.raises(CrosslError, match="unknown split kind"):
        split_subjects({"kind": "bogus"}, SUBJECTS, SUBJECTS * 0)
