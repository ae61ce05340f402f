"""Tests of the definition side: states, transitions, events and the class-level views.

Everything here is about what a machine class *is* once its ``class`` statement has run.
Runtime behaviour appears only where it is the simplest way to show that a declaration took
effect (a kwarg, a decorator).
"""

from __future__ import annotations

import types
from enum import Enum

import pytest

from statemachine import Event, State, StateChart, StateMachine
from statemachine.exceptions import InvalidDefinition, TransitionNotAllowed
from statemachine.states import States


def transitions_of(state):
    """The transitions whose source is ``state``, as a plain list."""
    return list(state.transitions)


def event_ids(machine_cls):
    """Every event id a machine class registers, whatever the grouping of its ``Event``s."""
    return {part for event in machine_cls.events for part in str(event.id).split()}


def ids(states):
    return [state.id for state in states]


# --- State kwargs ---------------------------------------------------------------------------


def test_state_name_is_humanized_from_its_id():
    """A state without ``name`` gets its id with underscores as spaces, first word capitalized."""

    class Journey(StateChart):
        bag_end = State(initial=True)
        mount_doom = State(final=True)
        leave = bag_end.to(mount_doom)

    assert Journey.bag_end.name == "Bag end"
    assert Journey.mount_doom.name == "Mount doom"


def test_state_explicit_name_wins_over_the_id():
    """A ``name`` given as first positional argument is used as the display name."""

    class Journey(StateChart):
        bag_end = State("Home of Bilbo", initial=True)
        mount_doom = State(final=True)
        leave = bag_end.to(mount_doom)

    assert Journey.bag_end.name == "Home of Bilbo"
    assert Journey.bag_end.id == "bag_end"


def test_state_value_defaults_to_its_id():
    """Without ``value``, the persisted value of a state is its attribute id."""

    class Journey(StateChart):
        bag_end = State(initial=True)
        rivendell = State(final=True)
        leave = bag_end.to(rivendell)

    assert Journey.bag_end.value == "bag_end"
    assert Journey.rivendell.value == "rivendell"


def test_state_explicit_value_is_kept():
    """An explicit ``value`` replaces the id as the persisted value."""

    class Ticket(StateChart):
        opened = State(initial=True, value=10)
        closed = State(final=True, value=20)
        close = opened.to(closed)

    assert Ticket.opened.value == 10
    assert Ticket.closed.value == 20
    assert Ticket.opened.id == "opened"


def test_state_initial_and_final_flags():
    """``initial`` and ``final`` are exposed as booleans, False by default."""

    class Ticket(StateChart):
        opened = State(initial=True)
        working = State()
        closed = State(final=True)
        start = opened.to(working)
        close = working.to(closed)

    assert (Ticket.opened.initial, Ticket.opened.final) == (True, False)
    assert (Ticket.working.initial, Ticket.working.final) == (False, False)
    assert (Ticket.closed.initial, Ticket.closed.final) == (False, True)


def test_state_enter_and_exit_kwargs_accept_callables_and_names():
    """``enter=`` and ``exit=`` take a callable, a method name or a list of them."""
    calls = []

    class Door(StateMachine):
        shut = State(
            initial=True,
            enter=[lambda: calls.append("enter shut"), "note_enter"],
            exit="note_exit",
        )
        open = State(final=True)
        push = shut.to(open)

        def note_enter(self):
            calls.append("note_enter")

        def note_exit(self):
            calls.append("note_exit")

    sm = Door()
    assert calls == ["enter shut", "note_enter"]
    sm.push()
    assert calls == ["enter shut", "note_enter", "note_exit"]


# --- State equality and hashing -------------------------------------------------------------


def test_state_equals_its_value_and_hashes_like_it():
    """A state compares equal to its value and has the same hash, so it works as a dict key."""

    class Ticket(StateChart):
        opened = State(initial=True, value=1)
        closed = State(final=True, value=2)
        close = opened.to(closed)

    assert Ticket.opened == 1
    assert hash(Ticket.opened) == hash(1)
    assert {1: "found"}[Ticket.opened] == "found"
    assert Ticket.opened in {1, 3}


def test_state_with_default_value_equals_its_id_string():
    """With the default value, a state equals (and hashes like) its id string."""

    class Ticket(StateChart):
        opened = State(initial=True)
        closed = State(final=True)
        close = opened.to(closed)

    assert Ticket.opened == "opened"
    assert hash(Ticket.opened) == hash("opened")
    assert "opened" in {Ticket.opened}


def test_distinct_states_are_not_equal():
    """Two states with different values are different, and both fit in a set."""

    class Ticket(StateChart):
        opened = State(initial=True)
        closed = State(final=True)
        close = opened.to(closed)

    assert Ticket.opened != Ticket.closed
    assert Ticket.opened != "closed"
    assert len({Ticket.opened, Ticket.closed}) == 2


# --- Transition builders --------------------------------------------------------------------


def test_to_creates_one_transition_from_source_to_target():
    """``a.to(b)`` assigned to ``go`` is one transition a -> b triggered by ``go``."""

    class M(StateChart):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    (transition,) = transitions_of(M.a)
    assert transition.source.id == "a"
    assert transition.target.id == "b"
    assert ids(transition.targets) == ["b"]
    assert transition.event == "go"
    assert transitions_of(M.b) == []


def test_to_itself_creates_a_self_transition():
    """``a.to.itself()`` targets its own source and is flagged ``is_self``."""

    class M(StateChart):
        a = State(initial=True)
        b = State(final=True)
        loop = a.to.itself()
        go = a.to(b)

    loop, go = transitions_of(M.a)
    assert loop.target.id == "a"
    assert loop.is_self is True
    assert go.is_self is False


def test_from_creates_transitions_from_each_source():
    """``target.from_(x, y)`` is the reversed builder: one transition per source."""

    class M(StateChart):
        draft = State(initial=True)
        producing = State()
        cancelled = State(final=True)
        produce = draft.to(producing)
        cancel = cancelled.from_(draft, producing)

    cancel_from_draft = [t for t in transitions_of(M.draft) if t.event == "cancel"]
    cancel_from_producing = [t for t in transitions_of(M.producing) if t.event == "cancel"]
    assert [t.target.id for t in cancel_from_draft] == ["cancelled"]
    assert [t.target.id for t in cancel_from_producing] == ["cancelled"]


def test_from_any_creates_transitions_from_every_non_final_state():
    """``target.from_.any()`` adds a transition from each non-final top-level state."""

    class M(StateChart):
        draft = State(initial=True)
        producing = State()
        closed = State(final=True)
        aborted = State(final=True)
        produce = draft.to(producing)
        close = producing.to(closed)
        abort = aborted.from_.any()

    for source in (M.draft, M.producing):
        targets = [t.target.id for t in transitions_of(source) if t.event == "abort"]
        assert targets == ["aborted"], source.id
    assert transitions_of(M.closed) == []
    assert transitions_of(M.aborted) == []


def test_pipe_combines_transitions_under_one_event():
    """``a.to(b) | b.to(c)`` puts both transitions under the attribute's event."""

    class M(StateChart):
        a = State(initial=True)
        b = State()
        c = State(final=True)
        step = a.to(b) | b.to(c)

    assert [(t.source.id, t.target.id, t.event) for t in transitions_of(M.a)] == [
        ("a", "b", "step")
    ]
    assert [(t.source.id, t.target.id, t.event) for t in transitions_of(M.b)] == [
        ("b", "c", "step")
    ]


def test_several_targets_make_several_transitions_in_order():
    """``a.to(b, c)`` is two single-target transitions, in argument order, not one multi-target."""

    class M(StateChart):
        a = State(initial=True)
        b = State(final=True)
        c = State(final=True)
        go = a.to(b, c)

    transitions = transitions_of(M.a)
    assert [t.target.id for t in transitions] == ["b", "c"]
    assert all(len(t.targets) == 1 for t in transitions)
    assert {t.event for t in transitions} == {"go"}


def test_first_of_several_targets_wins_when_both_are_enabled():
    """Declaration order is evaluation order: the first target whose guards pass is taken."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        c = State(final=True)
        go = a.to(b, c)

    sm = M()
    sm.go()
    assert sm.b.is_active
    assert not sm.c.is_active


# --- Transition kwargs ----------------------------------------------------------------------


def test_transition_is_external_by_default():
    """Without ``internal=True`` a transition is external."""

    class M(StateChart):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    (transition,) = transitions_of(M.a)
    assert transition.internal is False


def test_internal_kwarg_is_recorded_on_the_transition():
    """``a.to.itself(internal=True)`` gives an internal self-transition."""

    class M(StateChart):
        a = State(initial=True)
        b = State(final=True)
        tick = a.to.itself(internal=True)
        go = a.to(b)

    tick = next(t for t in transitions_of(M.a) if t.event == "tick")
    assert tick.internal is True
    assert tick.is_self is True


def test_cond_kwarg_guards_the_transition():
    """A falsy ``cond`` blocks the transition; a StateMachine then refuses the event."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, cond="ready")
        ready = False

    sm = M()
    with pytest.raises(TransitionNotAllowed):
        sm.go()
    assert sm.a.is_active


def test_cond_kwarg_lets_the_transition_through_when_truthy():
    """A truthy ``cond`` lets the transition run."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, cond="ready")
        ready = True

    sm = M()
    sm.go()
    assert sm.b.is_active


def test_unless_kwarg_blocks_when_truthy():
    """``unless`` is a negative guard: a truthy value blocks the transition."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, unless="locked")
        locked = True

    sm = M()
    with pytest.raises(TransitionNotAllowed):
        sm.go()
    assert sm.a.is_active


def test_validators_kwarg_exception_propagates():
    """A validator rejects a transition by raising; the exception reaches the caller."""

    def refuse():
        raise ValueError("not today")

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, validators=refuse)

    sm = M()
    with pytest.raises(ValueError, match="not today"):
        sm.go()
    assert sm.a.is_active


def test_before_on_after_kwargs_run_in_that_order():
    """``before=``, ``on=`` and ``after=`` all run, in this order."""
    calls = []

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(
            b,
            before=lambda: calls.append("before"),
            on="do_on",
            after=[lambda: calls.append("after")],
        )

        def do_on(self):
            calls.append("on")

    M().go()
    assert calls == ["before", "on", "after"]


# --- TransitionList decorators --------------------------------------------------------------


@pytest.mark.parametrize("group", ["before", "on", "after", "cond", "unless", "validators"])
def test_transition_list_decorator_returns_the_function(group):
    """Each decorator of a TransitionList returns the decorated function unchanged."""
    returned = {}

    def callback(self):
        return False

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)
        returned["value"] = getattr(go, group)(callback)

    assert returned["value"] is callback


def test_transition_list_decorated_method_stays_a_method_of_the_class():
    """A method decorated with ``@go.on`` is still a plain function on the class."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

        @go.on
        def do_go(self):
            return "went"

    assert isinstance(M.__dict__["do_go"], types.FunctionType)


def test_transition_list_on_decorator_registers_an_action():
    """``@go.on`` registers the method as an ``on`` action: its result is the send() result."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

        @go.on
        def do_go(self):
            return "went"

    assert M().go() == "went"


def test_transition_list_cond_decorator_registers_a_guard():
    """``@go.cond`` registers the method as a guard of every transition of the list."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

        @go.cond
        def never(self):
            return False

    sm = M()
    with pytest.raises(TransitionNotAllowed):
        sm.go()
    assert sm.a.is_active


def test_to_used_as_decorator_declares_an_event_with_an_on_action():
    """``@a.to(b)`` over a method declares the event named after it, with the method as ``on``."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)

        @a.to(b)
        def go(self):
            return "on go"

    assert "go" in event_ids(M)
    (transition,) = transitions_of(M.a)
    assert transition.event == "go"
    sm = M()
    assert sm.send("go") == "on go"
    assert sm.b.is_active


# --- Event ----------------------------------------------------------------------------------


def test_event_is_a_str_equal_to_its_id():
    """``Event`` subclasses str: it compares equal to its id string."""
    event = Event("go")
    assert isinstance(event, str)
    assert event == "go"
    assert event.id == "go"


def test_event_with_non_str_id_raises():
    """``Event(t1, t2)`` passes a TransitionList as id, which is rejected with a hint to use |."""
    a = State()
    b = State()
    with pytest.raises(InvalidDefinition, match=r"non-string 'id'(.|\n)*\|"):
        Event(a.to(b), b.to(a))


def test_event_name_is_humanized_from_the_attribute_id():
    """An ``Event`` assigned to ``go_now`` has id ``go_now`` and name ``Go now``."""

    class M(StateChart):
        a = State(initial=True)
        b = State(final=True)
        go_now = Event(a.to(b))

    (event,) = M.events
    assert event.id == "go_now"
    assert event.name == "Go now"


def test_event_explicit_name_is_kept():
    """An explicit ``name=`` replaces the humanized id."""

    class M(StateChart):
        a = State(initial=True)
        b = State(final=True)
        go = Event(a.to(b), name="Let's go!")

    (event,) = M.events
    assert event.id == "go"
    assert event.name == "Let's go!"


def test_event_explicit_id_wins_over_the_attribute_name():
    """``go = Event(..., id="start")`` registers ``start`` and not ``go``."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = Event(a.to(b), id="start")

    assert event_ids(M) == {"start"}
    sm = M()
    sm.send("start")
    assert sm.b.is_active


def test_event_decorators_register_callbacks():
    """``@ev.on`` on a class-level ``Event`` registers an ``on`` action and returns the method."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = Event(a.to(b))

        @go.on
        def do_go(self):
            return "went"

    assert isinstance(M.__dict__["do_go"], types.FunctionType)
    assert M().go() == "went"


def test_event_cond_decorator_registers_a_guard():
    """``@ev.cond`` on a class-level ``Event`` guards its transitions."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = Event(a.to(b))

        @go.cond
        def allowed(self):
            return False

    sm = M()
    with pytest.raises(TransitionNotAllowed):
        sm.go()


@pytest.mark.parametrize("group", ["before", "on", "after", "cond", "unless", "validators"])
def test_event_decorator_without_transitions_raises(group):
    """An ``Event`` with no transitions cannot take callbacks; the error names the callback."""
    lonely = Event("lonely")

    def callback():
        return True

    with pytest.raises(InvalidDefinition) as caught:
        getattr(lonely, group)(callback)
    assert str(caught.value) == (
        f"Cannot add callback '{callback}' to an event with no transitions."
    )
    assert caught.value.__notes__ == [
        "Give the Event its transitions first, e.g. `go = Event(a.to(b))`."
    ]


def test_space_separated_event_kwarg_registers_several_events():
    """``event="x y"`` makes the transition respond to both ``x`` and ``y``."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, event="push shove")

    (transition,) = transitions_of(M.a)
    assert {"push", "shove"} <= set(map(str, transition.events))
    assert {"push", "shove"} <= event_ids(M)
    sm = M()
    sm.send("shove")
    assert sm.b.is_active


def test_list_event_kwarg_registers_several_events():
    """``event=["x", Event("y")]`` makes the transition respond to both ids."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, event=["push", Event("shove")])

    (transition,) = transitions_of(M.a)
    assert {"push", "shove"} <= set(map(str, transition.events))
    sm = M()
    sm.send("push")
    assert sm.b.is_active


def test_event_kwarg_can_reference_a_declared_event():
    """``event=start`` reuses an already declared Event: the transition answers to ``start``."""

    class M(StateMachine):
        a = State(initial=True)
        b = State()
        c = State(final=True)
        start = Event(a.to(b))
        proceed = b.to(c, event=start)

    (transition,) = transitions_of(M.b)
    assert "start" in set(map(str, transition.events))
    sm = M()
    sm.send("start")
    sm.send("start")
    assert sm.c.is_active


def test_transition_event_is_its_single_event_id():
    """A transition's ``event`` is a str, ``events`` lists every id it answers to."""

    class M(StateChart):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    (transition,) = transitions_of(M.a)
    assert isinstance(transition.event, str)
    assert transition.event == "go"
    assert list(map(str, transition.events)) == ["go"]


# --- Naming-convention expansion ------------------------------------------------------------


def test_done_state_attribute_also_registers_the_dotted_event():
    """``done_state_X`` registers ``done_state_X`` and ``done.state.X``, converting the prefix."""

    class M(StateChart):
        working = State(initial=True)
        finished = State(final=True)
        done_state_working = working.to(finished)

    assert event_ids(M) == {"done_state_working", "done.state.working"}


def test_done_state_expansion_converts_only_the_prefix():
    """Underscores after the prefix stay: ``done_state_my_job`` -> ``done.state.my_job``."""

    class M(StateChart):
        my_job = State(initial=True)
        finished = State(final=True)
        done_state_my_job = my_job.to(finished)

    assert event_ids(M) == {"done_state_my_job", "done.state.my_job"}


def test_error_attribute_registers_the_dotted_event():
    """``error_execution`` registers ``error_execution`` and ``error.execution``."""

    class M(StateChart):
        a = State(initial=True)
        failed = State(final=True)
        error_execution = a.to(failed)

    assert event_ids(M) == {"error_execution", "error.execution"}


def test_error_expansion_replaces_every_underscore():
    """``error_X`` replaces all underscores: ``error_bad_input`` -> ``error.bad.input``."""

    class M(StateChart):
        a = State(initial=True)
        failed = State(final=True)
        error_bad_input = a.to(failed)

    assert event_ids(M) == {"error_bad_input", "error.bad.input"}


def test_dotted_event_from_naming_convention_triggers_the_transition():
    """Sending the dotted form of a convention name fires the transition."""

    class M(StateMachine):
        a = State(initial=True)
        failed = State(final=True)
        error_execution = a.to(failed)

    sm = M()
    sm.send("error.execution")
    assert sm.failed.is_active


def test_explicit_id_disables_naming_expansion():
    """An explicit ``id=`` wins over the attribute name and its expansion."""

    class M(StateChart):
        a = State(initial=True)
        failed = State(final=True)
        error_execution = Event(a.to(failed), id="boom")

    assert event_ids(M) == {"boom"}


def test_ordinary_attribute_name_is_not_expanded():
    """A name without a convention prefix registers just itself."""

    class M(StateChart):
        a = State(initial=True)
        b = State(final=True)
        state_done = a.to(b)

    assert event_ids(M) == {"state_done"}


# --- States.from_enum -----------------------------------------------------------------------


class Status(Enum):
    pending = 1
    running = 2
    done = 3


def test_from_enum_uses_enum_members_as_values_by_default():
    """``States.from_enum`` makes one state per member, the member itself as value."""

    class Job(StateChart):
        _ = States.from_enum(Status, initial=Status.pending, final=Status.done)
        start = _.pending.to(_.running)
        finish = _.running.to(_.done)

    assert ids(Job.states) == ["pending", "running", "done"]
    assert [state.value for state in Job.states] == list(Status)
    assert Job.states_map[Status.running].id == "running"


def test_from_enum_can_use_raw_values():
    """``use_enum_instance=False`` stores the members' raw ``.value``."""

    class Job(StateChart):
        _ = States.from_enum(
            Status, initial=Status.pending, final=Status.done, use_enum_instance=False
        )
        start = _.pending.to(_.running)
        finish = _.running.to(_.done)

    assert [state.value for state in Job.states] == [1, 2, 3]
    assert Job.states_map[2].id == "running"
    assert Status.running not in Job.states_map


def test_from_enum_marks_initial_and_final():
    """``initial=`` and ``final=`` pick the initial and the final state."""

    class Job(StateChart):
        _ = States.from_enum(Status, initial=Status.pending, final=Status.done)
        start = _.pending.to(_.running)
        finish = _.running.to(_.done)

    assert Job.initial_state.id == "pending"
    assert ids(Job.final_states) == ["done"]
    assert [(s.initial, s.final) for s in Job.states] == [
        (True, False),
        (False, False),
        (False, True),
    ]


def test_from_enum_without_final_has_no_final_states():
    """Without ``final=``, no state of the enum is final."""

    class Job(StateChart):
        _ = States.from_enum(Status, initial=Status.pending)
        start = _.pending.to(_.running)
        finish = _.running.to(_.done)

    assert list(Job.final_states) == []
    assert not any(state.final for state in Job.states)


def test_from_enum_machine_runs():
    """A machine built from an enum starts in the initial member and persists members."""

    class Job(StateMachine):
        _ = States.from_enum(Status, initial=Status.pending, final=Status.done)
        start = _.pending.to(_.running)
        finish = _.running.to(_.done)

    sm = Job()
    assert sm.pending.is_active
    sm.start()
    assert sm.current_state_value is Status.running
    assert sm.running.is_active


# --- Inheritance ----------------------------------------------------------------------------


@pytest.fixture
def flows():
    """A parent machine and a subclass that adds a state and two events."""

    class BaseFlow(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    class ExtendedFlow(BaseFlow):
        c = State()
        detour = BaseFlow.a.to(c)
        back = c.to(BaseFlow.b)

    return BaseFlow, ExtendedFlow


def test_subclass_inherits_and_adds_states(flows):
    """A subclass has the parent's states followed by its own."""
    _, extended = flows
    assert ids(extended.states) == ["a", "b", "c"]


def test_subclass_inherits_and_adds_events(flows):
    """A subclass has the parent's events plus its own."""
    _, extended = flows
    assert event_ids(extended) == {"go", "detour", "back"}


def test_subclass_runs_added_transitions(flows):
    """Transitions declared in the subclass work on its instances."""
    _, extended = flows
    sm = extended()
    sm.detour()
    sm.back()
    assert sm.b.is_active


def test_subclass_runs_inherited_transitions(flows):
    """Transitions inherited from the parent work on subclass instances."""
    _, extended = flows
    sm = extended()
    sm.go()
    assert sm.b.is_active


def test_parent_states_and_events_are_unaffected_by_subclass(flows):
    """Declaring a subclass adds nothing to the parent's states or events."""
    base, _ = flows
    assert ids(base.states) == ["a", "b"]
    assert event_ids(base) == {"go"}
    assert "c" not in base.states_map


def test_parent_instances_ignore_subclass_transitions(flows):
    """A parent instance refuses an event that only the subclass declares."""
    base, _ = flows
    sm = base()
    with pytest.raises(TransitionNotAllowed):
        sm.send("detour")
    assert sm.a.is_active


# --- Class-level views ----------------------------------------------------------------------


@pytest.fixture
def light():
    """A flat machine with explicit values, one final state and two events."""

    class TrafficLight(StateChart):
        green = State(initial=True, value="G")
        yellow = State(value="Y")
        red = State(value="R")
        off = State(final=True)
        cycle = green.to(yellow) | yellow.to(red) | red.to(green)
        shutdown = red.to(off)

    return TrafficLight


def test_class_name_and_id(light):
    """``name`` is the class name, ``id`` its lowercase form."""
    assert light.name == "TrafficLight"
    assert light.id == "trafficlight"


def test_class_states_lists_top_level_states_in_declaration_order(light):
    """``states`` is a ``States`` collection in document order."""
    assert isinstance(light.states, States)
    assert ids(light.states) == ["green", "yellow", "red", "off"]


def test_class_states_map_is_keyed_by_value(light):
    """``states_map`` maps each state's value to the state."""
    assert set(light.states_map) == {"G", "Y", "R", "off"}
    assert light.states_map["Y"].id == "yellow"


def test_class_initial_state(light):
    """``initial_state`` is the state declared with ``initial=True``."""
    assert light.initial_state.id == "green"


def test_class_final_states(light):
    """``final_states`` lists the final states only."""
    assert ids(light.final_states) == ["off"]


def test_class_events_is_a_list_of_events(light):
    """``Cls.events`` lists an ``Event`` per declared event, equal to its id."""
    events = light.events
    assert all(isinstance(event, Event) for event in events)
    assert sorted(map(str, events)) == ["cycle", "shutdown"]


def test_class_level_state_is_never_active(light):
    """``Cls.<state>.is_active`` is False, even while an instance is in that state."""
    sm = light()
    assert sm.green.is_active is True
    assert light.green.is_active is False


def test_class_level_views_are_independent_of_instances(light):
    """Running an instance does not change the class-level definition."""
    sm = light()
    sm.send("cycle")
    assert light.initial_state.id == "green"
    assert light.yellow.is_active is False
