"""The report's answers: each method against the supervised baseline and the best other
self-supervised method at few labels, as a table and as sentences generated from its numbers."""

from __future__ import annotations

from typing import Any

from crossl.eval.probes import FINETUNE
from crossl.experiments.benchmark.config import BASELINES, PROTOCOLS
from crossl.experiments.benchmark.document import Block, Heading, Paragraph, Table
from crossl.experiments.benchmark.selection import (
    SUPERVISED,
    difference,
    labeller,
    mean_std,
    ordered,
    percent,
    reference,
    select,
    series,
    signed,
)
from crossl.experiments.benchmark.summary import replicates

Entry = dict[str, Any]


def few_label_fractions(entries: list[Entry]) -> list[float]:
    """The label fractions below 100 % among ``entries`` (all of them when there are none)."""
    fractions = sorted({e["label_fraction"] for e in entries})
    return [f for f in fractions if f < 1.0] or fractions


def best_other_ssl(entries: list[Entry], method: str) -> Entry | None:
    """The entry with the highest macro-F1 among self-supervised methods other than ``method``.

    >>> es = [{"method": m, "macro_f1_mean": v} for m, v in
    ...       [("a", 0.9), ("b", 0.7), ("c", 0.8), ("supervised", 0.95)]]
    >>> best_other_ssl(es, "a")["method"], best_other_ssl(es, "b")["method"]
    ('c', 'a')
    """
    others = [e for e in entries if e["method"] not in BASELINES and e["method"] != method]
    return max(others, key=lambda e: e["macro_f1_mean"], default=None)


def _versus(d: float, other: str, appositive: bool = False) -> str:
    if abs(d) < 5e-4:
        return f"level with {other}"
    by = f", by {abs(d):.3f}" if appositive else f" by {abs(d):.3f}"
    return f"{'ahead of' if d > 0 else 'behind'} {other}{by}"


def answer_sentence(
    name: str,
    entry: Entry,
    supervised: Entry | None,
    best: tuple[str, Entry] | None,
    protocol: str,
    fraction: float,
) -> str:
    """One generated claim: ``entry`` against the supervised baseline and the best other SSL method
    (``(name, entry)``); a missing comparison is said to be missing.

    >>> e = {"macro_f1_mean": 0.915, "macro_f1_std": 0.007}
    >>> s = {"macro_f1_mean": 0.867, "macro_f1_std": 0.010}
    >>> answer_sentence("crossl", e, s, None, "linear", 0.01)  # doctest: +NORMALIZE_WHITESPACE
    'With the linear protocol at 1 % labels, crossl (0.915 ± 0.007) is ahead of supervised
    (0.867 ± 0.010) by 0.048; no other self-supervised method has a result there.'
    """
    head = f"With the {protocol} protocol at {percent(fraction)} labels, {name} ({mean_std(entry)})"
    if supervised is None:
        first = f"{head} has no supervised result at this label fraction to compare with"
    else:
        first = f"{head} is " + _versus(
            difference(entry, supervised), f"supervised ({mean_std(supervised)})"
        )
    if best is None:
        return first + "; no other self-supervised method has a result there."
    other, other_entry = best
    described = f"the best other self-supervised method, {other} ({mean_std(other_entry)})"
    verb = "and is" if supervised is None else "and"
    return f"{first} {verb} {_versus(difference(entry, other_entry), described, True)}."


def answer_blocks(summary: list[Entry], focus: str) -> list[Block]:
    """The Answers section: per dataset and protocol, a table of every method at the few-label
    fractions and sentences about the ``focus`` method (every self-supervised method when the
    grid has no ``focus``); main study, all modalities present, probes trained on all sensors."""
    entries = reference(summary, "main")
    if not entries:
        return []
    blocks: list[Block] = [
        Heading("Answers"),
        Paragraph(
            f"Macro-F1 on the test users (mean ± std over {replicates(entries)}) at the "
            "few-label fractions, against supervised (the same network trained end to end on "
            "the labelled windows, finetune protocol) and against the best other self-supervised "
            "method evaluated the same way. Δ > 0: the row is ahead."
        ),
    ]
    for dataset in sorted({e["dataset"] for e in entries}):
        of_dataset = select(entries, dataset=dataset)
        subjects = {e["method"] for e in of_dataset if e["method"] == focus} or {
            e["method"] for e in of_dataset if e["method"] not in BASELINES
        }
        for protocol in ordered((e["protocol"] for e in of_dataset), PROTOCOLS):
            rows, sentences = _protocol_answers(of_dataset, protocol, sorted(subjects))
            header = (
                "labels",
                "method",
                "macro-F1",
                "Δ supervised",
                "best other SSL",
                "Δ best other SSL",
            )
            blocks += [
                Heading(f"{protocol} protocol on {dataset}", level=3),
                Table(header, tuple(rows)),
                *(Paragraph(s) for s in sentences),
            ]
    return blocks


def _protocol_answers(
    entries: list[Entry], protocol: str, subjects: list[str]
) -> tuple[list[tuple[str, ...]], list[str]]:
    """Table rows and sentences of one protocol on one dataset."""
    label = labeller(entries, ("features",))
    rows: list[tuple[str, ...]] = []
    sentences: list[str] = []
    for fraction in few_label_fractions(select(entries, protocol=protocol)):
        cell = select(entries, protocol=protocol, label_fraction=fraction)
        sup = next(
            iter(select(entries, method=SUPERVISED, protocol=FINETUNE, label_fraction=fraction)),
            None,
        )
        contenders = series(cell, label)
        if protocol != FINETUNE and sup is not None:
            contenders["supervised (finetune)"] = [sup]
        for name, (entry, *_) in contenders.items():
            best = best_other_ssl(cell, entry["method"])
            is_sup = entry is sup
            rows.append(
                (
                    percent(fraction),
                    name,
                    mean_std(entry),
                    "–" if sup is None or is_sup else signed(difference(entry, sup)),
                    "–" if best is None else f"{label(best)} ({mean_std(best)})",
                    "–" if best is None else signed(difference(entry, best)),
                )
            )
        for method in subjects:
            mine = series(select(cell, method=method), label)
            if not mine:
                sentences.append(
                    f"With the {protocol} protocol at {percent(fraction)} labels, "
                    f"{method} has no result."
                )
            for name, (entry, *_) in mine.items():
                best = best_other_ssl(cell, method)
                pair = (label(best), best) if best else None
                sentences.append(answer_sentence(name, entry, sup, pair, protocol, fraction))
    return rows, sentences
