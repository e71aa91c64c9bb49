"""Compare CroSSL settings on the validation users (never the test users).

Each variant is a preset plus overrides. It is pretrained on the training users, then a
logistic-regression probe (C = 1) is fitted on 1 % (3 seeds) and 100 % of the labelled training
windows and scored by macro-F1 on the labelled validation-user windows, on both feature kinds; the
100 % probe is also scored with one sensor absent, three ways: fitted on all sensors (deployed),
fitted under random modality drop-out, and refitted without the sensor. One JSON file per variant
and pretraining seed is written to --out, so an interrupted comparison resumes.

    .venv/bin/python benchmarks/compare_presets.py --out docs/results/presets
    .venv/bin/python benchmarks/compare_presets.py --study views --out docs/results/views \
        --seeds 0 1 2 --checkpoints runs/views
    .venv/bin/python benchmarks/compare_presets.py --study masking --out docs/results/masking \
        --seeds 0 1 2

    .venv/bin/python benchmarks/compare_presets.py --study epochs --out docs/results/epochs \
        --seeds 0 1 2 --checkpoints runs/epochs

    .venv/bin/python benchmarks/compare_presets.py --study augment-simclr \
        --out docs/results/augmentations/simclr --seeds 0 1 2

The masking study also draws masking.png: validation macro-F1 against the ratio per strategy.
The augmentation studies (augment-simclr, augment-vicreg, augment-barlow) pretrain the two-view
method with each augmentation alone, the seven of the time-series study together, and the
preset's own pipeline; each draws augmentations.png beside its folder: a heat map of every
augmentation study found there (augmentation x method, validation macro-F1 at 1 % and 100 %).
The optimisation screens (optim-simclr, optim-vicreg, optim-barlow, optim-mae) move one knob of
the preset at a time and draw optimisation.png the same way.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import lightning as L
import numpy as np
import torch

from crossl.config import FEATURES, load_config
from crossl.data.label_subsets import label_fraction_indices
from crossl.eval.features import extract_features
from crossl.eval.metrics import classification_metrics
from crossl.eval.probes import fit_frozen_probe, refit_linear_probe
from crossl.experiments.pretrain import load_data, pretrain
from crossl.io import atomic_write, cached_json, write_text
from crossl.methods.base import build_backbone

VARIANTS = {
    "paper": [],
    "paper-bs64-lr1e-3-cosine": ["batch_size=64", "lr=1e-3", "schedule=cosine", "weight_l2=0"],
    "+ratio0.5": [
        "batch_size=64",
        "lr=1e-3",
        "schedule=cosine",
        "weight_l2=0",
        "masking_ratio=0.5",
    ],
    "+ratio0.5+expander": [
        "batch_size=64",
        "lr=1e-3",
        "schedule=cosine",
        "weight_l2=0",
        "masking_ratio=0.5",
        "expander=[256,256]",
    ],
    "paper+flags": ["aggregator_flags=true"],
    "paper+flags+ratio0.5": ["aggregator_flags=true", "masking_ratio=0.5"],
    "+random0.5+expander": [
        "batch_size=64",
        "lr=1e-3",
        "schedule=cosine",
        "weight_l2=0",
        "masking_strategy=random",
        "masking_ratio=0.5",
        "expander=[256,256]",
    ],
}

# The views x aggregator study: overrides of the `crossl` preset as it stood before it
# (spatial masking, ratio 0.5, MLP aggregator with flags).
VIEW_VARIANTS = {
    "spatial0.5-mlp": [],
    "bernoulli0.5-mlp": ["masking_strategy=bernoulli"],
    "paired0.5-mlp": ["masking_strategy=paired"],
    "paired0.5-attention": ["masking_strategy=paired", "aggregator=attention"],
    "paired0.5-mean": ["masking_strategy=paired", "aggregator=mean"],
}


def _masking(strategy: str, ratio: float, patches: int = 1) -> list[str]:
    extra = [f"latent_patches={patches}"] if patches > 1 else []
    return [f"masking_strategy={strategy}", f"masking_ratio={ratio}", *extra]


# The masking study: every strategy x ratio, over the recommended `crossl` preset (attention
# aggregator, aggregator features). With two modalities spatial hides exactly one sensor at any
# ratio >= 0.5 and paired has one distinct ratio, so those points are left out; the patch
# strategies use two 64-sample latent patches per modality (wider than the TCN's receptive field).
MASKING_VARIANTS = {
    "paired0.5": [],
    "spatial0.25": _masking("spatial", 0.25),
    "spatial0.5": _masking("spatial", 0.5),
    "bernoulli0.1": _masking("bernoulli", 0.1),
    "bernoulli0.25": _masking("bernoulli", 0.25),
    "bernoulli0.5": _masking("bernoulli", 0.5),
    "bernoulli0.75": _masking("bernoulli", 0.75),
    "random0.25": _masking("random", 0.25),
    "random0.5": _masking("random", 0.5),
    "random0.75": _masking("random", 0.75),
    "temporal0.5": _masking("temporal", 0.5, patches=2),
    "spatiotemporal0.25": _masking("spatiotemporal", 0.25, patches=2),
    "spatiotemporal0.5": _masking("spatiotemporal", 0.5, patches=2),
}


# The epochs study: the recommended `crossl` preset pretrained longer (the authors' anchor trains
# about 35 epochs; the preset's 10 were chosen for the CPU budget, not measured).
EPOCH_VARIANTS = {"epochs10": [], "epochs20": ["epochs=20"]}


def _augment(*steps: tuple[str, float]) -> list[str]:
    flow = ", ".join(f"{{name: {name}, p: {p}}}" for name, p in steps)
    return [f"augment=[{flow}]"]


# The augmentation study: each augmentation alone at its default strength (the deterministic
# flips at p = 0.5, so that two views differ half of the time), the seven of the time-series SSL
# study together (each at p = 0.5), the pipeline the two-view presets had before this screen
# (rotation, scaling, jitter at p = 0.8), and compositions of those that helped every method alone.
SEVEN = [
    ("time_reversal", 0.5),
    ("blockout", 0.5),
    ("noise", 0.5),
    ("crop_and_resize", 0.5),
    ("magnitude_warp", 0.5),
    ("time_warp", 0.5),
    ("random_smoothing", 0.5),
]
AUGMENT_VARIANTS = {
    "rotation+scaling+jitter": _augment(("rotation", 1.0), ("scaling", 1.0), ("jitter", 0.8)),
    "time_reversal": _augment(("time_reversal", 0.5)),
    "sign_flip": _augment(("sign_flip", 0.5)),
    "blockout": _augment(("blockout", 1.0)),
    "noise": _augment(("noise", 1.0)),
    "jitter": _augment(("jitter", 1.0)),
    "crop_and_resize": _augment(("crop_and_resize", 1.0)),
    "magnitude_warp": _augment(("magnitude_warp", 1.0)),
    "time_warp": _augment(("time_warp", 1.0)),
    "random_smoothing": _augment(("random_smoothing", 1.0)),
    "scaling": _augment(("scaling", 1.0)),
    "rotation": _augment(("rotation", 1.0)),
    "permutation": _augment(("permutation", 1.0)),
    "seven": _augment(*SEVEN),
    # magnitude warp, which helps every method most, with each of the two others that help every
    # method alone, and with both (each at p = 1)
    "magnitude_warp+blockout": _augment(("magnitude_warp", 1.0), ("blockout", 1.0)),
    "magnitude_warp+scaling": _augment(("magnitude_warp", 1.0), ("scaling", 1.0)),
    "magnitude_warp+blockout+scaling": _augment(
        ("magnitude_warp", 1.0), ("blockout", 1.0), ("scaling", 1.0)
    ),
}
AUGMENT_METHODS = ("simclr", "vicreg", "barlow")

# The optimisation screen of the two-view and masked-reconstruction presets: each knob moved one
# step down and up from the preset (learning rate, batch, the method's loss coefficient, the
# projector / expander width or the masking), one at a time.
OPTIM_COMMON = {
    "preset": [],
    "lr3e-4": ["lr=3e-4"],
    "lr3e-3": ["lr=3e-3"],
    "batch64": ["batch_size=64"],
    "batch256": ["batch_size=256"],
}
OPTIM_VARIANTS = {
    "simclr": {
        "temperature0.05": ["temperature=0.05"],
        "temperature0.2": ["temperature=0.2"],
        "temperature0.5": ["temperature=0.5"],
        "projector256-128": ["expander=[256,128]"],
    },
    "vicreg": {
        "invariance10": ["sim_coeff=10"],
        "invariance25": ["sim_coeff=25"],  # the paper's, the preset's before the screen
        "invariance50": ["sim_coeff=50"],
        "expander128": ["expander=[128,128,128]"],
        "expander512": ["expander=[512,512,512]"],
    },
    "barlow": {
        "lambda0.002": ["barlow_lambda=0.002"],
        "lambda0.02": ["barlow_lambda=0.02"],
        "expander128": ["expander=[128,128,128]"],
        "expander512": ["expander=[512,512,512]"],
    },
    "mae": {
        "mask0.15-0.4": ["mae_mask_ratio=[0.15,0.4]"],
        "mask0.75": ["mae_mask_ratio=[0.75,0.75]"],
        "patch4": ["mae_patch_size=4"],
        "patch16": ["mae_patch_size=16"],
        # the two single changes that won the one-seed screen, together
        "batch64+mask0.15-0.4": ["batch_size=64", "mae_mask_ratio=[0.15,0.4]"],
    },
}
STUDIES = {
    "paper": ("crossl-paper", VARIANTS),
    "views": ("crossl", VIEW_VARIANTS),
    "masking": ("crossl", MASKING_VARIANTS),
    "epochs": ("crossl", EPOCH_VARIANTS),
    **{f"augment-{m}": (m, AUGMENT_VARIANTS) for m in AUGMENT_METHODS},
    **{f"optim-{m}": (m, {**OPTIM_COMMON, **extra}) for m, extra in OPTIM_VARIANTS.items()},
}
DROPOUT = 0.5


def _f1(y: np.ndarray, probe, x: np.ndarray) -> float:
    return classification_metrics(y, probe.predict(x))["macro_f1"]


def validation_scores(backbone, data) -> dict[str, dict[str, float]]:
    """Validation macro-F1 of a frozen backbone at 1 % (mean of 3 seeds) and 100 % labels, and of
    the 100 % probe with only one modality present: fitted on all sensors (``only X``), under
    modality drop-out (``dropout only X``) and refitted without the others (``refit only X``)."""
    train, val = data.splits.train.labelled(), data.splits.val.labelled()
    y_train, y_val = train.labels.numpy(), val.labels.numpy()
    classes = len(data.class_names)
    dropped = train.with_random_absence(DROPOUT, torch.Generator().manual_seed(0))
    scores = {}
    for kind in FEATURES:
        x_train = extract_features(backbone, train, kind)
        x_val = extract_features(backbone, val, kind)
        row = {}
        for fraction, seeds in ((0.01, (0, 1, 2)), (1.0, (0,))):
            f1 = []
            for seed in seeds:
                idx = label_fraction_indices(train.labels, fraction, seed).numpy()
                probe, _ = fit_frozen_probe(
                    "linear", x_train[idx], y_train[idx], x_val, y_val, classes, seed, [1.0]
                )
                f1.append(_f1(y_val, probe, x_val))
            row[f"{fraction:.0%}"] = float(np.mean(f1))
        x_dropped = extract_features(backbone, dropped, kind)
        dropout_probe, _ = fit_frozen_probe(
            "linear", x_dropped, y_train, x_val, y_val, classes, 0, [1.0]
        )
        for name in val.modality_names:
            x_only = extract_features(backbone, val.with_present([name]), kind)
            x_train_only = extract_features(backbone, train.with_present([name]), kind)
            refit = refit_linear_probe(x_train_only, y_train, 1.0)
            row[f"only {name}"] = _f1(y_val, probe, x_only)
            row[f"dropout only {name}"] = _f1(y_val, dropout_probe, x_only)
            row[f"refit only {name}"] = _f1(y_val, refit, x_only)
        scores[kind] = row
    return scores


def run_variant(
    preset: str,
    name: str,
    overrides: list[str],
    epochs: int,
    seed: int,
    checkpoints: Path | None,
) -> dict:
    """Pretrain one variant with one seed and score it on the validation users; with
    ``checkpoints``, its checkpoint is kept under ``checkpoints/<name>-s<seed>/``."""
    cfg = load_config(preset, [f"epochs={epochs}", f"seed={seed}", *overrides])
    data = load_data(cfg)
    with tempfile.TemporaryDirectory() as tmp:
        folder = checkpoints / f"{name}-s{seed}" if checkpoints else Path(tmp)
        outcome = pretrain(cfg, folder, data, progress=False)
    return {
        "variant": name,
        "preset": preset,
        "overrides": overrides,
        "epochs": cfg.epochs,
        "seed": seed,
        "pretrain": outcome.summary,
        "validation_macro_f1": validation_scores(outcome.module.backbone, data),
    }


def untrained_scores(preset: str, overrides: list[str], seed: int) -> dict:
    """The same network at its initialisation, scored like the variants."""
    cfg = load_config(preset, [f"seed={seed}", *overrides])
    L.seed_everything(cfg.seed, verbose=False)
    data = load_data(cfg)
    return {
        "variant": "random-init",
        "preset": preset,
        "overrides": overrides,
        "epochs": 0,
        "seed": seed,
        "pretrain": {"windows_per_second": 0.0},
        "validation_macro_f1": validation_scores(build_backbone(cfg, data.modality_shapes), data),
    }


KEYS = [
    "1%",
    "100%",
    "only acc",
    "only gyro",
    "dropout only acc",
    "dropout only gyro",
    "refit only acc",
    "refit only gyro",
]


def _cell(values: list[float]) -> str:
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"  # population std, as crossl reports


def markdown_table(results: list[dict], kind: str) -> str:
    """One row per variant (mean ± std over its pretraining seeds): validation macro-F1 of one
    feature kind per setting, and throughput."""
    head = ["variant", "overrides", "seeds", *KEYS, "windows/s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    groups: dict[str, list[dict]] = {}
    for r in results:
        groups.setdefault(r["variant"], []).append(r)
    for name, runs in groups.items():
        scores = [r["validation_macro_f1"][kind] for r in runs]
        cells = [name, " ".join(runs[0]["overrides"]) or "–", str(len(runs))]
        cells += [_cell([s[k] for s in scores if k in s]) for k in KEYS]
        cells.append(f"{np.mean([r['pretrain']['windows_per_second'] for r in runs]):.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


PANELS = ("only acc", "only gyro", "1%", "100%")
PANEL_TITLES = {
    "only acc": "deployed, only acc present",
    "only gyro": "deployed, only gyro present",
    "1%": "all sensors, 1 % labels",
    "100%": "all sensors, 100 % labels",
}


def plot_masking(results: list[dict], path: Path) -> None:
    """Validation macro-F1 of the aggregator features against the masking ratio, one line per
    strategy (mean ± std over pretraining seeds), in four panels: the all-sensor probe deployed
    with only one sensor, and all sensors at 1 % and 100 % labels; the untrained network dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves: dict[str, dict[float, list[dict]]] = {}
    untrained = []
    for r in results:
        scores = r["validation_macro_f1"]["aggregator"]
        if r["variant"] == "random-init":
            untrained.append(scores)
            continue
        cfg = load_config(r["preset"], r["overrides"])
        curves.setdefault(cfg.masking_strategy, {}).setdefault(cfg.masking_ratio, []).append(scores)
    fig, axes = plt.subplots(1, len(PANELS), figsize=(4 * len(PANELS), 3.6), sharex=True)
    for ax, key in zip(axes, PANELS, strict=True):
        for strategy, by_ratio in curves.items():
            ratios = sorted(by_ratio)
            values = [[s[key] for s in by_ratio[x]] for x in ratios]
            seeds = min(len(v) for v in values)
            ax.errorbar(
                ratios,
                [np.mean(v) for v in values],
                yerr=[np.std(v) for v in values],
                marker="o",
                capsize=3,
                label=f"{strategy} (n={seeds})",
            )
        if untrained:
            ax.axhline(np.mean([u[key] for u in untrained]), color="grey", ls="--", lw=1)
        ax.set_title(PANEL_TITLES[key], fontsize=10)
        ax.set_xlabel("masking ratio")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("validation macro-F1")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def _mean_scores(folder: Path, kind: str) -> dict[str, dict[str, list[float]]]:
    """Validation scores of every record in ``folder``: variant → setting → one per seed."""
    scores: dict[str, dict[str, list[float]]] = {}
    for path in sorted(folder.glob("*-s[0-9]*.json")):
        r = json.loads(path.read_text())
        row = scores.setdefault(r["variant"], {})
        for key, value in r["validation_macro_f1"][kind].items():
            row.setdefault(key, []).append(value)
    return scores


def plot_heat_maps(root: Path, methods: Sequence[str], variants: Sequence[str], path: Path) -> None:
    """Heat maps of the studies under ``root`` (one folder per method): validation macro-F1 of
    the encoder features, mean over pretraining seeds, at 1 % and 100 % labels, one row per
    variant (and the untrained network), one column per method; cells without records are
    blank."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = [m for m in methods if (root / m).is_dir()]
    rows = ["random-init", *variants]
    by_method = {m: _mean_scores(root / m, "encoders") for m in methods}
    fig, axes = plt.subplots(1, 2, figsize=(2 * (2.3 + 1.2 * len(methods)), 0.42 * len(rows) + 1.6))
    for ax, key in zip(axes, ("1%", "100%"), strict=True):
        grid = np.full((len(rows), len(methods)), np.nan)
        seeds = np.zeros_like(grid, dtype=int)
        for j, m in enumerate(methods):
            for i, row in enumerate(rows):
                values = by_method[m].get(row, {}).get(key, [])
                if values:
                    grid[i, j], seeds[i, j] = np.mean(values), len(values)
        image = ax.imshow(grid, cmap="viridis", aspect="auto")
        for (i, j), value in np.ndenumerate(grid):
            if not np.isnan(value):
                ax.text(
                    j,
                    i,
                    f"{value:.3f}\n(n={seeds[i, j]})",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if value < np.nanmean(grid) else "black",
                )
        ax.set_xticks(range(len(methods)), methods)
        ax.set_yticks(range(len(rows)), rows)
        ax.set_title(f"validation macro-F1, {key} labels", fontsize=10)
        fig.colorbar(image, ax=ax, fraction=0.05)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--study", choices=sorted(STUDIES), default="paper")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    parser.add_argument("--checkpoints", type=Path, help="keep each variant's checkpoint here")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    preset, variants = STUDIES[args.study]
    out = Path(args.out)
    everything = {"random-init": None, **variants}
    order = list(everything)

    def rank(name: str) -> int:  # --only runs its variants in the order given
        return args.only.index(name) if args.only and name in args.only else -1

    def path_of(name: str, seed: int) -> Path:
        return out / (f"{name}.json" if args.study == "paper" else f"{name}-s{seed}.json")

    for seed in args.seeds:
        for name, overrides in sorted(everything.items(), key=lambda kv: rank(kv[0])):
            if args.only and name not in args.only and overrides is not None:
                continue
            cached_json(
                path_of(name, seed),
                lambda name=name, overrides=overrides, seed=seed: (
                    untrained_scores(preset, [], seed)
                    if overrides is None
                    else run_variant(preset, name, overrides, args.epochs, seed, args.checkpoints)
                ),
            )

    def records_of(name: str) -> list[Path]:
        if args.study == "paper":
            return [p for p in [path_of(name, 0)] if p.exists()]
        return sorted(out.glob(f"{name}-s[0-9]*.json"))

    # the summary reads every record there is: every seed, also those other processes wrote
    results = [json.loads(p.read_text()) for name in everything for p in records_of(name)]
    results.sort(key=lambda r: order.index(r["variant"]))
    tables = [f"{kind} features\n\n{markdown_table(results, kind)}" for kind in FEATURES]
    text = "\n\n".join(tables)
    write_text(out / "summary.md", text + "\n")
    if args.study == "masking":
        plot_masking(results, out / "masking.png")
    if args.study.startswith("augment-"):
        plot_heat_maps(
            out.parent, AUGMENT_METHODS, list(AUGMENT_VARIANTS), out.parent / "augmentations.png"
        )
    if args.study.startswith("optim-"):
        rows = list(dict.fromkeys(v for m in OPTIM_VARIANTS for v in STUDIES[f"optim-{m}"][1]))
        plot_heat_maps(out.parent, list(OPTIM_VARIANTS), rows, out.parent / "optimisation.png")
    print(text)


if __name__ == "__main__":
    main()
