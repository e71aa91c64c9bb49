"""A pickle reader that resolves only an explicit allow-list of globals and refuses all others."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from crossl.errors import CrosslError

# Protocol-2 pickles written by Python 3 name some modules by their Python 2 names.
_PY2_MODULES = {"copy_reg": "copyreg", "__builtin__": "builtins"}


class PickleFile(Protocol):
    """What an unpickler reads from: a binary file, a memory map, a gzip stream."""

    def read(self, n: int, /) -> bytes: ...

    def readline(self) -> bytes: ...


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler whose ``find_class`` answers only from ``allowed[(module, name)]``.

    Any other global -- ``os.system``, ``builtins.eval``, a class of an installed package -- raises
    :class:`CrosslError` before anything is called, so a hostile file cannot run code.
    """

    def __init__(self, file: PickleFile, allowed: Mapping[tuple[str, str], Any], what: str):
        super().__init__(file, encoding="latin1")
        self._allowed = allowed
        self._what = what

    def find_class(self, module: str, name: str) -> Any:
        key = (_PY2_MODULES.get(module, module), name)
        if key not in self._allowed:
            raise CrosslError(
                f"{self._what}: refusing to load, the pickle references {module}.{name}, "
                "which is not an allowed type"
            )
        return self._allowed[key]


def restricted_load(file: PickleFile, allowed: Mapping[tuple[str, str], Any], what: str) -> Any:
    """Unpickle ``file`` admitting only the globals in ``allowed``; ``what`` names it in errors."""
    try:
        return RestrictedUnpickler(file, allowed, what).load()
    except CrosslError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as err:
        raise CrosslError(f"{what}: corrupt or truncated pickle ({err})") from None
    except OSError as err:
        raise CrosslError(f"{what}: corrupt, truncated or unreadable ({err})") from None
    except (MemoryError, OverflowError):
        raise CrosslError(
            f"{what}: too large to load, a corrupt length field or too little free memory"
        ) from None


def latin1_bytes(text: Any, encoding: Any = "latin1") -> bytes:
    """``_codecs.encode`` as pickle protocol 2 uses it to store bytes, and for nothing else."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"refusing _codecs.encode to {encoding!r}")
    return text.encode("latin1")


def only_for(cls_allowed: tuple[type, ...], make: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a reconstructor so it only ever builds instances of ``cls_allowed``."""

    def guarded(cls: Any, *args: Any) -> Any:
        if not (isinstance(cls, type) and issubclass(cls, cls_allowed)):
            raise CrosslError(f"refusing to reconstruct {cls!r} from a pickle")
        return make(cls, *args)

    return guarded
