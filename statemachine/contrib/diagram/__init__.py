"""Diagrams of state machines.

So far this package holds the diagram model that every renderer reads: :func:`extract`
turns a machine class, or an instance with its active states, into a :class:`DiagramGraph`.
It never instantiates the machine or resolves its callbacks.

>>> from statemachine import State, StateChart
>>> from statemachine.contrib.diagram import extract
>>> class Door(StateChart):
...     closed = State(initial=True)
...     opened = State()
...     open = closed.to(opened, cond="unlocked")
...     close = opened.to(closed)
...     unlocked = True
>>> graph = extract(Door())
>>> [s.id for s in graph.walk()], sorted(graph.active)
(['closed', 'opened'], ['closed'])
>>> [(t.source, t.targets, t.events, t.guards) for t in graph.transitions]
[('closed', ('opened',), ('open',), ('unlocked',)), ('opened', ('closed',), ('close',), ())]
"""

from __future__ import annotations

from ._cli import import_sm, main, write_image
from ._dot import DotGraphMachine, GraphvizNotFound, PydotNotInstalled
from ._formatter import Formatter, formatter
from ._model import DiagramGraph, DiagramState, DiagramTransition, StateType, extract

__all__ = [
    "DiagramGraph",
    "DiagramState",
    "DiagramTransition",
    "DotGraphMachine",
    "Formatter",
    "GraphvizNotFound",
    "PydotNotInstalled",
    "StateType",
    "extract",
    "formatter",
    "import_sm",
    "main",
    "write_image",
]
