"""Prepared caches: windows, labels, present flags and statistics against values computed by hand
on small PAMAP2 files; invalidation; no partial cache; streaming from disk."""

import json
import os

import numpy as np
import pytest
import torch
from pamap2_files import pamap2_table, write_pamap2_subject

from crossl.data.cache.batches import CacheBatches
from crossl.data.cache.folder import DatasetCache
from crossl.data.cache.writer import prepare_dataset
from crossl.data.normalisation import fit_channel_stats
from crossl.data.protocols import prepare_data
from crossl.errors import CrosslError

SUBJECTS = (101, 102, 103, 104)
ACTIVITIES = ((1, 1100), (0, 200), (4, 1100), (5, 600))
EXPECTED_LABELS = [0, 0, 0, -1, -1, -1, 3, 3, -1, -1]


def write_raw(root, subjects=SUBJECTS):
    for s in subjects:
        table = pamap2_table(ACTIVITIES, lost=(("hand", 120, 125), ("hand", 600, 700)))
        table[:, 3:] += s
        write_pamap2_subject(root, s, table)
    return root / "PAMAP2_Dataset"


@pytest.fixture
def prepared(tmp_path):
    raw = write_raw(tmp_path / "raw")
    manifest, written = prepare_dataset("pamap2", raw, tmp_path / "cache")
    return raw, tmp_path / "cache", manifest, written


def test_windows_labels_present_and_values(prepared):
    _, cache_dir, manifest, written = prepared
    assert written
    cache = DatasetCache(cache_dir)
    assert len(cache) == 40 and manifest["n_windows"] == 40
    assert cache.labels.reshape(4, 10).tolist() == [EXPECTED_LABELS] * 4
    assert cache.subjects.tolist() == [s for s in SUBJECTS for _ in range(10)]
    hand = [cache.modality_names.index("hand_acc"), cache.modality_names.index("hand_gyro")]
    absent = ~cache.present[:10]
    assert np.flatnonzero(absent[:, hand[0]]).tolist() == [1, 2]
    assert (absent[:, hand[0]] == absent[:, hand[1]]).all()
    assert not absent[:, cache.modality_names.index("chest_acc")].any()
    x = np.load(cache_dir / "hand_acc.npy", mmap_mode="r")
    assert x.shape == (40, 3, 512)
    k, s = 6, SUBJECTS[0]
    np.testing.assert_array_equal(x[k, 0], 5000 + s + 256 * k + np.arange(512))
    np.testing.assert_array_equal(x[k, 2], 7000 + s + 256 * k + np.arange(512))
    assert (x[1] == 0).all()
    assert manifest["devices"]["hand"] == ["hand_acc", "hand_gyro"]
    assert manifest["class_names"][:4] == ["lying", "sitting", "standing", "walking"]


def test_statistics_match_in_memory_fit(prepared):
    _, cache_dir, _, _ = prepared
    cache = DatasetCache(cache_dir)
    train = cache.split(0)["train"]
    stats = cache.stats(train)
    reference = fit_channel_stats(cache.windows(train))
    for name in cache.modality_names:
        torch.testing.assert_close(stats.mean[name], reference.mean[name], rtol=1e-5, atol=1e-3)
        torch.testing.assert_close(stats.std[name], reference.std[name], rtol=1e-4, atol=1e-3)


def test_loso_split_is_subject_wise(prepared):
    _, cache_dir, _, _ = prepared
    cache = DatasetCache(cache_dir)
    for fold, subject in enumerate(SUBJECTS):
        parts = cache.split(fold)
        subjects = {k: set(cache.subjects[v].tolist()) for k, v in parts.items()}
        assert subjects["test"] == {subject}
        assert not subjects["train"] & subjects["test"] and not subjects["val"] & subjects["test"]
        assert sum(len(v) for v in parts.values()) == len(cache)


def test_unchanged_inputs_keep_the_cache_and_changes_rebuild_it(prepared, tmp_path):
    raw, cache_dir, manifest, _ = prepared
    again, written = prepare_dataset("pamap2", raw, cache_dir)
    assert not written and again["fingerprint"] == manifest["fingerprint"]
    _, written = prepare_dataset("pamap2", raw, cache_dir, {"max_gap_s": 2.0})
    assert written
    assert DatasetCache(cache_dir).present.all()
    write_pamap2_subject(tmp_path / "raw", 101, pamap2_table(ACTIVITIES[:3]))
    with pytest.raises(CrosslError, match="changed after"):
        prepare_data("pamap2", str(cache_dir))
    rebuilt, written = prepare_dataset("pamap2", raw, cache_dir)
    assert written and rebuilt["fingerprint"] != manifest["fingerprint"]


def test_failure_leaves_no_partial_cache_and_keeps_the_old_one(prepared):
    raw, cache_dir, manifest, _ = prepared
    bad = raw / "Protocol" / "subject104.dat"
    bad.write_text(bad.read_text()[:-40])
    with pytest.raises(CrosslError, match="subject104"):
        prepare_dataset("pamap2", raw, cache_dir)
    assert json.loads((cache_dir / "manifest.json").read_text()) == manifest
    # nothing partial is left beside the cache; its writers' lock file stays (hidden, empty)
    assert sorted(p.name for p in cache_dir.parent.iterdir()) == [".cache.lock", "cache", "raw"]
    with pytest.raises(CrosslError, match="subject104"):
        prepare_dataset("pamap2", raw, cache_dir.parent / "fresh")
    assert not (cache_dir.parent / "fresh").exists()


def test_unknown_activity_code_is_refused(tmp_path):
    table = pamap2_table(ACTIVITIES)
    table[50, 1] = 8
    write_pamap2_subject(tmp_path / "raw", 101, table)
    with pytest.raises(CrosslError, match="8"):
        prepare_dataset("pamap2", tmp_path / "raw", tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_truncated_cache_and_wrong_dataset_are_refused(prepared):
    _, cache_dir, _, _ = prepared
    with pytest.raises(CrosslError, match="holds a prepared pamap2, not wesad"):
        prepare_data("wesad", str(cache_dir))
    path = cache_dir / "chest_acc.npy"
    os.truncate(path, path.stat().st_size - 100)
    with pytest.raises(CrosslError, match="truncated"):
        DatasetCache(cache_dir)


def test_streamed_batches_cover_the_training_windows_once_per_epoch(prepared):
    _, cache_dir, _, _ = prepared
    cache = DatasetCache(cache_dir)
    index = np.arange(len(cache))
    stats = cache.stats(index)
    loader = CacheBatches(cache, index, stats, 4, buffer_windows=8, seed=3, block=2)
    epochs = [[b for b in loader] for _ in range(2)]
    for batches in epochs:
        assert len(batches) == len(loader) == 10
        seen = torch.cat([b.modalities["chest_acc"][:, 0, 0] for b in batches])
        expected = cache.windows(index, stats).modalities["chest_acc"][:, 0, 0]
        torch.testing.assert_close(seen.sort().values, expected.sort().values)
    first = [b.subjects.tolist() for b in epochs[0]]
    assert first != [b.subjects.tolist() for b in epochs[1]]
    assert any(len(set(s)) > 1 for s in first)
    replay = CacheBatches(cache, index, stats, 4, buffer_windows=8, seed=3, block=2)
    assert [b.subjects.tolist() for b in replay] == first


def test_prepare_data_streams_when_over_budget(prepared):
    _, cache_dir, _, _ = prepared
    small = prepare_data("pamap2", str(cache_dir), memory_budget_mb=0.1)
    large = prepare_data("pamap2", str(cache_dir))
    assert small.stream is not None and large.stream is None
    batches = list(small.train_batches(4, 0, torch.device("cpu")))
    assert len(batches) == len(large.splits.train) // 4
    assert small.class_names == large.class_names and len(small.class_names) == 12
