"""Public names of a package imported on first use (PEP 562), so that importing the package
stays light: ``crossl --help`` and ``crossl datasets list`` need neither torch nor Lightning.

>>> getattr_, dir_ = lazy_names("crossl", {"load_config": "crossl.config"})
>>> getattr_("load_config").__module__, "load_config" in dir_()
('crossl.config', True)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: each name of ``where`` is imported
    from its module (``where[name]``) on first use and then kept on the package."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
