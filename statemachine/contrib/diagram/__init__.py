"""Diagrams of state machines: Graphviz (through pydot), Mermaid and text tables.

Every renderer reads one model: :func:`extract` turns a machine class, or an instance with
its active states, into a :class:`DiagramGraph` (it never instantiates the machine or
resolves its callbacks). :class:`DotGraphMachine` builds a ``pydot.Dot``,
:class:`MermaidGraphMachine` a ``stateDiagram-v2``; the :data:`formatter` registry serves
``format(sm, "mermaid")``, f-strings and ``{statechart:FMT}`` docstring placeholders; the
command line is ``python -m statemachine.contrib.diagram``.

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
>>> print(f"{Door:md}")
| State  | Event | Guard    | Target |
| ------ | ----- | -------- | ------ |
| Closed | open  | unlocked | Opened |
| Opened | close |          | Closed |
"""

from __future__ import annotations

from ._cli import import_sm, main, write_image
from ._dot import DotGraphMachine, GraphvizNotFound, PydotNotInstalled
from ._formatter import Formatter, formatter
from ._mermaid import MermaidGraphMachine
from ._model import DiagramGraph, DiagramState, DiagramTransition, StateType, extract
from ._quickchart import quickchart_write_svg

__all__ = [
    "DiagramGraph",
    "DiagramState",
    "DiagramTransition",
    "DotGraphMachine",
    "Formatter",
    "GraphvizNotFound",
    "MermaidGraphMachine",
    "PydotNotInstalled",
    "StateType",
    "extract",
    "formatter",
    "import_sm",
    "main",
    "quickchart_write_svg",
    "write_image",
]
