"""The ``crossl`` command line: a thin layer over :mod:`crossl.experiments`."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crossl.errors import CrosslError
from crossl.experiments.command_line import command_line
from crossl.shipped import benchmark_names, preset_names

if TYPE_CHECKING:
    from crossl.progress import Bar

OVERRIDES_HELP = (
    "key=value overrides of the config, e.g. epochs=5 batch_size=64 masking_ratio=0.25 "
    "label_fractions=[0.01,0.1,1.0] limit_windows=2000"
)


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _print_results(records: list[dict], out: str) -> None:
    from crossl.experiments.benchmark.report import result_tables

    print("\n" + result_tables(records))
    print(
        f"\nreport:  {out}/report.md (and report.html)\nsummary: {out}/summary.csv\n"
        f"results: {out}/results.jsonl"
    )


def _cmd_pretrain(args: argparse.Namespace) -> None:
    from crossl.config import load_config, preset_for
    from crossl.experiments.history_table import history_table
    from crossl.experiments.pretrain import pretrain
    from crossl.experiments.resume import RESUME_NAME, stopped_run

    stopped = stopped_run(Path(args.out)) if args.resume else None
    if stopped and not args.config and not args.overrides:
        cfg = stopped[0]  # --resume alone continues with the stopped run's own config
    else:
        cfg = load_config(args.config or preset_for(args.overrides), args.overrides)
    try:
        outcome = pretrain(cfg, args.out, progress=not args.no_progress, resume=args.resume)
    except (KeyboardInterrupt, SystemExit):  # Lightning turns Ctrl-C into SystemExit
        kept = (Path(args.out) / RESUME_NAME).is_file()
        hint = (
            f"continue with crossl pretrain --out {shlex.quote(args.out)} --resume" if kept else ""
        )
        raise KeyboardInterrupt(hint) from None
    if outcome.rank != 0:  # another process of a DDP run: rank 0 reports
        return
    s = outcome.summary
    print(
        f"pretrained {cfg.method} on {cfg.dataset}: {s['epochs']} epochs, {s['seconds']} s, "
        f"{s['windows_per_second']} windows/s, final loss {s['final_loss']:.4f}"
    )
    if s["history"]:
        print("\nper epoch, on the validation users:\n")
        print(history_table(s["history"]))
    print(f"\ncheckpoint: {outcome.checkpoint}\nresults:    {args.out}/results.json")


def _cmd_evaluate(args: argparse.Namespace) -> None:
    from crossl.experiments.evaluate import evaluate_checkpoint

    bar = _GridBar(not args.no_progress)
    try:
        records = evaluate_checkpoint(
            args.checkpoint, args.overrides, args.out, bar, args.untrained, args.command_line
        )
    finally:
        bar.close()
    _print_results(records, args.out)


def _cmd_demo(args: argparse.Namespace) -> None:
    from crossl.experiments.demo import run_demo

    start = time.perf_counter()
    bar = _GridBar(not args.no_progress)
    try:
        records = run_demo(args.out, args.full, args.overrides, bar, args.command_line)
    finally:
        bar.close()
    print(f"demo finished in {time.perf_counter() - start:.0f} s")
    _print_results(records, args.out)


class _GridBar:
    """A bar over the benchmark's jobs: done / total, the running job, ETA (a line per job in a
    log file)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar: Bar | None = None

    def start(self, total: int, done: int) -> None:
        from crossl.progress import progress_bar

        _progress(f"benchmark: {total} jobs, {done} already done")
        self.bar = progress_bar(total, "job", "benchmark", self.enabled, done, lines=0)

    def job(self, label: str) -> None:
        assert self.bar is not None, "start() comes first"
        self.bar.set_postfix_str(label, refresh=True)

    def status(self, text: str) -> None:
        from crossl.progress import LineProgress

        assert self.bar is not None, "start() comes first"
        self.bar.set_postfix_str(text, refresh=True)
        if isinstance(self.bar, LineProgress):  # a log gets each status (an epoch) as a line
            _progress(text)

    def job_done(self) -> None:
        assert self.bar is not None, "start() comes first"
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _parse_shard(text: str | None) -> tuple[int, int]:
    if text is None:
        return (0, 1)
    try:
        index, count = (int(p) for p in text.split("/"))
    except ValueError:
        index, count = -1, 0
    if not 0 <= index < count:
        raise CrosslError(f"--shard {text!r} must be I/N with 0 <= I < N, e.g. --shard 0/4")
    return index, count


def _cmd_benchmark(args: argparse.Namespace) -> None:
    from crossl.experiments.benchmark.config import load_benchmark_config
    from crossl.experiments.benchmark.runner import BenchmarkRunner

    bcfg = load_benchmark_config(args.config, args.overrides)
    command = args.command_line
    shard = _parse_shard(args.shard)
    if args.report_only:
        done, total = BenchmarkRunner(bcfg, args.out, command).report_partial()
        print(f"report of {done} of {total} jobs: {args.out}/report.md (and report.html)")
        return
    bar = _GridBar(not args.no_progress)
    start = time.perf_counter()
    try:
        records = BenchmarkRunner(bcfg, args.out, command, bar, shard).run()
    finally:
        bar.close()
    if not records:
        print(f"shard {args.shard} finished; run without --shard once all shards are done")
        return
    evals = sum(r["kind"] == "eval" for r in records)
    print(
        f"benchmark {bcfg.name}: {evals} evaluations in {time.perf_counter() - start:.0f} s\n"
        f"report:  {args.out}/report.md (and report.html)\n"
        f"summary: {args.out}/summary.csv\nresults: {args.out}/results.jsonl"
    )


def _cmd_report(args: argparse.Namespace) -> None:
    from crossl.experiments.benchmark.report import write_benchmark_report
    from crossl.experiments.benchmark.runner import read_results
    from crossl.run_folder import run_folder

    records = read_results(args.results)
    command = args.command_line
    title = f"Benchmark {records[0].get('benchmark', '')}".strip()
    with run_folder(args.out, what="report"):
        path = write_benchmark_report(records, args.out, command, title)
    print(f"report: {path} (and report.html), summary: {args.out}/summary.csv")


def _cmd_export(args: argparse.Namespace) -> None:
    from crossl.deploy import DeployableModel, export_model
    from crossl.deploy.export import presence_subsets

    fmt = args.format or {".onnx": "onnx", ".pt": "torchscript"}.get(Path(args.out).suffix)
    if fmt is None:
        raise CrosslError(f"cannot tell the format of {args.out}: give --format onnx|torchscript")
    model = DeployableModel.from_checkpoint(args.checkpoint, args.features)
    done = export_model(model, args.out, fmt)
    subsets = len(presence_subsets(len(model.modality_names)))
    shapes = ", ".join(f"{n} [B, {c}, {t}]" for n, (c, t) in model.window_shapes.items())
    print(
        f"exported {done.path} ({fmt}, {done.path.stat().st_size / 1024:.0f} KiB)\n"
        f"inputs:  {shapes}, present [B, {len(model.modality_names)}] (bool), in sensor units\n"
        f"output:  features [B, {model.backbone.feature_dim(args.features)}] ({args.features})\n"
        f"checked: largest difference from PyTorch {done.difference:.1g}, over all {subsets} "
        "sets of present sensors"
    )


def _cmd_embed(args: argparse.Namespace) -> None:
    from crossl.experiments.embed import embed
    from crossl.progress import progress_bar

    bars: list[Bar] = []  # opened by the first chunk, so that bad input shows no bar

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(progress_bar(total, "window", "embed", not args.no_progress))
        bars[0].update(done - bars[0].n)

    start = time.perf_counter()
    try:
        path = embed(args.checkpoint, args.data, args.out, args.features, args.batch_size, progress)
    finally:
        for bar in bars:
            bar.close()
    total = bars[0].total if bars else 0
    print(
        f"embedded {total} windows in {time.perf_counter() - start:.0f} s: {path} "
        f"({path.stat().st_size / 1024**2:.1f} MiB)"
    )


def _cmd_explain(args: argparse.Namespace) -> None:
    from crossl.experiments.explain import explain_checkpoint, occlusion_table

    doc = explain_checkpoint(
        args.checkpoint, args.out, args.windows_per_class, args.steps, _progress
    )
    print("\nfall of the predicted class's probability with a sensor absent (test users)\n")
    print(occlusion_table(doc))
    print(f"\nreport: {args.out}/report.md (and attribution.png), results: {args.out}/explain.json")


def _cmd_datasets_list(args: argparse.Namespace) -> None:
    from crossl.data.catalog import RECIPES
    from crossl.data.hapt_protocols import PROTOCOLS

    print("in memory (embedded data or data.root=the UCI download):")
    for p in PROTOCOLS.values():
        print(f"  {p.name:18s} {p.description}")
    print("\nfrom a cache written by crossl datasets prepare NAME --raw DIR --out CACHE:")
    for r in RECIPES.values():
        print(f"  {r.name:18s} {r.description}")


def _parse_options(items: Sequence[str]) -> dict:
    import yaml

    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CrosslError(f"option {item!r} is not of the form key=value (e.g. optional=true)")
        try:
            options[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise CrosslError(f"option {key}: cannot read the value {value!r}") from None
    return options


def _cmd_datasets_info(args: argparse.Namespace) -> None:
    from crossl.data.catalog import get_recipe
    from crossl.data.dataset_info import cache_summary, recipe_summary

    if args.cache:
        print(cache_summary(args.cache, args.name))
    else:
        print(recipe_summary(get_recipe(args.name)))


def _cmd_datasets_prepare(args: argparse.Namespace) -> None:
    from crossl.data.cache.writer import prepare_dataset
    from crossl.data.dataset_info import cache_summary
    from crossl.progress import progress_bar

    bars: list[Bar] = []  # opened by the first recording, so that bad input shows no bar

    def progress(done: int, total: int, what: str) -> None:
        if not bars:
            bars.append(progress_bar(total, "recording", "prepare", not args.no_progress))
        bar = bars[0]
        bar.total = total
        bar.set_postfix_str(what, refresh=False)
        bar.update(done - bar.n)

    start = time.perf_counter()
    try:
        _, written = prepare_dataset(
            args.name, args.raw, args.out, _parse_options(args.options), progress
        )
    finally:
        for bar in bars:
            bar.close()
    if written:
        print(f"prepared {args.name} in {time.perf_counter() - start:.0f} s: {args.out}\n")
    else:
        print(f"{args.out} is up to date (same input files and options): nothing to do\n")
    print(cache_summary(args.out, args.name))


def _add_checkpoint(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--checkpoint",
        required=True,
        help="a last.ckpt written by crossl pretrain, or the name of shipped weights (crossl-hapt)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crossl`` command."""
    parser = argparse.ArgumentParser(
        prog="crossl",
        description="Self-supervised learning on multimodal time series (CroSSL and baselines).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "pretrain",
        help="pretrain a method; writes DIR/last.ckpt and results.json",
        description="Pretrain a method on a dataset protocol's training users.",
    )
    p.add_argument(
        "--config",
        help=f"preset name ({', '.join(preset_names())}) or YAML file [the preset of method=NAME "
        "if given, else crossl]",
    )
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the pretraining that stopped in --out (it saves its state after every "
        "epoch) with its own config; the result is the same as an uninterrupted run",
    )
    p.add_argument("overrides", nargs="*", help=OVERRIDES_HELP)
    p.set_defaults(run=_cmd_pretrain)

    e = sub.add_parser(
        "evaluate",
        help="probe a checkpoint at each label fraction; results.jsonl, summary.csv, report",
        description="Probes on the frozen features of a checkpoint (probes=[linear,knn,mlp]) "
        "and fine-tuning (probes=[finetune]), per label fraction and seed, and with modalities "
        "missing: the benchmark's jobs and records for one model. Finished jobs are kept in "
        "DIR/jobs: a re-run skips them.",
    )
    _add_checkpoint(e)
    e.add_argument("--out", required=True, help="output folder (re-use it to resume)")
    e.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    e.add_argument(
        "--untrained",
        action="store_true",
        help="also probe the checkpoint's network at its initialisation (the random-init twin)",
    )
    e.add_argument(
        "overrides",
        nargs="*",
        help="key=value evaluation settings, e.g. probes=[linear,knn,mlp,finetune] "
        "label_fractions=[0.01,0.1,1.0] eval_seeds=[0,1,2] features=encoders",
    )
    e.set_defaults(run=_cmd_evaluate)

    d = sub.add_parser(
        "demo",
        help="pretrain + evaluate + baselines on HAPT, with a report",
        description="Pretrain CroSSL on the embedded HAPT data, probe it with 1 %%, "
        "10 %% and 100 %% of the labels and with a sensor missing, compare with "
        "random-init and supervised baselines; print the table, write a report.",
    )
    d.add_argument("--out", default="runs/demo", help="output folder [runs/demo]")
    d.add_argument(
        "--full", action="store_true", help="the full crossl preset instead of the quick settings"
    )
    d.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    d.add_argument(
        "overrides",
        nargs="*",
        help="key=value overrides of the demo grid (eval_seeds=[0], probes=[linear,knn]) or of "
        "the models' config (epochs=2)",
    )
    d.set_defaults(run=_cmd_demo)

    b = sub.add_parser(
        "benchmark",
        help="run a benchmark grid (resumable); results.jsonl, summary.csv, report",
        description="Run a grid of methods x pretraining seeds x evaluation protocols x label "
        "fractions x evaluation seeds (x leave-one-subject-out folds), plus the missing-modality, "
        "masking and transfer studies. Finished jobs are kept in DIR/jobs: a re-run skips them.",
    )
    b.add_argument(
        "--config",
        required=True,
        help=f"benchmark name ({', '.join(benchmark_names())}) or YAML file, "
        "e.g. configs/benchmarks/hapt-quick.yaml",
    )
    b.add_argument("--out", required=True, help="output folder (re-use it to resume)")
    b.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    b.add_argument(
        "--report-only",
        action="store_true",
        help="run nothing: write results and report from the jobs finished so far "
        "(marked partial while the grid is unfinished)",
    )
    b.add_argument(
        "--shard",
        metavar="I/N",
        help="run only shard I of N (whole pretrainings per shard), e.g. one process per GPU; "
        "a last run without --shard writes the report",
    )
    b.add_argument(
        "overrides",
        nargs="*",
        help="key=value overrides of the benchmark config, e.g. eval_seeds=[0] "
        "methods=[crossl,simclr] 'overrides=[epochs=2]'",
    )
    b.set_defaults(run=_cmd_benchmark)

    r = sub.add_parser(
        "report",
        help="rebuild a benchmark's summary.csv and report from its results.jsonl",
        description="Write summary.csv, report.md with plots and report.html from the "
        "results.jsonl of crossl benchmark (e.g. a committed one).",
    )
    r.add_argument("results", help="a results.jsonl written by crossl benchmark")
    r.add_argument("--out", required=True, help="output folder")
    r.set_defaults(run=_cmd_report)

    em = sub.add_parser(
        "embed",
        help="features of a checkpoint for every window of a dataset: .npy or Parquet",
        description="Embed every window of a prepared cache, a .npz of windows or an in-memory "
        "dataset (hapt) with a checkpoint's frozen network, normalised with its training "
        "statistics; written chunk by chunk, so data larger than memory stream through.",
    )
    _add_checkpoint(em)
    em.add_argument("--data", required=True, help="a cache folder, a .npz file, or hapt")
    em.add_argument(
        "--out",
        required=True,
        help="a .npy (features only) or .parquet file (subject, label, class, present_*, "
        "split or partition, f0..)",
    )
    em.add_argument("--features", default="aggregator", help="aggregator or encoders [aggregator]")
    em.add_argument("--batch-size", type=int, default=1024, help="windows per chunk [1024]")
    em.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    em.set_defaults(run=_cmd_embed)

    xp = sub.add_parser(
        "explain",
        help="which sensor and which moments drive a checkpoint's probe: report with plots",
        description="Fit the linear probe of a checkpoint on its training users, then explain "
        "its decisions on the test users: the fall of the predicted class's probability when "
        "each sensor is marked absent (every test window, a per-class table), and integrated "
        "gradients over time for a few windows per class (a figure).",
    )
    _add_checkpoint(xp)
    xp.add_argument("--out", required=True, help="output folder")
    xp.add_argument(
        "--windows-per-class", type=int, default=2, help="windows in the figure per class [2]"
    )
    xp.add_argument("--steps", type=int, default=512, help="integrated-gradient steps [512]")
    xp.set_defaults(run=_cmd_explain)

    x = sub.add_parser(
        "export",
        help="export a checkpoint's encoders + aggregator to ONNX or TorchScript",
        description="Write the pretrained network of a checkpoint as one model that takes a "
        "window per modality in sensor units and a presence mask (a device can drop a sensor at "
        "run time) and gives the features; the batch size is dynamic. The file is checked "
        "against PyTorch for every set of present sensors before it is kept.",
    )
    _add_checkpoint(x)
    x.add_argument("--out", required=True, help="file to write, e.g. model.onnx or model.pt")
    x.add_argument("--format", help="onnx or torchscript [from the suffix of --out: .onnx or .pt]")
    x.add_argument(
        "--features",
        default="aggregator",
        help="the cross-modal embedding, or the modality embeddings side by side [aggregator]",
    )
    x.set_defaults(run=_cmd_export)

    ds = sub.add_parser("datasets", help="dataset protocols", description="Dataset protocols.")
    ds_sub = ds.add_subparsers(dest="datasets_command", required=True, metavar="ACTION")
    dl = ds_sub.add_parser("list", help="list the dataset protocols", description="List protocols.")
    dl.set_defaults(run=_cmd_datasets_list)
    di = ds_sub.add_parser(
        "info",
        help="what a dataset expects and how it is prepared (or what a cache holds)",
        description="Show a dataset's expected files, preprocessing and options; with --cache, "
        "the windows, subjects, classes and modalities of a prepared cache.",
    )
    di.add_argument("name", help="dataset name (see crossl datasets list)")
    di.add_argument("--cache", help="a folder written by crossl datasets prepare")
    di.set_defaults(run=_cmd_datasets_info)
    dp = ds_sub.add_parser(
        "prepare",
        help="window a raw download once into a cache that pretraining reads",
        description="Read the raw download of a dataset, apply its preprocessing and write the "
        "windows to a cache folder (.npy per modality + manifest.json). An unchanged cache is "
        "kept; changed input files or options rebuild it.",
    )
    dp.add_argument("name", help="dataset name (see crossl datasets list)")
    dp.add_argument("--raw", required=True, help="folder of the raw download (or the file)")
    dp.add_argument("--out", required=True, help="cache folder to write")
    dp.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    dp.add_argument(
        "options",
        nargs="*",
        help="key=value dataset options, e.g. optional=true, channels='{acc: [0,1,2]}', "
        "spec=my-table.yaml (see crossl datasets info NAME)",
    )
    dp.set_defaults(run=_cmd_datasets_prepare, trailing_options=True)
    return parser


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record (it may be replaced, e.g.
    by a caller that captures it, after the handler was made)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _show_notices() -> None:
    """Warnings of the library (e.g. an earlier run moved aside) as ``crossl: ...`` lines."""
    logger = logging.getLogger("crossl")
    if not logger.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("crossl: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a command; bad input prints one line and returns 2."""
    _show_notices()
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(argv)
    args.command_line = command_line("crossl", *argv)
    if extra:
        if not getattr(args, "trailing_options", False) or any(e.startswith("-") for e in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.options = [*args.options, *extra]
    try:
        args.run(args)
    except CrosslError as err:
        print(f"crossl: error: {err}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, SystemExit) as stop:  # Lightning ends Ctrl-C, SIGTERM in SystemExit
        hint = str(stop) if isinstance(stop, KeyboardInterrupt) else ""
        print(f"crossl: interrupted{'; ' if hint else ''}{hint}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. head, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return 0


if __name__ == "__main__":
    sys.exit(main())
