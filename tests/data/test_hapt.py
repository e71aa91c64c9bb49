import gzip
import io
import os
import pickle

import numpy as np
import pytest
import torch

from crossl.data.hapt_protocols import HAPT_TEST_USERS, get_protocol
from crossl.data.protocols import windows_of
from crossl.data.sources.hapt_pickle import read_hapt_pickle
from crossl.errors import CrosslError


def test_embedded_recordings(hapt_recordings):
    assert len(hapt_recordings) == 61
    assert sorted({r.subject for r in hapt_recordings}) == list(range(1, 31))
    assert sum(len(r) for r in hapt_recordings) == 1_122_772
    first = hapt_recordings[0]
    assert first.signals["acc"].shape == (20598, 3) and first.signals["gyro"].shape == (20598, 3)
    # user 1's first recording: unlabelled until sample 250, then STANDING (5) until 1232
    assert (first.labels[:250] == -1).all() and (first.labels[250:1233] == 5).all()
    assert first.labels[1233] != 5
    # the phone lies on the waist: gravity dominates, |acc| ~ 1 g; gyro in rad/s is small
    norm = np.linalg.norm(first.signals["acc"], axis=1)
    assert 0.9 < np.median(norm) < 1.1
    assert np.abs(first.signals["gyro"]).mean() < 1.0


def test_window_counts_match_recording_lengths(hapt_recordings):
    protocol = get_protocol("hapt")
    expected = sum((len(r) - 128) // 64 + 1 for r in hapt_recordings)
    windows = windows_of(protocol)
    assert len(windows) == expected == 17453


def test_split_sizes_and_class_counts(hapt_data):
    s = hapt_data.splits
    assert sorted(torch.unique(s.test.subjects).tolist()) == list(HAPT_TEST_USERS)
    subjects = [set(torch.unique(w.subjects).tolist()) for w in (s.train, s.val, s.test)]
    assert not (subjects[0] & subjects[1]) and not (subjects[0] & subjects[2])
    assert not (subjects[1] & subjects[2])
    assert len(subjects[1]) == 3 and len(subjects[0]) == 18
    assert (len(s.train), len(s.val), len(s.test)) == (10500, 1900, 5053)

    def counts(w):
        return torch.bincount(w.labels[w.labels >= 0], minlength=6).tolist()

    assert counts(s.train) == [1017, 880, 788, 1028, 1137, 1142]
    assert counts(s.test) == [474, 449, 394, 484, 541, 532]
    assert int((s.train.labels == -1).sum()) == 10500 - 5992


def test_normalisation_comes_from_training_users_only(hapt_data):
    train = hapt_data.splits.train.modalities["acc"]
    assert train.mean(dim=(0, 2)).abs().max() < 1e-4
    assert (train.std(dim=(0, 2)) - 1).abs().max() < 1e-3
    test = hapt_data.splits.test.modalities["acc"]
    assert test.mean(dim=(0, 2)).abs().max() > 1e-3  # other users: not exactly standardised


def test_transitions_variant_has_twelve_classes(hapt_recordings):
    windows = windows_of(get_protocol("hapt-transitions"))
    classes = torch.unique(windows.labels[windows.labels >= 0]).tolist()
    assert classes == list(range(12))


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/crossl-pwned",))


def test_restricted_unpickler_refuses_other_globals(tmp_path):
    path = tmp_path / "evil.pkl.gz"
    with gzip.open(path, "wb") as fh:
        pickle.dump({1: [_Evil()]}, fh, protocol=2)
    if os.path.exists("/tmp/crossl-pwned"):
        os.remove("/tmp/crossl-pwned")
    with pytest.raises(CrosslError, match=r"refusing to load.*system"):
        read_hapt_pickle(path)
    assert not os.path.exists("/tmp/crossl-pwned")


def test_restricted_unpickler_refuses_numpy_load_gadgets(tmp_path):
    path = tmp_path / "gadget.pkl.gz"
    buf = io.BytesIO()
    pickle.dump({1: [np.float64(1.0)]}, buf, protocol=2)  # references numpy.core.multiarray.scalar
    path.write_bytes(gzip.compress(buf.getvalue()))
    with pytest.raises(CrosslError, match="refusing to load"):
        read_hapt_pickle(path)


def test_truncated_and_non_gzip_files(tmp_path):
    from crossl.data.sources.hapt_pickle import embedded_hapt_path

    head = embedded_hapt_path().read_bytes()[:200_000]
    (tmp_path / "cut.pkl.gz").write_bytes(head)
    with pytest.raises(CrosslError, match="corrupt or truncated"):
        read_hapt_pickle(tmp_path / "cut.pkl.gz")
    (tmp_path / "text.pkl.gz").write_text("not a pickle")
    with pytest.raises(CrosslError, match="corrupt"):
        read_hapt_pickle(tmp_path / "text.pkl.gz")
    with pytest.raises(CrosslError, match="does not exist"):
        read_hapt_pickle(tmp_path / "missing.pkl.gz")
