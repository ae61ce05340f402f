"""Error messages: where python-statemachine raises the same error, the message is its text,
word for word; how to fix the problem is an exception note, never part of the message.

The definition checks of flat machines are in ``test_validation.py``, guard expressions in
``test_expressions.py``, ``contrib`` in ``test_weighted.py`` and ``test_timeout.py``; this file
has the other messages, and the note machinery itself.
"""

from __future__ import annotations

import warnings

import pytest

from statemachine import Event, HistoryState, State, StateChart, StateMachine
from statemachine.exceptions import (
    AttrNotFound,
    InvalidDefinition,
    InvalidStateValue,
    StateMachineError,
    TransitionNotAllowed,
    with_note,
)
from statemachine.mixins import MachineMixin
from statemachine.transition import Transition

# --- the note helper ------------------------------------------------------------------------


def test_with_note_adds_an_exception_note_and_returns_the_exception():
    """The hint lands in `__notes__`, after any note already there."""
    exc = ValueError("what went wrong")
    exc.__notes__ = ["first"]
    assert with_note(exc, "how to fix it") is exc
    assert exc.__notes__ == ["first", "how to fix it"]
    assert str(exc) == "what went wrong"


def test_with_note_fills_dunder_notes_where_add_note_is_missing():
    """On Python 3.10 (no `add_note`) the note still ends up in `__notes__`."""

    class OldStyle(Exception):
        add_note = None  # what getattr() finds on 3.10

    exc = with_note(OldStyle("message"), "hint")
    assert exc.__notes__ == ["hint"]
    with_note(exc, "second hint")
    assert exc.__notes__ == ["hint", "second hint"]


# --- callback resolution ----------------------------------------------------------------------


def build(**kwargs):
    """A three-state machine; ``kwargs`` go to the `go` transition from `a` to `b`."""

    class Machine(StateChart):
        a = State(initial=True)
        b = State()
        c = State(final=True)
        go = a.to(b, **kwargs)
        finish = b.to(c)

    return Machine


def test_a_transition_is_named_by_its_events_and_state_names():
    """`Error on transition <events> from <source name> to <target name> ...`."""
    with pytest.raises(AttrNotFound) as caught:
        build(before="x")()
    assert str(caught.value) == (
        "Error on transition go from A to B when resolving callbacks: "
        "Did not found name 'x' from model or statemachine"
    )
    assert caught.value.name == "x"
    assert caught.value.__notes__ == [
        "Define 'x' on the machine, its model or a listener (a method, property or attribute), "
        "or fix the spelling."
    ]


def test_a_transition_with_several_events_lists_them_all():
    """The `event=` ids come first, then the attribute name."""
    with pytest.raises(AttrNotFound) as caught:
        build(event="push shove", on="x")()
    assert str(caught.value).startswith("Error on transition push shove go from A to B when")


def test_an_eventless_transition_has_an_empty_event_list_in_the_message():
    """An eventless transition reads `transition  from B to C` (two spaces)."""

    class Machine(StateChart):
        a = State(initial=True)
        b = State()
        c = State(final=True)
        go = a.to(b)
        b.to(c, cond="ready")

    with pytest.raises(AttrNotFound) as caught:
        Machine()
    assert str(caught.value) == (
        "Error on transition  from B to C when resolving callbacks: "
        "Did not found name 'ready' from model or statemachine"
    )


def test_a_self_transition_names_its_state_twice():
    """`a.to.itself(internal=True, ...)` reads `from A to A`."""

    class Machine(StateChart):
        a = State(initial=True)
        b = State(final=True)
        tick = a.to.itself(internal=True, after="x")
        go = a.to(b)

    with pytest.raises(AttrNotFound, match=r"^Error on transition tick from A to A when"):
        Machine()


def test_display_names_are_used_for_the_states_of_a_transition():
    """States given a name show that name."""

    class Machine(StateChart):
        a = State("Waiting room", initial=True)
        b = State("Exam", final=True)
        go = a.to(b, validators="x")

    with pytest.raises(AttrNotFound, match=r"^Error on transition go from Waiting room to Exam "):
        Machine()


@pytest.mark.parametrize("group", ["enter", "exit", "invoke"])
def test_a_state_is_named_by_its_name(group):
    """`Error on <state name> when resolving callbacks: ...` for the callbacks of a state."""

    class Machine(StateChart):
        a = State(initial=True)
        b = State("Second step", **{group: "missing"})
        c = State(final=True)
        go = a.to(b)
        finish = b.to(c)

    with pytest.raises(AttrNotFound) as caught:
        Machine()
    assert str(caught.value) == (
        "Error on Second step when resolving callbacks: "
        "Did not found name 'missing' from model or statemachine"
    )


def test_a_donedata_name_is_reported_on_its_final_state():
    """`donedata=` is resolved like an entry callback of the final state."""

    class Machine(StateChart):
        a = State(initial=True)
        c = State(final=True, donedata="payload")
        go = a.to(c)

    with pytest.raises(AttrNotFound, match=r"^Error on C when resolving callbacks: .*'payload'"):
        Machine()


def test_a_compound_state_is_named_too():
    """A compound state's own callbacks name the compound."""

    class Machine(StateChart):
        class trip(State.Compound, initial=True, enter="pack"):
            going = State(initial=True)
            arrived = State(final=True)
            arrive = going.to(arrived)

        home = State(final=True)
        done_state_trip = trip.to(home)

    with pytest.raises(AttrNotFound, match=r"^Error on Trip when resolving callbacks: "):
        Machine()


def test_attr_not_found_without_a_place_is_the_bare_message():
    """Built without `where`, the message is just the missing name."""
    exc = AttrNotFound("x")
    assert str(exc) == "Did not found name 'x' from model or statemachine"
    assert isinstance(exc, InvalidDefinition)
    assert exc.where is None


# --- InvalidStateValue ------------------------------------------------------------------------


class Door(StateMachine):
    closed = State(initial=True)
    opened = State()
    open = closed.to(opened)
    close = opened.to(closed)


class Record:
    def __init__(self, state=None):
        self.state = state


def test_a_stored_value_that_is_no_state_value():
    """`<value!r> is not a valid state value.`; the note says what is valid."""
    with pytest.raises(InvalidStateValue) as caught:
        Door(model=Record("ajar"))
    assert str(caught.value) == "'ajar' is not a valid state value."
    assert caught.value.value == "ajar"
    assert caught.value.__notes__ == [
        "Use the value of one of the machine's states (see `states_map`), or None to start from "
        "the initial state."
    ]


def test_setting_an_invalid_current_state_value():
    """Writing a value that is no state's value gives the same message."""
    door = Door()
    with pytest.raises(InvalidStateValue) as caught:
        door.current_state_value = 42
    assert str(caught.value) == "42 is not a valid state value."


def test_an_invalid_start_value_is_shown_in_a_list():
    """python-statemachine shows a bad `start_value` inside a list; `.value` is the value."""
    with pytest.raises(InvalidStateValue) as caught:
        Door(start_value="ajar")
    assert str(caught.value) == "['ajar'] is not a valid state value."
    assert caught.value.value == "ajar"
    assert caught.value.__notes__ == [
        "start_value='ajar' must be the value of one of the machine's states (see `states_map`)."
    ]


def test_no_current_state():
    """`current_state` with nothing active asks whether the initial state was activated."""
    door = Door()
    door.model.state = None
    with warnings.catch_warnings(), pytest.raises(InvalidStateValue) as caught:
        warnings.simplefilter("ignore", DeprecationWarning)
        door.current_state
    assert str(caught.value) == (
        "There's no current state set. In async code, did you activate the initial state? "
        "(e.g., `await sm.activate_initial_state()`)"
    )
    assert caught.value.value is None


def test_invalid_state_value_built_directly_has_no_note():
    """The exception class builds the message; only the library's raises add a hint."""
    exc = InvalidStateValue("x")
    assert str(exc) == "'x' is not a valid state value."
    assert not hasattr(exc, "__notes__")
    assert str(InvalidStateValue("x", "custom")) == "custom"


# --- state overriding -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [("hi", "hi"), (3, "3"), ([1], "[1]")])
def test_assigning_to_a_state_attribute(value, shown):
    """`Trying to add '<value>' to <attribute>`; the note names the machine."""
    door = Door()
    with pytest.raises(StateMachineError) as caught:
        door.opened = value
    assert type(caught.value) is StateMachineError
    assert str(caught.value) == (
        f"State overriding is not allowed. Trying to add '{shown}' to opened"
    )
    assert caught.value.__notes__ == [
        "'opened' is a state of Door, and states are read-only on instances; store the value "
        "under another attribute name."
    ]


# --- TransitionNotAllowed ----------------------------------------------------------------------


def test_an_event_that_cannot_run():
    """`Can't <event name> when in <state names>.`, with no note: a doctest that shows the
    refusal (as python-statemachine's own README does) sees exactly the reference's text."""
    door = Door()
    with pytest.raises(TransitionNotAllowed) as caught:
        door.close()
    assert str(caught.value) == "Can't Close when in Closed."
    assert not hasattr(caught.value, "__notes__")
    import traceback

    shown = traceback.format_exception_only(type(caught.value), caught.value)
    assert shown == ["statemachine.exceptions.TransitionNotAllowed: Can't Close when in Closed.\n"]


def test_an_unknown_event_shows_its_id():
    """An id the machine does not know is shown as sent."""
    with pytest.raises(TransitionNotAllowed) as caught:
        Door().send("slam")
    assert str(caught.value) == "Can't slam when in Closed."


def test_every_active_state_is_named():
    """In a compound, the parent and the child are listed."""

    class Trip(StateMachine):
        class away(State.Compound, initial=True):
            flying = State(initial=True)
            landed = State()
            land = flying.to(landed)

        home = State(final=True)
        back = away.to(home)

    with pytest.raises(TransitionNotAllowed) as caught:
        Trip().send("nope")
    assert str(caught.value) == "Can't nope when in Away, Flying."


def test_transition_not_allowed_takes_the_states_from_an_iterator():
    """The configuration may be any iterable, read once."""
    states = [Door.closed, Door.opened]
    exc = TransitionNotAllowed("slam", iter(states))
    assert str(exc) == "Can't slam when in Closed, Opened."
    assert exc.configuration == set(states)


def test_transition_not_allowed_with_nothing_active():
    """Built with no event and no state, the message has empty slots, as in the reference."""
    assert str(TransitionNotAllowed(None, [])) == "Can't transition when in ."


# --- definitions --------------------------------------------------------------------------------


def test_an_initial_transition_with_a_condition():
    """A synthetic initial transition cannot have guards or events."""
    a, b = State("A"), State("B")
    with pytest.raises(InvalidDefinition) as caught:
        Transition(a, b, initial=True, cond="ready")
    assert str(caught.value) == "Initial transitions should not have conditions or events."
    assert caught.value.__notes__ == ["Move the guard or the event to a regular transition."]


def test_an_event_object_that_no_class_attribute_names():
    """`event=Event()` that is not a class attribute has no id: the transition is described."""
    with pytest.raises(InvalidDefinition) as caught:

        class Machine(StateChart):
            a = State(initial=True)
            b = State(final=True)
            a.to(b, event=Event())

    assert str(caught.value) == "An event in the 'transition  from A to B' has no id."
    assert caught.value.__notes__ == [
        "The Event given in `event=` is not a class attribute of Machine: assign it to one "
        "first (`go = Event()`), or pass the event id as a string."
    ]


def test_two_initial_children_of_a_compound():
    """A compound with two initial children gets the same message, the note names it.
    (python-statemachine does not check compounds.)"""
    with pytest.raises(InvalidDefinition) as caught:

        class Machine(StateChart):
            class room(State.Compound, initial=True):
                left = State(initial=True)
                right = State(initial=True)
                hop = left.to(right) | right.to(left)

    assert str(caught.value) == (
        "There should be one and only one initial state. Your currently have these: left, right"
    )
    assert caught.value.__notes__ == [
        "In compound state 'room', mark exactly one state with `initial=True`."
    ]


def test_disconnected_states_are_listed_in_document_order():
    """Several unreachable states are listed as declared, nested ones included."""
    with pytest.raises(InvalidDefinition) as caught:

        class Machine(StateChart):
            a = State(initial=True)
            zeta = State()
            alpha = State()

            class island(State.Compound):
                shore = State(initial=True)
                hill = State()
                climb = shore.to(hill)

            loop = a.to.itself()
            out = zeta.to(a) | alpha.to(a)

    assert str(caught.value).endswith(
        "Disconnected states: ['zeta', 'alpha', 'island', 'shore', 'hill']"
    )


def test_a_history_state_at_the_top_level_says_where_it_belongs():
    """A message of ours alone still says what to do."""
    with pytest.raises(InvalidDefinition, match=r"Declare it in the body of the `State.Compound`"):

        class Machine(StateChart):
            a = State(initial=True)
            h = HistoryState()
            go = a.to(h)


# --- listeners and MachineMixin -----------------------------------------------------------------


def test_a_listener_whose_setup_fails_is_named_by_its_class():
    """`Error calling setup() on listener <class name>: <error>`; the note explains setup()."""

    class Audit:
        def setup(self, sm, tenant):
            self.tenant = tenant

    class Machine(StateChart):
        listeners = [Audit]
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    with pytest.raises(TypeError) as caught:
        Machine()
    assert str(caught.value) == (
        "Error calling setup() on listener Audit: "
        f"{Audit.setup.__qualname__}() missing 1 required positional argument: 'tenant'"
    )
    assert isinstance(caught.value.__cause__, TypeError)
    assert caught.value.__notes__[0].startswith("setup() gets the machine and the machine's")


def test_machine_mixin_without_a_name():
    """`<name!r> is not a valid state machine name.`; the note says what to set."""

    class Unnamed(MachineMixin):
        pass

    with pytest.raises(ValueError) as caught:
        Unnamed()
    assert str(caught.value) == "None is not a valid state machine name."
    assert caught.value.__notes__ == [
        "Set `state_machine_name` on Unnamed to the dotted path of a machine class."
    ]
