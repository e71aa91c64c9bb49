"""Progress of long commands: a tqdm bar on a terminal, timestamped lines in a log file.

A bar redrawn with carriage returns is unreadable once stderr is redirected (``make demo > log``
would hold thousands of updates), so off a terminal the same calls print one line per step:
every job of a benchmark, every tenth of the windows of ``crossl embed``.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Protocol


class Bar(Protocol):
    """What the commands call on a progress bar (a subset of tqdm's interface)."""

    n: int
    total: int

    def update(self, n: int = 1) -> object: ...

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None: ...

    def close(self) -> None: ...


class LineProgress:
    """:class:`Bar` as lines: ``[12:00:01] what: 35/100 jobs (35 %) postfix``, printed each time
    ``every`` more units are done (and once at the end).

    >>> import contextlib, io
    >>> out = io.StringIO()
    >>> with contextlib.redirect_stderr(out):
    ...     bar = LineProgress(4, "job", "grid", every=2)
    ...     for _ in range(4):
    ...         bar.update()
    ...     bar.close()
    >>> [line.split("] ")[1] for line in out.getvalue().splitlines()]
    ['grid: 2/4 jobs (50 %)', 'grid: 4/4 jobs (100 %)']
    """

    def __init__(self, total: int, unit: str, what: str, initial: int = 0, every: int = 1):
        self.total, self.unit, self.what = total, unit, what
        self.n = self.printed = initial
        self.every = max(every, 1)
        self.postfix = ""

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.n - self.printed >= self.every:
            self._line()

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        self.postfix = s

    def close(self) -> None:
        if self.n != self.printed:
            self._line()

    def _line(self) -> None:
        share = 100 * self.n / self.total if self.total else 100.0
        tail = f" {self.postfix}" if self.postfix else ""
        stamp = time.strftime("%H:%M:%S")
        print(
            f"[{stamp}] {self.what}: {self.n}/{self.total} {self.unit}s ({share:.0f} %){tail}",
            file=sys.stderr,
            flush=True,
        )
        self.printed = self.n


def progress_bar(
    total: int, unit: str, what: str, enabled: bool = True, initial: int = 0, lines: int = 10
) -> Bar:
    """A tqdm bar when stderr is a terminal, else :class:`LineProgress` with about ``lines``
    lines over the whole run (``lines=0``: one per unit); nothing shown unless ``enabled``."""
    from tqdm import tqdm

    if enabled and not sys.stderr.isatty():
        every = 1 if lines == 0 else math.ceil(total / lines)
        return LineProgress(total, unit, what, initial, every)
    return tqdm(total=total, initial=initial, unit=unit, disable=not enabled, dynamic_ncols=True)
