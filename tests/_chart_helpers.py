"""Shared pieces of the statechart runtime tests: recorder listeners, a log mixin for charts, and
helpers that wait for background work (invocations, timeouts) on either engine."""

from __future__ import annotations

import asyncio
import time


class Recorder:
    """A listener that records every state entered and exited, in order."""

    def __init__(self):
        self.calls: list[str] = []

    def on_enter_state(self, state):
        self.calls.append(f"enter {state.id}")

    def on_exit_state(self, state):
        self.calls.append(f"exit {state.id}")


class TransitionRecorder(Recorder):
    """A Recorder that also records each transition's `on` action as `on <event> <src>-><dst>`."""

    def on_transition(self, event, source, target):
        target_id = target.id if target is not None else None
        self.calls.append(f"on {event} {source.id}->{target_id}")


def recorded(engine, cls, recorder=Recorder):
    """Create a machine of ``cls`` with a fresh ``recorder`` listener; return both."""
    rec = recorder()
    sm = engine.machine(cls, listeners=[rec])
    return sm, rec


def started(engine, cls, recorder=Recorder):
    """Like `recorded`, but the recorder forgets the initial entries."""
    sm, rec = recorded(engine, cls, recorder)
    rec.calls.clear()
    return sm, rec


class LogMixin:
    """Mix into a chart (before the chart base) to give every instance an empty `log` list."""

    def __init__(self, *args, **kwargs):
        self.log: list = []
        super().__init__(*args, **kwargs)


class StateLogMixin(LogMixin):
    """A LogMixin whose chart also logs `enter <id>` and `exit <id>` for every state, in order."""

    def on_enter_state(self, state):
        self.log.append(f"enter {state.id}")

    def on_exit_state(self, state):
        self.log.append(f"exit {state.id}")


def pause(engine) -> None:
    """Sleep briefly; on the asyncio driver, inside its loop so that tasks run."""
    if engine.name == "async":
        engine.call(asyncio.sleep, 0.005)
    else:
        time.sleep(0.005)


def wait_until(engine, condition, timeout: float = 2.0) -> bool:
    """Let background threads and tasks progress until ``condition()`` holds (False on timeout)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause(engine)
    return True


def settle(engine, seconds: float = 0.1) -> None:
    """Give background work time to (wrongly) deliver something; used before asserting that
    nothing happened."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pause(engine)
