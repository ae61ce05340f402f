"""Delayed events, cancellation, and event-level `delay=`/`internal=` defaults (flat machines)."""

from __future__ import annotations

import asyncio
import threading
import time

from statemachine import Event, State, StateChart, StateMachine


def _pause(engine, seconds):
    """Let `seconds` pass; on the asyncio engine its loop runs meanwhile (the background
    scheduler is a task of that loop)."""
    if engine.name == "async":
        engine.call(asyncio.sleep, seconds)
    else:
        time.sleep(seconds)


def _wait_until(engine, predicate, timeout):
    """Pause until `predicate()` holds or `timeout` seconds passed; return `predicate()`."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        _pause(engine, 0.005)
    return predicate()


class Oven(StateMachine):
    off = State(initial=True)
    on = State()
    done = State(final=True)

    start = off.to(on)
    ding = on.to(done)


def test_delayed_send_waits_then_processes_the_event(engine):
    """`send(..., delay=ms)` processes the event once the delay has passed (the sender waits)."""
    oven = engine.machine(Oven)
    engine.call(oven.start)
    began = time.monotonic()
    engine.send(oven, "ding", delay=50)
    assert time.monotonic() - began >= 0.045
    assert oven.done.is_active


def test_due_events_run_before_later_delayed_ones(engine):
    """An undelayed event queued behind a delayed one is processed first (ordered by due time)."""
    order: list[str] = []

    class Recorder(StateChart):
        idle = State(initial=True)
        ping = idle.to.itself(on=lambda: order.append("ping"))
        pong = idle.to.itself(on=lambda: order.append("pong"))

        def on_enter_idle(self, event):
            if str(event) == "ping" and not order[1:]:
                self.send("pong", delay=30)
                self.send("ping")

    sm = engine.machine(Recorder)
    engine.send(sm, "ping")
    assert order == ["ping", "ping", "pong"]


# Sync engine only: the sender blocks its thread while the delayed event waits, and another
# thread cancels it or sends meanwhile (the asyncio engine waits on its loop instead).
def test_cancel_event_drops_a_pending_delayed_event():
    """`cancel_event(send_id)` removes a delayed event before it is due."""
    oven = Oven()
    oven.start()
    cancelled = threading.Event()

    def cancel_soon():
        time.sleep(0.01)
        oven.cancel_event("timer")
        cancelled.set()

    # The sync engine blocks the sender while a delayed event waits: cancel from another thread.
    t = threading.Thread(target=cancel_soon)
    t.start()
    began = time.monotonic()
    oven.send("ding", delay=300, send_id="timer")
    t.join()
    assert cancelled.is_set()
    assert oven.on.is_active  # the cancelled event never ran
    assert time.monotonic() - began < 0.25  # the wait ended at the cancellation


def test_an_event_sent_while_waiting_runs_first():
    """While the loop waits for a delayed event, an event sent from another thread runs at once."""
    oven = Oven()
    seen: list[float] = []
    began = time.monotonic()

    def start_soon():
        time.sleep(0.02)
        oven.send("start")
        seen.append(time.monotonic() - began)

    t = threading.Thread(target=start_soon)
    t.start()
    # `ding` is due in 150 ms; `start`, sent meanwhile, runs first, so `ding` then finds `on`.
    oven.send("ding", delay=150)
    t.join()
    assert oven.done.is_active
    assert len(seen) == 1
    assert seen[0] < 0.15


def test_cancel_before_processing_prevents_the_event(engine):
    """A delayed event cancelled from a callback, before it is due, never runs."""

    class Kitchen(StateMachine):
        idle = State(initial=True)
        cooking = State()
        burnt = State()

        cook = idle.to(cooking)
        burn = cooking.to(burnt)
        serve = cooking.to(idle)

        def on_enter_cooking(self):
            self.send("burn", delay=100, send_id="burn-timer")
            self.cancel_event("burn-timer")

    k = engine.machine(Kitchen)
    engine.call(k.cook)
    assert k.cooking.is_active


def test_event_level_delay_is_honoured(engine):
    """`Event(..., delay=ms)` delays every send of that event (a deliberate difference)."""

    class Slow(StateMachine):
        a = State(initial=True)
        b = State()
        go = Event(a.to(b), delay=40)
        back = b.to(a)

    assert Slow.go.delay == 40
    sm = engine.machine(Slow)
    began = time.monotonic()
    engine.call(sm.go)
    assert time.monotonic() - began >= 0.035
    assert sm.b.is_active


def test_event_level_internal_runs_within_the_macrostep(engine):
    """`Event(..., internal=True)` sent from a callback runs before queued external events."""
    order: list[str] = []

    class Chain(StateChart):
        a = State(initial=True)
        b = State()
        c = State()
        go = a.to(b)
        hop = Event(b.to(c), internal=True)
        later = c.to(a)

        def on_enter_b(self):
            self.send("later")
            self.send("hop")

        def on_enter_state(self, state):
            order.append(state.id)

    sm = engine.machine(Chain)
    engine.call(sm.go)
    assert order == ["a", "b", "c", "a"]


class BackgroundOven(StateMachine):
    """Delayed events run on a scheduler (a thread, or a task of the asyncio engine's loop):
    `send(..., delay=)` does not block."""

    delayed_events_in_background = True

    off = State(initial=True)
    on = State()
    done = State(final=True)

    start = off.to(on)
    ding = on.to(done)

    def __init__(self, *args, **kwargs) -> None:
        self.dinged = threading.Event()
        super().__init__(*args, **kwargs)

    def on_enter_done(self) -> None:
        self.dinged.set()


def test_background_delayed_send_returns_at_once_and_runs_later(engine):
    """With `delayed_events_in_background`, the sender is not blocked; the event runs when due."""
    oven = engine.machine(BackgroundOven)
    engine.call(oven.start)
    began = time.monotonic()
    assert engine.send(oven, "ding", delay=80) is None
    assert time.monotonic() - began < 0.05
    assert oven.on.is_active  # not yet
    assert _wait_until(engine, oven.dinged.is_set, 2)
    assert oven.done.is_active
    assert time.monotonic() - began >= 0.075


def test_background_delayed_event_can_be_cancelled(engine):
    """`cancel_event` drops a background delayed event before it is due."""
    oven = engine.machine(BackgroundOven)
    engine.call(oven.start)
    engine.send(oven, "ding", delay=60, send_id="t")
    oven.cancel_event("t")
    _pause(engine, 0.15)
    assert oven.on.is_active
    assert not oven.dinged.is_set()


def test_background_scheduler_processes_events_in_due_order(engine):
    """Several background delayed events run in order of due time, not of sending."""
    order: list[str] = []

    class Recorder(StateChart):
        delayed_events_in_background = True
        idle = State(initial=True)
        a = idle.to.itself(on=lambda: order.append("a"))
        b = idle.to.itself(on=lambda: order.append("b"))

    sm = engine.machine(Recorder)
    engine.send(sm, "a", delay=90)
    engine.send(sm, "b", delay=30)
    deadline = time.monotonic() + 2
    while len(order) < 2 and time.monotonic() < deadline:
        _pause(engine, 0.01)
    assert order == ["b", "a"]


def test_background_errors_are_logged(engine, caplog):
    """An exception in a background delayed event has no caller: it is logged at ERROR."""

    class Failing(StateMachine):
        delayed_events_in_background = True
        idle = State(initial=True)
        boom = idle.to.itself()

        def on_boom(self):
            raise RuntimeError("background failure")

    sm = engine.machine(Failing)
    with caplog.at_level("ERROR", logger="statemachine"):
        engine.send(sm, "boom", delay=10)
        deadline = time.monotonic() + 2
        while not caplog.records and time.monotonic() < deadline:
            _pause(engine, 0.01)
    assert any("background failure" in r.getMessage() for r in caplog.records)
    assert sm.idle.is_active
