"""Runtime details python-statemachine 3.2 programs rely on: the event data each callback sees
(exits, default entries, history defaults, `after`, parallel regions, the initial entry), the
`on` content of default entries, history recorded in the same microstep, `prepare_event` on
eventless transitions, models without a state attribute, and unhandled internal events.

Every test runs on the sync and the asyncio engine; each expectation was checked against the
reference by running it.
"""

from __future__ import annotations

import pytest
from _chart_helpers import LogMixin

from statemachine import HistoryState, State, StateChart, StateMachine
from statemachine.exceptions import TransitionNotAllowed
from statemachine.transition import Transition


@pytest.fixture(params=[StateMachine, StateChart], ids=["StateMachine", "StateChart"])
def base(request):
    """Both public base classes behave the same way here."""
    return request.param


class DataRecorder:
    """A listener that records the event data of every exit, `on`, entry and `after` callback:
    `(group, state, source, target)` by id."""

    def __init__(self):
        self.calls: list[tuple] = []

    def on_exit_state(self, state, source, target):
        self.calls.append(("exit", state.id, source.id, target.id))

    def on_transition(self, state, source, target):
        self.calls.append(("on", state.id, source.id, target.id))

    def on_enter_state(self, state, source, target):
        self.calls.append(("enter", state.id, source.id, target.id))

    def after_transition(self, state, source, target):
        self.calls.append(("after", state.id, source.id, target.id))


def recorded(engine, cls):
    """A machine of ``cls`` with a DataRecorder that forgot the initial entry."""
    rec = DataRecorder()
    sm = engine.machine(cls, listeners=[rec])
    rec.calls.clear()
    return sm, rec


# --- B12. a model without the state attribute ----------------------------------------------


class Bare:
    """A model with callbacks but no `state` attribute."""

    def __init__(self):
        self.log: list = []

    def on_enter_state(self, state):
        self.log.append(f"model enter {state.id}")


class EnterListener:
    def __init__(self):
        self.log: list = []

    def on_enter_state(self, state):
        self.log.append(f"listener enter {state.id}")


def _went(base):
    class M(base):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

        def on_go(self):
            return "went"

    return M


def test_model_without_the_state_attribute_gets_one(engine, base):
    """A model that has no `state` attribute is given one, and its callbacks and the
    listeners' run as usual."""
    model, listener = Bare(), EnterListener()
    sm = engine.machine(_went(base), model=model, listeners=[listener])
    assert model.state == "a"
    assert engine.send(sm, "go") == "went"
    assert model.state == "b"
    assert model.log == ["model enter a", "model enter b"]
    assert listener.log == ["listener enter a", "listener enter b"]


def test_model_without_a_custom_state_field_gets_it(engine, base):
    """The same holds for a `state_field` other than `state`."""
    model = Bare()
    sm = engine.machine(_went(base), model=model, state_field="status")
    assert model.status == "a"
    engine.send(sm, "go")
    assert model.status == "b"
    assert not hasattr(model, "state")


# --- B13 / B14 / B16. event data of exits, default entries and `after` -----------------------


class Nest(StateChart):
    class c(State.Compound, initial=True):
        x = State(initial=True)
        y = State()
        step = x.to(y)

    d = State()
    leave = c.to(d)
    back = d.to(c)


def test_exit_callbacks_see_the_exited_state_as_state_and_source(engine):
    """Leaving compound `c` from `x`: exits run for `x` then `c`, each with `state` and `source`
    the state being exited and `target` the transition's target."""
    sm, rec = recorded(engine, Nest)
    engine.send(sm, "leave")
    exits = [call for call in rec.calls if call[0] == "exit"]
    assert exits == [("exit", "x", "x", "d"), ("exit", "c", "c", "d")]


def test_callbacks_around_a_compound_exit_see_the_transition_source_and_target(engine):
    """`on`, entry and `after` of the same transition see its own source `c` and target `d`."""
    sm, rec = recorded(engine, Nest)
    engine.send(sm, "leave")
    assert rec.calls[2:] == [
        ("on", "c", "c", "d"),
        ("enter", "d", "c", "d"),
        ("after", "d", "c", "d"),
    ]


def test_default_entry_of_a_compound_enters_its_child_from_the_compound(engine):
    """Entering `c` by default, its initial child is entered with `source=c` through `c`'s
    initial transition."""
    seen = []

    class M(Nest):
        def on_enter_x(self, source, target, transition):
            seen.append((source.id, target.id, transition.source.id, transition.target.id))
            seen.append(transition.initial)

    sm = engine.machine(M)
    engine.send(sm, "leave")
    seen.clear()
    engine.send(sm, "back")
    assert seen == [("c", "x", "c", "x"), True]


def test_after_callbacks_see_the_transition_target_as_state(engine):
    """`after` callbacks see `state` and `target` equal to the transition's target."""
    sm, rec = recorded(engine, Nest)
    engine.send(sm, "leave")
    rec.calls.clear()
    engine.send(sm, "back")
    assert rec.calls[-1] == ("after", "c", "d", "c")


class Recall(StateChart):
    d = State(initial=True)

    class c(State.Compound):
        x = State(initial=True)
        y = State()
        h = HistoryState()
        h.to(y, on="default_action")
        step = x.to(y)

    leave = c.to(d)
    back = d.to(c.h)

    def default_action(self, state, source, target):
        self.default_seen = (state.id, source.id, target.id)


def test_state_entered_through_a_history_default_sees_the_history_as_source(engine):
    """With no history recorded, the default transition's target is entered with
    `source=` the history state."""
    sm, rec = recorded(engine, Recall)
    engine.send(sm, "back")
    entries = [call for call in rec.calls if call[0] == "enter"]
    assert entries == [("enter", "c", "d", "c"), ("enter", "y", "h", "y")]


def test_history_default_transition_actions_see_the_history_as_state_and_source(engine):
    """The default transition's own `on` callbacks run with `state` and `source` the history
    state and `target` its target, between the entries of `c` and `y`."""
    sm, rec = recorded(engine, Recall)
    engine.send(sm, "back")
    assert sm.default_seen == ("h", "h", "y")
    assert rec.calls[2:5] == [
        ("enter", "c", "d", "c"),
        ("on", "h", "h", "y"),
        ("enter", "y", "h", "y"),
    ]


def test_state_restored_from_a_history_record_sees_the_transition_source(engine):
    """Once history is recorded, the restored state is entered from the transition's own
    source, and the default transition does not run."""
    sm, rec = recorded(engine, Recall)
    engine.send(sm, "back")
    engine.send(sm, "leave")
    sm.default_seen = None
    rec.calls.clear()
    engine.send(sm, "back")
    assert sm.default_seen is None
    assert rec.calls == [
        ("exit", "d", "d", "h"),
        ("on", "d", "d", "h"),
        ("enter", "c", "d", "c"),
        ("enter", "y", "d", "y"),
        ("after", "h", "d", "h"),
    ]


def test_after_callbacks_of_a_transition_to_a_history_state_see_the_history_state(engine):
    """For a transition to a history state, `after` sees `state` and `target` = that history."""
    sm, rec = recorded(engine, Recall)
    engine.send(sm, "back")
    assert rec.calls[-1] == ("after", "h", "d", "h")


# --- B15. the `on` content of a compound's initial transition --------------------------------


def _default_on(start_in_compound: bool) -> type[StateChart]:
    """A chart whose every `on` callback is logged and returns a value; it starts in `d`, or
    in the compound `c` with ``start_in_compound``."""

    class M(LogMixin, StateChart):
        d = State(initial=not start_in_compound)

        class c(State.Compound, initial=start_in_compound):
            x = State(initial=True, enter="inline_enter_x")
            y = State()
            step = x.to(y)

        leave = c.to(d)
        back = d.to(c)

        def on_transition(self, event, state, source, target):
            self.log.append(f"on_transition {event} state={state.id} {source.id}->{target.id}")
            return "t"

        def on_enter_state(self, state):
            self.log.append(f"enter {state.id}")

        def inline_enter_x(self):
            self.log.append("inline enter x")

        def on_back(self):
            self.log.append("on_back")
            return "b"

    return M


DefaultOn = _default_on(start_in_compound=False)


def test_default_entry_runs_the_initial_transition_on_content_between_entries(engine):
    """Entering `c` by default runs `on_transition` for its initial transition after `c`'s
    entry callbacks and before `x`'s."""
    sm = engine.machine(DefaultOn)
    sm.log.clear()
    engine.send(sm, "back")
    assert sm.log == [
        "on_transition back state=d d->c",
        "on_back",
        "enter c",
        "on_transition back state=c d->c",
        "enter x",
        "inline enter x",
    ]


def test_default_entry_on_content_results_join_the_send_result(engine):
    """The initial transition's `on` results are part of what `send()` returns."""
    sm = engine.machine(DefaultOn)
    assert engine.send(sm, "back") == ["t", "b", "t"]


def test_transition_without_a_default_entry_returns_only_its_own_results(engine):
    """A transition between two children enters no compound by default: one `on` result."""
    sm = engine.machine(DefaultOn)
    engine.send(sm, "back")
    assert engine.send(sm, "step") == "t"


def test_initial_entry_runs_the_initial_transition_on_content_too(engine):
    """During the constructor's initial entry, the default entry of a compound runs
    `on_transition` between the compound's entry and its child's."""
    sm = engine.machine(_default_on(start_in_compound=True))
    assert sm.log == [
        "enter c",
        "on_transition __initial__ state=c ->c",
        "enter x",
        "inline enter x",
    ]


# --- B17. parallel regions in one microstep ----------------------------------------------------


class Regions(StateChart):
    class p(State.Parallel):
        class r1(State.Compound):
            a1 = State(initial=True)
            a2 = State()
            go = a1.to(a2)

        class r2(State.Compound):
            b1 = State(initial=True)
            b2 = State()
            go = b1.to(b2)


def test_each_region_callback_sees_the_event_data_of_its_own_transition(engine):
    """One event taking a transition in each region: every exit, `on`, entry and `after`
    callback sees the source and target of its own region's transition."""
    sm, rec = recorded(engine, Regions)
    engine.send(sm, "go")
    assert rec.calls == [
        ("exit", "b1", "b1", "b2"),
        ("exit", "a1", "a1", "a2"),
        ("on", "a1", "a1", "a2"),
        ("on", "b1", "b1", "b2"),
        ("enter", "a2", "a1", "a2"),
        ("enter", "b2", "b1", "b2"),
        ("after", "a2", "a1", "a2"),
        ("after", "b2", "b1", "b2"),
    ]


def test_each_region_exit_sees_its_own_transition_object(engine):
    """The `transition` given to each exit callback is that region's transition."""
    seen = []

    class M(Regions):
        def on_exit_state(self, state, transition):
            seen.append((state.id, transition.source.id, transition.target.id))

    sm = engine.machine(M)
    engine.send(sm, "go")
    assert seen == [("b1", "b1", "b2"), ("a1", "a1", "a2")]


# --- B18. history recorded earlier in the same microstep ---------------------------------------


class Reenter(LogMixin, StateChart):
    class c(State.Compound):
        x = State(initial=True)
        y = State()
        h = HistoryState()
        step = x.to(y)

    reenter = c.to(c.h)

    def on_exit_state(self, state):
        self.log.append(f"exit {state.id}")

    def on_enter_state(self, state):
        self.log.append(f"enter {state.id}")


def test_history_recorded_by_the_same_microstep_is_used_to_reenter(engine):
    """A transition from `c` (in `y`) to `c.h` records `y` on exit and re-enters `y`, not the
    initial child."""
    sm = engine.machine(Reenter)
    engine.send(sm, "step")
    sm.log.clear()
    engine.send(sm, "reenter")
    assert sm.log == ["exit y", "exit c", "enter c", "enter y"]
    assert list(sm.configuration_values) == ["c", "y"]


def test_deep_history_recorded_by_the_same_microstep_is_used_to_reenter(engine):
    """The same holds for a deep history and a nested leaf."""

    class M(LogMixin, StateChart):
        class c(State.Compound):
            class inner(State.Compound):
                x = State(initial=True)
                y = State()
                step = x.to(y)

            z = State()
            side = inner.to(z)
            h = HistoryState(type="deep")

        reenter = c.to(c.h)

        def on_enter_state(self, state):
            self.log.append(f"enter {state.id}")

    sm = engine.machine(M)
    engine.send(sm, "step")
    sm.log.clear()
    engine.send(sm, "reenter")
    assert sm.log == ["enter c", "enter inner", "enter y"]


# --- B19. prepare_event and eventless transitions ----------------------------------------------


class Prepared(LogMixin, StateChart):
    a = State(initial=True)
    b = State()
    c = State(final=True)
    go = a.to(b)
    b.to(c, cond="ready", on="act")

    def prepare_event(self, event, source, target):
        self.log.append(("prepare", event, source.id, target.id))
        return {"token": f"tok-{source.id}"}

    def ready(self, token):
        self.log.append(("ready", token))
        return True

    def act(self, event, token):
        self.log.append(("act", event, token))

    def on_enter_c(self, event, token):
        self.log.append(("enter c", event, token))


def test_prepare_event_runs_for_an_eventless_transition_with_no_event(engine):
    """`prepare_event` runs for the eventless transition `b -> c` with `event=None`."""
    sm = engine.machine(Prepared)
    sm.log.clear()
    engine.send(sm, "go")
    prepared = {entry for entry in sm.log if entry[0] == "prepare"}
    assert prepared == {("prepare", "go", "a", "b"), ("prepare", None, "b", "c")}


def test_prepare_event_result_reaches_the_eventless_transition_callbacks(engine):
    """The dict `prepare_event` returns reaches the eventless transition's guard, action and
    the entry it causes."""
    sm = engine.machine(Prepared)
    sm.log.clear()
    engine.send(sm, "go")
    assert [entry for entry in sm.log if entry[0] != "prepare"] == [
        ("ready", "tok-b"),
        ("act", None, "tok-b"),
        ("enter c", None, "tok-b"),
    ]


# --- B20. unhandled internal events --------------------------------------------------------------


class Finishing(StateMachine):
    class c(State.Compound, initial=True):
        x = State(initial=True)
        done = State(final=True)
        finish = x.to(done)

    d = State(final=True)
    leave = c.to(d)


def test_unhandled_done_state_event_does_not_raise(engine):
    """On a StateMachine (events without transitions refused), a `done.state.c` nothing
    handles raises no TransitionNotAllowed."""
    sm = engine.machine(Finishing)
    assert engine.send(sm, "finish") is None
    assert list(sm.configuration_values) == ["c", "done"]


def test_unknown_external_event_is_still_refused(engine):
    """An event sent from outside with no transition still raises TransitionNotAllowed."""
    sm = engine.machine(Finishing)
    engine.send(sm, "finish")
    with pytest.raises(TransitionNotAllowed) as caught:
        engine.send(sm, "nope")
    assert str(caught.value) == "Can't nope when in C, Done."


class Raising(StateMachine):
    a = State(initial=True)
    b = State()
    z = State(final=True)
    go = a.to(b)
    finish = b.to(z)
    where = "after_go"

    def on_go(self):
        if self.where == "on_go":
            self.raise_("unknown")

    def on_enter_b(self):
        if self.where == "on_enter_b":
            self.raise_("unknown")

    def after_go(self):
        if self.where == "after_go":
            self.raise_("unknown")


@pytest.mark.parametrize("where", ["on_go", "on_enter_b", "after_go"])
def test_unknown_internal_event_raised_by_a_callback_does_not_raise(engine, where):
    """An internal event with no transition, raised with `raise_()`, is dropped silently."""
    sm = engine.machine(Raising)
    sm.where = where
    assert engine.send(sm, "go") is None
    assert list(sm.configuration_values) == ["b"]


def test_same_unknown_event_sent_from_outside_is_refused(engine):
    """The event `raise_()` dropped is refused when it is sent from outside."""
    sm = engine.machine(Raising)
    engine.send(sm, "go")
    with pytest.raises(TransitionNotAllowed) as caught:
        engine.send(sm, "unknown")
    assert str(caught.value) == "Can't unknown when in B."


# --- B26. the initial entry's transition ----------------------------------------------------------


def _initial_probe(base):
    class M(LogMixin, base):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

        def prepare_event(self, event, transition):
            self.log.append(("prepare", str(event), transition))
            return {"extra": 1}

        def on_enter_a(self, event_data, extra):
            self.log.append(("enter", str(event_data.event), event_data.transition, extra))

    return M


def test_initial_entry_transition_is_a_transition_from_an_empty_root(engine, base):
    """During the initial entry, `event_data.transition` is a Transition from a root state with
    id "" to the initial state, for the event "__initial__"."""
    sm = engine.machine(_initial_probe(base))
    (_, event, transition, extra) = sm.log[-1]
    assert isinstance(transition, Transition)
    assert (transition.source.id, transition.target.id, transition.event) == (
        "",
        "a",
        "__initial__",
    )
    assert (event, extra) == ("__initial__", 1)


def test_prepare_event_sees_the_initial_entry_transition(engine, base):
    """`prepare_event` runs for the initial entry and gets the same transition."""
    sm = engine.machine(_initial_probe(base))
    prepared = [entry for entry in sm.log if entry[0] == "prepare"]
    entered = sm.log[-1][2]
    assert prepared
    assert all(entry[1:] == ("__initial__", entered) for entry in prepared)


def test_allowed_events_come_from_active_states_only(engine):
    """`allowed_events` lists the events with a transition from an active state, ancestors
    included, but not those of inactive children of an active compound."""

    class M(StateChart):
        class c(State.Compound, initial=True):
            x = State(initial=True)
            y = State()
            step = x.to(y)
            jump = y.to(x)

        out = State()
        leave = c.to(out)
        back = out.to(c)

    sm = engine.machine(M)
    assert sorted(e.id for e in sm.allowed_events) == ["leave", "step"]
    engine.send(sm, "step")
    assert sorted(e.id for e in sm.allowed_events) == ["jump", "leave"]
    engine.send(sm, "leave")
    assert sorted(e.id for e in sm.allowed_events) == ["back"]
