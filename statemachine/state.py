"""Public path for State,InstanceState (documented import location)."""

from ._states import InstanceState, State

__all__ = ["InstanceState", "State"]
