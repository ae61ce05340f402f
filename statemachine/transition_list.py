"""Public path for TransitionList (documented import location)."""

from ._transitions import TransitionList

__all__ = ["TransitionList"]
