"""`Event` declarations and their bound, callable instance views (spec 1.6 and 1.7)."""

from __future__ import annotations

import copy
import pickle

import pytest

from statemachine import Event, State, StateChart, StateMachine
from statemachine.event import BoundEvent
from statemachine.exceptions import InvalidDefinition


class Door(StateMachine):
    closed = State(initial=True)
    opened = State()
    open_door = Event(closed.to(opened), name="Open the door")
    close_door = opened.to(closed)


class LazyName:
    """A stand-in for a lazy translation proxy: its text is only known when str() runs."""

    def __init__(self) -> None:
        self.text = "before"

    def __str__(self) -> str:
        return self.text


# --- declaration ------------------------------------------------------------------------------


def test_event_is_a_string_equal_to_its_id():
    """An Event is a `str` and compares equal to its id."""
    event = Event("go")
    assert isinstance(event, str)
    assert event == "go"
    assert event.id == "go"


def test_event_without_transitions_has_an_empty_transition_list():
    """An Event made from a name alone has no transitions."""
    assert len(Event("go").transitions) == 0


def test_event_combining_transitions_positionally_is_rejected():
    """Passing a second transition list as `id` is refused, pointing to the `|` operator."""
    a, b = State(), State()
    with pytest.raises(InvalidDefinition) as caught:
        Event(a.to(b), b.to(a))
    assert str(caught.value) == (
        "Event() received a non-string 'id' (TransitionList). To combine multiple transitions "
        "under one event, use the | operator: t1 | t2."
    )


def test_event_made_from_one_transition_triggers_it(engine):
    """An Event given a single Transition (not a list) fires that transition."""

    class Single(StateChart):
        a = State(initial=True)
        b = State()
        go = Event(a.to(b)[0])
        back = b.to(a)

    sm = engine.machine(Single)
    engine.send(sm, "go")
    assert sm.b.is_active
    assert len(Single.go.transitions) == 1


def test_name_defaults_to_the_humanized_id():
    """Without `name=`, the display name is the id with underscores as spaces, capitalized."""
    assert Door.close_door.name == "Close door"


def test_explicit_name_wins_over_the_id():
    """`name=` sets the display name; the id stays the attribute name."""
    assert Door.open_door.name == "Open the door"
    assert Door.open_door.id == "open_door"


def test_lazy_name_is_resolved_each_time_it_is_read():
    """A name object is converted with str() when read, so late translations show up."""
    label = LazyName()
    event = Event("go", name=label)
    label.text = "after"
    assert event.name == "after"


def test_repr_shows_id_and_name():
    """The repr names the id and the display name."""
    assert repr(Door.close_door) == "Event('close_door', delay=0, internal=False)"


def test_class_attribute_is_the_declared_event():
    """On the class, an event attribute is the Event itself, not a bound one."""
    assert isinstance(Door.close_door, Event)
    assert not isinstance(Door.close_door, BoundEvent)


def test_class_events_lists_every_event_in_declaration_order():
    """`Cls.events` holds the declared events in order."""
    assert [e.id for e in Door.events] == ["open_door", "close_door"]


def test_is_same_event_compares_the_event_keyword_with_the_id():
    """`is_same_event(event=...)` is true only for an event with the same id."""
    go = Event("go")
    assert go.is_same_event(event="go")
    assert go.is_same_event("positional", event=Event("go"))
    assert not go.is_same_event(event="stop")
    assert not go.is_same_event()


def test_error_prefix_registers_a_dotted_alias(engine):
    """`error_disk_full` also declares `error.disk.full`, and sending either fires it."""

    class Storage(StateChart):
        ok = State(initial=True)
        failing = State()
        error_disk_full = ok.to(failing)
        recover = failing.to(ok)

    assert {e.id for e in Storage.events} >= {"error_disk_full", "error.disk.full"}
    sm = engine.machine(Storage)
    engine.send(sm, "error.disk.full")
    assert sm.failing.is_active


def test_done_invoke_prefix_registers_a_dotted_alias(engine):
    """`done_invoke_fetch` also declares `done.invoke.fetch`."""

    class Loader(StateChart):
        fetching = State(initial=True)
        ready = State()
        done_invoke_fetch = fetching.to(ready)
        reload = ready.to(fetching)

    sm = engine.machine(Loader)
    engine.send(sm, "done.invoke.fetch")
    assert sm.ready.is_active


@pytest.mark.parametrize("attr", ["error_", "done_state_", "done_invoke_"])
def test_a_bare_prefix_registers_no_alias(attr):
    """An attribute that is only a prefix (`error_`) keeps its own name and gets no alias."""
    a, b = State(initial=True), State()
    namespace = {"a": a, "b": b, attr: a.to(b), "back": b.to(a)}
    cls = type("Bare", (StateChart,), namespace)
    assert [e.id for e in cls.events] == [attr, "back"]


def test_pickled_event_comes_back_as_its_id():
    """Pickling an Event yields a string equal to its id."""
    assert pickle.loads(pickle.dumps(Door.close_door)) == "close_door"


# --- bound events -------------------------------------------------------------------------------


def test_instance_attribute_is_a_bound_event_equal_to_the_id(engine):
    """`sm.<event>` is a BoundEvent, still equal to the event id and keeping its name."""
    sm = engine.machine(Door)
    bound = sm.open_door
    assert isinstance(bound, BoundEvent)
    assert bound == "open_door"
    assert bound.name == "Open the door"
    assert bound.transitions is Door.open_door.transitions


def test_bound_event_is_made_once_per_instance(engine):
    """Reading `sm.<event>` twice returns the same object; another instance gets its own."""
    first = engine.machine(Door)
    second = engine.machine(Door)
    assert first.close_door is first.close_door
    assert first.close_door is not second.close_door


def test_calling_a_bound_event_sends_it(engine):
    """Calling `sm.<event>()` fires the event on that machine only."""
    sm = engine.machine(Door)
    other = engine.machine(Door)
    engine.call(sm.open_door)
    assert sm.opened.is_active
    assert other.closed.is_active


def test_calling_a_bound_event_passes_arguments_to_callbacks(engine):
    """Positional and keyword arguments of `sm.<event>(...)` reach the callbacks."""

    class Counter(StateChart):
        idle = State(initial=True)
        add = idle.to.itself()

        def on_add(self, amount, *, unit="u"):
            return f"{amount}{unit}"

    sm = engine.machine(Counter)
    assert engine.call(sm.add, 3, unit="kg") == "3kg"


def test_pickled_bound_event_comes_back_as_its_id(engine):
    """Pickling a bound event yields a string equal to its id, without the machine."""
    sm = engine.machine(Door)
    assert pickle.loads(pickle.dumps(sm.close_door)) == "close_door"


def test_copied_machine_gets_fresh_bound_events(engine):
    """A deep copy of a machine sends its own events, leaving the original alone."""
    sm = engine.machine(Door)
    sm.close_door  # cache a bound event on the original
    clone = copy.deepcopy(sm)
    engine.call(clone.open_door)
    assert clone.opened.is_active
    assert sm.closed.is_active
