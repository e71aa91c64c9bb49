"""Write small files in the exact layout of the official UCI-HAR release, for tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# The nine signal files of a part, in the channel order ``write_uci_har`` expects.
SIGNAL_FILES = [
    f"{name}_{axis}" for name in ("body_acc", "body_gyro", "total_acc") for axis in "xyz"
]


def har_part(n_windows: int, seed: int) -> dict[str, np.ndarray]:
    """A random part: ``signals [N, 9, 128]`` (SIGNAL_FILES order; multiples of 1/8, so they
    survive the text round trip exactly), ``subjects [N]`` and ``activities [N]`` (1..6)."""
    rng = np.random.default_rng(seed)
    return {
        "signals": (rng.integers(-64, 64, size=(n_windows, 9, 128)) / 8).astype(np.float32),
        "subjects": rng.integers(1, 31, size=n_windows),
        "activities": rng.integers(1, 7, size=n_windows),
    }


def write_uci_har(root: Path, train: dict[str, np.ndarray], test: dict[str, np.ndarray]) -> Path:
    """Write ``root/UCI HAR Dataset/{train,test}/...`` from two :func:`har_part` dicts; return
    the ``UCI HAR Dataset`` folder."""
    dataset = root / "UCI HAR Dataset"
    for part, data in (("train", train), ("test", test)):
        signals_dir = dataset / part / "Inertial Signals"
        signals_dir.mkdir(parents=True)
        for channel, name in enumerate(SIGNAL_FILES):
            # Right-aligned values with leading spaces, like the release ("  1.8085150e-004 ...").
            np.savetxt(
                signals_dir / f"{name}_{part}.txt",
                data["signals"][:, channel],
                fmt="%16.7e",
                delimiter="",
            )
        np.savetxt(dataset / part / f"subject_{part}.txt", data["subjects"], fmt="%d")
        np.savetxt(dataset / part / f"y_{part}.txt", data["activities"], fmt="%d")
    return dataset
