"""Order in which the callbacks of one microstep run on a flat machine (spec section 2.2)."""

from __future__ import annotations

import pytest

from statemachine import State, StateChart, StateMachine


def _recorder(name):
    """Return a method that appends `name` to `self.calls` when the machine calls it."""

    def record(self):
        self.calls.append(name)

    record.__name__ = name
    return record


def build_order_machine(base):
    """Build a two-state machine on `base` that records every callback style of every group."""

    class OrderMachine(base):
        a = State(initial=True, enter="enter_a_inline", exit="exit_a_inline")
        b = State(enter="enter_b_inline", exit="exit_b_inline")

        go = a.to(
            b,
            validators="validator",
            cond="cond_passes",
            unless="unless_blocks",
            before="before_inline",
            on="on_inline",
            after="after_inline",
        )
        back = b.to(a)

        def __init__(self, *args, **kwargs):
            self.calls: list[str] = []
            self.reject = False
            self.cond_result = True
            self.unless_result = False
            super().__init__(*args, **kwargs)

        def prepare_event(self):
            self.calls.append("prepare_event")
            return {}

        def validator(self):
            self.calls.append("validator")
            if self.reject:
                raise ValueError("rejected by validator")

        def cond_passes(self):
            self.calls.append("cond_passes")
            return self.cond_result

        def unless_blocks(self):
            self.calls.append("unless_blocks")
            return self.unless_result

        before_transition = _recorder("before_transition")
        before_inline = _recorder("before_inline")
        deco_before = go.before(_recorder("deco_before"))
        before_go = _recorder("before_go")

        on_exit_state = _recorder("on_exit_state")
        exit_a_inline = _recorder("exit_a_inline")
        deco_exit_a = a.exit(_recorder("deco_exit_a"))
        on_exit_a = _recorder("on_exit_a")
        exit_b_inline = _recorder("exit_b_inline")

        on_transition = _recorder("on_transition")
        on_inline = _recorder("on_inline")
        deco_on = go.on(_recorder("deco_on"))
        on_go = _recorder("on_go")

        on_enter_state = _recorder("on_enter_state")
        enter_a_inline = _recorder("enter_a_inline")
        deco_enter_a = a.enter(_recorder("deco_enter_a"))
        on_enter_a = _recorder("on_enter_a")
        enter_b_inline = _recorder("enter_b_inline")
        deco_enter_b = b.enter(_recorder("deco_enter_b"))
        on_enter_b = _recorder("on_enter_b")

        after_inline = _recorder("after_inline")
        deco_after = go.after(_recorder("deco_after"))
        after_go = _recorder("after_go")
        after_transition = _recorder("after_transition")

    return OrderMachine


OrderMachine = build_order_machine(StateMachine)
OrderChart = build_order_machine(StateChart)

BOTH = pytest.mark.parametrize("machine_cls", [OrderMachine, OrderChart], ids=["sm", "chart"])

EXPECTED_GO = [
    "validator",
    "cond_passes",
    "unless_blocks",
    "before_transition",
    "before_inline",
    "deco_before",
    "before_go",
    "on_exit_state",
    "exit_a_inline",
    "deco_exit_a",
    "on_exit_a",
    "on_transition",
    "on_inline",
    "deco_on",
    "on_go",
    "on_enter_state",
    "enter_b_inline",
    "deco_enter_b",
    "on_enter_b",
    "after_inline",
    "deco_after",
    "after_go",
    "after_transition",
]


def _without_prepare(calls):
    return [call for call in calls if call != "prepare_event"]


@BOTH
def test_full_callback_order_of_one_transition(engine, machine_cls):
    """Every group and every binding style runs in the documented order (section 2.2)."""
    sm = engine.machine(machine_cls)
    sm.calls.clear()
    engine.send(sm, "go")
    # prepare_event may run more than once per event (once per binding); its count is not pinned.
    assert _without_prepare(sm.calls) == EXPECTED_GO


@BOTH
def test_prepare_event_runs_before_everything_else(engine, machine_cls):
    """prepare_event is the first callback of the microstep, before validators and guards."""
    sm = engine.machine(machine_cls)
    sm.calls.clear()
    engine.send(sm, "go")
    assert sm.calls[0] == "prepare_event"


@BOTH
def test_initial_entry_runs_only_prepare_and_enter_groups(engine, machine_cls):
    """Activating the initial state runs prepare_event and the enter group, nothing else."""
    sm = engine.machine(machine_cls)
    assert sm.calls[0] == "prepare_event"
    assert _without_prepare(sm.calls) == [
        "on_enter_state",
        "enter_a_inline",
        "deco_enter_a",
        "on_enter_a",
    ]


def test_validator_that_raises_stops_before_the_guards(engine):
    """A raising validator aborts the transition before any cond is evaluated."""
    sm = engine.machine(OrderMachine)
    sm.reject = True
    sm.calls.clear()
    with pytest.raises(ValueError, match="rejected by validator"):
        engine.send(sm, "go")
    assert _without_prepare(sm.calls) == ["validator"]


def test_false_cond_short_circuits_unless_and_actions(engine):
    """When cond is falsy, unless is not evaluated and no action runs."""
    sm = engine.machine(OrderChart)
    sm.cond_result = False
    sm.calls.clear()
    engine.send(sm, "go")
    assert _without_prepare(sm.calls) == ["validator", "cond_passes"]
    assert sm.a.is_active


def test_truthy_unless_stops_before_actions(engine):
    """When unless is truthy, the transition is refused after evaluating it; no action runs."""
    sm = engine.machine(OrderChart)
    sm.unless_result = True
    sm.calls.clear()
    engine.send(sm, "go")
    assert _without_prepare(sm.calls) == ["validator", "cond_passes", "unless_blocks"]
    assert sm.a.is_active


def test_reverse_transition_runs_exit_of_b_and_enter_of_a(engine):
    """The exit and enter groups follow the states of the transition actually taken."""
    sm = engine.machine(OrderMachine)
    engine.send(sm, "go")
    sm.calls.clear()
    engine.send(sm, "back")
    assert _without_prepare(sm.calls) == [
        "before_transition",
        "on_exit_state",
        "exit_b_inline",
        "on_transition",
        "on_enter_state",
        "enter_a_inline",
        "deco_enter_a",
        "on_enter_a",
        "after_transition",
    ]


# --- listeners share the priorities of the machine's own callbacks ----------------------------


class GroupListener:
    """A listener that records its generic and per-event callbacks into the machine's list."""

    def before_transition(self, machine):
        machine.calls.append("listener.before_transition")

    def before_go(self, machine):
        machine.calls.append("listener.before_go")

    def after_go(self, machine):
        machine.calls.append("listener.after_go")

    def after_transition(self, machine):
        machine.calls.append("listener.after_transition")


def test_listener_callbacks_sort_into_the_same_priority_slots(engine):
    """Generic callbacks of listeners run with the machine's generic ones; after_transition last."""
    sm = engine.machine(OrderMachine, listeners=[GroupListener()])
    sm.calls.clear()
    engine.send(sm, "go")
    calls = _without_prepare(sm.calls)
    before = calls[calls.index("unless_blocks") + 1 : calls.index("on_exit_state")]
    after = calls[calls.index("on_enter_b") + 1 :]
    assert before == [
        "before_transition",
        "listener.before_transition",
        "before_inline",
        "deco_before",
        "before_go",
        "listener.before_go",
    ]
    assert after == [
        "after_inline",
        "deco_after",
        "after_go",
        "listener.after_go",
        "after_transition",
        "listener.after_transition",
    ]


# --- per-event conventions -------------------------------------------------------------------


class TwoEvents(StateMachine):
    a = State(initial=True)
    b = State()

    go = a.to(b, event="ping pong")
    back = b.to(a)

    def __init__(self, *args, **kwargs):
        self.calls: list[str] = []
        super().__init__(*args, **kwargs)

    before_ping = _recorder("before_ping")
    on_ping = _recorder("on_ping")
    after_ping = _recorder("after_ping")
    before_pong = _recorder("before_pong")
    on_pong = _recorder("on_pong")
    after_pong = _recorder("after_pong")
    before_go = _recorder("before_go")
    on_go = _recorder("on_go")
    after_go = _recorder("after_go")


def test_event_conventions_fire_only_for_the_triggering_event(engine):
    """With a transition on events 'ping pong', sending 'ping' runs only the *_ping conventions."""
    sm = engine.machine(TwoEvents)
    engine.send(sm, "ping")
    assert sm.b.is_active
    assert sm.calls == ["before_ping", "on_ping", "after_ping"]


def test_second_event_of_the_transition_runs_its_own_conventions(engine):
    """Sending the other event of the same transition runs the *_pong conventions only."""
    sm = engine.machine(TwoEvents)
    engine.send(sm, "pong")
    assert sm.calls == ["before_pong", "on_pong", "after_pong"]


def test_conventions_of_an_unrelated_event_do_not_fire(engine):
    """Callbacks named after event 'back' do not run when 'ping' is sent (no cross-talk)."""

    class Listener:
        def __init__(self):
            self.calls = []

        def on_back(self):
            self.calls.append("on_back")

        def on_ping(self):
            self.calls.append("on_ping")

    listener = Listener()
    sm = engine.machine(TwoEvents, listeners=[listener])
    engine.send(sm, "ping")
    assert listener.calls == ["on_ping"]
    engine.send(sm, "back")
    assert listener.calls == ["on_ping", "on_back"]


# --- self-transitions --------------------------------------------------------------------------


def build_self_loop(base):
    """Build a one-state machine with an external and an internal self-transition."""

    class SelfLoop(base):
        s = State(initial=True)

        external = s.to.itself()
        internal = s.to.itself(internal=True)

        def __init__(self, *args, **kwargs):
            self.calls: list[str] = []
            super().__init__(*args, **kwargs)

        on_exit_s = _recorder("exit")
        on_transition = _recorder("on")
        on_enter_s = _recorder("enter")

    return SelfLoop


SelfLoopMachine = build_self_loop(StateMachine)
SelfLoopChart = build_self_loop(StateChart)


@pytest.mark.parametrize("machine_cls", [SelfLoopMachine, SelfLoopChart], ids=["sm", "chart"])
def test_external_self_transition_exits_and_reenters(engine, machine_cls):
    """An external self-transition runs exit, on, then enter, in both classes."""
    sm = engine.machine(machine_cls)
    sm.calls.clear()
    engine.send(sm, "external")
    assert sm.calls == ["exit", "on", "enter"]
    assert sm.s.is_active


def test_internal_self_transition_in_state_machine_skips_exit_and_enter(engine):
    """In a StateMachine an internal self-transition runs its actions but neither exit nor enter."""
    sm = engine.machine(SelfLoopMachine)
    sm.calls.clear()
    engine.send(sm, "internal")
    assert sm.calls == ["on"]
    assert sm.s.is_active


def test_internal_self_transition_in_state_chart_runs_exit_then_enter(engine):
    """In a StateChart an internal self-transition on an atomic state runs exit, on, then enter."""
    sm = engine.machine(SelfLoopChart)
    sm.calls.clear()
    engine.send(sm, "internal")
    assert sm.calls == ["exit", "on", "enter"]
    assert sm.s.is_active
