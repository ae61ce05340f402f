"""Exception notes (PEP 678) on every supported Python."""

from __future__ import annotations

import sys

__all__ = ["add_note", "one_line"]


def add_note(error: BaseException, note: str) -> None:
    """Add ``note`` to ``error``'s notes, as ``error.add_note(note)`` does from Python 3.11.

    Python 3.10 has no ``add_note``: the note then goes into ``__notes__`` by hand, where the
    command line (and any code reading notes) finds it, though 3.10's tracebacks do not show it.
    """
    if sys.version_info >= (3, 11):
        error.add_note(note)
    else:
        setattr(error, "__notes__", [*getattr(error, "__notes__", ()), note])


def one_line(error: BaseException) -> str:
    """The message of ``error`` followed by its notes (the hints on how to fix it), on one
    line."""
    parts = [str(error), *getattr(error, "__notes__", ())]
    return " ".join(" ".join(parts).split())
