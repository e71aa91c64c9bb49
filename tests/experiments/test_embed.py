import numpy as np
import pandas as pd
import pytest
import torch

from crossl.cli import main
from crossl.data.cache.writer import prepare_dataset
from crossl.data.container import WindowSet
from crossl.data.normalisation import normalise
from crossl.errors import CrosslError
from crossl.eval.features import extract_features
from crossl.experiments.embed import embed
from crossl.weights import pretrained


def _npz(path, n=40, lose_gyro=(), unlabelled=0):
    rng = np.random.default_rng(0)
    acc = rng.normal([[0.0], [0.0], [1.0]], 0.2, size=(n, 3, 128)).astype(np.float32)
    gyro = rng.normal(0.0, 0.3, size=(n, 3, 128)).astype(np.float32)
    gyro[list(lose_gyro)] = np.nan
    labels, subjects = np.arange(n) % 3, np.arange(n) // 10
    labels[:unlabelled] = -1
    np.savez(path, acc=acc, gyro=gyro, labels=labels, subjects=subjects)
    return acc, gyro, labels, subjects


def test_a_npz_and_its_prepared_cache_embed_to_what_the_network_computes(tmp_path):
    acc, gyro, *_ = _npz(tmp_path / "w.npz")
    prepare_dataset("npz", tmp_path / "w.npz", tmp_path / "cache")
    from_npz = embed("crossl-hapt", str(tmp_path / "w.npz"), tmp_path / "a.npy", batch_size=16)
    from_cache = embed("crossl-hapt", str(tmp_path / "cache"), tmp_path / "b.npy", batch_size=7)
    a, b = np.load(from_npz), np.load(from_cache)
    loaded = pretrained("crossl-hapt")
    raw = WindowSet(
        {"acc": torch.from_numpy(acc), "gyro": torch.from_numpy(gyro)},
        torch.zeros(40).long(),
        torch.zeros(40).long(),
    )
    want = extract_features(loaded.backbone, normalise(raw, loaded.stats), "aggregator")
    assert a.shape == (40, 32) and a.dtype == np.float32
    np.testing.assert_allclose(a, want, atol=1e-5)
    np.testing.assert_allclose(b, want, atol=1e-5)


def test_parquet_rows_carry_subject_label_class_and_presence(tmp_path):
    _, _, labels, subjects = _npz(tmp_path / "w.npz", lose_gyro=(3, 5))
    path = embed("crossl-hapt", str(tmp_path / "w.npz"), tmp_path / "e.parquet", "encoders", 16)
    table = pd.read_parquet(path)
    assert list(table.columns[:4]) == ["subject", "label", "class", "present_acc"]
    assert table["subject"].tolist() == subjects.tolist()
    assert table["label"].tolist() == labels.tolist()
    assert sorted(np.flatnonzero(~table["present_gyro"].to_numpy())) == [3, 5]
    features = table[[f"f{j}" for j in range(192)]].to_numpy()
    assert np.isnan(features[[3, 5], 96:]).all() and np.isfinite(features[:, :96]).all()


def test_a_first_chunk_without_labels_does_not_fix_the_class_column_to_null(tmp_path):
    _npz(tmp_path / "w.npz", unlabelled=16)
    path = embed("crossl-hapt", str(tmp_path / "w.npz"), tmp_path / "e.parquet", batch_size=16)
    table = pd.read_parquet(path, columns=["label", "class"])
    assert table["class"][:16].isna().all() and table["class"][16:].notna().all()


def test_the_embedded_hapt_data_embeds_with_its_split(tmp_path):
    path = embed("crossl-hapt", "hapt", tmp_path / "hapt.parquet")
    table = pd.read_parquet(path, columns=["split", "label", "class", "f0"])
    assert table["split"].value_counts().to_dict() == {"train": 10500, "test": 5053, "val": 1900}
    assert set(table.loc[table["label"] == 5, "class"]) == {"LAYING"}
    assert table.loc[table["label"] == -1, "class"].isna().all()


def test_bad_input_is_one_clear_error_and_writes_nothing(tmp_path, capsys):
    np.savez(
        tmp_path / "acc.npz",
        acc=np.zeros((4, 3, 128), np.float32),
        labels=np.zeros(4, int),
        subjects=np.zeros(4, int),
    )
    with pytest.raises(CrosslError, match="pretrained on"):
        embed("crossl-hapt", str(tmp_path / "acc.npz"), tmp_path / "x.npy")
    with pytest.raises(CrosslError, match=r"\.npy or \.parquet"):
        embed("crossl-hapt", "hapt", tmp_path / "x.csv")
    with pytest.raises(CrosslError, match="not a prepared cache"):
        embed("crossl-hapt", str(tmp_path), tmp_path / "x.npy")
    with pytest.raises(CrosslError, match="positive number"):
        embed("crossl-hapt", "hapt", tmp_path / "x.npy", batch_size=0)
    with pytest.raises(CrosslError, match="did you mean encoders"):
        embed("crossl-hapt", "hapt", tmp_path / "x.npy", "encoder")
    out = str(tmp_path / "x.npy")
    assert main(["embed", "--checkpoint", "crossl-hapt", "--data", "hpat", "--out", out]) == 2
    assert "give a cache folder, a .npz file or one of hapt" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acc.npz"]
