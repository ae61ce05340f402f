"""Declarative state machines and statecharts.

>>> from statemachine import StateMachine, State
>>> class TrafficLight(StateMachine):
...     green = State(initial=True)
...     yellow = State()
...     red = State()
...     cycle = green.to(yellow) | yellow.to(red) | red.to(green)
>>> sm = TrafficLight()
>>> sm.cycle()
>>> sm.yellow.is_active
True
"""

from __future__ import annotations

from ._events import Event
from ._machine import StateChart, StateMachine
from ._states import State
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._history import HistoryState, HistoryType
    from ._machine import TModel
    from ._refusal import Refusal

__version__ = "0.1.0"
__author__ = "The statemachine-kit developers"
__email__ = ""

__all__ = [
    "Event",
    "HistoryState",
    "HistoryType",
    "Refusal",
    "State",
    "StateChart",
    "StateMachine",
    "TModel",
]


def __getattr__(name: str) -> object:
    # Three names load on first use, to keep `import statemachine` fast: history needs `enum`,
    # and a real TypeVar needs `typing`; both modules take longer to import than this package.
    if name in ("HistoryState", "HistoryType"):
        from . import _history

        value: object = getattr(_history, name)
    elif name == "Refusal":
        from ._refusal import Refusal

        value = Refusal
    elif name == "TModel":
        from typing import TypeVar

        value = TypeVar("TModel")  # type: ignore[misc]  # created lazily, named for users
    else:
        raise AttributeError(f"module 'statemachine' has no attribute {name!r}")
    globals()[name] = value
    return value
