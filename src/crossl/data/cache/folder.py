"""``DatasetCache``: a prepared dataset on disk, read by row ranges (see :mod:`cache_writer`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from crossl.data.cache.writer import CACHE_FORMAT, INDEX_ARRAYS, MANIFEST, input_fingerprint
from crossl.data.container import WindowSet
from crossl.data.modality_info import ModalityInfo
from crossl.data.normalisation import ChannelStats
from crossl.data.npy_files import NpyRows
from crossl.data.split_rules import split_subjects
from crossl.errors import CrosslError


def is_cache(folder: str | Path) -> bool:
    """Whether ``folder`` holds a prepared dataset."""
    return (Path(folder) / MANIFEST).is_file()


class DatasetCache:
    """The windows of a prepared dataset: index arrays in memory, signals read on demand."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        path = self.folder / MANIFEST
        if not path.is_file():
            raise CrosslError(
                f"{self.folder} is not a prepared dataset (no {MANIFEST}): run "
                "crossl datasets prepare NAME --raw RAW_DIR --out CACHE_DIR first"
            )
        try:
            self.manifest: dict[str, Any] = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise CrosslError(f"{path} is corrupt ({err}): prepare the dataset again") from None
        if self.manifest.get("format") != CACHE_FORMAT:
            raise CrosslError(
                f"{self.folder} was prepared by a crossl with cache format "
                f"{self.manifest.get('format')}, this one reads {CACHE_FORMAT}: prepare it again"
            )
        self.modalities = [ModalityInfo.from_dict(m) for m in self.manifest["modalities"]]
        self.signals = {m.name: NpyRows(self.folder / f"{m.name}.npy") for m in self.modalities}
        index = {k: self._load_index(k) for k in INDEX_ARRAYS}
        self.labels, self.subjects = index["labels"], index["subjects"]
        self.present, self.partition = index["present"], index["partition"]
        for rows in self.signals.values():
            if len(rows) != len(self.labels):
                raise CrosslError(
                    f"{rows.path} has {len(rows)} windows, labels.npy has {len(self.labels)}: "
                    "the cache is damaged, prepare it again"
                )

    def _load_index(self, name: str) -> np.ndarray:
        try:
            return np.load(self.folder / f"{name}.npy", allow_pickle=False)
        except (OSError, ValueError) as err:
            raise CrosslError(f"{self.folder}/{name}.npy: {err}; prepare it again") from None

    @property
    def name(self) -> str:
        return str(self.manifest["dataset"])

    @property
    def class_names(self) -> list[str]:
        return list(self.manifest["class_names"])

    @property
    def devices(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.manifest["devices"].items()}

    @property
    def modality_names(self) -> list[str]:
        return [m.name for m in self.modalities]

    @property
    def shapes(self) -> dict[str, tuple[int, int]]:
        """``{modality: (channels, length)}``."""
        return {k: (v[0], v[1]) for k, v in self.manifest["shapes"].items()}

    def __len__(self) -> int:
        return len(self.labels)

    def check_fresh(self) -> None:
        """Raise if the raw files it was prepared from are still there but have changed."""
        raw = Path(self.manifest["raw"])
        if not raw.exists():
            return
        recorded = self.manifest["inputs"]
        files = [
            (raw / r["path"]) if not Path(r["path"]).is_absolute() else Path(r["path"])
            for r in recorded
        ]
        if not all(f.is_file() for f in files) or input_fingerprint(files, raw) != recorded:
            raise CrosslError(
                f"the raw files in {raw} changed after {self.folder} was prepared: run "
                f"crossl datasets prepare {self.name} --raw {raw} --out {self.folder} again"
            )

    def split(self, fold: int = 0) -> dict[str, np.ndarray]:
        """Window indices of ``train``, ``val`` and ``test`` under the dataset's split rule."""
        train, val, test = split_subjects(
            self.manifest["split"], self.subjects, self.partition, fold
        )
        return {
            name: np.flatnonzero(np.isin(self.subjects, subjects))
            for name, subjects in (("train", train), ("val", val), ("test", test))
        }

    def stats(self, index: np.ndarray) -> ChannelStats:
        """Channel mean and std over the present windows of the subjects of ``index``."""
        subjects = {str(int(s)) for s in np.unique(self.subjects[index])}
        mean, std = {}, {}
        for name, per_subject in self.manifest["channel_sums"].items():
            parts = [v for s, v in per_subject.items() if s in subjects]
            n = sum(p[0] for p in parts)
            if n < 2:
                raise CrosslError(
                    f"modality {name!r} is never present in the training subjects: "
                    "cannot fit its normalisation"
                )
            total = np.sum([p[1] for p in parts], axis=0)
            squares = np.sum([p[2] for p in parts], axis=0)
            mu = total / n
            var = np.maximum(squares - n * mu**2, 0.0) / (n - 1)
            mean[name] = torch.tensor(mu, dtype=torch.float32)
            std[name] = torch.tensor(np.sqrt(var), dtype=torch.float32).clamp_min(1e-6)
        return ChannelStats(mean, std)

    def nbytes(self, index: np.ndarray) -> int:
        """Bytes of signal data of the windows at ``index``."""
        return len(index) * sum(rows.row_bytes for rows in self.signals.values())

    def windows(self, index: np.ndarray, stats: ChannelStats | None = None) -> WindowSet:
        """The windows at the sorted ``index`` as a WindowSet (normalised with ``stats``)."""
        index = np.asarray(index, dtype=np.int64)
        present = torch.from_numpy(self.present[index].copy())
        data = {}
        for i, (name, rows) in enumerate(self.signals.items()):
            x = torch.from_numpy(rows.take(index))
            if stats is not None:
                x.sub_(stats.mean[name][None, :, None]).div_(stats.std[name][None, :, None])
                x.mul_(present[:, i, None, None].to(x.dtype))
            data[name] = x
        return WindowSet(
            data,
            torch.from_numpy(self.labels[index].astype(np.int64)),
            torch.from_numpy(self.subjects[index].astype(np.int64)),
            present,
            self.class_names,
        )
