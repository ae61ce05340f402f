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
    "entry_set",
    "exit_set",
    "flat_plan",
    "history_records",
    "initial_entry",
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
    """The plan of one microstep: what to exit and enter, in order.

    Attributes:
        transitions: the enabled transitions, conflicts removed, in selection order.
        exits: states to exit, innermost/last first.
        entries: states to enter, outermost/first first.
        history: history records to store before exiting (history id -> states).
        history_defaults: default transitions of history states entered without a record,
            whose ``on`` actions run when the history's parent is entered.
    """

    __slots__ = ("entries", "exits", "history", "history_defaults", "transitions", "writes")

    def __init__(
        self,
        transitions: list[Transition],
        exits: list[State],
        entries: list[State],
        history: dict[str, list[State]],
        history_defaults: list[Transition],
    ) -> None:
        self.transitions = transitions
        self.exits = exits
        self.entries = entries
        self.history = history
        self.history_defaults = history_defaults
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


def history_default(history_state: State) -> tuple[Transition | None, list[State]]:
    """The default transition of a history state and its targets.

    Without one, the parent's initial child is used, so the configuration is never left
    empty (a deliberate difference from the reference, which enters nothing).
    """
    declared = history_state.transitions.transitions
    if declared:
        return declared[0], list(declared[0].targets)
    parent = history_state.parent
    return None, initial_children(parent) if parent is not None else []


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
    found: dict[int, State] = {}
    for t in transitions:
        if not _moves(t, self_entries):
            continue
        domain = transition_domain(t, history)
        for s in configuration:
            if is_descendant(s, domain):
                found[id(s)] = s
    return sorted(found.values(), key=lambda s: -s.document_order)


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
) -> tuple[list[State], list[Transition]]:
    """States the transitions enter (document order) and the history default transitions
    whose actions run on the way."""
    to_enter: dict[int, State] = {}
    defaults: list[Transition] = []

    def entering_below(child: State) -> bool:
        return any(s is child or is_descendant(s, child) for s in to_enter.values())

    def add_descendants(state: State) -> None:
        if state.is_history:
            recorded = history.get(state.id)
            if recorded:
                targets = recorded
            else:
                default, targets = history_default(state)
                if default is not None:
                    defaults.append(default)
            for s in targets:
                add_descendants(s)
            for s in targets:
                add_ancestors(s, state.parent)
            return
        to_enter[id(state)] = state
        if state.is_compound:
            for s in initial_children(state):
                add_descendants(s)
                add_ancestors(s, state)
        elif state.parallel:
            for child in state.states:
                if not entering_below(child):
                    add_descendants(child)

    def add_ancestors(state: State, stop: State | None) -> None:
        for anc in proper_ancestors(state, stop):
            to_enter[id(anc)] = anc
            if anc.parallel:
                for child in anc.states:
                    if not entering_below(child):
                        add_descendants(child)

    for t in transitions:
        if not _moves(t, self_entries):
            continue
        for s in t.targets:
            add_descendants(s)
        domain = transition_domain(t, history)
        for s in effective_targets(t, history):
            add_ancestors(s, domain)
    return sorted(to_enter.values(), key=lambda s: s.document_order), defaults


def initial_entry(top_states: list[State], initial: State | None) -> list[State]:
    """The states entered when the machine starts (document order)."""
    to_enter: list[State] = []
    roots = [initial] if initial is not None else [s for s in top_states if s.parallel]

    def add(state: State) -> None:
        to_enter.append(state)
        if state.is_compound:
            for s in initial_children(state):
                add(s)
        elif state.parallel:
            for child in state.states:
                add(child)

    for r in roots:
        add(r)
    return sorted(to_enter, key=lambda s: s.document_order)


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
