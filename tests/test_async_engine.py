"""The asyncio engine: when a machine gets it, what its calls return, and how it runs events."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time

import pytest

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import StateMachineError

# A coroutine that is never awaited must fail the test, not just warn.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def _uses_async_engine(factory) -> bool:
    """Build a machine inside a running loop and tell whether its calls return awaitables."""

    async def probe() -> bool:
        sm = factory()
        result = sm.activate_initial_state()
        if inspect.isawaitable(result):
            await result
            return True
        return False

    return asyncio.run(probe())


async def _until(condition, timeout: float = 2.0) -> bool:
    """Let the loop run until ``condition()`` holds (False if it never does in time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


def _until_sync(condition, timeout: float = 2.0) -> bool:
    """Sleep until ``condition()`` holds (False if it never does in time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


class Plain(StateMachine):
    """No coroutine callbacks: the sync engine."""

    a = State(initial=True)
    b = State()

    go = a.to(b)
    back = b.to(a)


class AsyncOn(Plain):
    """An `async def` action on the class."""

    async def on_go(self):
        await asyncio.sleep(0)
        return "went"


class AsyncListener:
    """A listener whose only callback is a coroutine function."""

    def __init__(self):
        self.seen: list[str] = []

    async def after_transition(self, event):
        await asyncio.sleep(0)
        self.seen.append(str(event))


# --- engine selection ---------------------------------------------------------------------------


def test_machine_without_coroutine_callbacks_uses_the_sync_engine_inside_a_loop():
    """A machine with only plain callbacks returns plain values even inside a running loop."""
    assert _uses_async_engine(Plain) is False


def test_async_method_on_the_class_selects_the_async_engine():
    """An `async def` callback found by naming convention selects the asyncio engine."""
    assert _uses_async_engine(AsyncOn) is True


def test_async_callable_in_transition_kwargs_selects_the_async_engine():
    """An `async def` function given as a transition's `on=` selects the asyncio engine."""

    async def act():
        await asyncio.sleep(0)

    class M(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b, on=act)

    assert _uses_async_engine(M) is True


def test_async_guard_by_name_selects_the_async_engine():
    """An `async def` condition named in `cond=` selects the asyncio engine."""

    class M(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b, cond="ready")

        async def ready(self):
            return True

    assert _uses_async_engine(M) is True


def test_async_name_inside_a_guard_expression_selects_the_async_engine():
    """An `async def` condition used only inside a boolean expression selects the asyncio engine."""

    class M(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b, cond="not is_busy")

        async def is_busy(self):
            return False

    assert _uses_async_engine(M) is True


def test_async_method_on_the_model_selects_the_async_engine():
    """An `async def` callback defined on the model selects the asyncio engine."""

    class Model:
        state = None

        async def on_enter_b(self):
            await asyncio.sleep(0)

    assert _uses_async_engine(lambda: Plain(model=Model())) is True


def test_async_listener_given_to_the_constructor_selects_the_async_engine():
    """A constructor listener with a coroutine callback selects the asyncio engine."""
    assert _uses_async_engine(lambda: Plain(listeners=[AsyncListener()])) is True


def test_async_class_level_listener_selects_the_async_engine():
    """A class-level listener with a coroutine callback selects the asyncio engine."""

    class M(Plain):
        listeners = [AsyncListener]

    assert _uses_async_engine(M) is True


def test_add_listener_with_coroutine_callbacks_switches_a_sync_machine():
    """Adding a coroutine listener at runtime makes `send()` return an awaitable that runs it."""
    listener = AsyncListener()

    async def main():
        sm = Plain()
        assert sm.send("go") is None  # still the sync engine
        sm.add_listener(listener)
        pending = sm.send("back")
        assert inspect.isawaitable(pending)
        await pending
        return sm

    sm = asyncio.run(main())
    assert sm.a.is_active
    assert listener.seen == ["back"]


def test_add_listener_switch_from_sync_code_runs_the_coroutine_to_completion():
    """From plain sync code, a machine switched by `add_listener` awaits the listener itself."""
    listener = AsyncListener()
    sm = Plain().add_listener(listener)
    assert sm.send("go") is None
    assert sm.b.is_active
    assert listener.seen == ["go"]


def test_add_listener_switch_keeps_the_current_state():
    """Switching engines with `add_listener` keeps the configuration reached so far."""
    sm = Plain()
    sm.send("go")
    sm.add_listener(AsyncListener())
    assert sm.b.is_active
    sm.send("back")
    assert sm.a.is_active


def test_add_listener_returns_the_machine():
    """`add_listener()` returns the machine itself, for chaining."""
    sm = Plain()
    assert sm.add_listener(AsyncListener()) is sm


def test_add_coroutine_listener_from_a_callback_raises_a_clear_error():
    """Adding a coroutine listener from inside a callback raises StateMachineError saying why."""

    class M(Plain):
        def on_go(self):
            self.add_listener(AsyncListener())

    sm = M()
    with pytest.raises(StateMachineError, match="outside of callbacks"):
        sm.send("go")


def test_failed_add_listener_from_a_callback_leaves_the_listeners_unchanged():
    """A refused `add_listener` from a callback does not register the listener."""

    class M(Plain):
        def on_go(self):
            self.add_listener(AsyncListener())

    sm = M()
    before = list(sm.active_listeners)
    with pytest.raises(StateMachineError):
        sm.send("go")
    assert sm.active_listeners == before
    assert sm.a.is_active


# --- awaitables inside a loop, plain values outside ---------------------------------------------


def test_send_inside_a_loop_returns_an_awaitable_of_the_result():
    """Inside a running loop `send()` returns an awaitable whose value is the callback result."""

    async def main():
        sm = AsyncOn()
        await sm.activate_initial_state()
        pending = sm.send("go")
        assert inspect.isawaitable(pending)
        return await pending

    assert asyncio.run(main()) == "went"


def test_event_method_inside_a_loop_returns_an_awaitable_of_the_result():
    """Inside a running loop `sm.<event>()` returns an awaitable whose value is the result."""

    async def main():
        sm = AsyncOn()
        await sm.activate_initial_state()
        pending = sm.go()
        assert inspect.isawaitable(pending)
        return await pending

    assert asyncio.run(main()) == "went"


def test_raise_inside_a_loop_returns_an_awaitable_that_processes_the_event():
    """Inside a running loop `raise_()` returns an awaitable; awaiting it runs the transition."""

    async def main():
        sm = AsyncOn()
        await sm.activate_initial_state()
        pending = sm.raise_("go")
        assert inspect.isawaitable(pending)
        await pending
        return sm

    assert asyncio.run(main()).b.is_active


def test_enabled_events_inside_a_loop_returns_an_awaitable():
    """Inside a running loop `enabled_events()` returns an awaitable of the event list."""

    async def main():
        sm = AsyncOn()
        await sm.activate_initial_state()
        pending = sm.enabled_events()
        assert inspect.isawaitable(pending)
        return [e.id for e in await pending]

    assert asyncio.run(main()) == ["go"]


def test_send_from_sync_code_returns_the_plain_result():
    """Without a running loop, `send()` on an async machine runs to completion and returns the
    result itself."""
    sm = AsyncOn()
    assert sm.send("go") == "went"
    assert sm.b.is_active


def test_event_method_from_sync_code_returns_the_plain_result():
    """Without a running loop, `sm.<event>()` on an async machine returns the result itself."""
    sm = AsyncOn()
    assert sm.go() == "went"


def test_raise_from_sync_code_processes_the_event():
    """Without a running loop, `raise_()` on an async machine processes the event before
    returning."""
    sm = AsyncOn()
    assert not inspect.isawaitable(sm.raise_("go"))
    assert sm.b.is_active


def test_enabled_events_from_sync_code_returns_a_list():
    """Without a running loop, `enabled_events()` on an async machine returns a plain list."""
    sm = AsyncOn()
    assert [e.id for e in sm.enabled_events()] == ["go"]


def test_sync_machine_send_inside_a_loop_cannot_be_awaited():
    """A sync-engine machine returns a plain value inside a loop, so awaiting it is a TypeError."""

    async def main():
        sm = Plain()
        with pytest.raises(TypeError):
            await sm.send("go")

    asyncio.run(main())


# --- deferred initial entry ---------------------------------------------------------------------


class Greeter(StateMachine):
    a = State(initial=True)
    b = State()
    go = a.to(b)

    def __init__(self, *args, **kwargs):
        self.log: list[str] = []
        super().__init__(*args, **kwargs)

    async def on_enter_a(self):
        await asyncio.sleep(0)
        self.log.append("enter a")

    def on_go(self):
        self.log.append("go")


def test_initial_state_is_not_entered_by_the_constructor_inside_a_loop():
    """Inside a running loop the constructor leaves the configuration empty and runs no entry."""

    async def main():
        return Greeter()

    sm = asyncio.run(main())
    assert list(sm.configuration) == []
    assert sm.log == []


def test_awaiting_activate_initial_state_enters_the_initial_state():
    """`await sm.activate_initial_state()` enters the initial state and runs its entry once."""

    async def main():
        sm = Greeter()
        await sm.activate_initial_state()
        await sm.activate_initial_state()
        return sm

    sm = asyncio.run(main())
    assert sm.a.is_active
    assert sm.log == ["enter a"]


def test_first_awaited_send_enters_the_initial_state_first():
    """Without activation, the first awaited send enters the initial state, then processes the
    event."""

    async def main():
        sm = Greeter()
        await sm.send("go")
        return sm

    sm = asyncio.run(main())
    assert sm.log == ["enter a", "go"]
    assert sm.b.is_active


def test_constructor_kwargs_reach_the_deferred_initial_entry():
    """Constructor kwargs are passed to initial entry callbacks even when entry is deferred."""
    seen = []

    class M(StateMachine):
        a = State(initial=True)

        async def on_enter_a(self, user):
            seen.append(user)

    async def main():
        sm = M(user="ada")
        await sm.activate_initial_state()

    asyncio.run(main())
    assert seen == ["ada"]


def test_async_machine_built_in_sync_code_enters_its_initial_state_at_once():
    """Without a running loop, an async machine's constructor enters the initial state."""
    sm = Greeter()
    assert sm.a.is_active
    assert sm.log == ["enter a"]


# --- concurrent callers -------------------------------------------------------------------------


class Echo(StateMachine):
    idle = State(initial=True)
    echo = idle.to.itself()
    fail = idle.to.itself()

    async def on_echo(self, value):
        await asyncio.sleep(0)
        return value

    async def on_fail(self):
        await asyncio.sleep(0)
        raise ValueError("boom")


def test_concurrent_senders_each_get_their_own_result():
    """`asyncio.gather` of several sends gives each caller the result of its own event."""

    async def main():
        sm = Echo()
        await sm.activate_initial_state()
        return await asyncio.gather(*(sm.send("echo", value=i) for i in range(5)))

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]


def test_callers_waiting_behind_a_failing_event_get_its_exception():
    """Errors propagate: an event that fails rejects every caller still waiting for a queued
    event with the same exception, and those events are dropped (as the reference does)."""

    async def main():
        sm = Echo()
        await sm.activate_initial_state()
        return await asyncio.gather(
            sm.send("fail"), sm.send("echo", value="ok"), return_exceptions=True
        )

    failed, waiting = asyncio.run(main())
    assert isinstance(failed, ValueError)
    assert str(failed) == "boom"
    assert waiting is failed


def test_a_failure_leaves_events_processed_before_it_alone():
    """An event processed before the failing one keeps its result; the one queued after it
    gets the failure; the machine then processes new events normally."""

    async def main():
        sm = Echo()
        await sm.activate_initial_state()
        results = await asyncio.gather(
            sm.send("echo", value=1),
            sm.send("fail"),
            sm.send("echo", value=3),
            return_exceptions=True,
        )
        return results, await sm.send("echo", value=5)

    (first, failed, third), after = asyncio.run(main())
    assert first == 1
    assert isinstance(failed, ValueError)
    assert third is failed
    assert after == 5


# --- re-entrant sends ---------------------------------------------------------------------------


class Chain(StateMachine):
    a = State(initial=True)
    b = State()
    c = State()

    go = a.to(b)
    next = b.to(c)

    def __init__(self, *args, **kwargs):
        self.inside: list[object] = []
        super().__init__(*args, **kwargs)

    async def on_enter_b(self):
        result = await self.send("next")
        # The event was only queued: it runs after this macrostep.
        self.inside.append((result, self.b.is_active))


def test_send_from_a_callback_only_enqueues():
    """Awaiting a send made from a callback returns None at once; the event runs afterwards."""

    async def main():
        sm = Chain()
        await sm.send("go")
        return sm

    sm = asyncio.run(main())
    assert sm.inside == [(None, True)]
    assert sm.c.is_active


def test_unawaited_send_from_a_callback_is_still_processed():
    """A send made from a callback and never awaited is processed, with no warning."""

    class M(StateMachine):
        a = State(initial=True)
        b = State()
        c = State()
        go = a.to(b)
        next = b.to(c)

        async def on_enter_b(self):
            self.send("next")

    async def main():
        sm = M()
        await sm.send("go")
        return sm

    assert asyncio.run(main()).c.is_active


# --- async guards -------------------------------------------------------------------------------


class Gate(StateMachine):
    closed = State(initial=True)
    opened = State()
    locked = State()

    push = closed.to(opened, cond="is_free") | closed.to(locked)
    shove = closed.to(opened, cond="not is_jammed") | closed.to(locked)
    kick = closed.to(opened, unless="is_jammed")

    async def is_free(self, free=True):
        await asyncio.sleep(0)
        return free

    async def is_jammed(self, jammed=False):
        await asyncio.sleep(0)
        return jammed


@pytest.mark.parametrize(("free", "expected"), [(True, "opened"), (False, "locked")])
def test_async_guard_chooses_the_transition(free, expected):
    """An async `cond` is awaited and its value decides which transition fires."""

    async def main():
        sm = Gate()
        await sm.send("push", free=free)
        return sm

    assert asyncio.run(main()).current_state_value == expected


@pytest.mark.parametrize(("jammed", "expected"), [(False, "opened"), (True, "locked")])
def test_async_name_in_guard_expression_chooses_the_transition(jammed, expected):
    """An async condition inside `cond="not ..."` is awaited before the expression is evaluated."""

    async def main():
        sm = Gate()
        await sm.send("shove", jammed=jammed)
        return sm

    assert asyncio.run(main()).current_state_value == expected


@pytest.mark.parametrize(("jammed", "expected"), [(False, "opened"), (True, "closed")])
def test_async_unless_guard_blocks_the_transition(jammed, expected):
    """An async `unless` condition that is true prevents the transition."""

    class M(Gate):
        allow_event_without_transition = True

    async def main():
        sm = M()
        await sm.send("kick", jammed=jammed)
        return sm

    assert asyncio.run(main()).current_state_value == expected


def test_async_guard_expression_from_sync_code_chooses_the_transition():
    """From sync code, an async condition inside an expression is awaited, not read as truthy."""
    sm = Gate()
    sm.send("shove", jammed=True)
    assert sm.locked.is_active


def test_async_guard_that_raises_propagates_in_a_state_machine():
    """In a StateMachine, an exception from an async condition reaches the sender."""

    class M(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b, cond="check")

        async def check(self):
            raise KeyError("no")

    async def main():
        sm = M()
        await sm.activate_initial_state()
        with pytest.raises(KeyError):
            await sm.send("go")
        return sm

    assert asyncio.run(main()).a.is_active


# --- enabled_events -----------------------------------------------------------------------------


def test_async_enabled_events_evaluates_async_guards():
    """`await sm.enabled_events()` lists only the events whose async conditions pass."""

    class M(StateMachine):
        a = State(initial=True)
        b = State()
        yes = a.to(b, cond="allowed")
        no = a.to(b, cond="forbidden")

        async def allowed(self):
            return True

        async def forbidden(self):
            return False

    async def main():
        sm = M()
        await sm.activate_initial_state()
        return [e.id for e in await sm.enabled_events()]

    assert asyncio.run(main()) == ["yes"]


def test_async_enabled_events_passes_its_arguments_to_the_guards():
    """Arguments given to `enabled_events()` reach async conditions."""

    async def main():
        sm = Gate()
        await sm.activate_initial_state()
        jammed = [e.id for e in await sm.enabled_events(jammed=True)]
        free = [e.id for e in await sm.enabled_events(jammed=False)]
        return jammed, free

    jammed, free = asyncio.run(main())
    assert "kick" not in jammed
    assert "kick" in free


def test_async_enabled_events_counts_a_raising_guard_as_enabled():
    """An event whose async condition raises is listed as enabled."""

    class M(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b, cond="broken")

        async def broken(self):
            raise RuntimeError("cannot tell")

    async def main():
        sm = M()
        await sm.activate_initial_state()
        return [e.id for e in await sm.enabled_events()]

    assert asyncio.run(main()) == ["go"]


# --- delayed events -----------------------------------------------------------------------------


class Oven(StateMachine):
    off = State(initial=True)
    on = State()
    done = State()

    start = off.to(on)
    ding = on.to(done)
    beep = on.to.itself()
    reset = done.to(off)

    async def on_start(self):
        await asyncio.sleep(0)


def test_awaited_delayed_send_processes_the_event_once_due():
    """`await sm.send(..., delay=ms)` on the async engine returns after the event has run."""

    async def main():
        sm = Oven()
        await sm.send("start")
        await sm.send("ding", delay=20)
        return sm

    assert asyncio.run(main()).done.is_active


def test_waiting_for_a_delayed_event_does_not_block_the_loop():
    """While a delayed send waits, other tasks on the loop keep running."""
    ticks = []

    async def ticker(sm):
        while not sm.done.is_active:
            ticks.append(1)
            await asyncio.sleep(0.002)

    async def main():
        sm = Oven()
        await sm.send("start")
        await asyncio.gather(sm.send("ding", delay=40), ticker(sm))
        return sm

    assert asyncio.run(main()).done.is_active
    assert len(ticks) > 1


def test_delayed_send_from_sync_code_on_the_async_engine_runs_to_completion():
    """Without a running loop, a delayed send on an async machine returns once it has run."""
    sm = Oven()
    sm.send("start")
    sm.send("ding", delay=20)
    assert sm.done.is_active


def test_cancel_event_from_another_task_drops_the_delayed_event():
    """`cancel_event(send_id)` from another task removes a waiting delayed event."""

    async def cancel_soon(sm):
        await asyncio.sleep(0.01)
        sm.cancel_event("timer")

    async def main():
        sm = Oven()
        await sm.send("start")
        began = time.monotonic()
        await asyncio.gather(sm.send("ding", delay=2000, send_id="timer"), cancel_soon(sm))
        return sm, time.monotonic() - began

    sm, elapsed = asyncio.run(main())
    assert sm.on.is_active
    assert elapsed < 1.5  # the wait ended at the cancellation, not at the 2 s due time


def test_cancel_event_keeps_other_delayed_events():
    """Cancelling one send id leaves delayed events with other ids to run."""

    seen = []

    class M(Oven):
        async def on_start(self):
            self.send("ding", delay=10, send_id="first")
            self.send("beep", delay=5, send_id="other")
            self.cancel_event("first")

        def on_beep(self):
            seen.append("beep")

    async def main():
        sm = M()
        await sm.send("start")
        return sm

    sm = asyncio.run(main())
    assert seen == ["beep"]
    assert sm.on.is_active


def test_delayed_send_from_a_callback_runs_after_the_delay():
    """A delayed send queued from an async callback is processed by the same awaited call."""

    class M(Oven):
        async def on_enter_on(self):
            self.send("ding", delay=15)

    async def main():
        sm = M()
        await sm.send("start")
        return sm

    assert asyncio.run(main()).done.is_active


# --- background delayed events ------------------------------------------------------------------


class BackgroundOven(Oven):
    delayed_events_in_background = True


class SyncBackgroundOven(StateMachine):
    delayed_events_in_background = True

    off = State(initial=True)
    on = State()
    done = State()

    start = off.to(on)
    ding = on.to(done)
    beep = on.to.itself()


def test_background_delayed_send_returns_at_once_on_the_sync_engine():
    """With `delayed_events_in_background`, a sync delayed send returns before the event runs."""
    order = []

    class M(SyncBackgroundOven):
        def on_ding(self):
            order.append("ding")

    sm = M()
    sm.send("start")
    assert sm.send("ding", delay=100) is None
    order.append("returned")
    assert _until_sync(lambda: sm.done.is_active)
    assert order == ["returned", "ding"]


def test_background_delayed_send_returns_at_once_on_the_async_engine():
    """With `delayed_events_in_background`, an awaited delayed send returns before the event runs,
    and a task processes it once due."""

    async def main():
        sm = BackgroundOven()
        await sm.send("start")
        await sm.send("ding", delay=30)
        before = sm.on.is_active
        reached = await _until(lambda: sm.done.is_active)
        return before, reached

    assert asyncio.run(main()) == (True, True)


def test_background_cancel_event_drops_the_event_on_the_sync_engine():
    """A cancelled background delayed event never runs, while a later one still does."""
    seen = []

    class M(SyncBackgroundOven):
        def on_beep(self):
            seen.append("beep")

        def on_ding(self):
            seen.append("ding")

    sm = M()
    sm.send("start")
    sm.send("ding", delay=80, send_id="ding")
    sm.send("beep", delay=120)
    sm.cancel_event("ding")
    assert _until_sync(lambda: seen == ["beep"])
    assert sm.on.is_active


def test_background_cancel_event_drops_the_event_on_the_async_engine():
    """On the async engine, a cancelled background delayed event never runs; a later one does."""
    seen = []

    class M(BackgroundOven):
        def on_beep(self):
            seen.append("beep")

        def on_ding(self):
            seen.append("ding")

    async def main():
        sm = M()
        await sm.send("start")
        await sm.send("ding", delay=20, send_id="ding")
        await sm.send("beep", delay=60)
        sm.cancel_event("ding")
        reached = await _until(lambda: seen == ["beep"])
        return sm, reached

    sm, reached = asyncio.run(main())
    assert reached
    assert sm.on.is_active


# --- errors from async callbacks ----------------------------------------------------------------


class Fragile(StateMachine):
    a = State(initial=True)
    b = State()
    go = a.to(b)

    def __init__(self, *args, failing: str, **kwargs):
        self.failing = failing
        super().__init__(*args, **kwargs)

    async def _maybe_fail(self, name):
        await asyncio.sleep(0)
        if self.failing == name:
            raise ValueError(name)

    async def before_go(self):
        await self._maybe_fail("before_go")

    async def on_exit_a(self):
        await self._maybe_fail("on_exit_a")

    async def on_go(self):
        await self._maybe_fail("on_go")

    async def on_enter_b(self):
        await self._maybe_fail("on_enter_b")


CALLBACKS = ["before_go", "on_exit_a", "on_go", "on_enter_b"]


@pytest.mark.parametrize("failing", CALLBACKS)
def test_async_callback_error_propagates_to_the_awaiting_sender(failing):
    """In a StateMachine, an exception from an async callback is raised by `await sm.send()`."""

    async def main():
        sm = Fragile(failing=failing)
        await sm.activate_initial_state()
        with pytest.raises(ValueError, match=failing):
            await sm.send("go")

    asyncio.run(main())


def test_async_callback_error_propagates_from_sync_code():
    """In a StateMachine driven from sync code, an async callback's exception reaches `send()`."""
    sm = Fragile(failing="on_go")
    with pytest.raises(ValueError, match="on_go"):
        sm.send("go")


@pytest.mark.parametrize("failing", CALLBACKS)
def test_failed_async_callback_leaves_machine_and_model_unchanged(failing):
    """After an async callback raises, the machine is still in its source state and the model
    holds the source value."""

    async def main():
        sm = Fragile(failing=failing)
        await sm.activate_initial_state()
        with pytest.raises(ValueError):
            await sm.send("go")
        return sm

    sm = asyncio.run(main())
    assert sm.a.is_active
    assert not sm.b.is_active
    assert sm.model.state == "a"


def test_machine_accepts_events_after_a_failed_async_callback():
    """After an async callback raised, the next event is processed normally."""

    async def main():
        sm = Fragile(failing="on_go")
        await sm.activate_initial_state()
        with pytest.raises(ValueError):
            await sm.send("go")
        sm.failing = ""
        await sm.send("go")
        return sm

    assert asyncio.run(main()).b.is_active


class FragileChart(StateChart):
    a = State(initial=True)
    b = State()
    failed = State()

    go = a.to(b)
    error_execution = a.to(failed, on="record") | b.to(failed, on="record")

    def __init__(self, *args, **kwargs):
        self.errors: list[BaseException] = []
        super().__init__(*args, **kwargs)

    async def on_go(self):
        await asyncio.sleep(0)
        raise ValueError("async boom")

    def record(self, error):
        self.errors.append(error)


def test_async_callback_error_becomes_error_execution_in_a_state_chart():
    """In a StateChart, an async callback's exception is delivered as `error.execution` with
    `error=`."""

    async def main():
        sm = FragileChart()
        await sm.send("go")
        return sm

    sm = asyncio.run(main())
    assert sm.failed.is_active
    assert [str(e) for e in sm.errors] == ["async boom"]
    assert isinstance(sm.errors[0], ValueError)


def test_async_callback_error_in_a_state_chart_does_not_reach_the_sender():
    """In a StateChart, `await sm.send()` returns normally when an async callback raised."""

    async def main():
        sm = FragileChart()
        await sm.send("go")

    asyncio.run(main())  # no exception


def test_async_guard_error_becomes_error_execution_in_a_state_chart():
    """In a StateChart, an async condition that raises queues `error.execution` and counts as
    false."""

    class M(StateChart):
        a = State(initial=True)
        b = State()
        failed = State()
        go = a.to(b, cond="check")
        error_execution = a.to(failed)

        async def check(self):
            raise KeyError("guard")

    async def main():
        sm = M()
        await sm.send("go")
        return sm

    assert asyncio.run(main()).failed.is_active


def test_unhandled_async_error_in_a_state_chart_is_logged(caplog):
    """A StateChart without an `error_execution` transition logs an async callback's error."""

    class M(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b)

        async def on_go(self):
            raise ValueError("lost?")

    async def main():
        sm = M()
        await sm.send("go")

    with caplog.at_level(logging.ERROR, logger="statemachine"):
        asyncio.run(main())
    assert any(
        r.levelno == logging.ERROR and r.exc_info and "lost?" in str(r.exc_info[1])
        for r in caplog.records
    )


def test_first_awaited_enabled_events_sees_the_deferred_initial_state():
    """enabled_events() awaited before anything else enters the initial state first and
    lists the events from there."""

    class Kiosk(StateChart):
        asleep = State(initial=True)
        awake = State()
        wake = asleep.to(awake)
        sleep = awake.to(asleep)

        async def on_enter_asleep(self):
            pass

    async def main():
        kiosk = Kiosk()
        return [e.id for e in await kiosk.enabled_events()]

    assert asyncio.run(main()) == ["wake"]


def test_background_delayed_send_from_sync_code_returns_at_once():
    """With delayed_events_in_background, an asyncio-engine machine driven from sync code
    returns from a delayed send at once and processes the event later on its own thread."""

    class Lamp(StateChart):
        delayed_events_in_background = True
        off = State(initial=True)
        on = State()
        switch = off.to(on) | on.to(off)

        async def on_enter_on(self):
            await asyncio.sleep(0)

    lamp = Lamp()
    began = time.monotonic()
    lamp.send("switch", delay=100)
    assert time.monotonic() - began < 0.08
    assert lamp.off.is_active
    deadline = time.monotonic() + 2
    while not lamp.on.is_active and time.monotonic() < deadline:
        time.sleep(0.005)
    assert lamp.on.is_active


class _Suspending(StateMachine):
    idle = State(initial=True)
    busy = State()
    go = idle.to(busy, on="work")

    def __init__(self, *args, **kwargs):
        self.trace: list[str] = []
        super().__init__(*args, **kwargs)

    async def work(self, fail=False, hold=None):
        self.trace.append("start")
        await asyncio.sleep(0)
        self.trace.append("resumed")
        if hold is not None:
            try:
                await hold.wait()
            finally:
                self.trace.append("finally")
        await asyncio.sleep(0)
        if fail:
            raise RuntimeError("late failure")
        return "worked"


def test_a_callback_that_suspends_several_times_gives_its_result():
    """A coroutine callback that suspends on the loop, more than once, still delivers its
    return value to send()."""

    async def main():
        sm = _Suspending()
        await sm.activate_initial_state()
        return await sm.send("go"), sm.trace, list(sm.configuration_values)

    assert asyncio.run(main()) == ("worked", ["start", "resumed"], ["busy"])


def test_a_callback_failing_after_it_suspended_leaves_the_machine_unchanged():
    """An exception raised after the coroutine suspended propagates (StateMachine) and the
    transition is undone."""

    async def main():
        sm = _Suspending()
        await sm.activate_initial_state()
        with pytest.raises(RuntimeError, match="late failure"):
            await sm.send("go", fail=True)
        return list(sm.configuration_values)

    assert asyncio.run(main()) == ["idle"]


def test_cancelling_the_sender_cancels_the_suspended_callback():
    """Cancelling the task that awaits send() reaches the callback's own await (its finally
    runs) and the machine stays where it was."""

    async def main():
        sm = _Suspending()
        await sm.activate_initial_state()
        hold = asyncio.Event()
        task = asyncio.ensure_future(sm.send("go", hold=hold))
        while "resumed" not in sm.trace:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return sm.trace, list(sm.configuration_values)

    assert asyncio.run(main()) == (["start", "resumed", "finally"], ["idle"])


def test_send_returns_a_coroutine_that_create_task_accepts():
    """Inside a running loop send() returns a coroutine, also when the transition runs no
    callback and is already applied, so asyncio.create_task() takes it."""

    class Switch(StateChart):
        off = State(initial=True)
        on = State()
        flip = off.to(on) | on.to(off)
        noisy = on.to(off, on="shout")

        async def shout(self):
            return "loud"

    async def main():
        sm = Switch()
        await sm.activate_initial_state()
        plain = sm.send("flip")
        assert inspect.iscoroutine(plain)
        await asyncio.create_task(plain)
        noisy = asyncio.create_task(sm.send("noisy"))
        return await noisy, list(sm.configuration_values)

    assert asyncio.run(main()) == ("loud", ["off"])


def test_a_cancelled_macrostep_cancels_the_callers_left_waiting():
    """When the task processing the queue is cancelled, events it had not reached are
    dropped and their callers get CancelledError instead of waiting forever."""

    class Slow(StateChart):
        idle = State(initial=True)
        busy = State()
        work = idle.to(busy, on="crawl")
        other = busy.to(idle) | idle.to(busy)

        async def crawl(self):
            await asyncio.Event().wait()

    async def main():
        sm = Slow()
        await sm.activate_initial_state()
        first = asyncio.ensure_future(sm.send("work"))
        await asyncio.sleep(0.01)
        second = asyncio.ensure_future(sm.send("other"))
        await asyncio.sleep(0.01)
        first.cancel()
        outcomes = await asyncio.gather(first, second, return_exceptions=True)
        return [type(o).__name__ for o in outcomes]

    assert asyncio.run(main()) == ["CancelledError", "CancelledError"]
