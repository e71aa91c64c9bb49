"""Draw every augmentation applied to one real HAPT walking window: ``docs/augmentations.png``.

Each panel shows the three accelerometer axes of the window before (thin, pale) and after (solid)
one augmentation with its default parameters and a fixed seed. Usage:

    .venv/bin/python benchmarks/plot_augmentations.py [--out docs/augmentations.png] [--seed 0]
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from PIL import Image

from crossl.augment import AUGMENTATIONS, accepted_params
from crossl.data.protocols import prepare_data

AXIS_COLOURS = ("tab:blue", "tab:orange", "tab:green")


def walking_window(index: int) -> tuple[torch.Tensor, float]:
    """The ``index``-th WALKING window of the HAPT training split (acc ``[1, 3, T]``) and its rate."""
    data = prepare_data("hapt")
    train = data.splits.train
    walking = data.protocol.class_names.index("WALKING")
    rows = (train.labels == walking).nonzero().flatten()
    row = int(rows[index])
    return train.modalities["acc"][row : row + 1], data.protocol.sampling_rate_hz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/augmentations.png")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--window", type=int, default=0, help="which walking window")
    parser.add_argument("--dpi", type=int, default=80)
    args = parser.parse_args()

    x, rate = walking_window(args.window)
    seconds = torch.arange(x.shape[-1]) / rate
    columns = 3
    rows = -(-len(AUGMENTATIONS) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(12, 2.3 * rows), sharex=True, sharey=True)
    for ax, (name, f) in zip(axes.flat, AUGMENTATIONS.items(), strict=False):
        y = f(x, torch.Generator().manual_seed(args.seed))
        for axis, colour in enumerate(AXIS_COLOURS):
            ax.plot(seconds, x[0, axis], color=colour, alpha=0.35, linewidth=0.8)
            ax.plot(seconds, y[0, axis], color=colour, linewidth=1.2, label="xyz"[axis])
        params = ", ".join(f"{k}={v}" for k, v in accepted_params(name).items())
        ax.set_title(f"{name}({params})", fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(AUGMENTATIONS) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("time (s)")
    for ax in axes[:, 0]:
        ax.set_ylabel("acc (normalised)")
    axes.flat[0].legend(loc="upper right", fontsize=8, ncol=3)
    fig.suptitle(
        "HAPT walking window, accelerometer: original (pale) and augmented (solid), "
        f"default parameters, seed {args.seed}"
    )
    fig.tight_layout()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=args.dpi)
    # a 128-colour palette keeps the picture small enough to live in the repository
    Image.open(buffer).convert("RGB").quantize(colors=128).save(args.out, optimize=True)


if __name__ == "__main__":
    main()
