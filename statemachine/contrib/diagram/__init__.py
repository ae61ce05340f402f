"""Diagrams of state machines: Graphviz (through pydot), Mermaid and text tables.

The pipeline has three steps, each in its own module:

* :mod:`~statemachine.contrib.diagram.extract` turns a machine class, or an instance with
  its active states, into the plain data of :mod:`~statemachine.contrib.diagram.model`
  (it never instantiates the machine or resolves its callbacks);
* the renderers in :mod:`~statemachine.contrib.diagram.renderers` draw that model:
  ``dot`` (a ``pydot.Dot``), ``mermaid`` (``stateDiagram-v2`` text) and ``table``
  (Markdown and reStructuredText transition tables);
* :mod:`~statemachine.contrib.diagram.formatter` holds the registry of formats behind
  ``format(sm, "mermaid")``, f-strings and ``{statechart:FMT}`` docstring placeholders;
  this package exports the registry object as ``formatter``.

:class:`DotGraphMachine` and :class:`MermaidGraphMachine` draw a machine in one call; the
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
>>> for line in f"{Door():mermaid}".splitlines():
...     if "-->" in line or ":::" in line:
...         print(line.strip())
[*] --> closed
closed --> opened : Open [unlocked]
opened --> closed : Close
closed:::active
"""

from __future__ import annotations

from . import model
from ._cli import import_sm, main, write_image
from ._quickchart import quickchart_write_svg
from .extract import extract
from .formatter import Formatter, formatter
from .graphviz import GraphvizError, GraphvizNotFoundError, run_graphviz
from .model import DiagramGraph, DiagramState, DiagramTransition, StateType
from .renderers.dot import DotGraphMachine, PydotNotInstalled
from .renderers.mermaid import MermaidGraphMachine

# The name this package used before it took the reference's.
GraphvizNotFound = GraphvizNotFoundError

__all__ = [
    "DiagramGraph",
    "DiagramState",
    "DiagramTransition",
    "DotGraphMachine",
    "Formatter",
    "GraphvizError",
    "GraphvizNotFound",
    "GraphvizNotFoundError",
    "MermaidGraphMachine",
    "PydotNotInstalled",
    "StateType",
    "extract",
    "formatter",
    "import_sm",
    "main",
    "model",
    "quickchart_write_svg",
    "run_graphviz",
    "write_image",
]
