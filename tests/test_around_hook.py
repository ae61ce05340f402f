"""The model's ``statemachine_around_send`` hook: one wrapper around each send from outside."""

from __future__ import annotations

import asyncio

import pytest

from statemachine import State, StateChart, StateMachine
from statemachine._engine import SyncEngine
from statemachine.exceptions import TransitionNotAllowed


class Relay(StateChart):
    idle = State(initial=True)
    busy = State()
    done = State()

    start = idle.to(busy, on="chain")
    finish = busy.to(done)
    reset = done.to(idle)
    later = idle.to(idle)

    def chain(self):
        self.send("finish")  # from a callback: goes straight to the queue
        return "started"


class Recorder:
    """A model that records each call of the hook and what ``proceed()`` returned."""

    def __init__(self):
        self.state = None
        self.calls = []

    def statemachine_around_send(self, machine, event, args, kwargs, proceed):
        self.calls.append(("before", event, args, dict(kwargs), list(machine.configuration_values)))
        result = proceed()
        self.calls.append(("after", event, list(machine.configuration_values)))
        return {"wrapped": result}


def test_the_hook_wraps_send_and_event_methods_once_each():
    model = Recorder()
    sm = Relay(model)
    assert sm.send("start", 1, size=2) == {"wrapped": "started"}
    assert sm.reset() == {"wrapped": None}
    assert model.calls == [
        ("before", "start", (1,), {"size": 2}, ["idle"]),
        ("after", "start", ["done"]),  # `finish`, sent by a callback, ran inside
        ("before", "reset", (), {}, ["done"]),
        ("after", "reset", ["idle"]),
    ]


def test_an_error_from_proceed_reaches_the_hook_and_the_caller():
    class Strict(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b)

    seen = []

    class Model:
        state = None

        def statemachine_around_send(self, machine, event, args, kwargs, proceed):
            try:
                return proceed()
            except Exception as exc:
                seen.append(type(exc).__name__)
                raise

    sm = Strict(Model())
    sm.go()
    with pytest.raises(TransitionNotAllowed, match="Can't Go when in B"):
        sm.go()
    assert seen == ["TransitionNotAllowed"]


def test_the_hook_can_refuse_an_event_before_anything_runs():
    class Model:
        state = None

        def statemachine_around_send(self, machine, event, args, kwargs, proceed):
            if kwargs.get("user") != "admin":
                raise PermissionError(f"{event} needs admin")
            return proceed()

    sm = Relay(Model())
    with pytest.raises(PermissionError, match="start needs admin"):
        sm.start(user="guest")
    assert list(sm.configuration_values) == ["idle"]
    sm.start(user="admin")
    assert list(sm.configuration_values) == ["done"]


def test_delayed_and_internal_events_bypass_the_hook():
    model = Recorder()
    sm = Relay(model)
    sm.send("later", delay=1)  # waits 1 ms, outside the hook
    sm.raise_("later")
    assert model.calls == []


def test_a_model_without_the_hook_runs_the_plain_engine():
    class Plain:
        state = None

    assert type(Relay(Plain())._engine) is SyncEngine
    assert type(Relay(Recorder())._engine) is not SyncEngine


def test_the_hook_on_the_asyncio_engine_gets_an_awaitable_from_proceed():
    class AsyncRelay(Relay):
        async def on_enter_done(self):
            await asyncio.sleep(0)

    class Model(Recorder):
        def statemachine_around_send(self, machine, event, args, kwargs, proceed):
            async def around():
                self.calls.append(("before", event))
                result = await proceed()
                self.calls.append(("after", event, list(machine.configuration_values)))
                return result

            return around()

    async def main():
        model = Model()
        sm = AsyncRelay(model)
        await sm.activate_initial_state()
        result = await sm.send("start")
        return result, model.calls

    assert asyncio.run(main()) == (
        "started",
        [("before", "start"), ("after", "start", ["done"])],
    )
