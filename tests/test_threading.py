"""Concurrent send() from several threads on one machine instance."""

from __future__ import annotations

import threading

from statemachine import State, StateMachine

THREADS = 8
EVENTS_PER_THREAD = 500
JOIN_TIMEOUT = 60


class Tally(StateMachine):
    counting = State(initial=True)

    tick = counting.to.itself(on="increment")

    def __init__(self, *args, **kwargs):
        self.count = 0
        super().__init__(*args, **kwargs)

    def increment(self):
        # Deliberately a read-modify-write: it is only safe if callbacks never overlap.
        current = self.count
        self.count = current + 1


class Rotor(StateMachine):
    s0 = State(initial=True)
    s1 = State()
    s2 = State()

    step = s0.to(s1) | s1.to(s2) | s2.to(s0)

    def __init__(self, *args, **kwargs):
        self.entries = 0
        super().__init__(*args, **kwargs)

    def on_enter_state(self):
        self.entries += 1


def _hammer(send, event):
    """Run THREADS threads, each sending `event` EVENTS_PER_THREAD times, all at once."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            for _ in range(EVENTS_PER_THREAD):
                send(event)
        except BaseException as exc:  # collected and re-checked in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a sender thread is stuck"
    assert errors == []


def test_no_event_is_lost_under_concurrent_sends():
    """Every event sent from any thread is processed exactly once."""
    sm = Tally()
    _hammer(sm.send, "tick")
    assert sm.count == THREADS * EVENTS_PER_THREAD
    assert sm.counting.is_active
    assert sm.model.state == "counting"
    assert [s.id for s in sm.configuration] == ["counting"]


def test_concurrent_cycle_ends_at_the_expected_state():
    """After N*M steps around a 3-cycle the machine is (N*M) mod 3 states from the start."""
    sm = Rotor()
    _hammer(sm.send, "step")
    total = THREADS * EVENTS_PER_THREAD
    expected = f"s{total % 3}"
    assert sm.current_state_value == expected
    assert sm.model.state == expected
    assert sm.entries == total + 1  # every step plus the initial entry


def test_readers_never_see_an_invalid_value_during_concurrent_sends():
    """With atomic configuration updates a concurrent reader always sees a state value."""
    sm = Rotor()
    valid = {"s0", "s1", "s2"}
    seen_invalid: list[object] = []
    done = threading.Event()

    def reader():
        while not done.is_set():
            value = sm.current_state_value
            if value not in valid:
                seen_invalid.append(value)

    reader_thread = threading.Thread(target=reader)
    reader_thread.start()
    try:
        _hammer(sm.send, "step")
    finally:
        done.set()
        reader_thread.join(JOIN_TIMEOUT)
    assert seen_invalid == []
