"""Data: the window container, windowing, subject-wise splits, normalisation, label subsets,
dataset readers and prepared caches."""

from crossl.data.cache import DatasetCache
from crossl.data.cache_writer import prepare_dataset
from crossl.data.catalog import RECIPES, get_recipe
from crossl.data.container import WindowSet, concat
from crossl.data.label_subsets import label_fraction_indices
from crossl.data.modality_info import ModalityInfo
from crossl.data.normalisation import ChannelStats, fit_channel_stats, normalise
from crossl.data.protocols import PreparedData, get_protocol, prepare_data, protocol_names
from crossl.data.raw_windows import RawWindows
from crossl.data.recording import Recording
from crossl.data.splits import Splits, split_by_subjects

__all__ = [
    "RECIPES",
    "ChannelStats",
    "DatasetCache",
    "ModalityInfo",
    "PreparedData",
    "RawWindows",
    "Recording",
    "Splits",
    "WindowSet",
    "concat",
    "fit_channel_stats",
    "get_protocol",
    "get_recipe",
    "label_fraction_indices",
    "normalise",
    "prepare_data",
    "prepare_dataset",
    "protocol_names",
    "split_by_subjects",
]
