"""The diagram model: what a renderer needs to draw a machine, as plain immutable data.

:func:`extract` reads a machine class's compiled definition (and, given an instance, its
active configuration). It never instantiates the machine and never resolves callbacks:
entry/exit actions are the names the class declares (inline specs, decorators and
``on_enter_<id>``/``on_exit_<id>`` methods found on the class). Renderers read only this
model, so the core never depends on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statemachine._definition import MachineDefinition
    from statemachine._states import State
    from statemachine._transitions import Transition

__all__ = ["DiagramGraph", "DiagramState", "DiagramTransition", "StateType", "extract"]


class StateType(str, Enum):
    """What kind of node a state is drawn as."""

    ATOMIC = "atomic"
    COMPOUND = "compound"
    PARALLEL = "parallel"
    FINAL = "final"
    HISTORY_SHALLOW = "history_shallow"
    HISTORY_DEEP = "history_deep"


@dataclass(frozen=True)
class DiagramState:
    """One state of the diagram.

    Attributes:
        id: the state id (unique in the machine).
        name: the display name.
        type: the kind of node.
        initial: the parent's (or the machine's) initial state.
        active: in the configuration of the instance the diagram was made from.
        entry, exit: the names of the entry and exit actions.
        children: the nested states, in document order (history states last).
    """

    id: str
    name: str
    type: StateType
    initial: bool = False
    active: bool = False
    entry: tuple[str, ...] = ()
    exit: tuple[str, ...] = ()
    children: tuple[DiagramState, ...] = ()

    def walk(self) -> list[DiagramState]:
        """This state and all its descendants, in document order."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


@dataclass(frozen=True)
class DiagramTransition:
    """One transition. ``targets`` is empty for a targetless transition; ``events`` is empty
    for an eventless one; ``guards`` are readable conditions (``unless`` ones negated)."""

    source: str
    targets: tuple[str, ...]
    events: tuple[str, ...]
    guards: tuple[str, ...] = ()
    internal: bool = False

    @property
    def is_self(self) -> bool:
        return self.targets == (self.source,)

    @property
    def is_eventless(self) -> bool:
        return not self.events


@dataclass(frozen=True)
class DiagramGraph:
    """A whole machine: its top-level states and every transition, in document order."""

    name: str
    states: tuple[DiagramState, ...]
    transitions: tuple[DiagramTransition, ...]

    def walk(self) -> list[DiagramState]:
        """Every state at every level, in document order."""
        return [s for top in self.states for s in top.walk()]

    @property
    def active(self) -> frozenset[str]:
        """The ids of the active states (empty for a diagram of a class)."""
        return frozenset(s.id for s in self.walk() if s.active)


def extract(machine_or_class: Any) -> DiagramGraph:
    """The diagram model of a machine instance (with its active states) or class.

    Raises:
        TypeError: the argument is neither a state machine class nor an instance of one.
    """
    from statemachine._machine import StateChart

    if isinstance(machine_or_class, StateChart):
        cls: type = type(machine_or_class)
        active = {id(s) for s in machine_or_class.configuration}
    elif isinstance(machine_or_class, type) and issubclass(machine_or_class, StateChart):
        cls, active = machine_or_class, set()
    else:
        raise TypeError(
            f"Cannot draw {machine_or_class!r}: pass a StateChart/StateMachine class or instance."
        )
    definition: MachineDefinition = cls._definition  # type: ignore[attr-defined]
    names = _ActionNames(cls, definition)

    def node(state: State) -> DiagramState:
        children = tuple(node(c) for c in (*state.states, *state.history))
        return DiagramState(
            id=state.id,
            name=state.name,
            type=_type_of(state),
            initial=bool(state.initial) and not state.is_history,
            active=id(state) in active,
            entry=names.of(state, "enter"),
            exit=names.of(state, "exit"),
            children=children,
        )

    return DiagramGraph(
        name=cls.__name__,
        states=tuple(node(s) for s in definition.top_states),
        transitions=tuple(_edge(t, definition) for t in definition.transitions),
    )


def _type_of(state: State) -> StateType:
    if state.is_history:
        kind = getattr(state, "type", None)
        deep = kind is not None and kind.is_deep
        return StateType.HISTORY_DEEP if deep else StateType.HISTORY_SHALLOW
    if state.parallel:
        return StateType.PARALLEL
    if state.states:
        return StateType.COMPOUND
    if state.final:
        return StateType.FINAL
    return StateType.ATOMIC


def _edge(t: Transition, definition: MachineDefinition) -> DiagramTransition:
    from statemachine._callbacks import Group

    guards = []
    for spec in definition.transition_specs[(t, Group.COND)]:
        label = spec.label
        guards.append(label if spec.expected else f"not {label}")
    return DiagramTransition(
        source=t.source.id,
        targets=tuple(s.id for s in t.targets),
        events=definition.transition_events[t],
        guards=tuple(guards),
        internal=bool(t.internal),
    )


class _ActionNames:
    """Entry/exit action names of states, read from declarations and the class only."""

    def __init__(self, cls: type, definition: MachineDefinition) -> None:
        self.cls = cls
        self.definition = definition

    def of(self, state: State, kind: str) -> tuple[str, ...]:
        from statemachine._callbacks import Group

        group = Group.ENTER if kind == "enter" else Group.EXIT
        labels = [spec.label for spec in self.definition.state_specs.get((state.id, group), ())]
        convention = f"on_{kind}_{state.id}"
        if callable(getattr(self.cls, convention, None)) and convention not in labels:
            labels.append(convention)
        return tuple(labels)
