"""Public path for Event,BoundEvent (documented import location)."""

from ._events import Event, BoundEvent

__all__ = ["Event", "BoundEvent"]
