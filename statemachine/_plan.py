"""The SCXML microstep plan: which states a set of transitions exits and enters.

Plans are plain data computed from the definition, never from callbacks, so every engine
drives the same algorithm. For flat machines (no compound, parallel or history states) the
plan of a transition does not depend on the configuration and is computed once per class.
"""

from __future__ import annotations

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from ._states import State
    from ._transitions import Transition

__all__ = [
    "MicroStep",
    "default_transition",
    "entry_set",
    "exit_set",
    "exits_with_causes",
    "flat_plan",
    "history_records",
    "is_in_final_state",
    "remove_conflicts",
    "stored_value",
    "stored_values",
]


def flat_plan(
    transition: Transition, self_transition_entries: bool
) -> tuple[tuple[State, ...], tuple[State, ...]]:
    """Return ``(exits, entries)`` for a transition between top-level atomic states.

    * A targetless transition exits and enters nothing.
    * An external transition exits its source and enters its target (a self-transition too).
    * An internal self-transition exits and re-enters its (atomic) source only when
      ``self_transition_entries`` is on (StateChart); otherwise it changes nothing
      (StateMachine).
    """
    target = transition.target
    if target is None:
        return (), ()
    if transition.internal and target is transition.source and not self_transition_entries:
        return (), ()
    return (transition.source,), (target,)


# --- the general algorithm (compound, parallel and history states) -----------------------------
#
# These follow the W3C SCXML recommendation's algorithm ("select transitions, remove
# conflicting transitions, compute the exit set, compute the entry set"). States are compared
# by identity; ``state.document_order`` orders entries (ascending) and exits (descending). The
# root (the machine itself) is represented by ``None``.


class MicroStep:
    """The plan of one microstep: what to exit and enter, in order, and why.

    Attributes:
        transitions: the enabled transitions, conflicts removed, in selection order.
        exits: states to exit, innermost/last first.
        exit_causes: for each exited state, the transition whose exit set holds it.
        entries: states to enter, outermost/first first.
        entry_causes: for each entered state, the transition that enters it: one of
            ``transitions``, or the default transition of a compound state (its initial
            child) or of a history state (no record yet) entered on the way.
        contents: state id -> default transitions whose ``on`` actions run right after that
            state is entered: a compound state's initial transition (default entry), and the
            default transition of a history state of it entered without a record.
        history: history records to store before exiting (history id -> states).
    """

    __slots__ = (
        "contents",
        "entries",
        "entry_causes",
        "exit_causes",
        "exits",
        "history",
        "transitions",
        "writes",
    )

    def __init__(
        self,
        transitions: list[Transition],
        exits: list[State],
        exit_causes: list[Transition],
        entries: list[State],
        entry_causes: list[Transition],
        contents: dict[str, list[Transition]],
        history: dict[str, list[State]],
    ) -> None:
        self.transitions = transitions
        self.exits = exits
        self.exit_causes = exit_causes
        self.entries = entries
        self.entry_causes = entry_causes
        self.contents = contents
        self.history = history
        # The model values along the way, from the configuration the plan was made for
        # (see stored_values); computed on first use.
        self.writes: tuple[list[Any], list[Any], Any] | None = None

    def __repr__(self) -> str:
        return (
            f"MicroStep(exits={[s.id for s in self.exits]}, entries={[s.id for s in self.entries]})"
        )


def stored_value(states: list[State]) -> Any:
    """How a configuration is stored on the model: None, one value, or (several states) the
    ordered values as a dict's keys, which the engine copies into a fresh OrderedSet."""
    if not states:
        return None
    if len(states) == 1:
        return states[0].value
    return dict.fromkeys(s.value for s in sorted(states, key=_order))


def _order(state: State) -> int:
    return state.document_order


def stored_values(plan: MicroStep, config: list[State]) -> tuple[list[Any], list[Any], Any]:
    """The model values after each exit and after each entry of ``plan`` applied to
    ``config`` (what a non-atomic update stores step by step), and the final one."""
    current = list(config)
    after_exits = []
    for s in plan.exits:
        current = [c for c in current if c is not s]
        after_exits.append(stored_value(current))
    after_entries = []
    for s in plan.entries:
        current.append(s)
        after_entries.append(stored_value(current))
    return after_exits, after_entries, stored_value(current)


def is_descendant(state: State, ancestor: State | None) -> bool:
    """True if ``ancestor`` is a proper ancestor of ``state`` (None, the root, always is)."""
    if ancestor is None:
        return True
    node = state.parent
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


def proper_ancestors(state: State, stop: State | None) -> list[State]:
    """Ancestors of ``state``, innermost first, up to (excluding) ``stop``."""
    result = []
    node = state.parent
    while node is not None and node is not stop:
        result.append(node)
        node = node.parent
    return result


def initial_children(state: State) -> list[State]:
    """The default entry of a compound state: its child marked initial, else the first."""
    children = state.states
    marked = [c for c in children if c.initial]
    return marked[:1] or children[:1]


def default_transition(state: State) -> Transition:
    """The transition a compound or history state is entered through by default.

    For a compound state, its initial transition (to its initial child). For a history
    state, its declared default transition; without one, a transition to the parent's
    initial child, so the configuration is never left empty (a deliberate difference from
    the reference, which enters nothing). Made once per state: these pseudo-transitions
    belong to the structure and are never part of ``state.transitions``.
    """
    cached: Transition | None = state.__dict__.get("_default_transition")
    if cached is not None:
        return cached
    if state.is_history:
        declared = state.transitions.transitions
        if declared:
            return declared[0]
        parent = state.parent
        targets = initial_children(parent) if parent is not None else []
    else:
        targets = initial_children(state)
    from ._transitions import Transition

    made = Transition(state, list(targets), initial=True)
    state.__dict__["_default_transition"] = made
    return made


def history_default(history_state: State) -> tuple[Transition | None, list[State]]:
    """The declared default transition of a history state (or None) and the states its
    default entry enters."""
    declared = history_state.transitions.transitions
    default = default_transition(history_state)
    return (declared[0] if declared else None), list(default.targets)


def effective_targets(t: Transition, history: dict[str, list[State]]) -> list[State]:
    """Targets with history pseudo-states replaced by what they stand for."""
    result: list[State] = []
    for s in t.targets:
        if s.is_history:
            recorded = history.get(s.id)
            result.extend(recorded if recorded else history_default(s)[1])
        else:
            result.append(s)
    return result


def find_lcca(states: list[State]) -> State | None:
    """The least common compound ancestor (None: the root)."""
    head, rest = states[0], states[1:]
    for anc in proper_ancestors(head, None):
        if anc.is_compound and all(is_descendant(s, anc) for s in rest):
            return anc
    return None


def transition_domain(t: Transition, history: dict[str, list[State]]) -> State | None:
    """The state whose descendants a transition exits and enters (None: the root)."""
    targets = effective_targets(t, history)
    if t.internal and t.source.is_compound and all(is_descendant(s, t.source) for s in targets):
        return t.source
    return find_lcca([t.source, *targets])


def _moves(t: Transition, self_entries: bool) -> bool:
    """Whether a transition exits/enters anything: targetless ones and, without
    ``self_entries``, internal self-transitions of atomic states, do not."""
    if not t.targets:
        return False
    return self_entries or not (t.internal and t.target is t.source and t.source.is_atomic)


def exit_set(
    transitions: list[Transition],
    configuration: list[State],
    history: dict[str, list[State]],
    self_entries: bool,
) -> list[State]:
    """States the transitions exit, innermost (last in document order) first."""
    return [s for s, _ in exits_with_causes(transitions, configuration, history, self_entries)]


def exits_with_causes(
    transitions: list[Transition],
    configuration: list[State],
    history: dict[str, list[State]],
    self_entries: bool,
) -> list[tuple[State, Transition]]:
    """The exit set, innermost first, each state with the (first) transition that exits it."""
    found: dict[int, tuple[State, Transition]] = {}
    for t in transitions:
        if not _moves(t, self_entries):
            continue
        domain = transition_domain(t, history)
        for s in configuration:
            if is_descendant(s, domain) and id(s) not in found:
                found[id(s)] = (s, t)
    return sorted(found.values(), key=lambda pair: -pair[0].document_order)


def remove_conflicts(
    transitions: list[Transition],
    configuration: list[State],
    history: dict[str, list[State]],
    self_entries: bool,
) -> list[Transition]:
    """Keep a conflict-free subset: two transitions conflict when their exit sets intersect;
    a transition from a descendant preempts one from its ancestor, else the first wins."""
    if len(transitions) < 2:
        return transitions
    exits = {
        id(t): {id(s) for s in exit_set([t], configuration, history, self_entries)}
        for t in transitions
    }
    kept: list[Transition] = []
    for t1 in transitions:
        preempted = False
        beaten: list[Transition] = []
        for t2 in kept:
            if exits[id(t1)] & exits[id(t2)]:
                if is_descendant(t1.source, t2.source):
                    beaten.append(t2)
                else:
                    preempted = True
                    break
        if not preempted:
            kept = [t for t in kept if t not in beaten]
            kept.append(t1)
    return kept


def entry_set(
    transitions: list[Transition],
    history: dict[str, list[State]],
    self_entries: bool,
) -> tuple[list[State], list[Transition], dict[str, list[Transition]]]:
    """States the transitions enter (document order), the transition that enters each one,
    and the default transitions whose actions run on the way (see :class:`MicroStep`)."""
    to_enter: dict[int, State] = {}
    causes: dict[int, Transition] = {}
    contents: dict[str, list[Transition]] = {}

    def add(state: State, cause: Transition) -> None:
        if id(state) not in to_enter:
            to_enter[id(state)] = state
            causes[id(state)] = cause

    def entering_below(child: State) -> bool:
        return any(s is child or is_descendant(s, child) for s in to_enter.values())

    def add_descendants(state: State, cause: Transition) -> None:
        if state.is_history:
            recorded = history.get(state.id)
            if recorded:
                targets, via = recorded, cause
            else:
                via = default_transition(state)
                targets = via.targets
                if state.parent is not None:
                    contents.setdefault(state.parent.id, []).append(via)
            for s in targets:
                add_descendants(s, via)
            for s in targets:
                add_ancestors(s, state.parent, via)
            return
        add(state, cause)
        if state.is_compound:
            initial = default_transition(state)
            contents.setdefault(state.id, []).append(initial)
            for s in initial.targets:
                add_descendants(s, initial)
                add_ancestors(s, state, initial)
        elif state.parallel:
            for child in state.states:
                if not entering_below(child):
                    add_descendants(child, cause)

    def add_ancestors(state: State, stop: State | None, cause: Transition) -> None:
        for anc in proper_ancestors(state, stop):
            add(anc, cause)
            if anc.parallel:
                for child in anc.states:
                    if not entering_below(child):
                        add_descendants(child, cause)

    for t in transitions:
        if not _moves(t, self_entries):
            continue
        for s in t.targets:
            add_descendants(s, t)
        domain = transition_domain(t, history)
        for s in effective_targets(t, history):
            add_ancestors(s, domain, t)
    entries = sorted(to_enter.values(), key=lambda s: s.document_order)
    return entries, [causes[id(s)] for s in entries], contents


def history_records(exits: list[State], configuration: list[State]) -> dict[str, list[State]]:
    """What each history state of an exited parent remembers."""
    records: dict[str, list[State]] = {}
    for s in exits:
        for h in s.history:
            if h.type.is_deep:
                records[h.id] = [c for c in configuration if c.is_atomic and is_descendant(c, s)]
            else:
                records[h.id] = [c for c in configuration if c.parent is s]
    return records


def is_in_final_state(state: State, configuration: list[State]) -> bool:
    """SCXML's isInFinalState: a compound whose active child is final, or a parallel whose
    regions all are."""
    if state.is_compound:
        return any(c.final and c in configuration for c in state.states)
    if state.parallel:
        return all(is_in_final_state(c, configuration) for c in state.states)
    return False
