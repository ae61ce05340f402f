"""How ``send()`` on the asyncio engine runs a step inside a running loop.

A step whose callbacks complete without suspending runs inside the ``send()`` call itself;
when a callback really suspends, a task takes over the rest of the step. These tests pin down
what callers can observe on each path: results, errors, re-entrant sends, cancellation, other
callers, and a caller that never awaits.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect

import pytest

from statemachine import State, StateChart, StateMachine

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


class Door(StateChart):
    """``open`` runs a coroutine that completes at once; ``lock`` one that suspends."""

    closed = State(initial=True)
    opened = State()
    locked = State()

    open = closed.to(opened, on="creak")
    close = opened.to(closed)
    lock = closed.to(locked, on="turn_key")
    unlock = locked.to(closed)

    def __init__(self, *args, **kwargs):
        self.trace: list[str] = []
        self.gate: asyncio.Event | None = None
        super().__init__(*args, **kwargs)

    async def creak(self):
        self.trace.append("creak")
        return "creaked"

    async def turn_key(self):
        self.trace.append("key in")
        if self.gate is not None:
            await self.gate.wait()
        else:
            await asyncio.sleep(0)
        self.trace.append("key turned")
        return "locked"


async def _door() -> Door:
    sm = Door()
    await sm.activate_initial_state()
    return sm


def test_a_step_that_never_suspends_is_done_when_send_returns():
    """The transition and its callback have run by the time send() returns; awaiting what it
    returned (a real coroutine) gives the callback's result."""

    async def main():
        sm = await _door()
        pending = sm.send("open")
        done_at_once = (list(sm.configuration_values), list(sm.trace))
        assert inspect.iscoroutine(pending)
        return done_at_once, await pending

    assert asyncio.run(main()) == ((["opened"], ["creak"]), "creaked")


def test_a_step_that_suspends_is_finished_by_a_task_and_the_caller_gets_its_result():
    async def main():
        sm = await _door()
        pending = sm.send("lock")
        halfway = list(sm.trace)
        assert asyncio.iscoroutine(pending)  # create_task() takes it
        result = await asyncio.create_task(pending)
        return halfway, result, list(sm.trace), list(sm.configuration_values)

    assert asyncio.run(main()) == (
        ["key in"],
        "locked",
        ["key in", "key turned"],
        ["locked"],
    )


def test_a_suspended_step_completes_even_if_the_caller_never_awaits():
    """Nobody awaits the send: the task still finishes the step and frees the machine."""

    async def main():
        sm = await _door()
        pending = sm.send("lock")
        for _ in range(5):
            await asyncio.sleep(0)
        after = list(sm.configuration_values)
        pending.close()  # we chose not to await it
        return after, await sm.send("unlock"), list(sm.configuration_values)

    assert asyncio.run(main()) == (["locked"], None, ["closed"])


def test_a_caller_cancelled_before_it_starts_cancels_the_suspended_step():
    async def main():
        sm = await _door()
        sm.gate = asyncio.Event()  # never set: the key never turns
        task = asyncio.create_task(sm.send("lock"))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0)
        return list(sm.configuration_values), await asyncio.wait_for(sm.send("open"), 1)

    assert asyncio.run(main()) == (["closed"], "creaked")


def test_a_caller_cancelled_while_waiting_cancels_the_suspended_step():
    async def main():
        sm = await _door()
        sm.gate = asyncio.Event()
        task = asyncio.create_task(sm.send("lock"))
        await asyncio.sleep(0.01)
        assert sm.trace == ["key in"]
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return list(sm.configuration_values), await asyncio.wait_for(sm.send("open"), 1)

    assert asyncio.run(main()) == (["closed"], "creaked")


def test_another_caller_waits_for_the_suspended_step_and_gets_its_own_result():
    async def main():
        sm = await _door()
        sm.gate = asyncio.Event()
        first = asyncio.create_task(sm.send("lock"))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(sm.send("unlock"))
        await asyncio.sleep(0.01)
        waiting = (first.done(), second.done(), list(sm.configuration_values))
        sm.gate.set()
        return waiting, await first, await second, list(sm.configuration_values)

    # While the key turns the machine is between states: `closed` was exited already.
    assert asyncio.run(main()) == ((False, False, []), "locked", None, ["closed"])


def test_an_error_in_a_step_that_never_suspends_is_raised_by_the_await():
    class Fragile(StateChart):
        catch_errors_as_events = False
        ok = State(initial=True)
        broken = State()
        smash = ok.to(broken, on="boom")

        async def boom(self):
            raise ValueError("smashed")

    async def main():
        sm = Fragile()
        await sm.activate_initial_state()
        pending = sm.send("smash")  # does not raise here
        with pytest.raises(ValueError, match="smashed"):
            await pending
        return list(sm.configuration_values)

    assert asyncio.run(main()) == ["ok"]


def test_an_error_after_a_suspension_reaches_the_caller():
    class Fragile(StateChart):
        catch_errors_as_events = False
        ok = State(initial=True)
        broken = State()
        smash = ok.to(broken, on="boom")

        async def boom(self):
            await asyncio.sleep(0)
            raise ValueError("smashed later")

    async def main():
        sm = Fragile()
        await sm.activate_initial_state()
        with pytest.raises(ValueError, match="smashed later"):
            await sm.send("smash")
        return list(sm.configuration_values)

    assert asyncio.run(main()) == ["ok"]


def test_a_send_from_a_callback_of_a_step_running_inside_send_is_queued_after_it():
    class Chain(StateChart):
        a = State(initial=True)
        b = State()
        c = State()
        first = a.to(b, on="then")
        second = b.to(c)

        def __init__(self, *args, **kwargs):
            self.trace: list[str] = []
            super().__init__(*args, **kwargs)

        async def then(self):
            queued = self.send("second")
            self.trace.append(f"sent second from {list(self.configuration_values)}")
            await queued  # already complete: it only queued the event

        async def on_enter_c(self):
            self.trace.append("entered c")

    async def main():
        sm = Chain()
        await sm.activate_initial_state()
        pending = sm.send("first")
        done_at_once = list(sm.configuration_values)
        await pending
        return done_at_once, sm.trace

    assert asyncio.run(main()) == (["c"], ["sent second from []", "entered c"])


def test_a_base_exception_from_a_callback_leaves_the_machine_as_it_was():
    """Not an error of the step (those are its outcome): it propagates from send() itself and
    drops what was queued."""

    class Stop(BaseException):
        pass

    class Halting(StateChart):
        idle = State(initial=True)
        busy = State()
        start = idle.to(busy, on="halt")
        other = busy.to(idle)

        async def halt(self):
            self.send("other")
            raise Stop()

    async def main():
        sm = Halting()
        await sm.activate_initial_state()
        with pytest.raises(Stop):
            sm.send("start")
        return list(sm.configuration_values), sm._get_engine()._external

    assert asyncio.run(main()) == (["idle"], [])


def test_send_id_reaches_the_trigger_data_on_both_engines(engine):
    class Tagged(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b) | b.to(a)

        def on_go(self, event_data):
            return event_data.trigger_data.send_id

    sm = engine.machine(Tagged)
    assert engine.send(sm, "go", send_id="first") == "first"
    assert engine.send(sm, "go") is None


def test_what_a_suspended_send_returns_says_so_in_its_repr():
    async def main():
        sm = await _door()
        pending = sm.send("lock")
        text = repr(pending)
        await pending
        return text

    assert asyncio.run(main()).startswith("<send in progress: <Task")


def test_a_callback_that_swallows_the_cancellation_lets_the_step_finish():
    """Cancellation reaches the suspended callback exactly as if the caller awaited it: a
    callback that catches it and returns completes the step."""

    class Stubborn(StateChart):
        idle = State(initial=True)
        done = State()
        finish = idle.to(done)

        async def on_enter_done(self):
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.swallowed = True

    async def main():
        sm = Stubborn()
        await sm.activate_initial_state()
        task = asyncio.create_task(sm.send("finish"))
        await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return list(sm.configuration_values), sm.swallowed

    assert asyncio.run(main()) == (["done"], True)


def test_cancelling_the_first_send_of_a_machine_with_a_deferred_initial_entry():
    """The first send enters the initial state first (deferred since construction inside the
    loop); cancelled mid-callback, it leaves the machine in that initial state, usable."""

    class Lazy(StateChart):
        idle = State(initial=True)
        busy = State()
        work = idle.to(busy, on="forever")
        ping = idle.to.itself(on="pong")

        async def forever(self):
            await asyncio.Event().wait()

        def pong(self):
            return "pong"

    async def main():
        sm = Lazy()  # no activate_initial_state(): the first send does it
        task = asyncio.create_task(sm.send("work"))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return list(sm.configuration_values), await asyncio.wait_for(sm.send("ping"), 1)

    assert asyncio.run(main()) == (["idle"], "pong")


@pytest.mark.parametrize("suspends", [False, True])
def test_several_async_validators_and_conditions_each_run_and_are_awaited(suspends):
    """Every validator and condition in a list runs, in order, whether its coroutine
    completes at once or really suspends; the first false condition stops the transition."""

    class Gate(StateChart):
        shut = State(initial=True)
        ajar = State()
        push = shut.to(ajar, validators=["check", "check_too"], cond=["allow", "allow_too"])
        kick = shut.to(ajar, cond=["allow", "deny", "allow"])

        def __init__(self):
            self.calls: list[str] = []
            super().__init__()

        async def _pause(self):
            if suspends:
                await asyncio.sleep(0)

        async def check(self):
            await self._pause()
            self.calls.append("check")

        async def check_too(self):
            await self._pause()
            self.calls.append("check_too")

        async def allow_too(self):
            await self._pause()
            self.calls.append("allow_too")
            return True

        async def allow(self):
            await self._pause()
            self.calls.append("allow")
            return True

        async def deny(self):
            await self._pause()
            self.calls.append("deny")
            return False

    async def main():
        sm = Gate()
        await sm.activate_initial_state()
        await sm.send("kick")
        refused = (list(sm.calls), list(sm.configuration_values))
        sm.calls.clear()
        await sm.send("push")
        return refused, sm.calls, list(sm.configuration_values)

    refused, calls, config = asyncio.run(main())
    assert refused == (["allow", "deny"], ["shut"])
    assert calls == ["check", "check_too", "allow", "allow_too"]
    assert config == ["ajar"]


_scope: contextvars.ContextVar[str] = contextvars.ContextVar("scope", default="outside")


class Scoped(StateMachine):
    """``go`` sets a context variable, really suspends, then resets it with its token (as
    asgiref's sync_to_async sets and clears its own); ``mark`` sets one and returns at once.
    A StateMachine: an error (a token reset in another context) would reach the caller."""

    a = State(initial=True)
    b = State()
    go = a.to(b, on="scoped")
    mark = b.to(a, on="marked")

    def __init__(self):
        self.seen: list[str] = []
        super().__init__()

    async def scoped(self):
        token = _scope.set("inside")
        await asyncio.sleep(0)  # a task takes over the rest of the step here
        self.seen.append(_scope.get())
        _scope.reset(token)
        self.seen.append(_scope.get())

    async def marked(self):
        _scope.set("marked")


def test_callbacks_run_in_one_copy_of_the_callers_context_like_a_task():
    """The part of a step run inside send() and the task that takes over after a suspension
    share one context (a copy of the caller's, as a task's is): what a callback set before
    suspending it still sees after, its token resets it, and the caller's own context
    variables are left alone, suspension or not."""

    async def main():
        sm = Scoped()
        await sm.activate_initial_state()
        await sm.send("go")
        after_go = _scope.get()
        await sm.send("mark")
        return sm.seen, after_go, _scope.get(), list(sm.configuration_values)

    assert asyncio.run(main()) == (["inside", "outside"], "outside", "outside", ["a"])
