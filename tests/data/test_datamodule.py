import dataclasses
import json

import lightning as L
import pytest
import torch
from lightning.pytorch.callbacks import Callback, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger

from crossl.config import load_config
from crossl.data.batches import EpochBatches
from crossl.data.container import WindowSet
from crossl.data.datamodule import WindowDataModule
from crossl.data.protocols import prepare_data
from crossl.data.splits import Splits
from crossl.experiments.checkpoint import load_checkpoint
from crossl.experiments.pretrain import build_module
from crossl.methods import get_method


def _numbered(n: int) -> WindowSet:
    """Windows whose label is their index, so that a batch says which windows it holds."""
    return WindowSet({"a": torch.zeros(n, 1, 2)}, torch.arange(n), torch.zeros(n).long())


@pytest.mark.parametrize(("n", "batch", "world"), [(103, 4, 3), (64, 8, 2), (50, 5, 4)])
def test_ranks_get_disjoint_shards_of_one_permutation_that_cover_the_epoch(n, batch, world):
    ranks = [
        EpochBatches(_numbered(n), batch, seed=7, drop_last=True, shard=(r, world))
        for r in range(world)
    ]
    per_rank = (n // batch) // world
    reference = torch.Generator().manual_seed(7)  # the permutations every rank draws
    for _epoch in range(2):
        seen = [torch.cat([b.labels for b in r]).tolist() for r in ranks]
        assert all(len(s) == per_rank * batch for s in seen)  # the same number of steps
        flat = [i for s in seen for i in s]
        assert len(set(flat)) == len(flat)  # disjoint
        whole = torch.randperm(n, generator=reference)
        assert set(flat) == set(whole[: per_rank * world * batch].tolist())  # the epoch's batches
        assert len(flat) > n - batch * world  # all but the last < world batches


def test_one_rank_is_the_unsharded_epoch():
    a = [b.labels.tolist() for b in EpochBatches(_numbered(30), 4, seed=3, drop_last=True)]
    b = [
        x.labels.tolist()
        for x in EpochBatches(_numbered(30), 4, seed=3, drop_last=True, shard=(0, 1))
    ]
    assert a == b
    with pytest.raises(ValueError, match="rank"):
        EpochBatches(_numbered(4), 2, shard=(2, 2))


class _RecordBatches(Callback):
    def __init__(self, folder):
        self.folder = folder

    def on_train_batch_start(self, trainer, module, batch, batch_idx):
        path = self.folder / f"rank{trainer.global_rank}.jsonl"
        with path.open("a") as f:
            f.write(json.dumps(batch.subjects.tolist()) + "\n")


@pytest.fixture(scope="module")
def small_hapt():
    return prepare_data("hapt", limit_windows=192)


def test_a_method_trains_in_the_users_own_trainer_and_its_checkpoint_loads(tmp_path, small_hapt):
    cfg = load_config("crossl", settings={"epochs": 1, "batch_size": 32, "online_probe": False})
    module = build_module(cfg, small_hapt)
    saving = ModelCheckpoint(dirpath=tmp_path, filename="mine")
    trainer = L.Trainer(
        max_epochs=1,
        accelerator="cpu",
        logger=CSVLogger(tmp_path),
        callbacks=[saving],
        enable_progress_bar=False,
    )
    trainer.fit(module, datamodule=WindowDataModule(small_hapt, cfg.batch_size, cfg.seed))
    path = tmp_path / "mine.ckpt"
    assert (tmp_path / "lightning_logs" / "version_0" / "metrics.csv").is_file()
    again = get_method("crossl").load_from_checkpoint(path).eval()
    loaded = load_checkpoint(path)
    test = small_hapt.splits.test.select(torch.arange(64))
    with torch.no_grad():
        want = module.eval().backbone.features(test, "aggregator")
        assert torch.equal(again.backbone.features(test, "aggregator"), want)
        assert torch.equal(loaded.backbone.features(test, "aggregator"), want)


def test_two_ddp_processes_train_on_disjoint_windows(tmp_path, small_hapt):
    cfg = load_config("simclr", settings={"epochs": 1, "batch_size": 16, "online_probe": False})
    module = build_module(cfg, small_hapt)
    # subjects as window numbers, so that each rank's batches say which windows they held
    train = small_hapt.splits.train
    numbered = WindowSet(train.modalities, train.labels, torch.arange(len(train)), train.present)
    splits = Splits(numbered, small_hapt.splits.val, small_hapt.splits.test)
    data = dataclasses.replace(small_hapt, splits=splits)
    trainer = L.Trainer(
        max_epochs=1,
        accelerator="cpu",
        devices=2,
        strategy="ddp_spawn",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        callbacks=[_RecordBatches(tmp_path)],
    )
    trainer.fit(module, datamodule=WindowDataModule(data, cfg.batch_size, cfg.seed))
    seen = [
        [
            i
            for line in (tmp_path / f"rank{r}.jsonl").read_text().splitlines()
            for i in json.loads(line)
        ]
        for r in (0, 1)
    ]
    assert len(seen[0]) == len(seen[1]) == (len(train) // 16 // 2) * 16
    assert not set(seen[0]) & set(seen[1])
