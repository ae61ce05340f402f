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
from ._machine import StateChart, StateMachine, TModel
from ._states import HistoryState, HistoryType, State

__version__ = "0.1.0"
__author__ = "The statemachine-kit developers"
__email__ = ""

__all__ = ["Event", "HistoryState", "HistoryType", "State", "StateChart", "StateMachine", "TModel"]
