"""The diagram model: what a renderer needs to draw a machine, as plain data.

:func:`~statemachine.contrib.diagram.extract.extract` builds it from a machine class or
instance; the renderers in :mod:`statemachine.contrib.diagram.renderers` read nothing
else, so a renderer of your own can be written against these classes alone (or fed a
graph built by hand).

>>> from statemachine.contrib.diagram.model import DiagramGraph, DiagramState, StateType
>>> graph = DiagramGraph("Door", states=[
...     DiagramState("closed", "Closed", StateType.REGULAR, is_initial=True),
...     DiagramState("opened", "Opened", StateType.REGULAR),
... ])
>>> [s.id for s in graph.walk()]
['closed', 'opened']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "ActionType",
    "DiagramAction",
    "DiagramGraph",
    "DiagramState",
    "DiagramTransition",
    "StateType",
]


class StateType(Enum):
    """What kind of node a state is drawn as.

    A compound state is ``REGULAR`` with children; a parallel state is ``PARALLEL`` and its
    children are its regions. :func:`~statemachine.contrib.diagram.extract.extract` produces
    ``REGULAR``, ``FINAL``, ``PARALLEL`` and the two history kinds; the other members name
    UML pseudostates a hand-built graph may use.
    """

    INITIAL = "initial"
    REGULAR = "regular"
    FINAL = "final"
    HISTORY_SHALLOW = "history_shallow"
    HISTORY_DEEP = "history_deep"
    CHOICE = "choice"
    FORK = "fork"
    JOIN = "join"
    JUNCTION = "junction"
    PARALLEL = "parallel"
    TERMINATE = "terminate"


class ActionType(Enum):
    """What an action line inside a state stands for."""

    ENTRY = "entry"
    EXIT = "exit"
    INTERNAL = "internal"


@dataclass
class DiagramAction:
    """One line of a state's action compartment.

    ``body`` is the text after the kind: the comma-separated callback names of an entry or
    exit action, or ``"<event> / <callbacks>"`` for an internal transition.
    """

    type: ActionType
    body: str


@dataclass
class DiagramState:
    """One state of the diagram.

    Attributes:
        id: the state id (unique in the machine; the Graphviz node id).
        name: the display name.
        type: the kind of node.
        actions: the entry, exit and internal-transition lines, in that order.
        children: the nested states in document order (history states last); the
            regions of a parallel state.
        is_active: in the configuration of the instance the diagram was made from.
        is_parallel_area: a region, that is a child of a parallel state.
        is_initial: the initial state of its parent (or of the machine).
    """

    id: str
    name: str
    type: StateType
    actions: list[DiagramAction] = field(default_factory=list)
    children: list[DiagramState] = field(default_factory=list)
    is_active: bool = False
    is_parallel_area: bool = False
    is_initial: bool = False

    @property
    def is_compound(self) -> bool:
        """Drawn as a box around its children (a compound or parallel state)."""
        return bool(self.children)

    def walk(self) -> list[DiagramState]:
        """This state and all its descendants, parents before children."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


@dataclass
class DiagramTransition:
    """One transition.

    Attributes:
        source: the source state id.
        targets: the target state ids; empty for a targetless transition.
        event: the display names of the transition's events joined by a space; empty for
            an eventless transition.
        guards: readable conditions: ``cond`` ones as written, ``unless`` ones negated
            with ``!``.
        actions: names of the transition's ``on`` callbacks.
        is_internal: an internal transition (drawn inside its source state, if at all).
        is_initial: the arrow from a compound (or parallel) state to its initial child
            (or to each region); the machine's own initial arrow is not a transition.
        event_ids: the ids of the events, in the order of ``event``.
    """

    source: str
    targets: list[str] = field(default_factory=list)
    event: str = ""
    guards: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    is_internal: bool = False
    is_initial: bool = False
    event_ids: list[str] = field(default_factory=list)


@dataclass
class DiagramGraph:
    """A whole machine: its top-level states and every transition.

    Transitions are listed state by state, parents before children (each state's own
    transitions, then its initial arrows), which is the order tables list them in.

    Attributes:
        compound_state_ids: the states that have children.
        bidirectional_compound_ids: compound states with transitions both into and out of
            them from outside (Graphviz draws those with two anchor points).
    """

    name: str
    states: list[DiagramState] = field(default_factory=list)
    transitions: list[DiagramTransition] = field(default_factory=list)
    compound_state_ids: set[str] = field(default_factory=set)
    bidirectional_compound_ids: set[str] = field(default_factory=set)

    def walk(self) -> list[DiagramState]:
        """Every state at every level, parents before children, in document order."""
        return [s for top in self.states for s in top.walk()]

    @property
    def active(self) -> frozenset[str]:
        """The ids of the active states (empty for a diagram of a class)."""
        return frozenset(s.id for s in self.walk() if s.is_active)
