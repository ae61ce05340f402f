"""Public path for State,InstanceState (documented import location)."""

from ._states import State, InstanceState

__all__ = ["State", "InstanceState"]
