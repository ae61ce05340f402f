"""Definitions read as python-statemachine 3.2 reads them: default initial states, self
transitions written from the target, events shared by a compound and the machine, Event objects
given as ``event=``, callables registered twice, guards on weak proxies and properties, and the
definition mistakes that must fail at class creation.

Each expectation was checked against the reference by running it; where ours departs on
purpose, the test says so.
"""

from __future__ import annotations

import weakref

import pytest
from _chart_helpers import LogMixin

from statemachine import Event, HistoryState, State, StateChart, StateMachine
from statemachine.exceptions import InvalidDefinition, TransitionNotAllowed
from statemachine.orderedset import OrderedSet


@pytest.fixture(params=[StateMachine, StateChart], ids=["StateMachine", "StateChart"])
def base(request):
    """Both public base classes read definitions the same way."""
    return request.param


# --- A1. the first declared state is the initial one ----------------------------------------


class TwoParallels(StateChart):
    class p1(State.Parallel):
        class r1(State.Compound):
            a = State()
            b = State()
            go = a.to(b)

        class r2(State.Compound):
            c = State()
            d = State()
            go2 = c.to(d)

    class p2(State.Parallel):
        class r3(State.Compound):
            e = State()

    switch = p1.to(p2)


def test_top_level_of_parallel_states_starts_in_the_first_declared_one():
    """With no state marked initial, the first of several top-level parallel states is initial."""
    assert TwoParallels.initial_state is TwoParallels.p1
    assert TwoParallels.p1.initial is True
    assert TwoParallels.p2.initial is False
    assert list(TwoParallels().configuration_values) == ["p1", "r1", "a", "r2", "c"]


def test_every_region_of_a_parallel_state_reads_initial():
    """Each region of a parallel state reads initial=True, in the initial parallel or not."""
    regions = [TwoParallels.p1.r1, TwoParallels.p1.r2, TwoParallels.p2.r3]
    assert [region.initial for region in regions] == [True, True, True]


def test_each_region_without_an_initial_mark_starts_in_its_first_child():
    """Inside a region, the first declared child is initial and the others are not."""
    assert TwoParallels.p1.r1.a.initial is True
    assert TwoParallels.p1.r1.b.initial is False
    assert TwoParallels.p1.r2.c.initial is True
    assert TwoParallels.p1.r2.d.initial is False


class LateCompound(StateChart):
    first = State()

    class c(State.Compound):
        x = State()
        y = State()
        step = x.to(y)

    go = first.to(c)


def test_compound_entered_later_starts_in_its_first_declared_child(engine):
    """A compound that is not the initial state, with no child marked initial, is entered
    through its first declared child."""
    assert LateCompound.initial_state is LateCompound.first
    assert LateCompound.c.initial is False
    assert (LateCompound.c.x.initial, LateCompound.c.y.initial) == (True, False)
    sm = engine.machine(LateCompound)
    engine.send(sm, "go")
    assert list(sm.configuration_values) == ["c", "x"]


def test_parallel_declared_first_in_a_compound_is_its_initial_child():
    """A parallel state declared first in a compound is its initial child, regions and all."""

    class M(StateChart):
        class c(State.Compound):
            class par(State.Parallel):
                class r1(State.Compound):
                    a = State()

                class r2(State.Compound):
                    b = State()

            z = State()
            leave = par.to(z)

    assert (M.c.par.initial, M.c.z.initial) == (True, False)
    assert list(M().configuration_values) == ["c", "par", "r1", "a", "r2", "b"]


# --- A2. target.from_.itself() ----------------------------------------------------------------


def _self_loop(build):
    """A machine whose `spin` event is the self-transition that ``build(a)`` declares."""

    class M(LogMixin, StateMachine):
        a = State(initial=True)
        b = State(final=True)
        spin = build(a)
        finish = a.to(b)

        def spun(self, event, source, target):
            self.log.append(f"on {event} {source.id}->{target.id}")

        def on_enter_a(self):
            self.log.append("enter a")

        def on_exit_a(self):
            self.log.append("exit a")

    return M


def test_from_itself_is_a_self_transition_like_to_itself(engine):
    """`a.from_.itself(on=...)` exits and re-enters `a` and runs its `on` callback, exactly as
    `a.to.itself(on=...)` does."""
    logs = []
    for build in (lambda a: a.to.itself(on="spun"), lambda a: a.from_.itself(on="spun")):
        sm = engine.machine(_self_loop(build))
        sm.log.clear()
        engine.send(sm, "spin")
        logs.append(sm.log)
    assert logs[1] == ["exit a", "on spin a->a", "enter a"]
    assert logs[0] == logs[1]


def test_from_itself_declares_a_transition_whose_source_and_target_are_the_state():
    """The transition made by `from_.itself()` starts and ends at its state."""
    cls = _self_loop(lambda a: a.from_.itself(on="spun"))
    (spin,) = [t for t in cls.a.transitions if t.event == "spin"]
    assert (spin.source, spin.target, spin.is_self) == (cls.a, cls.a, True)


def test_internal_from_itself_on_a_state_machine_runs_no_exit_or_entry(engine):
    """`from_.itself(internal=True)` honours its kwargs: on a StateMachine only `on` runs."""
    sm = engine.machine(_self_loop(lambda a: a.from_.itself(internal=True, on="spun")))
    sm.log.clear()
    engine.send(sm, "spin")
    assert sm.log == ["on spin a->a"]


def test_guarded_from_itself_refuses_when_its_guard_fails(engine):
    """A `cond=` given to `from_.itself()` guards it: a false guard refuses the event and runs
    no callback."""

    class M(LogMixin, StateMachine):
        a = State(initial=True)
        b = State(final=True)
        spin = a.from_.itself(cond="allowed")
        finish = a.to(b)
        allowed = False

        def on_exit_a(self):
            self.log.append("exit a")

    sm = engine.machine(M)
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "spin")
    assert sm.log == []
    assert list(sm.configuration_values) == ["a"]


# --- A3. an event declared in a compound body and at the machine level ------------------------


class SharedGo(LogMixin, StateChart):
    class c(State.Compound, initial=True):
        x = State(initial=True)
        y = State()
        go = x.to(y)

    d = State()
    go = c.to(d)
    back = d.to(c)

    def on_transition(self, event, source, target):
        self.log.append(f"{event} {source.id}->{target.id}")


def test_event_declared_in_a_compound_and_at_machine_level_is_one_event():
    """The compound's `go` and the machine's `go` are one event of the class."""
    assert [(e.id, e.name) for e in SharedGo.events] == [("go", "Go"), ("back", "Back")]


def test_shared_event_takes_the_compound_transition_from_the_inner_state(engine):
    """From the compound's child, `go` fires the transition declared in the compound body."""
    sm = engine.machine(SharedGo)
    sm.log.clear()
    engine.send(sm, "go")
    assert sm.log == ["go x->y"]
    assert list(sm.configuration_values) == ["c", "y"]


def test_shared_event_takes_the_machine_transition_when_the_inner_one_does_not_apply(engine):
    """From the compound's other child, `go` fires the transition declared at machine level."""
    sm = engine.machine(SharedGo)
    engine.send(sm, "go")
    sm.log.clear()
    engine.send(sm, "go")
    assert sm.log == ["go c->d"]
    assert list(sm.configuration_values) == ["d"]


def test_explicit_event_name_is_kept_when_a_compound_declared_before_adds_transitions(engine):
    """`go = Event(..., name="Go now")` after a compound that also declares `go` keeps the
    display name, and the compound's transition still fires."""

    class M(StateChart):
        class c(State.Compound, initial=True):
            x = State(initial=True)
            y = State()
            go = x.to(y)

        d = State()
        go = Event(c.to(d), name="Go now")
        back = d.to(c)

    assert [(e.id, e.name) for e in M.events] == [("go", "Go now"), ("back", "Back")]
    sm = engine.machine(M)
    engine.send(sm, "go")
    assert list(sm.configuration_values) == ["c", "y"]


def test_explicit_event_name_is_kept_when_a_compound_declared_after_adds_transitions():
    """The display name is kept whichever of the two declarations comes first."""

    class M(StateChart):
        d = State()

        class c(State.Compound, initial=True):
            x = State(initial=True)
            y = State()
            go = x.to(y)

        go = Event(c.to(d), name="Go now")
        back = d.to(c)

    assert [(e.id, e.name) for e in M.events] == [("go", "Go now"), ("back", "Back")]


def _method_before():
    class M(StateChart):
        def go(self):
            return "method"

        class c(State.Compound, initial=True):
            x = State(initial=True)
            y = State()
            go = x.to(y)


def _method_after():
    class M(StateChart):
        class c(State.Compound, initial=True):
            x = State(initial=True)
            y = State()
            go = x.to(y)

        def go(self):
            return "method"


def _none_attribute():
    class M(StateChart):
        go = None

        class c(State.Compound, initial=True):
            x = State(initial=True)
            y = State()
            go = x.to(y)


@pytest.mark.parametrize(
    "declare",
    [_method_before, _method_after, _none_attribute],
    ids=["method-before", "method-after", "none"],
)
def test_compound_event_clashing_with_a_plain_attribute_is_a_definition_error(declare):
    """An event of a compound body named like a non-event class attribute is rejected at class
    creation. (A deliberate departure: the reference silently replaces the attribute.)"""
    with pytest.raises(InvalidDefinition) as caught:
        declare()
    assert str(caught.value).startswith(
        "Event 'go' declared inside state 'c' clashes with another attribute named 'go'"
    )


# --- A4. definition mistakes fail at class creation ------------------------------------------


def test_event_named_like_its_target_state_is_a_definition_error():
    """`b = a.to(b)` (the event takes over the state's name) is rejected at class creation."""
    # The reference accepts this class; `send("b")` then leaves it with no active state.
    with pytest.raises(InvalidDefinition) as caught:

        class M(StateMachine):
            a = State(initial=True)
            b = State(final=True)
            b = a.to(b)

    assert str(caught.value).startswith(
        "The transition ('b') from 'a' targets a State that is not a class attribute"
    )


class Other(StateMachine):
    p = State(initial=True)
    q = State(final=True)
    go = p.to(q)


def test_transition_to_a_state_of_another_machine_is_a_definition_error():
    """A transition to a state declared on another machine class is rejected, naming it."""
    # The reference accepts this class; `send("jump")` then fails with an AttributeError.
    with pytest.raises(InvalidDefinition) as caught:

        class M(StateMachine):
            a = State(initial=True)
            b = State(final=True)
            go = a.to(b)
            jump = a.to(Other.q)

    assert "'q'" in str(caught.value)
    assert "('jump')" in str(caught.value)


def test_transition_from_a_compound_to_a_state_of_another_machine_is_a_definition_error():
    """The check also covers transitions leaving nested states."""
    # The reference accepts this class; `send("jump")` then fails with InvalidStateValue.
    with pytest.raises(InvalidDefinition) as caught:

        class M(StateChart):
            class c(State.Compound, initial=True):
                x = State(initial=True)
                y = State()
                go = x.to(y)

            d = State()
            leave = c.to(d)
            jump = c.to(Other.q)

    assert "'q'" in str(caught.value)


def test_state_assigned_to_two_attributes_is_a_definition_error():
    """One State object under two class attributes is rejected, naming both."""
    # The reference rejects it too, but as two initial states: "... these: lit, lit".
    with pytest.raises(InvalidDefinition) as caught:

        class M(StateMachine):
            on = State(initial=True)
            off = State(final=True)
            lit = on
            go = on.to(off)

    assert str(caught.value).startswith("The state 'on' is assigned to a second attribute, 'lit'")


def _one_step(base: type[StateChart]) -> type[StateChart]:
    """A machine of ``base`` with one event, `go`, from `a` to the final `b`."""

    class M(base):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    return M


@pytest.mark.parametrize(("bad", "shown"), [(123, "123 (int)"), (None, "None (NoneType)")])
def test_sending_a_non_string_event_raises_type_error(engine, base, bad, shown):
    """`send()` with a non-str event raises TypeError naming the value and its type."""
    # The reference raises TypeError too, with "attribute name must be string, not 'int'".
    sm = engine.machine(_one_step(base))
    with pytest.raises(TypeError) as caught:
        engine.send(sm, bad)
    assert str(caught.value).startswith(f"An event is sent by its name, a str; got {shown}.")


def test_machine_is_unchanged_after_a_non_string_event(engine, base):
    """After the TypeError the configuration is the same and the next event works."""
    sm = engine.machine(_one_step(base))
    with pytest.raises(TypeError):
        engine.send(sm, 123)
    assert list(sm.configuration_values) == ["a"]
    engine.send(sm, "go")
    assert list(sm.configuration_values) == ["b"]


def test_event_object_is_accepted_by_send(engine):
    """An Event (a str) is a valid argument of `send()`."""
    cls = _one_step(StateMachine)
    sm = engine.machine(cls)
    engine.send(sm, cls.go)
    assert list(sm.configuration_values) == ["b"]


# --- A5. disconnected states and history defaults ---------------------------------------------


def _history_chart(with_default: bool) -> type[StateChart]:
    """A chart whose state `c.x` only a default transition of `c.h` (if declared) targets."""

    class M(StateChart):
        class c(State.Compound, initial=True):
            a = State(initial=True)
            x = State()
            h = HistoryState()
            if with_default:
                h.to(x)
            back = x.to(a)

        out = State()
        leave = c.to(out)
        ret = out.to(c)

    return M


def test_state_reached_only_through_a_history_default_is_connected():
    """A state that only a history state's default transition targets is accepted."""
    cls = _history_chart(with_default=True)
    assert [s.id for s in cls.c.states] == ["a", "x"]
    assert list(cls().configuration_values) == ["c", "a"]


def test_state_reached_by_nothing_next_to_a_history_state_is_disconnected():
    """Without the history default transition the same state is reported as disconnected."""
    with pytest.raises(InvalidDefinition) as caught:
        _history_chart(with_default=False)
    assert str(caught.value) == (
        "There are unreachable states. The statemachine graph should have a single component. "
        "Disconnected states: ['x']"
    )


# --- A6. Event objects given as event= ---------------------------------------------------------


class TwoNames(StateMachine):
    a = State(initial=True)
    b = State()
    c = State(final=True)
    a.to(b, event=Event("x y"))
    finish = b.to(c)
    back = b.to(a)


def test_event_with_two_ids_given_as_event_declares_both():
    """`event=Event("x y")` declares the two events `x` and `y`."""
    assert sorted(e.id for e in TwoNames.events) == ["back", "finish", "x", "y"]


@pytest.mark.parametrize("event", ["x", "y"])
def test_each_id_of_an_event_given_as_event_fires_the_transition(engine, event):
    """Both `x` and `y` take the transition declared with `event=Event("x y")`."""
    sm = engine.machine(TwoNames)
    engine.send(sm, event)
    assert list(sm.configuration_values) == ["b"]


def test_nested_event_keeps_its_display_name_inside_an_outer_event():
    """An Event given as `event=` inside another named Event keeps its own display name."""

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        outer = Event(a.to.itself(event=Event("spin", name="Spin it")), name="Outer")
        finish = a.to(b)

    assert {e.id: e.name for e in M.events} == {
        "spin": "Spin it",
        "outer": "Outer",
        "finish": "Finish",
    }


@pytest.mark.parametrize(
    ("descriptor", "event", "expected"),
    [
        ("error.", "error.execution", True),
        ("error", "error.execution", True),
        ("*", "error.execution", True),
        ("*", "go", True),
        ("a", "ab", False),
        ("a.b", "a.bc", False),
        ("error.execution", "error", False),
    ],
)
def test_event_match_follows_scxml_descriptors(descriptor, event, expected):
    """`Event.match()` compares dot-separated tokens as a prefix; `*` matches anything."""
    assert Event(descriptor).match(event) is expected


class Reset(LogMixin, StateMachine):
    a = State(initial=True)
    b = State()
    c = State(final=True)
    reset = Event(a.to(b) | c.from_.any())
    to_b = a.to(b)
    wanted = "c"

    @reset.cond
    def heading_for_wanted(self, source, target):
        self.log.append(f"cond {source.id}->{target.id}")
        return target.id == self.wanted

    @reset.before
    def log_before(self, source, target):
        self.log.append(f"before {source.id}->{target.id}")

    @reset.on
    def log_on(self, source, target):
        self.log.append(f"on {source.id}->{target.id}")
        return "reset"


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ([], ["cond a->b", "cond a->c", "before a->c", "on a->c"]),
        (["to_b"], ["cond b->c", "before b->c", "on b->c"]),
    ],
    ids=["from-a", "from-b"],
)
def test_event_decorators_reach_every_transition_from_any_expands_into(engine, start, expected):
    """`@ev.cond`, `@ev.before` and `@ev.on` apply to each transition `from_.any()` declares."""
    sm = engine.machine(Reset)
    for event in start:
        engine.send(sm, event)
    sm.log.clear()
    assert engine.send(sm, "reset") == [None, "reset"]
    assert sm.log == expected
    assert list(sm.configuration_values) == ["c"]


def test_event_decorated_guard_refuses_every_expanded_transition(engine):
    """When the decorated guard refuses them all, the event is not allowed and no action runs."""
    sm = engine.machine(Reset)
    sm.wanted = "nowhere"
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "reset")
    assert sm.log == ["cond a->b", "cond a->c"]
    assert list(sm.configuration_values) == ["a"]


# --- A10. one callable registered twice runs once ----------------------------------------------


class Twice(LogMixin, StateMachine):
    a = State(initial=True)
    b = State(enter="on_enter_b")
    c = State(final=True)
    confirm = a.to(b, on="on_confirm")
    move = b.to(c)

    def on_confirm(self):
        self.log.append("on_confirm")
        return 1

    def on_enter_b(self):
        self.log.append("enter b")

    @move.on
    def on_move(self):
        self.log.append("on_move")
        return 2


def test_action_named_explicitly_and_by_convention_runs_once(engine):
    """`on="on_confirm"` naming the conventional method runs it once, with one result."""
    sm = engine.machine(Twice)
    assert engine.send(sm, "confirm") == 1
    assert sm.log == ["on_confirm", "enter b"]


def test_entry_named_explicitly_and_by_convention_runs_once(engine):
    """`enter="on_enter_b"` naming the conventional entry callback runs it once."""
    sm = engine.machine(Twice)
    engine.send(sm, "confirm")
    assert sm.log.count("enter b") == 1


def test_decorated_method_with_the_conventional_name_runs_once(engine):
    """`@move.on` on a method named `on_move` runs it once, with one result."""
    sm = engine.machine(Twice)
    engine.send(sm, "confirm")
    sm.log.clear()
    assert engine.send(sm, "move") == 2
    assert sm.log == ["on_move"]


class Listener:
    def __init__(self):
        self.log: list = []

    def on_confirm(self):
        self.log.append("on_confirm")

    def on_enter_state(self, state):
        self.log.append(f"enter {state.id}")

    def after_transition(self, event):
        self.log.append(f"after {event}")


def test_listener_given_twice_to_the_constructor_runs_once(engine):
    """`listeners=[l, l]` calls each of the listener's callbacks once."""
    listener = Listener()
    sm = engine.machine(Twice, listeners=[listener, listener])
    engine.send(sm, "confirm")
    assert listener.log == ["enter a", "on_confirm", "enter b", "after confirm"]


def test_listener_given_to_the_constructor_and_added_again_runs_once(engine):
    """Adding with `add_listener(l)` a listener already given to the constructor changes
    nothing."""
    listener = Listener()
    sm = engine.machine(Twice, listeners=[listener])
    sm.add_listener(listener)
    engine.send(sm, "confirm")
    assert listener.log == ["enter a", "on_confirm", "enter b", "after confirm"]


def test_listener_added_twice_runs_once(engine):
    """Two `add_listener(l)` calls with the same listener call its callbacks once."""
    listener = Listener()
    sm = engine.machine(Twice)
    sm.add_listener(listener)
    sm.add_listener(listener)
    engine.send(sm, "confirm")
    assert listener.log == ["on_confirm", "enter b", "after confirm"]


class Guards(LogMixin, StateMachine):
    a = State(initial=True)
    b = State(final=True)
    twice = a.to(b, cond=["ok", "ok"])
    both = a.to(b, cond="ok", unless="ok")

    def ok(self):
        self.log.append("ok")
        return True


def test_guard_listed_twice_is_evaluated_once(engine):
    """`cond=["ok", "ok"]` evaluates `ok` once."""
    sm = engine.machine(Guards)
    engine.send(sm, "twice")
    assert sm.log == ["ok"]
    assert list(sm.configuration_values) == ["b"]


def test_cond_and_unless_naming_the_same_callback_are_both_evaluated(engine):
    """A `cond` and an `unless` naming one callback both run, so a true result refuses the
    event (deliberate difference 21)."""
    sm = engine.machine(Guards)
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "both")
    assert sm.log == ["ok", "ok"]
    assert list(sm.configuration_values) == ["a"]


# --- A11. weak proxies and properties ---------------------------------------------------------


class Account:
    def __init__(self, ready):
        self.state = None
        self.ready = ready
        self.log: list = []

    def check(self):
        self.log.append("check")
        return self.ready

    def on_go(self):
        self.log.append("on_go")
        return "model"

    def log_enter(self, state):
        self.log.append(f"enter {state.id}")


class ProxyMachine(StateMachine):
    a = State(initial=True)
    b = State(final=True, enter="log_enter")
    go = a.to(b, cond="check")


def test_callback_names_resolve_on_a_weakref_proxy_model(engine):
    """Guards, actions and entry callbacks named on the model are found through a proxy."""
    account = Account(ready=True)
    sm = engine.machine(ProxyMachine, model=weakref.proxy(account))
    assert engine.send(sm, "go") == "model"
    assert account.log == ["check", "on_go", "enter b"]
    assert account.state == "b"


def test_guard_on_a_weakref_proxy_model_refuses_the_event(engine):
    """A false guard read through a proxy model refuses the event."""
    account = Account(ready=False)
    sm = engine.machine(ProxyMachine, model=weakref.proxy(account))
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "go")
    assert account.log == ["check"]
    assert account.state == "a"


def _lambda_property():
    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        ready = property(lambda self: self.flag)
        go = a.to(b, cond=ready)
        flag = True

    return M


def _renamed_property():
    def _get(self):
        return self.flag

    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        is_ready = property(_get)
        go = a.to(b, cond=is_ready)
        flag = True

    return M


@pytest.mark.parametrize("make", [_lambda_property, _renamed_property], ids=["lambda", "renamed"])
@pytest.mark.parametrize("flag", [True, False])
def test_property_given_as_a_guard_is_read_on_the_machine(engine, make, flag):
    """A property object given as `cond=` is read from the machine, whatever its getter's name.
    (The reference resolves a property by its getter's name: for these two it raises
    InvalidDefinition at instantiation.)"""
    cls = make()
    cls.flag = flag
    sm = engine.machine(cls)
    if flag:
        engine.send(sm, "go")
        assert list(sm.configuration_values) == ["b"]
    else:
        with pytest.raises(TransitionNotAllowed):
            engine.send(sm, "go")
        assert list(sm.configuration_values) == ["a"]


class Door:
    def __init__(self):
        self.state = None

    @property
    def ready(self):
        return False


def _guarded_by(prop):
    class M(StateMachine):
        a = State(initial=True)
        b = State(final=True)

        @property
        def ready(self):
            return True

        go = a.to(b, cond=prop if prop is not None else ready)

    return M


def test_machine_property_guard_is_read_on_the_machine_not_on_a_model_with_the_same_name(engine):
    """The machine's `ready` property is read on the machine even if the model has one too."""
    sm = engine.machine(_guarded_by(None), model=Door())
    engine.send(sm, "go")
    assert list(sm.configuration_values) == ["b"]


def test_model_property_guard_is_read_on_the_model_not_on_a_machine_with_the_same_name(engine):
    """The model class's `ready` property is read on the model even if the machine has one."""
    sm = engine.machine(_guarded_by(Door.ready), model=Door())
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "go")
    assert list(sm.configuration_values) == ["a"]


# --- how OrderedSet and Event print --------------------------------------------------------------


def test_ordered_set_str_shows_the_items_str_in_order():
    """`str(OrderedSet)` is the items' str, in order, between braces."""
    assert str(OrderedSet(["a", "b"])) == "{a, b}"
    assert str(OrderedSet([2, "x", 1])) == "{2, x, 1}"
    assert str(OrderedSet()) == "{}"


def test_ordered_set_repr_shows_a_list_of_the_items_repr():
    """`repr(OrderedSet)` is `OrderedSet([...])` with the items' repr, in order."""
    assert repr(OrderedSet(["a", "b"])) == "OrderedSet(['a', 'b'])"
    assert repr(OrderedSet()) == "OrderedSet([])"


def test_configuration_prints_as_an_ordered_set_of_states():
    """The configuration prints its states by display name and its values by value."""
    sm = _one_step(StateMachine)()
    assert str(sm.configuration) == "{A}"
    assert (str(sm.configuration_values), repr(sm.configuration_values)) == (
        "{a}",
        "OrderedSet(['a'])",
    )


def test_event_repr_shows_id_delay_and_internal():
    """`repr(Event)` is `Event('go', delay=0, internal=False)`, on the class too."""
    assert repr(Event("go")) == "Event('go', delay=0, internal=False)"
    assert repr(Event("go", delay=5)) == "Event('go', delay=5, internal=False)"
    assert repr(Event("go", internal=True)) == "Event('go', delay=0, internal=True)"
    assert repr(_one_step(StateMachine).go) == "Event('go', delay=0, internal=False)"


def test_bound_event_repr_names_the_bound_event():
    """An event read on an instance prints as `BoundEvent('go', delay=0, internal=False)`."""
    sm = _one_step(StateMachine)()
    assert repr(sm.go) == "BoundEvent('go', delay=0, internal=False)"
    assert [repr(event) for event in sm.events] == ["BoundEvent('go', delay=0, internal=False)"]


# --- delayed internal events, listeners listed once ---------------------------------------

_DELAYED_INTERNAL = (
    "Event 'go' cannot be both delayed and internal: the internal queue runs within the current "
    "macrostep, which takes no time. Drop 'internal' to deliver it later on the external queue, "
    "or drop 'delay' to run it now."
)


def test_a_class_level_event_cannot_be_both_delayed_and_internal():
    """`Event(..., delay=, internal=True)` is refused when the class is created."""
    with pytest.raises(InvalidDefinition) as caught:

        class M(StateChart):
            a = State(initial=True)
            b = State()
            go = Event(a.to(b), delay=5, internal=True)

    assert str(caught.value) == _DELAYED_INTERNAL


@pytest.mark.parametrize("how", ["send", "raise_"])
def test_sending_an_event_both_delayed_and_internal_is_refused(engine, how):
    """`send(..., delay=, internal=True)` and `raise_(..., delay=)` raise before queueing
    anything; the machine is unchanged."""
    sm = engine.machine(_one_step(StateChart))
    with pytest.raises(InvalidDefinition) as caught:
        if how == "send":
            engine.send(sm, "go", delay=5, internal=True)
        else:
            engine.call(sm.raise_, "go", delay=5)
    assert str(caught.value) == _DELAYED_INTERNAL
    assert list(sm.configuration_values) == ["a"]
    engine.send(sm, "go")
    assert list(sm.configuration_values) == ["b"]


def test_a_listener_given_twice_is_listed_once(engine):
    """`active_listeners` lists a listener passed twice (and added again) once."""

    class Listener:
        pass

    listener = Listener()
    sm = engine.machine(_one_step(StateChart), listeners=[listener, listener])
    sm.add_listener(listener)
    assert [x for x in sm.active_listeners if x is listener] == [listener]
