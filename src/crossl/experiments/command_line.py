"""The command line a result records as how it was made: one function for every command."""

from __future__ import annotations

import shlex


def command_line(*words: object) -> str:
    """``words`` as one shell command, quoted where a shell needs it, so that the recorded line
    can be pasted back into a shell.

    >>> command_line("crossl", "demo", "--out", "runs/demo", "augment=[{name: jitter}]")
    "crossl demo --out runs/demo 'augment=[{name: jitter}]'"
    """
    return shlex.join(str(w) for w in words)
