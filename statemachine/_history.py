"""History pseudo-states (loaded on first use: they are the only part of the core that needs
:mod:`enum`, which is slow to import)."""

from __future__ import annotations

from enum import Enum

from ._states import State
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__ = ["HistoryState", "HistoryType"]


class HistoryType(str, Enum):
    """Shallow history remembers direct children; deep history remembers the active leaves."""

    SHALLOW = "shallow"
    DEEP = "deep"

    @property
    def is_deep(self) -> bool:
        return self is HistoryType.DEEP


class HistoryState(State):
    """A history pseudo-state: entering it re-enters what its parent last had active."""

    is_history = True

    def __init__(
        self,
        name: Any = "",
        value: Any = None,
        type: str | HistoryType = "shallow",
    ) -> None:
        super().__init__(name=name, value=value)
        self.type = HistoryType(type)
