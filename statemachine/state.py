"""Public path for State, HistoryState and InstanceState (documented import location)."""

from ._history import HistoryState
from ._states import InstanceState, State

__all__ = ["HistoryState", "InstanceState", "State"]
