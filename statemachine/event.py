"""Public path for Event,BoundEvent (documented import location)."""

from ._events import BoundEvent, Event

__all__ = ["BoundEvent", "Event"]
