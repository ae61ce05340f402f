"""Eventless transitions: bare transition statements that fire as soon as their guards allow,
cascading inside one macrostep, and the microstep cap on loops that never settle (spec 3.5)."""

from __future__ import annotations

import pytest
from _chart_helpers import recorded, started

from statemachine import State, StateChart
from statemachine.exceptions import StateMachineError


def test_bare_transition_statement_fires_without_an_event(engine):
    """An unassigned `a.to(b)` in the class body is taken as soon as `a` is active."""

    class Chart(StateChart):
        a = State(initial=True)
        b = State()
        c = State()
        go = b.to(c)
        back = c.to(b)
        a.to(b)

    sm = engine.machine(Chart)
    assert list(sm.configuration_values) == ["b"]


def test_bare_transition_is_not_an_event(engine):
    """A bare statement declares no event: the class's events are only the named ones."""

    class Chart(StateChart):
        a = State(initial=True)
        b = State()
        go = b.to(a)
        a.to(b, cond="ready")
        ready = False

    assert [e.id for e in Chart.events] == ["go"]


def test_eventless_chain_cascades_at_construction(engine):
    """A chain of eventless transitions runs to its end while the machine is created."""

    class Chart(StateChart):
        a = State(initial=True)
        b = State()
        c = State()
        d = State()
        reset = d.to(a, event="reset")
        a.to(b)
        b.to(c)
        c.to(d)

    sm, rec = recorded(engine, Chart)
    assert rec.calls == [
        "enter a",
        "exit a",
        "enter b",
        "exit b",
        "enter c",
        "exit c",
        "enter d",
    ]
    assert list(sm.configuration_values) == ["d"]


def test_eventless_chain_cascades_within_the_macrostep_of_an_event(engine):
    """After an event, eventless transitions keep firing before `send()` returns."""

    class Chart(StateChart):
        idle = State(initial=True)
        b = State()
        c = State()
        done = State()
        start = idle.to(b)
        reset = done.to(idle)
        b.to(c)
        c.to(done)

    sm, rec = started(engine, Chart)
    engine.send(sm, "start")
    assert rec.calls == [
        "exit idle",
        "enter b",
        "exit b",
        "enter c",
        "exit c",
        "enter done",
    ]


def test_guarded_eventless_transition_waits_for_its_guard(engine):
    """A guarded eventless transition fires only once its guard passes."""

    class Chart(StateChart):
        filling = State(initial=True)
        full = State()
        add = filling.to.itself(internal=True, on="pour")
        drain = full.to(filling, on="empty_out")
        filling.to(full, cond="is_full")

        level = 0

        def pour(self):
            self.level += 1

        def empty_out(self):
            self.level = 0

        def is_full(self):
            return self.level >= 2

    sm = engine.machine(Chart)
    engine.send(sm, "add")
    assert list(sm.configuration_values) == ["filling"]
    engine.send(sm, "add")
    assert list(sm.configuration_values) == ["full"]


def test_guarded_eventless_self_transition_loops_until_the_guard_fails(engine):
    """An eventless self-transition whose guard stays true repeats until it turns false."""

    class Chart(StateChart):
        counting = State(initial=True)
        other = State()
        go = counting.to(other)
        back = other.to(counting)
        counting.to.itself(cond="below_three", on="bump")

        def __init__(self, *args, **kwargs):
            self.count = 0
            super().__init__(*args, **kwargs)

        def below_three(self):
            return self.count < 3

        def bump(self):
            self.count += 1

    sm = engine.machine(Chart)
    assert sm.count == 3
    assert list(sm.configuration_values) == ["counting"]


def test_first_eventless_transition_in_document_order_wins(engine):
    """When several eventless transitions of a state are enabled, the first declared fires."""

    class Chart(StateChart):
        a = State(initial=True)
        b = State()
        c = State()
        go = b.to(a) | c.to(a)
        a.to(b, cond="always")
        a.to(c)

        def always(self):
            return True

    sm = engine.machine(Chart)
    assert list(sm.configuration_values) == ["b"]


def test_eventless_transition_with_a_failing_guard_lets_the_next_one_fire(engine):
    """A later eventless transition fires when the earlier one's guard is false."""

    class Chart(StateChart):
        a = State(initial=True)
        b = State()
        c = State()
        go = b.to(a) | c.to(a)
        a.to(b, cond="never")
        a.to(c)

        def never(self):
            return False

    sm = engine.machine(Chart)
    assert list(sm.configuration_values) == ["c"]


def test_eventless_transition_inside_a_compound_body(engine):
    """A bare statement in a compound body is an eventless transition between its children."""

    class Chart(StateChart):
        idle = State(initial=True)

        class job(State.Compound):
            setup = State(initial=True)
            running = State()
            setup.to(running)

        start = idle.to(job)
        stop = job.to(idle)

    sm = engine.machine(Chart)
    engine.send(sm, "start")
    assert list(sm.configuration_values) == ["job", "running"]


def test_underscore_assignment_in_a_compound_body_is_eventless(engine):
    """`_ = a.to(b)` in a compound body declares an eventless transition, not an event."""

    class Chart(StateChart):
        class job(State.Compound, initial=True):
            setup = State(initial=True)
            running = State()
            _ = setup.to(running)
            rewind = running.to(setup, cond="allowed")
            allowed = False

    sm = engine.machine(Chart)
    assert list(sm.configuration_values) == ["job", "running"]
    assert "_" not in {e.id for e in Chart.events}


def test_eventless_transitions_run_before_queued_internal_events(engine):
    """Eventless transitions are taken before the next internal event is processed."""

    class Chart(StateChart):
        idle = State(initial=True)
        b = State()
        c = State()
        wrong = State()
        right = State()
        start = idle.to(b, on="raise_ping")
        ping = b.to(wrong) | c.to(right)
        reset = wrong.to(idle) | right.to(idle)
        b.to(c)

        def raise_ping(self):
            self.raise_("ping")

    sm = engine.machine(Chart)
    engine.send(sm, "start")
    assert list(sm.configuration_values) == ["right"]


def test_eventless_transition_reacts_to_state_of_another_region(engine):
    """A guard with `In()` lets an eventless transition follow a sibling region's change."""

    class Chart(StateChart):
        class sync(State.Parallel, initial=True):
            class leader(State.Compound):
                waiting = State(initial=True)
                moving = State()
                move = waiting.to(moving)
                halt = moving.to(waiting)

            class follower(State.Compound):
                resting = State(initial=True)
                following = State()
                resting.to(following, cond="In('moving')")
                following.to(resting, cond="In('waiting')")

    sm = engine.machine(Chart)
    assert sm.resting.is_active
    engine.send(sm, "move")
    assert sm.following.is_active
    engine.send(sm, "halt")
    assert sm.resting.is_active


def test_non_settling_eventless_loop_raises_at_construction(engine):
    """An unguarded eventless cycle never settles, so creating the machine raises."""

    class Looping(StateChart):
        ping = State(initial=True)
        pong = State()
        ping.to(pong)
        pong.to(ping)

    with pytest.raises(StateMachineError, match=r"Looping"):
        engine.machine(Looping)


def test_non_settling_loop_message_says_how_to_fix_it(engine):
    """The error suggests adding a guard or raising `max_microsteps`."""

    class Looping(StateChart):
        ping = State(initial=True)
        pong = State()
        ping.to(pong)
        pong.to(ping)

    with pytest.raises(StateMachineError) as info:
        engine.machine(Looping)
    message = str(info.value)
    assert "guard" in message
    assert "max_microsteps" in message


def test_non_settling_loop_started_by_an_event_raises_from_send(engine):
    """A loop entered by an event raises from `send()` instead of hanging."""

    class Spinner(StateChart):
        idle = State(initial=True)
        left = State()
        right = State()
        spin = idle.to(left)
        left.to(right)
        right.to(left)

    sm = engine.machine(Spinner)
    with pytest.raises(StateMachineError, match=r"Spinner.*max_microsteps"):
        engine.send(sm, "spin")


def test_long_finite_cascade_needs_a_larger_max_microsteps(engine):
    """A guarded loop longer than `max_microsteps` raises; a larger cap lets it finish."""

    class Counter(StateChart):
        counting = State(initial=True)
        done = State()
        restart = done.to(counting)
        counting.to.itself(cond="more", on="bump")
        counting.to(done)

        limit = 20

        def __init__(self, *args, **kwargs):
            self.count = 0
            super().__init__(*args, **kwargs)

        def more(self):
            return self.count < self.limit

        def bump(self):
            self.count += 1

    class Tight(Counter):
        max_microsteps = 10

    class Roomy(Counter):
        max_microsteps = 50

    with pytest.raises(StateMachineError, match=r"Tight"):
        engine.machine(Tight)
    sm = engine.machine(Roomy)
    assert sm.count == 20
    assert list(sm.configuration_values) == ["done"]
