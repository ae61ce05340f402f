"""Public path for OrderedSet (documented import location)."""

from ._orderedset import OrderedSet

__all__ = ["OrderedSet"]
