"""Which summary entries and records each benchmark table and figure shows, in which order, named how."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from crossl.experiments.benchmark.config import (
    ALL_SENSORS,
    BASELINES,
    PROBE_TRAININGS,
    REFIT,
)

SUPERVISED = "supervised"
LINEAR = "linear"

Entry = dict[str, Any]


def ordered(values: Iterable[Any], known: tuple[Any, ...] = ()) -> list[Any]:
    """Distinct ``values``: those in ``known`` first, in that order, then the rest sorted.

    >>> ordered(["mlp", "zzz", "linear", "mlp"], ("linear", "knn", "mlp"))
    ['linear', 'mlp', 'zzz']
    """
    distinct = set(values)
    return [v for v in known if v in distinct] + sorted(distinct - set(known))


def method_rank(method: str) -> tuple[int, str]:
    """Sort key of a method: self-supervised ones by name, then the baselines.

    >>> sorted(["supervised", "simclr", "random-init", "crossl"], key=method_rank)
    ['crossl', 'simclr', 'random-init', 'supervised']
    """
    if method in BASELINES:
        return 1 + BASELINES.index(method), method
    return 0, method


def percent(fraction: float) -> str:
    """A label fraction as a percentage.

    >>> percent(0.01), percent(0.005), percent(1.0)
    ('1 %', '0.5 %', '100 %')
    """
    return f"{100 * fraction:.4g} %"


def is_complete(entry: Entry) -> bool:
    """Whether every modality of the dataset was present at test time."""
    return set(entry["modalities"]) == set(entry["all_modalities"])


def select(summary: list[Entry], **fields: Any) -> list[Entry]:
    """The entries whose fields equal the given values."""
    return [e for e in summary if all(e[k] == v for k, v in fields.items())]


def reference(summary: list[Entry], study: str) -> list[Entry]:
    """Entries of ``study`` tested with every modality present, probes trained on all sensors."""
    return [e for e in select(summary, study=study, probe_training=ALL_SENSORS) if is_complete(e)]


def labeller(
    entries: list[Entry], fields: tuple[str, ...] = ("features", "dataset")
) -> Callable[[Entry], str]:
    """Name entries by method, adding the (non-empty) values of those ``fields`` that vary.

    >>> es = [{"method": "m", "features": f, "dataset": "d"} for f in ("encoders", "aggregator")]
    >>> [labeller(es)(e) for e in es]
    ['m (encoders)', 'm (aggregator)']
    """
    varying = [f for f in fields if len({e[f] for e in entries}) > 1]

    def label(entry: Entry) -> str:
        extra = ", ".join(str(entry[f]) for f in varying if entry[f] != "")
        return f"{entry['method']} ({extra})" if extra else entry["method"]

    return label


def series(entries: list[Entry], label: Callable[[Entry], str]) -> dict[str, list[Entry]]:
    """Entries grouped by label, ordered by method (self-supervised first) then label."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        groups[label(e)].append(e)
    first = {name: members[0]["method"] for name, members in groups.items()}
    return {name: groups[name] for name in sorted(groups, key=lambda n: (method_rank(first[n]), n))}


def subset_name(entry: Entry) -> str:
    """The modalities present at test time, marked ``all`` when none is missing.

    >>> subset_name({"modalities": ["acc"], "all_modalities": ["acc", "gyro"]})
    'acc'
    """
    joined = "+".join(entry["modalities"])
    return f"all ({joined})" if is_complete(entry) else joined


def missing_modality_panels(summary: list[Entry]) -> tuple[float, dict[str, list[Entry]]]:
    """The label fraction of the main study's linear probes tested with modalities absent, and per
    probe training, its entries at that fraction: all modalities first, then smaller subsets.

    Refit probes need no entry of their own with every modality present: with nothing absent,
    nothing is refitted, so the all-sensors probe stands in. No panels when nothing was absent.
    """
    linear = select(summary, study="main", protocol=LINEAR)
    partial = [e for e in linear if not is_complete(e)]
    if not partial:
        return math.nan, {}
    fraction = max(e["label_fraction"] for e in partial)
    at_fraction = select(linear, label_fraction=fraction)
    panels = {}
    for training in ordered((e["probe_training"] for e in at_fraction), PROBE_TRAININGS):
        entries = select(at_fraction, probe_training=training)
        if training == REFIT and not any(is_complete(e) for e in entries):
            entries += [
                e for e in select(at_fraction, probe_training=ALL_SENSORS) if is_complete(e)
            ]
        panels[training] = sorted(
            entries, key=lambda e: (not is_complete(e), -len(e["modalities"]), e["modalities"])
        )
    return fraction, panels


def masking_setting(variant: str) -> tuple[str, float]:
    """Strategy and ratio of a masking-study variant ``strategy@ratio`` (ratio NaN when absent).

    >>> masking_setting("spatial@0.25"), masking_setting("odd")
    (('spatial', 0.25), ('odd', nan))
    """
    strategy, _, ratio = variant.rpartition("@")
    try:
        return strategy, float(ratio)
    except ValueError:
        return variant, math.nan


def first_seed(records: list[Entry], fields: tuple[str, ...]) -> list[Entry]:
    """One record per value of ``fields``: the one with the smallest pretraining seed."""
    best: dict[tuple, Entry] = {}
    for r in records:
        key = tuple(r[f] for f in fields)
        old = best.get(key)
        if old is None or (r["pretrain_seed"], r["cell"]) < (old["pretrain_seed"], old["cell"]):
            best[key] = r
    return [best[k] for k in sorted(best, key=lambda k: (method_rank(best[k]["method"]), k))]


def mean_std(entry: Entry, with_n: bool = False) -> str:
    """Macro-F1 of a summary entry as ``mean ± std`` (the mean alone for a single run),
    optionally with the number of runs.

    >>> mean_std({"macro_f1_mean": 0.91549, "macro_f1_std": 0.0071, "n": 4}, with_n=True)
    '0.915 ± 0.007 (4)'
    >>> mean_std({"macro_f1_mean": 0.9, "macro_f1_std": 0.0, "n": 1})
    '0.900'
    """
    text = f"{entry['macro_f1_mean']:.3f}"
    if entry.get("n") != 1:
        text += f" ± {entry['macro_f1_std']:.3f}"
    return f"{text} ({entry['n']})" if with_n else text


def difference(a: Entry, b: Entry) -> float:
    """Macro-F1 of ``a`` minus that of ``b``, from the 3-decimal values the report shows.

    >>> round(difference({"macro_f1_mean": 0.9154}, {"macro_f1_mean": 0.8666}), 3)
    0.048
    """
    return round(a["macro_f1_mean"], 3) - round(b["macro_f1_mean"], 3)


def signed(value: float) -> str:
    """A difference with its sign.

    >>> signed(0.0481), signed(-0.25), signed(-0.0001)
    ('+0.048', '-0.250', '+0.000')
    """
    return f"{value:+.3f}".replace("-0.000", "+0.000")
