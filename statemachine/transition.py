"""Public path for Transition (documented import location)."""

from ._transitions import Transition

__all__ = ["Transition"]
