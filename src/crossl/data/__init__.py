"""Data: the window container, windowing, subject-wise splits, normalisation, label subsets,
dataset readers and prepared caches.

The names below are imported on first use, so that the dataset catalogue can be read without
torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossl.lazy_names import lazy_names

_WHERE = {
    "RECIPES": "crossl.data.catalog",
    "ChannelStats": "crossl.data.normalisation",
    "DatasetCache": "crossl.data.cache.folder",
    "ModalityInfo": "crossl.data.modality_info",
    "PreparedData": "crossl.data.protocols",
    "RawWindows": "crossl.data.raw_windows",
    "Recording": "crossl.data.recording",
    "Splits": "crossl.data.splits",
    "WindowSet": "crossl.data.container",
    "concat": "crossl.data.container",
    "fit_channel_stats": "crossl.data.normalisation",
    "get_protocol": "crossl.data.hapt_protocols",
    "get_recipe": "crossl.data.catalog",
    "label_fraction_indices": "crossl.data.label_subsets",
    "normalise": "crossl.data.normalisation",
    "prepare_data": "crossl.data.protocols",
    "prepare_dataset": "crossl.data.cache.writer",
    "protocol_names": "crossl.data.hapt_protocols",
    "split_by_subjects": "crossl.data.splits",
}

__all__ = sorted(_WHERE)

__getattr__, __dir__ = lazy_names(__name__, _WHERE)

if TYPE_CHECKING:  # the same names, for type checkers and editors
    from crossl.data.cache.folder import DatasetCache as DatasetCache
    from crossl.data.cache.writer import prepare_dataset as prepare_dataset
    from crossl.data.catalog import RECIPES as RECIPES
    from crossl.data.catalog import get_recipe as get_recipe
    from crossl.data.container import WindowSet as WindowSet
    from crossl.data.container import concat as concat
    from crossl.data.hapt_protocols import get_protocol as get_protocol
    from crossl.data.hapt_protocols import protocol_names as protocol_names
    from crossl.data.label_subsets import label_fraction_indices as label_fraction_indices
    from crossl.data.modality_info import ModalityInfo as ModalityInfo
    from crossl.data.normalisation import ChannelStats as ChannelStats
    from crossl.data.normalisation import fit_channel_stats as fit_channel_stats
    from crossl.data.normalisation import normalise as normalise
    from crossl.data.protocols import PreparedData as PreparedData
    from crossl.data.protocols import prepare_data as prepare_data
    from crossl.data.raw_windows import RawWindows as RawWindows
    from crossl.data.recording import Recording as Recording
    from crossl.data.splits import Splits as Splits
    from crossl.data.splits import split_by_subjects as split_by_subjects
