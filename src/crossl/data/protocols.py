"""Prepared data: a dataset's windows, split by subject and normalised, in memory or from a
prepared cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from crossl.data.batches import EpochBatches, TrainBatches
from crossl.data.container import WindowSet, concat
from crossl.data.hapt_protocols import PROTOCOLS, Protocol, get_protocol
from crossl.data.normalisation import ChannelStats, fit_channel_stats, normalise
from crossl.data.resampling import resample_recording
from crossl.data.splits import (
    Splits,
    SplitWindows,
    choose_validation_subjects,
    split_by_subjects,
)
from crossl.data.windowing import window_recordings
from crossl.errors import CrosslError


@dataclass
class PreparedData:
    """Normalised splits plus what is needed to prepare new data the same way.

    ``splits`` are in memory (HAPT) or read from a prepared cache on first use; ``train_batches``
    streams the training windows from that cache when they exceed the memory budget.
    """

    splits: SplitWindows
    stats: ChannelStats
    class_names: list[str]
    modality_shapes: dict[str, tuple[int, int]]
    devices: dict[str, list[str]] = field(default_factory=dict)
    protocol: Protocol | None = None
    stream: Callable[[int, int, torch.device], TrainBatches] | None = None

    def train_batches(
        self,
        batch_size: int,
        seed: int,
        device: torch.device,
        labelled: bool = False,
        shard: tuple[int, int] = (0, 1),
        with_validation: bool = False,
    ) -> TrainBatches:
        """Shuffled, full training batches each epoch: slices of the windows in memory (moved to
        ``device`` once), or streamed from the cache when it is larger than the memory budget.
        ``labelled`` keeps only labelled windows (in memory); ``with_validation`` adds the
        validation users' labelled windows with their labels hidden (-1: the CroSSL authors'
        pretraining, in memory);
        ``shard=(rank, world_size)`` the rank's share of each epoch under data parallelism (see
        :class:`EpochBatches`)."""
        if self.stream is not None and not (labelled or with_validation):
            if shard[1] > 1:
                raise CrosslError(
                    "a cache streamed from disk cannot be sharded across processes yet: raise "
                    "data.memory_budget_mb so that it is held in memory, or train on one device"
                )
            return self.stream(batch_size, seed, device)
        windows = self.splits.train.labelled() if labelled else self.splits.train
        if with_validation:  # their windows, never their labels
            windows = concat([windows, self.splits.val.labelled().unlabelled()])
        batch_size = min(batch_size, len(windows))
        return EpochBatches(windows.to(device), batch_size, seed=seed, drop_last=True, shard=shard)


def windows_of(
    protocol: Protocol, data_dir: str | None = None, resample_to: tuple[float, int] | None = None
) -> WindowSet:
    """All windows of the protocol's recordings, unnormalised.

    ``resample_to=(rate_hz, window)`` resamples the recordings to ``rate_hz`` first and cuts
    windows of ``window`` samples, with the protocol's stride-to-window ratio (for transfer to a
    network pretrained at another rate).
    """
    recordings = protocol.read(data_dir)
    window, stride = protocol.window, protocol.stride
    if resample_to is not None:
        rate, window = resample_to
        stride = max(1, round(protocol.stride * window / protocol.window))
        recordings = [resample_recording(r, protocol.sampling_rate_hz, rate) for r in recordings]
    windows = window_recordings(recordings, window, stride, protocol.class_of, protocol.class_names)
    windows.check_finite()
    return windows


def prepare_data(
    name: str,
    data_dir: str | None = None,
    *,
    limit_windows: int | None = None,
    seed: int = 0,
    stats: ChannelStats | None = None,
    resample_to: tuple[float, int] | None = None,
    fold: int = 0,
    memory_budget_mb: float = 4096.0,
) -> PreparedData:
    """Window, split by subject and normalise a protocol's data.

    Normalisation statistics are fitted on the training windows (before ``limit_windows``) unless
    ``stats`` is given (e.g. from a checkpoint). ``limit_windows`` keeps a seeded random subset of
    the training windows, for smoke runs. ``resample_to=(rate_hz, window)``: see :func:`windows_of`.
    Datasets other than HAPT are read from the cache folder ``data_dir`` written by
    ``crossl datasets prepare`` (``fold`` and ``memory_budget_mb``: see
    :func:`crossl.data.cache.prepared.load_cached_data`).
    """
    if name not in PROTOCOLS:
        from crossl.data.cache.prepared import load_cached_data

        if resample_to is not None:
            raise CrosslError(f"transfer with resampling is only available for HAPT, not {name}")
        return load_cached_data(
            name,
            data_dir,
            fold=fold,
            limit_windows=limit_windows,
            seed=seed,
            stats=stats,
            memory_budget_mb=memory_budget_mb,
        )
    if fold != 0:
        raise CrosslError(f"data.fold={fold}: {name} has one fixed split, leave data.fold at 0")
    protocol = get_protocol(name)
    windows = windows_of(protocol, data_dir, resample_to)
    subjects = sorted(int(s) for s in torch.unique(windows.subjects))
    test = [s for s in subjects if s in protocol.test_subjects]
    train, val = choose_validation_subjects(
        [s for s in subjects if s not in protocol.test_subjects],
        protocol.n_val_subjects,
        protocol.val_seed,
    )
    splits = split_by_subjects(windows, train, val, test)
    if stats is not None:
        stats.check_matches({k: v.shape[1] for k, v in windows.modalities.items()})
    stats = stats or fit_channel_stats(splits.train)
    train_windows = splits.train
    if limit_windows is not None and limit_windows < len(train_windows):
        g = torch.Generator().manual_seed(seed)
        keep = torch.randperm(len(train_windows), generator=g)[:limit_windows].sort().values
        train_windows = train_windows.select(keep)
    splits = Splits(
        normalise(train_windows, stats), normalise(splits.val, stats), normalise(splits.test, stats)
    )
    shapes = splits.train.shapes
    devices = {k: [k] for k in shapes}
    return PreparedData(splits, stats, list(protocol.class_names), shapes, devices, protocol)
