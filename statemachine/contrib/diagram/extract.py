"""Extraction: a machine class, or an instance with its active states, as a
:class:`~statemachine.contrib.diagram.model.DiagramGraph`.

:func:`extract` reads the class's compiled definition only. It never instantiates the
machine and never resolves callbacks: action names are those the class declares (inline
specs, decorators, and ``on_enter_<id>`` / ``on_exit_<id>`` methods found on the class).

>>> from statemachine import State, StateChart
>>> class Door(StateChart):
...     closed = State(initial=True)
...     opened = State()
...     open = closed.to(opened, cond="unlocked")
...     close = opened.to(closed, unless="jammed")
...     unlocked = jammed = True
>>> graph = extract(Door())
>>> [(t.source, t.targets, t.event, t.guards) for t in graph.transitions]
[('closed', ['opened'], 'Open', ['unlocked']), ('opened', ['closed'], 'Close', ['!jammed'])]
>>> sorted(graph.active)
['closed']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ._notes import add_note
from .model import (
    ActionType,
    DiagramAction,
    DiagramGraph,
    DiagramState,
    DiagramTransition,
    StateType,
)

if TYPE_CHECKING:
    from statemachine._definition import MachineDefinition
    from statemachine._states import State
    from statemachine._transitions import Transition

__all__ = ["extract"]

# A guard that is more than one name gets parentheses when negated: `!(a and b)`.
_SIMPLE_NAME = re.compile(r"[\w.]+\Z")


def extract(machine_or_class: Any) -> DiagramGraph:
    """The diagram model of a machine instance (with its active states) or class.

    Raises:
        TypeError: the argument is neither a state machine class nor an instance of one.
    """
    from statemachine._machine import StateChart

    if isinstance(machine_or_class, StateChart):
        cls: type = type(machine_or_class)
        active = {s.id for s in machine_or_class.configuration}
    elif isinstance(machine_or_class, type) and issubclass(machine_or_class, StateChart):
        cls, active = machine_or_class, set()
    else:
        error = TypeError(f"Expected a StateChart instance or class, got {type(machine_or_class)}")
        add_note(error, f"Cannot draw {machine_or_class!r}: pass a machine class or instance.")
        raise error
    return _Extractor(cls, active).graph()


class _Extractor:
    """Builds the graph of one class; ``active`` holds the ids of the active states."""

    def __init__(self, cls: type, active: set[str]) -> None:
        self.cls = cls
        self.definition: MachineDefinition = cls._definition  # type: ignore[attr-defined]
        self.active = active
        from statemachine._plan import initial_children

        # The states entered by default: the machine's initial state, and each compound's
        # marked child (else its first child); by identity.
        self.initials = {id(self.definition.initial_state)}
        for state in self.definition.states:
            if state.states and not state.parallel:
                self.initials.update(id(c) for c in initial_children(state))

    def graph(self) -> DiagramGraph:
        top = self.definition.top_states
        states = [self.state(s, in_parallel=False) for s in top]
        transitions: list[DiagramTransition] = []
        for state in top:
            self.collect_transitions(state, transitions)
        compound = {s.id for top_state in states for s in top_state.walk() if s.children}
        drawn = [t for t in transitions if not t.is_initial and not t.is_internal]
        sources = {t.source for t in drawn}
        targets = {target for t in drawn for target in t.targets}
        return DiagramGraph(
            name=self.cls.__name__,
            states=states,
            transitions=transitions,
            compound_state_ids=compound,
            bidirectional_compound_ids=compound & sources & targets,
        )

    def state(self, state: State, *, in_parallel: bool) -> DiagramState:
        children = [
            self.state(c, in_parallel=bool(state.parallel)) for c in (*state.states, *state.history)
        ]
        return DiagramState(
            id=state.id,
            name=state.name,
            type=_type_of(state),
            actions=self.actions(state),
            children=children,
            is_active=state.id in self.active,
            is_parallel_area=in_parallel,
            is_initial=id(state) in self.initials,
        )

    def collect_transitions(self, state: State, into: list[DiagramTransition]) -> None:
        """``state``'s transitions, its initial arrows, then its children's, recursively."""
        for t in self.definition.transitions_by_source.get(state.id, ()):
            into.append(self.transition(t))
        if state.parallel:
            regions = [c.id for c in state.states]
        else:
            regions = [c.id for c in state.states if id(c) in self.initials]
        into.extend(DiagramTransition(state.id, [r], is_initial=True) for r in regions)
        for child in (*state.states, *state.history):
            self.collect_transitions(child, into)

    def transition(self, t: Transition) -> DiagramTransition:
        from statemachine._callbacks import Group

        ids = list(self.definition.transition_events[t])
        events = self.definition.events
        names = [events[i].name if i in events else i for i in ids]
        guards = [
            spec.label if spec.expected else _negate(spec.label)
            for spec in self.definition.transition_specs[(t, Group.COND)]
        ]
        actions = [spec.label for spec in self.definition.transition_specs[(t, Group.ON)]]
        return DiagramTransition(
            source=t.source.id,
            targets=[s.id for s in t.targets],
            event=" ".join(names),
            guards=guards,
            actions=actions,
            is_internal=bool(t.internal),
            event_ids=ids,
        )

    def actions(self, state: State) -> list[DiagramAction]:
        found = []
        for kind in (ActionType.ENTRY, ActionType.EXIT):
            names = self.callback_names(state, kind)
            if names:
                found.append(DiagramAction(kind, ", ".join(names)))
        for t in self.definition.transitions_by_source.get(state.id, ()):
            if not t.internal:
                continue
            drawn = self.transition(t)
            if drawn.actions:
                body = f"{drawn.event} / {', '.join(drawn.actions)}"
                found.append(DiagramAction(ActionType.INTERNAL, body))
        return found

    def callback_names(self, state: State, kind: ActionType) -> list[str]:
        from statemachine._callbacks import Group

        group = Group.ENTER if kind is ActionType.ENTRY else Group.EXIT
        names = [spec.label for spec in self.definition.state_specs.get((state.id, group), ())]
        convention = f"on_{'enter' if kind is ActionType.ENTRY else 'exit'}_{state.id}"
        if callable(getattr(self.cls, convention, None)) and convention not in names:
            names.append(convention)
        return names


def _negate(guard: str) -> str:
    return f"!{guard}" if _SIMPLE_NAME.match(guard) else f"!({guard})"


def _type_of(state: State) -> StateType:
    if state.is_history:
        kind = getattr(state, "type", None)
        deep = kind is not None and kind.is_deep
        return StateType.HISTORY_DEEP if deep else StateType.HISTORY_SHALLOW
    if state.parallel:
        return StateType.PARALLEL
    if state.final:
        return StateType.FINAL
    return StateType.REGULAR
