"""The immutable, compiled definition of a machine class, and the builder that makes it.

:func:`build_definition` runs once per class, at class creation. It collects the declared
states, transitions and events (own and inherited), validates them, and freezes everything the
runtime needs into a :class:`MachineDefinition`: snapshots of every callback spec list, the
per-event transition tables and the static microstep plans. Later changes to the declaration
objects (a subclass adding a transition to an inherited state, say) never leak into a
definition that was already built.
"""

from __future__ import annotations

from . import exceptions
from ._callbacks import CallbackSpec, Group
from ._events import Event, expand_event_names
from ._plan import history_default, initial_children
from ._states import State
from ._transitions import Transition, TransitionList, event_matches, take_declared
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

__all__ = ["INITIAL_EVENT", "ROOT", "MachineDefinition", "build_definition"]

INITIAL_EVENT = "__initial__"
# The source of the initial transition: an empty state with id "", as callbacks expect a State.
ROOT = State()

# Generic naming-convention callbacks, looked up on every owner (machine, model, listeners).
GENERIC_CONVENTIONS = {
    Group.PREPARE: "prepare_event",
    Group.BEFORE: "before_transition",
    Group.ON: "on_transition",
    Group.EXIT: "on_exit_state",
    Group.ENTER: "on_enter_state",
    Group.INVOKE: "on_invoke_state",
    Group.AFTER: "after_transition",
}


class _Specs(dict):  # type: ignore[type-arg]
    """Callback specs by (state id or transition, group): no entry means none."""

    def __missing__(self, key: Any) -> tuple[CallbackSpec, ...]:
        return ()


# The spec list attributes of states and transitions, and the group each belongs to (`cond`
# then `unless`: both are conditions, in that order).
_STATE_GROUPS = (("enter", Group.ENTER), ("exit", Group.EXIT), ("invoke", Group.INVOKE))
_TRANSITION_GROUPS = (
    ("validators", Group.VALIDATORS),
    ("cond", Group.COND),
    ("unless", Group.COND),
    ("before", Group.BEFORE),
    ("on", Group.ON),
    ("after", Group.AFTER),
)


def declared_transition_specs(t: Transition) -> _Specs:
    """The callback specs ``t`` declares, by (transition, group), groups without specs left
    out (reading them never creates the lazy spec lists)."""
    specs = _Specs()
    if not t._has_specs:  # most transitions: no callbacks declared
        return specs
    # (Not read before: reading `__dict__` turns an object's attribute storage into a dict,
    # which cost a sixth of the time to define a class when done for every transition.)
    attrs = t.__dict__
    for attr, group in _TRANSITION_GROUPS:
        found = attrs.get(attr)
        if found is not None and found._specs:
            specs[(t, group)] = (*specs.get((t, group), ()), *found._specs)
    return specs


class MachineDefinition:
    """Everything about a machine class that does not change per instance.

    Attributes:
        states: every state, in document order.
        top_states: the top-level states.
        states_map: state value -> State.
        states_by_id: state id -> State.
        initial_state: the top-level initial state.
        final_states: the top-level final states.
        events: event id -> :class:`Event` (declared and implied by ``event=``).
        transitions: every transition, in document order.
        transition_events: transition -> the event ids it answers to (a frozen snapshot).
        state_specs: (state id, group) -> callback specs (a frozen snapshot).
        transition_specs: (transition, group) -> callback specs (a frozen snapshot).
        is_flat: no compound, parallel or history states.
        has_event_defaults: some event declares a default ``delay`` or ``internal``.
    """

    def __init__(
        self,
        name: str,
        states: list[State],
        top_states: list[State],
        events: dict[str, Event],
        transitions: list[Transition],
        initial_targets: list[State] | None = None,
    ) -> None:
        self.name = name
        self.states = tuple(states)
        self.top_states = tuple(top_states)
        initials = [s for s in top_states if s.initial]
        self.initial_state: State | None = initials[0] if initials else None
        # The initial entry runs as a transition from the (empty, id-less) root state to the
        # initial state, under the `__initial__` event; callbacks see it as `transition`.
        # (Documents may start deeper, in several states: `initial_targets`.)
        self.initial_transition = Transition(
            ROOT,
            initial_targets or ([self.initial_state] if self.initial_state is not None else []),
            event=INITIAL_EVENT,
        )
        self.final_states = tuple(s for s in top_states if s.final)
        self.events = dict(events)
        self.transitions = tuple(transitions)
        # One pass over the states and one over the transitions: class creation time matters
        # (a definition is built for every machine class, most never hold a callback).
        # Internal tables are keyed by state id: State hashes like its value, in Python code,
        # which would make class creation needlessly slow.
        # Only groups that have specs are stored; a missing key reads as no specs.
        self.states_map: dict[Any, State] = {}
        self.states_by_id: dict[str, State] = {}
        self.transitions_by_source: dict[str, tuple[Transition, ...]] = {}
        self.state_specs: dict[tuple[str, int], tuple[CallbackSpec, ...]] = _Specs()
        self.is_flat = True
        has_final = False
        for s in states:
            self.states_map[s._id if s._value is None else s._value] = s  # `s.value`, inlined
            self.states_by_id[s._id] = s
            if s.states or s.is_history:
                self.is_flat = False
            if s.final:
                has_final = True
            if s.transitions._items:  # a state's own list: its transitions, in order
                self.transitions_by_source[s._id] = tuple(s.transitions._items)  # type: ignore[arg-type]
            if not s._has_specs:  # most states: no callbacks declared
                continue
            attrs = s.__dict__
            for attr, group in _STATE_GROUPS:
                found = attrs.get(attr)
                if found is not None and found._specs:
                    self.state_specs[(s._id, group)] = tuple(found._specs)
        # A top level of parallel states alone, with final states somewhere: the machine
        # terminates when the active ones have completed (an ordinary top level terminates on
        # entering a final state). Without final states that can never happen.
        self.parallel_top = has_final and bool(top_states) and all(s.parallel for s in top_states)
        self.transition_events: dict[Transition, tuple[str, ...]] = {}
        self.transition_specs: dict[tuple[Transition, int], tuple[CallbackSpec, ...]] = _Specs()
        # Eventless transitions out of real states (a history default is not one of them).
        self.has_eventless = False
        for t in transitions:
            ids = self.transition_events[t] = tuple(t._events)
            if not ids and not t.source.is_history:
                self.has_eventless = True
            if t._has_specs:
                self.transition_specs.update(declared_transition_specs(t))
        self.has_event_defaults = any(e.delay or e.internal for e in events.values())

    def candidates(self, state: State, event: str | None) -> tuple[Transition, ...]:
        """Transitions that ``event`` may fire from ``state`` or its ancestors, in priority
        order (descendants first, then document order). ``None`` selects the eventless ones."""
        result = []
        for node in (state, *state.ancestors()):
            for t in self.transitions_by_source.get(node.id, ()):
                ids = self.transition_events[t]
                if event is None:
                    if not ids:
                        result.append(t)
                elif any(event_matches(d, event) for d in ids):
                    result.append(t)
        return tuple(result)

    @property
    def callback_names(self) -> frozenset[str]:
        """Every name a callback might be looked up under: explicit names and conventions.

        Made on first use (the first instance), not at class creation."""
        names = self.__dict__.get("_callback_names")
        if names is None:
            names = self.__dict__["_callback_names"] = self._collect_callback_names()
        return names

    def _collect_callback_names(self) -> frozenset[str]:
        names = set(GENERIC_CONVENTIONS.values())
        for specs in (*self.state_specs.values(), *self.transition_specs.values()):
            for spec in specs:
                if isinstance(spec.func, str):
                    names.add(spec.func)
                    if spec.expression is not None:
                        names.update(spec.expression.names())
                elif isinstance(spec.func, property) and spec.func.fget is not None:
                    names.add(spec.func.fget.__name__)
        for s in self.states:
            names.update((f"on_enter_{s.id}", f"on_exit_{s.id}", f"on_invoke_{s.id}"))
        for e in {e for ids in self.transition_events.values() for e in ids}:
            e = e.replace(".", "_")
            names.update((f"before_{e}", f"on_{e}", f"after_{e}"))
        return frozenset(names)


def _collect_states(
    namespace: dict[str, Any], inherited: Iterable[State], attrs: dict[str, Any]
) -> tuple[list[State], list[State]]:
    """Top-level states (inherited first, then the namespace's) and all states.

    States that come from a ``States`` collection are added to ``attrs`` so that they become
    class attributes too.
    """
    from .states import States

    top: list[State] = list(inherited)
    seen = {id(s) for s in top}
    named: dict[int, str] = {}  # id(state) -> the attribute that declares it here
    for key, value in namespace.items():
        found: list[tuple[str, State]]
        if isinstance(value, State):
            found = [(key, value)]
        elif isinstance(value, States):
            found = list(value.items())
            for ident, state in found:
                if ident not in namespace:
                    attrs[ident] = state
        else:
            continue
        for ident, state in found:
            identity = id(state)
            first = named.setdefault(identity, ident)
            # (`_id`, not the `id` property: class creation reads it for every state)
            if first != ident or (identity in seen and state._id != ident):
                # `b = a`: one State object can only be one state of the machine.
                raise exceptions.state_assigned_twice(first if first != ident else state._id, ident)
            if not state._id or (state._id != ident and state.parent is None):
                state._set_id(ident)  # the attribute names the state (a `States` member too)
            if state.parent is not None:
                continue  # a child given to `State(states=[...])`, named by its attribute
            if identity not in seen:
                seen.add(identity)
                top.append(state)
    everything: list[State] = []

    def walk(state: State) -> None:
        everything.append(state)
        if not state.states and not state.history:
            return
        for child in (*state.states, *state.history):
            if not child._id:
                child._set_id(_implicit_id(child, state))
            walk(child)

    for s in top:
        walk(s)
    for order, s in enumerate(everything, start=1):
        s.document_order = order
    return top, everything


def _implicit_id(child: State, parent: State) -> str:
    """The id of a child passed to ``State(states=[...])`` without being a class attribute:
    its value if that is an identifier, else its name as an identifier."""
    value = child._value
    if isinstance(value, str) and value.isidentifier():
        return value
    name = str(child._name) if child._name else ""
    ident = "".join(c if c.isalnum() else "_" for c in name.strip().lower())
    if not ident or not ident.isidentifier():
        raise exceptions.child_without_id(parent.id, child)
    return ident


def _hoist(namespace: dict[str, Any], states: list[State], attrs: dict[str, Any]) -> None:
    """Move what compound-state bodies declared (events, methods) onto the machine, and make
    every nested state an attribute too (``sm.child``), unless the name is taken."""
    for s in states:
        for key, value in s._hoisted.items():
            if key == "_":
                continue
            declared = take_declared(value)
            if declared is not None:  # kept for the subclasses that hoist this state again
                value = s._hoisted[key] = declared
            if key not in namespace:
                namespace[key] = value
                continue
            present = namespace[key]
            if present is value:
                continue
            if _is_event_like(present) and _is_event_like(value):
                # Two regions (or a region and the machine) declaring the same event name:
                # one event with the transitions of both. An explicit Event keeps its id,
                # name and defaults.
                namespace[key] = _merge_events(present, value)
            elif isinstance(value, (TransitionList, Event)):
                raise exceptions.hoisted_name_clash(key, s.id)
    for s in states:
        if s.parent is not None and s._id not in namespace and not s.is_history:
            attrs.setdefault(s._id, s)


def _is_event_like(value: Any) -> bool:
    return isinstance(value, TransitionList) or (
        isinstance(value, Event) and not isinstance(value, type)
    )


def _merge_events(first: Any, second: Any) -> Any:
    """One declaration with the transitions of both (the first's come first). An explicit
    Event is kept (extended in place), so references to that very object still find it."""
    items = [
        *(first._items if isinstance(first, TransitionList) else first.transitions._items),
        *(second._items if isinstance(second, TransitionList) else second.transitions._items),
    ]
    explicit = first if isinstance(first, Event) else second if isinstance(second, Event) else None
    if explicit is None:
        return TransitionList(items)
    explicit._transitions = TransitionList(items)
    return explicit


def _collect_events(
    namespace: dict[str, Any], top: list[State], inherited: dict[str, Event]
) -> tuple[dict[str, Event], dict[int, str]]:
    """Declared events (attribute name -> Event), wiring their ids onto the transitions.

    Also returns, for each unnamed ``Event`` object of the namespace, the id it received.
    """
    events = dict(inherited)
    named: dict[int, str] = {}
    decorated: dict[int, TransitionList] = {}  # `@a.to(b)` functions, by id: `go2 = go` too
    for key, value in list(namespace.items()):
        if key == "_" or isinstance(value, State):  # `_ = a.to(b)`: an eventless transition
            continue
        declared = decorated.get(id(value))
        if declared is None:
            declared = take_declared(value)
        if declared is not None:  # `@a.to(b)` above `def key(...)`
            decorated[id(value)] = value = declared
        if isinstance(value, TransitionList):
            value._expand(top)
            event = Event(value, id=key)
        elif isinstance(value, Event) and not isinstance(value, type):
            value._transitions._expand(top)
            event = value._renamed(value.id or key)
            if event.delay and event.internal:
                raise exceptions.delayed_internal(event.id)
            named[id(value)] = event.id
            if not value.id:
                value.id = event.id  # so callbacks given this very object find the event
        else:
            continue
        event_ids = expand_event_names(event.id) if event.id == key else [event.id]
        # A transition keeps the Event objects given explicitly (repr() shows their delay and
        # flags); an event made from a bare list has only defaults.
        given = event if isinstance(value, Event) else None
        for t in event.transitions._items:  # expanded: Transitions only
            for e in event_ids:
                t.add_event(e, given)  # type: ignore[union-attr]
        namespace[key] = event
        events[event.id] = event
        for e in event_ids[1:]:
            events.setdefault(e, Event(event.transitions, id=e, name=event._name))
    return events, named


def build_definition(
    name: str,
    namespace: dict[str, Any],
    bases_definitions: list[MachineDefinition],
    flags: dict[str, Any],
) -> tuple[MachineDefinition, dict[str, Any]]:
    """Build and validate the definition of a machine class.

    Returns the definition and the class attributes to set (events renamed from their
    attribute names, events implied by ``event=`` kwargs).

    Raises:
        InvalidDefinition: on any structural error, naming the state or event at fault.
    """
    inherited_states: list[State] = []
    inherited_events: dict[str, Event] = {}
    for base in bases_definitions:
        for s in base.top_states:
            if s not in inherited_states:
                inherited_states.append(s)
        inherited_events.update(base.events)

    state_attrs: dict[str, Any] = {}
    top, states = _collect_states(namespace, inherited_states, state_attrs)
    _hoist(namespace, states, state_attrs)
    events, named = _collect_events(namespace, top, inherited_events)
    updates: dict[str, Any] = {k: v for k, v in namespace.items() if isinstance(v, Event)}
    updates.update(state_attrs)

    # A state's own list holds Transitions only (placeholders live in event lists).
    transitions: list[Transition] = [t for s in states for t in s.transitions._items]  # type: ignore[misc]
    _check_membership(name, states, transitions, events)
    for t in transitions:
        if not t._event_refs:
            continue
        for ref in t._event_refs:
            if id(ref) not in named:
                raise exceptions.event_without_id(t, name)
            t.add_event(named[id(ref)], ref)
        del t._event_refs
    # Events named only through ``event=`` on a transition still get an Event and an attribute.
    members: dict[str, set[Transition]] = {}  # each event's transitions, made once per event
    for t in transitions:
        for e in t._events:
            if e not in events:
                given = t._event_objects.get(e)
                if given is not None and given.id == e:  # `event=Event("go", name="Go!")`
                    events[e] = Event(
                        TransitionList([t]),
                        id=e,
                        name=given._name,
                        delay=given.delay,
                        internal=given.internal,
                    )
                else:
                    events[e] = Event(TransitionList([t]), id=e)
                members[e] = {t}
                if e.isidentifier() and e not in namespace:
                    updates[e] = events[e]
                continue
            # (Transitions hash by identity: sets of them are cheap.)
            seen = members.get(e)
            if seen is None:
                seen = members[e] = set(events[e].transitions._items)  # type: ignore[arg-type]
            if t not in seen:
                events[e].transitions.add_transitions([t])
                seen.add(t)

    if not states:
        # Abstract machine: instantiation will say "There are no states or transitions."
        return MachineDefinition(name, [], [], events, []), updates

    _mark_initials(top, states)
    _validate(name, top, states, transitions, flags)
    # A machine built from a document may start in states below the top level (SCXML's
    # `<scxml initial="a.b c.d">`); their top-level ancestor is then the initial state.
    initial_targets = namespace.get("_initial_targets")
    return MachineDefinition(name, states, top, events, transitions, initial_targets), updates


def _check_membership(
    name: str, states: list[State], transitions: list[Transition], events: dict[str, Event]
) -> None:
    """Every transition goes between states of this machine: a target from another machine,
    or a state whose attribute name was taken over (``b = a.to(b)``), is a definition error."""
    # The targets of all transitions, then the sources of all events' transitions (the lists
    # are expanded: Transitions only); the culprit transition is looked for only on failure.
    target = _foreign(states, (s for t in transitions for s in t.targets))
    if target is not None:
        t = next(t for t in transitions if any(s is target for s in t.targets))
        raise exceptions.foreign_state(name, t, target)
    listed: list[Transition] = [
        t  # type: ignore[misc]
        for event in events.values()
        for t in event.transitions._items
    ]
    source = _foreign(states, (t.source for t in listed))
    if source is not None:
        t = next(t for t in listed if t.source is source)
        raise exceptions.foreign_state(name, t, source)


def _foreign(states: list[State], candidates: Iterable[State]) -> State | None:
    """The first of ``candidates`` that is not one of ``states``. States were numbered by
    document order as they were collected (``states[order - 1]``), so membership is one
    index, where a set of ``id()``s would cost a call per state."""
    count = len(states)
    for s in candidates:
        order = s.document_order
        if not 0 < order <= count or states[order - 1] is not s:
            return s
    return None


def _mark_initials(top: list[State], states: list[State]) -> None:
    """Where no state of a level is marked ``initial=True``, its first declared state is the
    initial one (``State.initial`` then reads True); every region of a parallel state is
    entered with it, so each region is initial."""
    levels = [top] + [s.states for s in states if s.states and not s.parallel]
    for level in levels:
        if level and not any(s.initial for s in level):
            level[0].initial = True
    for s in states:
        if s.parallel:
            for region in s.states:
                region.initial = True


def _place(state: State, machine: str) -> str:
    """Where a state is declared, for messages: its parent compound, or the machine."""
    return f"{state.parent.id!r}" if state.parent is not None else f"the top level of {machine!r}"


def _validate(
    name: str,
    top: list[State],
    states: list[State],
    transitions: list[Transition],
    flags: dict[str, Any],
) -> None:
    initials = [s for s in top if s.initial]
    if len(initials) > 1:
        raise exceptions.initial_states(initials, name)

    _validate_nesting(top, states)
    seen_ids: dict[str, State] = {}
    seen_values: dict[Any, State] = {}
    for s in states:
        # History states too: two `h = HistoryState()` would share one entry of `states_map`.
        first = seen_ids.setdefault(s._id, s)
        if first is not s:
            raise exceptions.duplicate_state_id(s._id, _place(first, name), _place(s, name))
        if s.is_history:
            continue
        value = s._id if s._value is None else s._value  # `s.value`, without the call
        other = seen_values.setdefault(value, s)
        if other is not s:
            raise exceptions.duplicate_values(other._id, s._id, value)
    for s in states:
        if s.donedata is not None and not s.final:
            raise exceptions.donedata_not_final(s._id)

    # The graph, once. States are numbered by document order (1 to n, `states[order - 1]`),
    # and the graph is kept by those numbers: cheaper than sets of `id()`s, and a State
    # hashes like its value, in Python code. `targets[order]`: the targets of the transitions
    # out of that state; `sources[order]`: the sources of the transitions into it.
    count = len(states) + 1
    targets: list[list[State] | None] = [None] * count
    sources: list[list[State] | None] = [None] * count
    bad_final: dict[str, None] = {}
    unnamed: Transition | None = None
    for t in transitions:
        source = t.source
        if t.internal and any(
            target is not source and source not in target.ancestors() for target in t.targets
        ):
            raise exceptions.invalid_internal(source, t.targets[0])
        if source.final:
            bad_final[source._id] = None
        if unnamed is None and "" in t._events:
            unnamed = t
        order = source.document_order
        out = targets[order]
        if out is None:
            targets[order] = list(t.targets)
        else:
            out.extend(t.targets)
        for target in t.targets:
            into = sources[target.document_order]
            if into is None:
                sources[target.document_order] = [source]
            else:
                into.append(source)
    if bad_final:
        raise exceptions.transitions_from_final(list(bad_final))
    if unnamed is not None:
        raise exceptions.event_without_id(unnamed, name)

    if flags.get("validate_disconnected_states", True):
        reached = _reachable(top, targets)
        unreachable = [s for s in states if not reached[s.document_order] and not s.is_history]
        if unreachable:
            raise exceptions.disconnected(unreachable)

    atomic = [s for s in states if not s.states and not s.is_history]
    finals = [s for s in atomic if s.final]
    if finals and flags.get("validate_trap_states", True):
        # Deliberate difference: with no final state at all, states without outgoing
        # transitions are terminal states, not traps.
        traps = [s for s in atomic if not s.final and not _has_way_out(s, targets)]
        if traps:
            raise exceptions.trap_states(traps)

    if finals and flags.get("validate_final_reachability", True):
        reaches = _reaching(finals, sources)
        dead = [s for s in atomic if not s.final and not reaches[s.document_order]]
        if dead:
            raise exceptions.final_unreachable(dead)


def _has_way_out(state: State, targets: list[list[State] | None]) -> bool:
    """Whether a transition leaves ``state`` or one of its ancestors."""
    node: State | None = state
    while node is not None:
        if targets[node.document_order] is not None:
            return True
        node = node.parent
    return False


def _validate_nesting(top: list[State], states: list[State]) -> None:
    """Structural rules of compound, parallel and history states."""
    for s in top:
        if s.is_history:
            raise exceptions.history_outside_compound(s.id)
    for s in states:
        if s.parallel and not s.states:
            raise exceptions.parallel_without_regions(s.id)
        if s.states and not s.parallel:
            marked = [c for c in s.states if c.initial]
            if len(marked) > 1:
                raise exceptions.initial_states(marked, f"compound state {s.id!r}")
        kinds: dict[str, State] = {}
        for h in s.history:
            kind = str(getattr(h, "type", "shallow"))
            if kind in kinds:
                raise exceptions.duplicate_history(s.id, kinds[kind].id, h.id)
            kinds[kind] = h


def _reachable(top: list[State], targets: list[list[State] | None]) -> list[bool]:
    """Whether each state (by document order) is reachable from the initial configuration,
    along transitions (``targets``: by document order of the source) and nesting."""
    seen = [False] * len(targets)
    stack = [s for s in top if s.initial]
    while stack:
        s = stack.pop()
        if seen[s.document_order]:
            continue
        seen[s.document_order] = True
        out = targets[s.document_order]
        if out is not None:
            stack.extend(out)
        if s.parent is None and not s.states:  # a flat state: nothing else leads on
            continue
        # Entering a compound reaches its initial child only; a parallel, all its regions.
        # History states count as reached with their parent (as in the reference), so
        # their default transitions lead on.
        if s.parallel:
            stack.extend(s.states)
        elif s.states:
            stack.extend(initial_children(s))
        stack.extend(s.history)
        if s.is_history:
            stack.extend(history_default(s)[1])
        # A transition out of an ancestor is available from every descendant.
        node = s.parent
        if node is not None:
            stack.append(node)
        while node is not None:
            stack.extend(targets[node.document_order] or ())
            node = node.parent
    return seen


def _reaching(finals: list[State], sources: list[list[State] | None]) -> list[bool]:
    """Whether some final state can be reached from each state (by document order), along
    transitions (``sources``: by document order of the target) and nesting."""
    seen = [False] * len(sources)
    stack = list(finals)
    while stack:
        s = stack.pop()
        if seen[s.document_order]:
            continue
        seen[s.document_order] = True
        into = sources[s.document_order]
        if into is not None:
            stack.extend(into)
        parent = s.parent
        if parent is None and not s.states:  # a flat state: nothing else leads here
            continue
        # Transitions out of a state are available in all its descendants.
        stack.extend(s.states)
        if parent is not None and (parent.parallel or s in initial_children(parent)):
            # Entering the parent enters this state (its default entry, or a region), so
            # whatever enters the parent reaches a final state too; and so does its history.
            stack.append(parent)
            stack.extend(parent.history)
    return seen
