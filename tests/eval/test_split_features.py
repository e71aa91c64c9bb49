"""Features of a split embedded chunk by chunk (from memory or from a prepared cache) are those
of the whole split embedded at once, bit for bit."""

import numpy as np
import pytest
import torch

from crossl.config import load_config
from crossl.data import prepare_data, prepare_dataset
from crossl.data.container import random_absence
from crossl.eval.features import extract_features, split_features
from crossl.methods.base import build_backbone


def _backbone(shapes):
    torch.manual_seed(0)
    return build_backbone(load_config("crossl", ["code_size=16"]), shapes)


@pytest.mark.parametrize("kind", ["aggregator", "encoders"])
def test_chunks_of_an_in_memory_split_give_the_whole_split_features(hapt_data, kind):
    split = hapt_data.splits.labelled_split("val")
    backbone = _backbone(hapt_data.modality_shapes)
    whole = hapt_data.splits.val.labelled()
    assert len(split) == len(whole) > 3 * 256
    chunked = split_features(backbone, split, kind, chunk_windows=256, batch_size=256)
    assert np.array_equal(chunked, extract_features(backbone, whole, kind, 256), equal_nan=True)
    # one sensor kept, then random drop-out drawn for the whole split and applied per chunk
    keep = torch.tensor([True, False])
    flags = random_absence(split.present & keep, 0.5, torch.Generator().manual_seed(3))
    dropped = whole.with_present(["acc"]).with_random_absence(0.5, torch.Generator().manual_seed(3))
    chunked = split_features(backbone, split, kind, ["acc"], flags, 256, 256)
    assert np.array_equal(chunked, extract_features(backbone, dropped, kind, 256), equal_nan=True)


def test_a_cached_split_is_embedded_from_disk_chunk_by_chunk(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.where(np.arange(600) % 7 == 0, -1, np.arange(600) % 3)  # some unlabelled
    signals = {m: rng.normal(size=(600, 3, 32)).astype(np.float32) for m in ("acc", "gyro")}
    (tmp_path / "raw").mkdir()
    np.savez(tmp_path / "raw" / "w.npz", **signals, labels=labels, subjects=np.arange(600) // 60)
    prepare_dataset("npz", tmp_path / "raw", tmp_path / "cache", {"rate_hz": 16})
    data = prepare_data("npz", str(tmp_path / "cache"))
    split = data.splits.labelled_split("train")  # before the split is read into memory
    reads = []
    read = split.read
    object.__setattr__(split, "read", lambda i, j: reads.append(j - i) or read(i, j))
    backbone = _backbone(data.modality_shapes)
    chunked = split_features(backbone, split, "aggregator", chunk_windows=64, batch_size=64)
    assert max(reads) == 64 and sum(reads) == len(split)
    whole = data.splits.train.labelled()
    assert (whole.labels >= 0).all() and torch.equal(whole.labels, split.labels)
    assert np.array_equal(chunked, extract_features(backbone, whole, "aggregator", 64))


def test_chunks_must_be_whole_batches(hapt_data):
    with pytest.raises(ValueError, match="multiple of 256"):
        split_features(
            None, hapt_data.splits.labelled_split("val"), "encoders", None, None, 300, 256
        )
