"""The benchmark report: ``summary.csv``, ``report.md`` with its figures, and ``report.html``, all
made from the benchmark's records."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from crossl.experiments.benchmark.answers import answer_blocks
from crossl.experiments.benchmark.config import ALL_SENSORS, PROTOCOLS
from crossl.experiments.benchmark.document import (
    Block,
    Bullets,
    Code,
    Figure,
    Heading,
    Paragraph,
    Table,
    to_html,
    to_markdown,
)
from crossl.experiments.benchmark.plots import (
    plot_embeddings,
    plot_label_efficiency,
    plot_masking,
    plot_masking_missing,
    plot_missing_modalities,
    plot_pretraining,
)
from crossl.experiments.benchmark.selection import (
    LINEAR,
    difference,
    is_complete,
    labeller,
    masking_setting,
    mean_std,
    method_rank,
    missing_modality_panels,
    ordered,
    percent,
    reference,
    select,
    series,
    signed,
    subset_name,
)
from crossl.experiments.benchmark.summary import (
    replicates,
    spans_folds,
    summarise_benchmark,
    write_summary_csv,
)
from crossl.io import write_text

Entry = dict[str, Any]

KINDS = ("pretrain", "eval", "embedding")

PROBE_TRAINING_MEANING = {
    "all-sensors": "probe trained with every modality present (a sensor lost in deployment)",
    "refit": "probe refitted without the same modalities as at test time (a sensor known to be "
    "missing); with every modality present nothing is refitted, so that column repeats the "
    "all-sensors probe",
    "modality-dropout": "probe trained with random modality drop-out",
}


def write_benchmark_report(
    records: Iterable[dict[str, Any]],
    out_dir: str | Path,
    command: str,
    title: str,
    focus: str = "crossl",
) -> Path:
    """Write ``summary.csv``, ``report.md`` (figures beside it) and a self-contained
    ``report.html`` into ``out_dir``; the answers are phrased about the ``focus`` method.
    Sections without data are left out. Returns the path of ``report.md``."""
    out_dir = Path(out_dir)
    records = sorted(records, key=lambda r: r["cell"])
    summary = summarise_benchmark(records)
    write_summary_csv(summary, out_dir / "summary.csv")
    blocks = [
        *header_blocks(records, command, title),
        *answer_blocks(summary, focus),
        *missing_modality_blocks(summary, out_dir),
        *label_efficiency_blocks(summary, out_dir),
        *masking_blocks(summary, out_dir),
        *transfer_blocks(summary),
        *pretraining_blocks(records, out_dir),
        *per_class_blocks(records),
        *embedding_blocks(records, out_dir),
    ]
    write_text(out_dir / "report.html", to_html(blocks, title))
    return write_text(out_dir / "report.md", to_markdown(blocks))


def result_tables(records: Iterable[dict[str, Any]]) -> str:
    """The label-efficiency and missing-modality tables of the records as Markdown, without
    figures: what ``crossl evaluate`` and ``crossl demo`` print."""
    summary = summarise_benchmark(records)
    return to_markdown(
        [*label_efficiency_blocks(summary, None), *missing_modality_blocks(summary, None)]
    )


def _values(records: list[Entry], field: str) -> str:
    return ", ".join(str(v) for v in sorted({r[field] for r in records if field in r}))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def header_blocks(records: list[Entry], command: str, title: str) -> list[Block]:
    """Title, command, datasets, versions, grid size and compute time."""
    evals = [r for r in records if r["kind"] == "eval"]
    pretrains = [r for r in records if r["kind"] == "pretrain"]
    maps = [r for r in records if r["kind"] == "embedding"]
    versions: dict[str, set[str]] = defaultdict(set)
    for r in records:
        for package, version in r.get("versions", {}).items():
            versions[package].add(str(version))
    # the records of one cell (a job's results for several test subsets) share the job's time
    per_cell: dict[tuple[str, str], float] = {}
    for r in records:
        if "seconds" in r:
            key = (r["kind"], r["cell"])
            per_cell[key] = max(per_cell.get(key, 0.0), r["seconds"])
    seconds = {
        kind: sum(t for (k, _), t in per_cell.items() if k == kind)
        for kind in ordered((k for k, _ in per_cell), KINDS)
    }
    total = sum(seconds.values())
    methods = sorted({r["method"] for r in records}, key=method_rank)
    fractions = sorted({float(r["label_fraction"]) for r in evals})
    folds = sorted({r.get("fold", 0) for r in evals})
    return [
        Heading(title, level=1),
        Paragraph("Made by:"),
        Code(command),
        Bullets(
            (
                f"Datasets: {_values(records, 'dataset')}.",
                "Versions: "
                + ", ".join(
                    f"{p} {' / '.join(sorted(versions[p]))}"
                    for p in ordered(versions, ("crossl", "torch", "lightning"))
                )
                + ".",
                f"Grid: {_count(len(evals), 'evaluation result')}, "
                f"{_count(len(pretrains), 'pretraining')}, {_count(len(maps), 'embedding map')}; "
                f"studies: {', '.join(ordered((r['study'] for r in records), ('main', 'masking', 'transfer')))}; "
                f"methods: {', '.join(methods)}; "
                f"protocols: {', '.join(ordered((r['protocol'] for r in evals), PROTOCOLS))}; "
                f"label fractions: {', '.join(percent(f) for f in fractions)}; "
                + (f"folds: {', '.join(map(str, folds))}; " if len(folds) > 1 else "")
                + f"pretraining seeds: {_values(records, 'pretrain_seed')}; "
                f"evaluation seeds: {_values(evals, 'eval_seed')}.",
                f"Compute: {total:.1f} s ({total / 3600:.2f} h) in total: "
                + ", ".join(f"{seconds[k]:.1f} s {k}" for k in seconds)
                + ".",
            )
        ),
        Paragraph(
            "Every number and figure below is computed from the benchmark's records "
            "(results.jsonl); summary.csv holds the mean and population std of each metric over "
            f"{replicates(records)} for every grid point."
        ),
    ]


def missing_modality_blocks(summary: list[Entry], out_dir: Path | None) -> list[Block]:
    """Linear-probe macro-F1 with modalities absent at test time and the drop from all present;
    the figure goes into ``out_dir`` (none without)."""
    fraction, panels = missing_modality_panels(summary)
    if not panels:
        return []
    blocks: list[Block] = [
        Heading("How much each method loses when a sensor is missing"),
        Paragraph(
            f"Linear-probe macro-F1 at {percent(fraction)} labels (main study, mean ± std over "
            f"{replicates(summary)}) with all modalities and with only the listed ones present at test time; in "
            "brackets the change from all modalities present."
        ),
    ]
    for training, entries in panels.items():
        groups = series(entries, labeller(entries))
        subsets = list(dict.fromkeys(subset_name(e) for e in entries))
        rows, worst = [], defaultdict(list)
        for name, members in groups.items():
            by_subset = {subset_name(e): e for e in members}
            full = next((e for e in members if is_complete(e)), None)
            cells = [name]
            for subset in subsets:
                e = by_subset.get(subset)
                if e is None:
                    cells.append("–")
                elif full is None or e is full:
                    cells.append(mean_std(e))
                else:
                    drop = difference(e, full)
                    cells.append(f"{mean_std(e)} ({signed(drop)})")
                    worst[subset].append((drop, name))
            rows.append(tuple(cells))
        blocks += [
            Heading(f"Probe training: {training}", level=3),
            Paragraph(_sentence_case(PROBE_TRAINING_MEANING.get(training, training)) + "."),
            Table(("method", *subsets), tuple(rows)),
        ]
        sentences = [
            f"With only {subset} present, the largest drop is {min(drops)[1]}'s "
            f"({signed(min(drops)[0])}), the smallest {max(drops)[1]}'s ({signed(max(drops)[0])})."
            for subset, drops in worst.items()
            if len(drops) > 1
        ]
        if sentences:
            blocks.append(Bullets(tuple(sentences)))
    caption = "linear-probe macro-F1 with modalities missing at test time"
    return blocks + _figure(
        plot_missing_modalities, summary, out_dir, "missing_modalities", caption
    )


def _figure(
    plot: Callable[[list[Entry], Path], Path | None],
    summary: list[Entry],
    out_dir: Path | None,
    name: str,
    caption: str,
) -> list[Block]:
    """The figure ``plot`` draws into ``out_dir/name.png``: none without ``out_dir``, or when
    there is nothing to draw."""
    path = None if out_dir is None else plot(summary, out_dir / f"{name}.png")
    return [] if path is None else [Figure(path, caption)]


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fraction_table(entries: list[Entry], label: Any) -> Table:
    fractions = sorted({e["label_fraction"] for e in entries})
    rows = []
    for name, members in series(entries, label).items():
        by_fraction = {e["label_fraction"]: e for e in members}
        rows.append(
            (
                name,
                *(mean_std(by_fraction[f], True) if f in by_fraction else "–" for f in fractions),
            )
        )
    return Table(("method", *(f"{percent(f)} labels" for f in fractions)), tuple(rows))


def label_efficiency_blocks(summary: list[Entry], out_dir: Path | None) -> list[Block]:
    """Per protocol: macro-F1 (mean ± std (runs)) per method and label fraction, and the figure
    in ``out_dir`` (none without)."""
    entries = reference(summary, "main")
    if not entries:
        return []
    label = labeller(entries)
    blocks: list[Block] = [
        Heading("Label efficiency"),
        Paragraph(
            f"Macro-F1 on the test users, mean ± std (number of runs) over {replicates(summary)}; "
            "main study, every modality present, probes trained on all sensors."
        ),
    ]
    for protocol in ordered((e["protocol"] for e in entries), PROTOCOLS):
        blocks += [
            Heading(f"{protocol} protocol", level=3),
            _fraction_table(select(entries, protocol=protocol), label),
        ]
    caption = "macro-F1 against the fraction of labelled training windows"
    return blocks + _figure(plot_label_efficiency, summary, out_dir, "label_efficiency", caption)


def masking_blocks(summary: list[Entry], out_dir: Path) -> list[Block]:
    """Masking study: macro-F1 per strategy and ratio (rows), protocol and label fraction."""
    entries = reference(summary, "masking")
    if not entries:
        return []
    label = labeller(entries)
    columns = [
        (p, f)
        for p in ordered((e["protocol"] for e in entries), PROTOCOLS)
        for f in sorted({e["label_fraction"] for e in select(entries, protocol=p)})
    ]
    rows: dict[tuple, dict[tuple, Entry]] = defaultdict(dict)
    for e in entries:
        strategy, ratio = masking_setting(e["variant"])
        rows[(strategy, ratio, label(e))][(e["protocol"], e["label_fraction"])] = e
    several = len({k[2] for k in rows}) > 1
    table_rows = [
        (
            strategy,
            "–" if math.isnan(ratio) else f"{ratio:g}",
            *((name,) if several else ()),
            *(mean_std(cells[c], True) if c in cells else "–" for c in columns),
        )
        for (strategy, ratio, name), cells in sorted(rows.items(), key=lambda kv: kv[0])
    ]
    header = (
        "strategy",
        "ratio",
        *(("method",) if several else ()),
        *(f"{p}, {percent(f)} labels" for p, f in columns),
    )
    blocks: list[Block] = [
        Heading("Masking study"),
        Paragraph(
            "Macro-F1, mean ± std (runs), of the pretrainings with each masking strategy and "
            "ratio; every modality present at test time, probes trained on all sensors."
        ),
        Table(header, tuple(table_rows)),
    ]
    path = plot_masking(summary, out_dir / "masking.png")
    if path is not None:
        blocks.append(Figure(path, "macro-F1 against masking ratio"))
    path = plot_masking_missing(summary, out_dir / "masking_missing.png")
    if path is not None:
        blocks.append(
            Paragraph(
                "The same pretrainings with a sensor absent at test time, the probe fitted on all "
                "sensors (deployed as is), under modality drop-out, or refitted without it."
            )
        )
        blocks.append(Figure(path, "macro-F1 with a sensor absent against masking ratio"))
    return blocks


def transfer_blocks(summary: list[Entry]) -> list[Block]:
    """Transfer study: macro-F1 per variant (source → target) and protocol, per label fraction."""
    entries = reference(summary, "transfer")
    if not entries:
        return []
    label = labeller(entries, ("features",))
    blocks: list[Block] = [
        Heading("Transfer"),
        Paragraph(
            "Macro-F1, mean ± std (runs), of encoders pretrained on one dataset and evaluated on "
            "another (variant: pretraining → evaluation dataset)."
        ),
    ]
    for variant in sorted({e["variant"] for e in entries}):
        for protocol in ordered((e["protocol"] for e in entries), PROTOCOLS):
            chosen = select(entries, variant=variant, protocol=protocol)
            if chosen:
                blocks += [
                    Heading(f"{variant}, {protocol} protocol", level=3),
                    _fraction_table(chosen, label),
                ]
    return blocks


def pretraining_blocks(records: list[Entry], out_dir: Path) -> list[Block]:
    """One row per pretrained method and variant: seeds, time, throughput, losses; the curves."""
    runs = [r for r in records if r["kind"] == "pretrain"]
    if not runs:
        return []
    groups: dict[tuple, list[Entry]] = defaultdict(list)
    for r in runs:
        groups[(r["study"], r["method"], r["variant"], r["dataset"])].append(r)
    rows = []
    for key in sorted(groups, key=lambda k: (k[0] != "main", k[0], method_rank(k[1]), k[2:])):
        members = sorted(groups[key], key=lambda r: r["pretrain_seed"])
        last_f1 = [
            h["online_macro_f1"]
            for r in members
            for h in [next((h for h in reversed(r["history"]) if "online_macro_f1" in h), None)]
            if h is not None
        ]
        rows.append(
            (
                *key,
                ", ".join(str(seed) for seed in sorted({r["pretrain_seed"] for r in members})),
                _mean_std([r["seconds"] for r in members], ".1f"),
                _mean_std([r["windows_per_second"] for r in members], ".0f"),
                _mean_std([r["final_loss"] for r in members], ".4f"),
                _mean_std(last_f1, ".3f"),
            )
        )
    header = (
        "study",
        "method",
        "variant",
        "dataset",
        "seeds",
        "seconds",
        "windows/s",
        "final loss",
        "last online macro-F1",
    )
    blocks: list[Block] = [
        Heading("Pretraining"),
        Paragraph(f"Per pretraining run, mean ± std over {replicates(runs, 'pretraining seeds')}."),
        Table(header, tuple(rows)),
    ]
    path = plot_pretraining(records, out_dir / "pretraining.png")
    if path is not None:
        blocks.append(Figure(path, "main-study pretraining curves, one line per seed"))
    return blocks


def _mean_std(values: list[float], spec: str) -> str:
    if not values:
        return "–"
    a = np.sort(np.asarray(values, dtype=float))
    return f"{a.mean():{spec}} ± {a.std():{spec}}" if len(a) > 1 else f"{a.mean():{spec}}"


def per_class_blocks(records: list[Entry]) -> list[Block]:
    """Per-class F1 of the linear probes at the largest label fraction (main study, all
    modalities present, probes trained on all sensors), averaged over seeds."""
    chosen = [
        r
        for r in records
        if r["kind"] == "eval"
        and r["study"] == "main"
        and r["protocol"] == LINEAR
        and r["probe_training"] == ALL_SENSORS
        and is_complete(r)
    ]
    if not chosen:
        return []
    fraction = max(r["label_fraction"] for r in chosen)
    chosen = [r for r in chosen if r["label_fraction"] == fraction]
    classes = list(dict.fromkeys(c for r in chosen for c in r["per_class_f1"]))
    rows = []
    for name, members in series(chosen, labeller(chosen)).items():
        cells = [
            _mean_std([r["per_class_f1"][c] for r in members if c in r["per_class_f1"]], ".3f")
            for c in classes
        ]
        rows.append((name, *cells))
    return [
        Heading(f"Per-class F1 (linear protocol, {percent(fraction)} labels)"),
        Paragraph(f"F1 of each class on the test users, mean ± std over {replicates(chosen)}."),
        Table(("method", *classes), tuple(rows)),
    ]


def embedding_blocks(records: list[Entry], out_dir: Path) -> list[Block]:
    """t-SNE maps of the test windows' features."""
    path = plot_embeddings(records, out_dir / "embeddings.png")
    if path is None:
        return []
    return [
        Heading("Embeddings (t-SNE)"),
        Paragraph(
            "t-SNE of the test windows' frozen features, first pretraining seed "
            f"{'and first fold ' if spans_folds(records) else ''}of each method; "
            "one colour per class."
        ),
        Figure(path, "t-SNE of test-window features"),
    ]
