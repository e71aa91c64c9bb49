"""Data: the window container, windowing, subject-wise splits, normalisation, label subsets."""

from crossl.data.container import WindowSet, concat
from crossl.data.label_subsets import label_fraction_indices
from crossl.data.normalisation import ChannelStats, fit_channel_stats, normalise
from crossl.data.protocols import PreparedData, get_protocol, prepare_data, protocol_names
from crossl.data.recording import Recording
from crossl.data.splits import Splits, split_by_subjects

__all__ = [
    "ChannelStats",
    "PreparedData",
    "Recording",
    "Splits",
    "WindowSet",
    "concat",
    "fit_channel_stats",
    "get_protocol",
    "label_fraction_indices",
    "normalise",
    "prepare_data",
    "protocol_names",
    "split_by_subjects",
]
