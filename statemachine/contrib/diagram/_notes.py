"""Exception notes (PEP 678) on every supported Python."""

from __future__ import annotations

from statemachine.exceptions import with_note

__all__ = ["add_note", "one_line"]


def add_note(error: BaseException, note: str) -> None:
    """Add ``note`` to ``error``'s notes (PEP 678; in ``__notes__`` on Python 3.10 too)."""
    with_note(error, note)


def one_line(error: BaseException) -> str:
    """The message of ``error`` followed by its notes (the hints on how to fix it), on one
    line."""
    parts = [str(error), *getattr(error, "__notes__", ())]
    return " ".join(" ".join(parts).split())
