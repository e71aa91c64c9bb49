"""The YAML files that ship inside the package: method presets and benchmark configs.

Kept free of heavy imports, so that ``crossl --help`` can list the names at once.

>>> "crossl" in preset_names(), "hapt" in benchmark_names()
(True, True)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def preset_dir() -> Path:
    """Folder of the shipped YAML presets (``crossl``, ``crossl-paper``, ...)."""
    return Path(str(resources.files("crossl") / "configs"))


def preset_names() -> list[str]:
    """Names of the shipped presets."""
    return sorted(p.stem for p in preset_dir().glob("*.yaml"))


def benchmark_dir() -> Path:
    """Folder of the shipped benchmark configs (``hapt-quick``, ``hapt``)."""
    return preset_dir() / "benchmarks"


def benchmark_names() -> list[str]:
    """Names of the shipped benchmark configs."""
    return sorted(p.stem for p in benchmark_dir().glob("*.yaml"))
