"""`Transition` and `TransitionList` objects: attributes, event matching, composition (spec 1.3)."""

from __future__ import annotations

import pytest

from statemachine import Event, State, StateChart, StateMachine
from statemachine.event import BoundEvent
from statemachine.exceptions import InvalidDefinition
from statemachine.transition import Transition
from statemachine.transition_list import TransitionList


class Job(StateMachine):
    queued = State(initial=True)
    running = State()
    failed = State()
    done = State(final=True)

    start = queued.to(running)
    fail = running.to(failed, event="crash abort")
    retry = failed.to(queued)
    finish = running.to(done)
    poke = running.to.itself(internal=True)


def first(event: Event) -> Transition:
    return event.transitions[0]


# --- attributes ---------------------------------------------------------------------------------


def test_transition_exposes_its_source_and_target():
    """`source` and `target` are the declared states; `targets` lists the one target."""
    t = first(Job.start)
    assert t.source is Job.queued
    assert t.target is Job.running
    assert t.targets == [Job.running]


def test_event_attribute_is_the_space_separated_ids():
    """`events` lists the attribute name and the `event=` ids; `event` joins them with spaces."""
    t = first(Job.fail)
    assert sorted(t.events) == ["abort", "crash", "fail"]
    assert t.event == " ".join(t.events)


def test_an_event_named_twice_is_registered_once():
    """Naming an event by attribute and again by `event=` gives the transition that id once."""

    class Twice(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b, event="go") | b.to(a)

    assert first(Twice.go).events == ["go"]


def test_is_self_is_true_only_when_target_is_source():
    """`is_self` holds for a self-transition and not for a move between states."""
    assert first(Job.poke).is_self
    assert not first(Job.start).is_self


def test_internal_flag_is_kept():
    """`internal=True` is stored on the transition."""
    assert first(Job.poke).internal
    assert not first(Job.start).internal


def test_targetless_transition_has_no_target():
    """`state.to()` with no argument builds a transition without a target."""
    queued = State()
    t = queued.to()[0]
    assert t.target is None
    assert t.targets == []
    assert not t.is_self


def test_transition_may_have_several_targets():
    """A Transition built with a list of targets keeps them all; `target` is the first."""
    a, b, c = State(), State(), State()
    t = Transition(a, [b, c])
    assert t.targets == [b, c]
    assert t.target is b


def test_transition_without_event_is_eventless():
    """A Transition with no event is eventless; one with an event is not."""
    a, b = State(), State()
    assert Transition(a, b).is_eventless
    assert not Transition(a, b, event="go").is_eventless


def test_event_kwarg_accepts_nested_lists_and_skips_none():
    """`event=` may be a list mixing space-separated strings, tuples and None."""
    a, b = State(), State()
    t = Transition(a, b, event=["e1 e2", None, ("e3",)])
    assert t.events == ["e1", "e2", "e3"]


def test_event_kwarg_accepts_an_event_object():
    """An `Event` given as `event=` contributes its id."""
    a, b = State(), State()
    t = Transition(a, b, event=Event("ping"))
    assert t.events == ["ping"]


def test_event_kwarg_of_another_type_is_rejected():
    """A non-string, non-list `event=` raises InvalidDefinition naming the value."""
    a, b = State(), State()
    with pytest.raises(InvalidDefinition, match=r"Invalid event 42: pass a string, an Event"):
        Transition(a, b, event=42)


# --- repr: python-statemachine's form ----------------------------------------------------------


def test_repr_of_a_plain_transition():
    """The repr shows the source and target names, the events as Event reprs, and the flags."""
    assert repr(first(Job.start)) == (
        "Transition('Queued', 'Running', event=[Event('start', delay=0, internal=False)], "
        "internal=False, initial=False)"
    )


def test_repr_of_an_internal_self_transition():
    """An internal self-transition names its state twice and shows `internal=True`."""
    assert repr(first(Job.poke)) == (
        "Transition('Running', 'Running', event=[Event('poke', delay=0, internal=False)], "
        "internal=True, initial=False)"
    )


def test_repr_of_an_external_self_transition():
    """`to.itself()` is external unless told otherwise."""

    class Loop(StateChart):
        spin = State(initial=True)
        again = spin.to.itself()

    assert repr(first(Loop.again)) == (
        "Transition('Spin', 'Spin', event=[Event('again', delay=0, internal=False)], "
        "internal=False, initial=False)"
    )


def test_repr_of_an_eventless_transition_has_an_empty_event_list():
    """A bare transition in the class body has no events."""

    class Auto(StateChart):
        a = State(initial=True)
        b = State(final=True)
        a.to(b, cond="ready")
        ready = True

    assert repr(Auto.a.transitions[0]) == (
        "Transition('A', 'B', event=[], internal=False, initial=False)"
    )


def test_repr_lists_several_events_in_order():
    """The `event=` ids come first, then the attribute name."""
    assert repr(first(Job.fail)) == (
        "Transition('Running', 'Failed', event=[Event('crash', delay=0, internal=False), "
        "Event('abort', delay=0, internal=False), Event('fail', delay=0, internal=False)], "
        "internal=False, initial=False)"
    )


def test_repr_shows_the_delay_of_an_event_object():
    """An Event object given its delay shows it in the transitions' repr."""

    class Oven(StateChart):
        off = State(initial=True)
        on = State()
        start = Event(off.to(on), delay=5)
        stop = on.to(off, event=Event("halt", delay=7))

    assert "event=[Event('start', delay=5, internal=False)]" in repr(first(Oven.start))
    assert repr(Oven.on.transitions[0]).startswith(
        "Transition('On', 'Off', event=[Event('halt', delay=7, internal=False), "
        "Event('stop', delay=0, internal=False)]"
    )


def test_repr_of_a_targetless_transition_shows_none():
    """A transition without a target shows `None` as target in its repr."""

    class Pinger(StateChart):
        idle = State(initial=True)
        ping = idle.to()

    assert repr(first(Pinger.ping)) == (
        "Transition('Idle', None, event=[Event('ping', delay=0, internal=False)], "
        "internal=False, initial=False)"
    )


def test_repr_of_a_transition_outside_a_class_uses_the_given_names():
    """Before class creation, states have only the names they were given."""
    t = Transition(State("Draft"), State("Done"), event="go")
    assert repr(t) == (
        "Transition('Draft', 'Done', event=[Event('go', delay=0, internal=False)], "
        "internal=False, initial=False)"
    )


def test_str_is_an_arrow_between_ids():
    """`str(transition)` is `source -> target`."""
    assert str(first(Job.start)) == "queued -> running"


# --- event matching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("descriptor", "event", "expected"),
    [
        ("go", "go", True),
        ("go", "stop", False),
        ("error", "error.execution", True),
        ("error", "errors", False),
        ("err", "error.execution", False),
        ("error.execution", "error", False),
        ("error.*", "error.execution", True),
        ("error.*", "error", True),
        ("error.", "error.execution", True),
        ("*", "anything.at.all", True),
    ],
)
def test_match_follows_scxml_event_descriptors(descriptor, event, expected):
    """A descriptor matches an event whose dot-tokens it prefixes; `*` matches everything and a
    trailing `.*` or `.` is ignored."""
    a, b = State(), State()
    assert Transition(a, b, event=descriptor).match(event) is expected


def test_null_event_matches_only_eventless_transitions():
    """`match(None)` is true for an eventless transition and false for one with an event."""
    a, b = State(), State()
    assert Transition(a, b).match(None)
    assert not Transition(a, b, event="go").match(None)


def test_transition_with_a_dotted_prefix_descriptor_fires_for_longer_events(engine):
    """A transition on `error.*` fires for `error.disk` sent to the machine."""

    class Guarded(StateMachine):
        ok = State(initial=True)
        broken = State()
        repair = broken.to(ok)
        ok.to(broken, event="error.*")

    sm = engine.machine(Guarded)
    engine.send(sm, "error.disk")
    assert sm.broken.is_active


# --- TransitionList -------------------------------------------------------------------------------


def test_or_concatenates_in_order():
    """`l1 | l2` has the transitions of both, left ones first."""
    a, b = State(), State()
    left, right = a.to(b), b.to(a)
    combined = left | right
    assert list(combined) == [left[0], right[0]]


def test_or_accepts_an_event():
    """A TransitionList combined with an Event gets the event's transitions."""
    a, b, c = State(), State(), State()
    ev = Event(b.to(c))
    combined = a.to(b) | ev
    assert [t.target for t in combined] == [b, c]


def test_or_with_an_unrelated_type_raises_type_error():
    """Combining a TransitionList with something else is a TypeError."""
    a, b = State(), State()
    with pytest.raises(TypeError, match="unsupported operand"):
        a.to(b) | 3


def test_add_transitions_appends_transitions_and_lists_and_returns_self():
    """`add_transitions` accepts Transitions and TransitionLists and returns the list itself."""
    a, b, c = State(), State(), State()
    t1, t2 = Transition(a, b), Transition(b, c)
    target = TransitionList()
    assert target.add_transitions([t1, TransitionList([t2])]) is target
    assert list(target) == [t1, t2]


def test_index_len_and_truth():
    """A TransitionList is indexable, sized, and falsy when empty."""
    a, b = State(), State()
    tl = a.to(b) | b.to(a)
    assert tl[1].source is b
    assert tl[-1].target is a
    assert len(tl) == 2
    assert not TransitionList()


def test_repr_lists_the_transitions():
    """The repr of a TransitionList shows each transition's repr."""
    tl = Job.retry.transitions
    assert repr(tl) == (
        "TransitionList([Transition('Failed', 'Queued', event=[Event('retry', delay=0, "
        "internal=False)], internal=False, initial=False)])"
    )


def test_unique_events_lists_each_event_id_once_in_order():
    """`unique_events` collects the ids of all transitions, without repeats."""
    a, b = State(), State()
    tl = a.to(b, event="x y") | b.to(a, event="y z")
    assert tl.unique_events == ["x", "y", "z"]


def test_has_eventless_transition():
    """`has_eventless_transition` is true when some transition of the list has no event."""
    a, b = State(), State()
    assert (a.to(b, event="go") | b.to(a)).has_eventless_transition
    assert not a.to(b, event="go").has_eventless_transition


# --- calling a TransitionList: the decorator form ----------------------------------------------

DECORATOR_ONLY = "TransitionList only supports the decorator syntax to register callbacks."


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("not callable",), {}),
        ((42,), {}),
        ((), {}),
        ((print, print), {}),
        ((print,), {"extra": 1}),
        ((), {"func": print}),
    ],
    ids=["str", "int", "nothing", "two-callables", "callable-and-kwarg", "only-kwarg"],
)
def test_calling_a_transition_list_other_than_as_a_decorator_raises_type_error(args, kwargs):
    """Anything but one callable argument is refused, with python-statemachine's message."""
    a, b = State(), State()
    with pytest.raises(TypeError) as caught:
        a.to(b)(*args, **kwargs)
    assert str(caught.value) == DECORATOR_ONLY
    assert caught.value.__notes__ == [
        "Call it with one function, as a decorator: `@a.to(b)` above `def go(self): ...` "
        "declares the event `go` with the function as its `on` action."
    ]


def test_the_refusal_names_a_subclass_of_transition_list():
    """The message names the class of the list that was called."""

    class Routes(TransitionList):
        pass

    with pytest.raises(TypeError) as caught:
        Routes()(1)
    assert str(caught.value) == "Routes only supports the decorator syntax to register callbacks."


def test_calling_a_transition_list_with_a_callable_returns_it_and_adds_an_on_action():
    """`tl(func)` returns `func` itself, now the `on` action of every transition of the list."""
    a, b, c = State(), State(), State()
    tl = a.to(b) | b.to(c)

    def log():
        return None

    assert tl(log) is log
    assert [[spec.func for spec in t.on] for t in tl] == [[log], [log]]


def test_any_callable_can_be_decorated():
    """Builtins and callable objects, which cannot carry attributes, are accepted too."""

    class Ring:
        __slots__ = ()

        def __call__(self):
            return None

    a, b = State(), State()
    ring = Ring()
    assert a.to(b)(print) is print
    assert a.to(b)(ring) is ring


class Lamp(StateChart):
    off = State(initial=True)
    on = State()

    @off.to(on)
    def switch_on(self):
        return "lit"

    switch_off = on.to(off)


def test_decorating_a_method_with_a_transition_list_declares_an_event(engine):
    """`@a.to(b)` on a method makes an event of that name whose `on` action is the method."""

    sm = engine.machine(Lamp)
    assert engine.send(sm, "switch_on") == "lit"
    assert sm.on.is_active


def test_a_decorated_method_becomes_the_event_on_the_class():
    """The class attribute is the Event, not the function; on an instance it is a bound event
    that sends it."""

    assert isinstance(Lamp.__dict__["switch_on"], Event)
    assert Lamp.switch_on.id == "switch_on"
    assert [e.id for e in Lamp.events] == ["switch_on", "switch_off"]
    assert isinstance(Lamp().switch_on, BoundEvent)


def test_a_decorated_method_in_a_compound_body_becomes_an_event(engine):
    """`@x.to(y)` inside a `State.Compound` body declares a machine-level event."""

    class Hall(StateChart):
        class rooms(State.Compound, initial=True):
            first = State(initial=True)
            second = State()

            @first.to(second)
            def walk(self):
                return "walked"

            back = second.to(first)

    sm = engine.machine(Hall)
    assert engine.send(sm, "walk") == "walked"
    assert sm.second.is_active


def test_a_decorated_method_can_use_a_transition_list_declared_before(engine):
    """`@go` over a method (with `go = a.to(b)` above) declares the method's event too, and
    the method runs as `on` action of `go`."""
    calls = []

    class Door(StateChart):
        shut = State(initial=True)
        open = State()
        go = shut.to(open)

        @go
        def swing(self):
            calls.append("swing")

        close = open.to(shut)

    assert [e.id for e in Door.events] == ["go", "swing", "close"]
    sm = engine.machine(Door)
    engine.send(sm, "go")
    assert calls == ["swing"]
    assert sm.open.is_active


def test_stacked_decorators_make_one_event_of_both_lists(engine):
    """Two `@x.to(y)` over one method give one event with the transitions of both."""

    class Steps(StateChart):
        a = State(initial=True)
        b = State()
        c = State(final=True)

        @a.to(b)
        @b.to(c)
        def step(self):
            return None

    assert [(t.source.id, t.target.id) for t in Steps.step.transitions] == [
        ("b", "c"),
        ("a", "b"),
    ]
    sm = engine.machine(Steps)
    engine.send(sm, "step")
    engine.send(sm, "step")
    assert sm.c.is_active


def test_a_second_name_for_a_decorated_method_is_an_event_too():
    """`go2 = go` after `@a.to(b) def go` declares both events, on the same transitions."""

    class Alias(StateChart):
        a = State(initial=True)
        b = State(final=True)

        @a.to(b)
        def go(self):
            return None

        go2 = go

    assert [e.id for e in Alias.events] == ["go", "go2"]
    assert Alias.a.transitions[0].events == ["go", "go2"]


def test_a_subclass_keeps_the_event_of_a_method_decorated_in_a_compound():
    """A compound state's decorated method is an event of the subclasses too."""

    class Base(StateChart):
        class room(State.Compound, initial=True):
            inside = State(initial=True)
            out = State(final=True)

            @inside.to(out)
            def leave(self):
                return "left"

        hall = State(final=True)
        done_state_room = room.to(hall)

    class Child(Base):
        pass

    assert isinstance(Child.leave, Event)
    assert Child().send("leave") == "left"


def test_class_creation_keeps_no_reference_to_decorated_functions():
    """Once the class is made, nothing is left waiting for the decorated function."""
    from statemachine import _transitions

    functions = []

    class Lamp2(StateChart):
        off = State(initial=True)
        on = State(final=True)

        @off.to(on)
        def switch_on(self):
            return None

        functions.append(switch_on)

    assert Lamp2.switch_on.id == "switch_on"
    assert all(func is not functions[0] for func, _ in _transitions._declared.values())


def test_a_decorated_from_any_declares_an_event(engine):
    """`@target.from_.any()` over a method declares the event from every non-final state."""

    class Job(StateChart):
        queued = State(initial=True)
        running = State()
        cancelled = State(final=True)
        start = queued.to(running)

        @cancelled.from_.any()
        def cancel(self, source):
            return source.id

    sm = engine.machine(Job)
    engine.send(sm, "start")
    assert engine.send(sm, "cancel") == "running"
    assert sm.cancelled.is_active


# --- from_.any() ----------------------------------------------------------------------------------


class Workflow(StateChart):
    draft = State(initial=True)
    review = State()
    published = State()
    aborted = State(final=True)

    submit = draft.to(review)
    publish = review.to(published)
    reopen = published.to(draft)
    abort = aborted.from_.any()

    @abort.on
    def note_abort(self, source):
        self.aborted_from = source.id


def test_from_any_expands_to_every_non_final_top_level_state():
    """`target.from_.any()` becomes one transition from each non-final top-level state."""
    assert [t.source.id for t in Workflow.abort.transitions] == ["draft", "review", "published"]


def test_callbacks_decorated_on_from_any_reach_every_expanded_transition(engine):
    """A decorator applied to a `from_.any()` list runs for the transition actually taken."""
    sm = engine.machine(Workflow)
    engine.send(sm, "submit")
    engine.send(sm, "abort")
    assert sm.aborted_from == "review"


def test_from_any_list_reused_in_a_second_event_shares_the_expansion():
    """Combining a `from_.any()` list into another event reuses the same expanded transitions."""

    class Shared(StateChart):
        idle = State(initial=True)
        busy = State()
        stopped = State(final=True)

        work = idle.to(busy)
        rest = busy.to(idle)
        stop = stopped.from_.any()
        stop_or_rest = stop | rest

    stop_transitions = list(Shared.stop.transitions)
    assert list(Shared.stop_or_rest.transitions)[: len(stop_transitions)] == stop_transitions
    assert len(Shared.idle.transitions) == 2  # `work` and one `stop`, not two
