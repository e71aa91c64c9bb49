"""The ``modalities=`` argument every reader takes: which of its modalities to read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from crossl.errors import CrosslError


def select_modalities(
    requested: Sequence[str] | None, available: Iterable[str], dataset: str
) -> list[str]:
    """``requested`` (all of ``available`` when None), in order, without repeats; an unknown
    name, an empty list or a bare string is a :class:`CrosslError` listing the valid names.

    >>> select_modalities(["b", "a", "b"], ["a", "b", "c"], "X")
    ['b', 'a']
    """
    names = list(available)
    if requested is None:
        return names
    if isinstance(requested, str):
        raise CrosslError(f"{dataset} modalities must be a list of names, e.g. [{requested!r}]")
    unknown = [name for name in requested if name not in names]
    if unknown or not requested:
        what = f"unknown {dataset} modalities {unknown}" if unknown else f"no {dataset} modality"
        raise CrosslError(f"{what}: choose one or more of {', '.join(names)}")
    return list(dict.fromkeys(requested))
