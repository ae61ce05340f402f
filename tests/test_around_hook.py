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

    assert type(Relay(Plain())._get_engine()) is SyncEngine
    assert type(Relay(Recorder())._get_engine()) is not SyncEngine


class _AsyncHooked(Recorder):
    """An async hook: it returns a coroutine that awaits ``proceed()``."""

    def statemachine_around_send(self, machine, event, args, kwargs, proceed):
        async def around():
            self.calls.append(("before", event))
            result = await proceed()
            self.calls.append(("after", event, list(machine.configuration_values)))
            return result

        return around()


def test_the_hook_on_the_asyncio_engine_gets_an_awaitable_from_proceed():
    class AsyncRelay(Relay):
        async def on_enter_done(self):
            await asyncio.sleep(0)

    async def main():
        model = _AsyncHooked()
        sm = AsyncRelay(model)
        await sm.activate_initial_state()
        result = await sm.send("start")
        return result, model.calls

    assert asyncio.run(main()) == (
        "started",
        [("before", "start"), ("after", "start", ["done"])],
    )


def test_a_send_from_a_callback_that_suspended_goes_straight_to_the_queue():
    """After its first real suspension a callback runs on in a task, once the hooked send has
    returned: its sends still are the machine's own, not a new send from outside (the hook
    is not called again, and the event is not lost)."""

    class Suspending(StateChart):
        idle = State(initial=True)
        busy = State()
        done = State()
        start = idle.to(busy, on="chain")
        finish = busy.to(done)

        async def chain(self):
            await asyncio.sleep(0.001)  # a real suspension: a task takes over
            self.send("finish")

    async def main():
        model = _AsyncHooked()
        sm = Suspending(model)
        await sm.activate_initial_state()
        await sm.send("start")
        return model.calls

    assert asyncio.run(main()) == [("before", "start"), ("after", "start", ["done"])]


class Brittle(StateChart):
    """Every `fail` callback raises; a StateChart catches each as an `error.execution`."""

    a = State(initial=True)
    go = a.to.itself(on="fan_out")
    boom = a.to.itself(on="fail")

    def fan_out(self, count=1):
        for _ in range(count):
            self.raise_("boom")

    def fail(self):
        raise ValueError("boom")


class Inspector:
    """A hook that reports what the engine caught during its send."""

    def __init__(self):
        self.state = None
        self.seen = []

    def statemachine_around_send(self, machine, event, args, kwargs, proceed):
        result = proceed()
        self.seen.append(list(machine._get_engine().caught))
        return result


def test_the_hook_sees_the_errors_caught_as_events_during_its_send_only():
    model = Inspector()
    sm = Brittle(model)
    sm.send("go", count=2)
    sm.send("go", count=0)
    first, second = model.seen
    assert [str(e) for e in first] == ["boom", "boom"]
    assert all(isinstance(e, ValueError) for e in first)
    assert second == []  # cleared when the next send began


def test_the_caught_errors_of_one_send_are_capped():
    """A send whose callbacks fail many times keeps the first few errors, not all of them."""
    from statemachine._around import _KEEP

    model = Inspector()
    sm = Brittle(model)
    sm.send("go", count=_KEEP + 5)
    assert len(model.seen[0]) == _KEEP


def test_from_sync_code_an_async_hooks_awaitable_is_run_to_completion():
    """Without a running loop an async machine's send returns its result, hook or not."""

    class AsyncRelay(Relay):
        async def on_enter_done(self):
            await asyncio.sleep(0)

    model = _AsyncHooked()
    sm = AsyncRelay(model)
    assert sm.send("start") == "started"
    assert model.calls == [("before", "start"), ("after", "start", ["done"])]


class Scheduler(Recorder):
    """A model that takes over delayed sends (as the Django timers do): it keeps them."""

    def __init__(self, take=True):
        super().__init__()
        self.take = take
        self.scheduled = []
        self.cancelled = []

    def statemachine_schedule_send(self, machine, event, args, kwargs, delay, send_id):
        self.scheduled.append((event, args, dict(kwargs), delay, send_id))
        return self.take

    def statemachine_cancel_send(self, machine, send_id):
        self.cancelled.append(send_id)


def test_a_delayed_send_is_handed_to_the_model_that_schedules_it():
    model = Scheduler()
    sm = Relay(model)
    assert sm.send("start", 7, delay=60_000, send_id="s1", size=1) is None
    assert model.scheduled == [("start", (7,), {"size": 1}, 60_000, "s1")]
    assert list(sm.configuration_values) == ["idle"]  # nothing ran, nothing waits
    assert model.calls == []
    sm.cancel_event("s1")
    assert model.cancelled == ["s1"]


def test_an_at_keyword_is_handed_to_the_model_too():
    model = Scheduler()
    sm = Relay(model)
    assert sm.send("start", at="tomorrow") is None
    assert model.scheduled == [("start", (), {"at": "tomorrow"}, 0, None)]
    assert list(sm.configuration_values) == ["idle"]


def test_a_model_that_declines_leaves_the_send_to_the_engine():
    model = Scheduler(take=False)
    sm = Relay(model)
    sm.send("start", at="now")  # declined: `at` is an ordinary keyword argument then
    assert model.scheduled == [("start", (), {"at": "now"}, 0, None)]
    assert list(sm.configuration_values) == ["done"]
    assert model.calls[0] == ("before", "start", (), {"at": "now"}, ["idle"])


def test_internal_and_undelayed_sends_are_never_offered_to_the_model():
    model = Scheduler()
    sm = Relay(model)
    sm.send("start")
    sm.send("reset")
    sm.raise_("start")
    assert model.scheduled == []
    assert list(sm.configuration_values) == ["done"]


def test_cancel_event_on_a_model_without_the_cancel_hook_cancels_in_the_engine_only():
    model = Recorder()
    sm = Relay(model)
    sm.cancel_event("nothing-pending")  # no hook to call: nothing else happens
    assert model.calls == []
    assert list(sm.configuration_values) == ["idle"]
