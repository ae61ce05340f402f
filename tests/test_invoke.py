"""Invoke: work that runs while a state is active; its completion, errors and cancellation."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import pytest
from _chart_helpers import settle, wait_until

from statemachine import State, StateChart
from statemachine.exceptions import InvalidDefinition
from statemachine.invoke import IInvoke, InvokeContext, invoke_group

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


class _Recorder:
    """Keeps what the done and error transitions of a loader chart received."""

    def __init__(self, *args, **kwargs):
        self.data: list[object] = []
        self.done_events: list[str] = []
        self.errors: list[BaseException] = []
        super().__init__(*args, **kwargs)

    def keep_data(self, event, data=None):
        self.done_events.append(str(event))
        self.data.append(data)

    def keep_error(self, error):
        self.errors.append(error)


def loader(invoke=None, **members):
    """A chart whose `loading` state invokes ``invoke``: its completion moves to `ready`, its
    error to `failed`; `stop` leaves it for `idle`, `again` re-enters it."""
    idle = State(initial=True)
    loading = State(invoke=invoke)
    ready = State()
    failed = State()
    body = {
        "idle": idle,
        "loading": loading,
        "ready": ready,
        "failed": failed,
        "load": idle.to(loading),
        "stop": loading.to(idle),
        "again": ready.to(loading) | idle.to(loading),
        "reset": ready.to(idle),
        "done_invoke_loading": loading.to(ready, on="keep_data"),
        "error_execution": loading.to(failed, on="keep_error"),
        **members,
    }
    return type("Loader", (_Recorder, StateChart), body)


# --- handler forms ------------------------------------------------------------------------------


def test_plain_callable_result_is_the_done_invoke_data(engine):
    """A plain callable handler's return value arrives as `data` of `done.invoke.<state>`."""

    M = loader(lambda: 42)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == [42]


def test_handler_gets_the_entering_event_kwargs_by_name(engine):
    """A callable handler receives the keyword arguments of the event that entered the state."""

    def fetch(url, retries=0):
        return f"{url}#{retries}"

    M = loader(fetch)

    sm = engine.machine(M)
    engine.send(sm, "load", url="http://x", retries=3)
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == ["http://x#3"]


def test_method_name_handler_is_called(engine):
    """A string handler names a machine method, which is called and whose result is the data."""

    def fetch(self):
        return "by name"

    M = loader("fetch", fetch=fetch)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == ["by name"]


def test_on_invoke_state_convention_method_is_a_handler(engine):
    """A method named `on_invoke_<state>` is that state's invoke handler."""

    def on_invoke_loading(self):
        return "by convention"

    M = loader(on_invoke_loading=on_invoke_loading)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == ["by convention"]


def test_state_invoke_decorator_registers_a_handler(engine):
    """`@state.invoke` registers the decorated method as the state's handler."""

    class M(_Recorder, StateChart):
        idle = State(initial=True)
        loading = State()
        ready = State()
        load = idle.to(loading)
        done_invoke_loading = loading.to(ready, on="keep_data")

        @loading.invoke
        def fetch(self):
            return "decorated"

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == ["decorated"]


def test_iinvoke_class_gets_a_fresh_instance_per_invocation(engine):
    """An IInvoke class handler is instantiated anew for every entry of the state."""
    instances = []

    class Fetch:
        def run(self, ctx):
            instances.append(self)
            return len(instances)

    M = loader(Fetch)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    engine.send(sm, "again")
    assert wait_until(engine, lambda: len(sm.data) == 2)
    assert sm.data == [1, 2]
    assert instances[0] is not instances[1]


def test_iinvoke_instance_run_receives_the_context(engine):
    """An object with `run(ctx)` is called with an InvokeContext, and its result is the data."""

    class Fetch:
        def run(self, ctx):
            return (type(ctx).__name__, ctx.state_id)

    M = loader(Fetch())

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == [("InvokeContext", "loading")]


def test_invoke_context_describes_the_invocation(engine):
    """`InvokeContext` gives the invoke id, state id, machine and entering event kwargs."""
    seen = []

    class Fetch:
        def run(self, ctx):
            seen.append(ctx)

    M = loader(Fetch)

    sm = engine.machine(M)
    engine.send(sm, "load", page=2)
    assert wait_until(engine, lambda: sm.ready.is_active)
    (ctx,) = seen
    assert isinstance(ctx, InvokeContext)
    assert re.fullmatch(r"loading\.[0-9a-f]{8}", ctx.invokeid)
    assert ctx.state_id == "loading"
    assert ctx.machine is sm
    assert ctx.kwargs == {"page": 2}
    assert not ctx.cancelled.is_set()


def test_done_invoke_event_is_named_after_the_invoke_id(engine):
    """The completion event is `done.invoke.<invokeid>`, matching the handler's `ctx.invokeid`."""
    ids = []

    class Fetch:
        def run(self, ctx):
            ids.append(ctx.invokeid)

    M = loader(Fetch)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.done_events == [f"done.invoke.{ids[0]}"]


def test_two_invocations_of_one_state_get_distinct_ids(engine):
    """Each invocation gets its own invoke id."""
    ids = []

    class Fetch:
        def run(self, ctx):
            ids.append(ctx.invokeid)

    M = loader(Fetch)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    engine.send(sm, "again")
    assert wait_until(engine, lambda: len(ids) == 2 and sm.ready.is_active)
    assert ids[0] != ids[1]


def test_handler_without_result_sends_done_invoke_with_none(engine):
    """A handler that returns nothing still completes, with `data=None`."""

    M = loader(lambda: None)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == [None]


def test_handler_runs_after_the_entering_callbacks(engine):
    """A handler starts only after the macrostep that entered its state (entry callbacks first)."""
    order = []

    def on_enter_loading(self):
        order.append("enter")

    M = loader(lambda: order.append("invoke"), on_enter_loading=on_enter_loading)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert order == ["enter", "invoke"]


def test_state_left_within_the_entering_macrostep_never_invokes(engine):
    """A state entered and exited in the same macrostep does not start its handler."""
    calls = []

    class M(StateChart):
        idle = State(initial=True)
        passing = State(invoke=lambda: calls.append("passing"))
        resting = State(invoke=lambda: calls.append("resting"))

        go = idle.to(passing)
        passing.to(resting)  # eventless: leaves `passing` in the same macrostep

    sm = engine.machine(M)
    engine.send(sm, "go")
    assert wait_until(engine, lambda: calls == ["resting"])
    settle(engine, 0.05)
    assert calls == ["resting"]


def test_handler_of_the_initial_state_starts_on_creation(engine):
    """The initial state's handler runs once the machine has entered it."""

    class M(StateChart):
        loading = State(initial=True, invoke=lambda: "first")
        ready = State()
        done_invoke_loading = loading.to(ready)

    sm = engine.machine(M)
    assert wait_until(engine, lambda: sm.ready.is_active)


def test_constructor_kwargs_reach_handlers_of_the_initial_state(engine):
    """Keyword arguments given to the constructor are injected into the initial state's handler."""
    seen = []

    def fetch(user):
        seen.append(user)
        return user

    class M(StateChart):
        loading = State(initial=True, invoke=fetch)
        ready = State()
        done_invoke_loading = loading.to(ready)

    sm = engine.machine(M, user="ada")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert seen == ["ada"]


def test_constructor_kwargs_reach_iinvoke_context_of_the_initial_state(engine):
    """Constructor kwargs are the `ctx.kwargs` of the initial state's invocation."""
    seen = []

    class Fetch:
        def run(self, ctx):
            seen.append(dict(ctx.kwargs))

    class M(StateChart):
        loading = State(initial=True, invoke=Fetch)
        ready = State()
        done_invoke_loading = loading.to(ready)

    sm = engine.machine(M, user="ada")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert seen == [{"user": "ada"}]


def test_handler_can_send_events_through_the_context(engine):
    """`ctx.send` from a handler (a worker thread) delivers the event to the machine."""

    class Worker:
        def run(self, ctx):
            ctx.send("progress")
            ctx.cancelled.wait(2)

    class M(StateChart):
        working = State(initial=True, invoke=Worker)
        reported = State()
        progress = working.to(reported)

    sm = engine.machine(M)
    assert wait_until(engine, lambda: sm.reported.is_active)


# --- errors -------------------------------------------------------------------------------------


def test_handler_exception_becomes_error_execution(engine):
    """A handler that raises sends `error.execution` with the exception as `error`."""

    def fetch():
        raise ConnectionError("offline")

    M = loader(fetch)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.failed.is_active)
    assert len(sm.errors) == 1
    assert isinstance(sm.errors[0], ConnectionError)
    assert str(sm.errors[0]) == "offline"


def test_iinvoke_run_exception_becomes_error_execution(engine):
    """An exception from an IInvoke's `run()` is delivered as `error.execution`."""

    class Fetch:
        def run(self, ctx):
            raise LookupError("missing")

    M = loader(Fetch)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.failed.is_active)
    assert isinstance(sm.errors[0], LookupError)


def test_failed_handler_sends_no_done_invoke(engine):
    """A handler that raises does not also complete the invocation."""

    def fetch():
        raise ConnectionError("offline")

    M = loader(fetch)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.failed.is_active)
    settle(engine, 0.05)
    assert sm.data == []


# --- cancellation -------------------------------------------------------------------------------


def test_exit_sets_the_cancelled_flag(engine):
    """Leaving the state sets `ctx.cancelled` of its running invocation."""
    started = threading.Event()
    outcome = []

    class Worker:
        def run(self, ctx):
            started.set()
            outcome.append(ctx.cancelled.wait(2))

    M = loader(Worker)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, started.is_set)
    engine.send(sm, "stop")
    assert wait_until(engine, lambda: outcome == [True])
    assert sm.idle.is_active


def test_exit_calls_on_cancel(engine):
    """Leaving the state calls the handler's `on_cancel()`."""
    started = threading.Event()
    cancelled = []

    class Worker:
        def run(self, ctx):
            started.set()
            ctx.cancelled.wait(2)

        def on_cancel(self):
            cancelled.append(True)

    M = loader(Worker)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, started.is_set)
    engine.send(sm, "stop")
    assert wait_until(engine, lambda: cancelled == [True])


def test_exit_calls_on_cancel_of_a_handler_instance(engine):
    """Leaving the state calls `on_cancel()` of a handler given as an instance."""
    started = threading.Event()

    class Worker:
        def __init__(self):
            self.cancelled = []

        def run(self, ctx):
            started.set()
            ctx.cancelled.wait(2)

        def on_cancel(self):
            self.cancelled.append(True)

    worker = Worker()
    M = loader(worker)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, started.is_set)
    engine.send(sm, "stop")
    assert wait_until(engine, lambda: worker.cancelled == [True])


def test_on_cancel_is_not_called_when_the_handler_completes(engine):
    """A handler that finishes before its state is exited is not cancelled."""
    cancelled = []

    class Worker:
        def run(self, ctx):
            return "done"

        def on_cancel(self):
            cancelled.append(True)

    M = loader(Worker)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    engine.send(sm, "reset")
    assert cancelled == []


def test_cancelled_invocation_done_event_is_dropped(engine):
    """The completion of an invocation whose state was exited does not fire a transition, even
    after the state is entered again."""
    release = threading.Event()
    returned = threading.Event()
    calls = []

    class Worker:
        def run(self, ctx):
            calls.append(ctx.invokeid)
            if len(calls) == 1:
                release.wait(2)  # the first invocation ignores cancellation and returns late
                returned.set()
                return "stale"
            ctx.cancelled.wait(2)
            return "fresh"

    M = loader(Worker)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: len(calls) == 1)
    engine.send(sm, "stop")
    engine.send(sm, "again")
    assert wait_until(engine, lambda: len(calls) == 2)
    release.set()
    assert wait_until(engine, returned.is_set)
    settle(engine)
    assert sm.loading.is_active
    assert sm.data == []
    engine.send(sm, "stop")  # cancel the second invocation


def test_cancelled_invocation_error_is_dropped(engine):
    """An invocation that raises after its state was exited does not send `error.execution`."""
    release = threading.Event()
    raised = threading.Event()
    started = threading.Event()

    class Worker:
        def run(self, ctx):
            started.set()
            release.wait(2)
            raised.set()
            raise RuntimeError("too late")

    class M(StateChart):
        loading = State(initial=True, invoke=Worker)
        idle = State()
        failed = State()
        stop = loading.to(idle)
        error_execution = idle.to(failed) | loading.to(failed)

    sm = engine.machine(M)
    assert wait_until(engine, started.is_set)
    engine.send(sm, "stop")
    release.set()
    assert wait_until(engine, raised.is_set)
    settle(engine)
    assert sm.idle.is_active


def test_events_sent_by_a_cancelled_invocation_are_dropped(engine):
    """An event a handler sends through `ctx.send` after its state was exited is ignored."""
    started = threading.Event()
    sent = threading.Event()

    class Worker:
        def run(self, ctx):
            started.set()
            ctx.cancelled.wait(2)
            ctx.send("late")
            sent.set()

    class M(StateChart):
        loading = State(initial=True, invoke=Worker)
        idle = State()
        wrong = State()
        stop = loading.to(idle)
        late = idle.to(wrong)

    sm = engine.machine(M)
    assert wait_until(engine, started.is_set)
    engine.send(sm, "stop")
    assert wait_until(engine, sent.is_set)
    settle(engine)
    assert sm.idle.is_active


def test_list_of_handlers_runs_independent_invocations(engine):
    """A list declares independent invocations; the first to complete exits the state and the
    others are cancelled."""
    cancelled = []

    class Slow:
        def run(self, ctx):
            cancelled.append(ctx.cancelled.wait(2))

    M = loader([Slow, lambda: "quick"])

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == ["quick"]
    assert wait_until(engine, lambda: cancelled == [True])


# --- invoke_group -------------------------------------------------------------------------------


def test_invoke_group_data_is_the_results_in_declaration_order(engine):
    """`invoke_group` completes once all callables return, with their results in order."""

    def slow():
        time.sleep(0.03)
        return "slow"

    M = loader(invoke_group(slow, lambda: "fast"))

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == [["slow", "fast"]]


def test_invoke_group_callables_may_take_the_context(engine):
    """A grouped callable with one parameter receives the InvokeContext."""

    M = loader(invoke_group(lambda ctx: ctx.state_id, lambda: "none"))

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert sm.data == [["loading", "none"]]


def test_invoke_group_error_becomes_error_execution(engine):
    """A grouped callable that raises fails the whole group with `error.execution`."""

    def broken():
        raise ValueError("one failed")

    M = loader(invoke_group(lambda: 1, broken))

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.failed.is_active)
    assert [str(e) for e in sm.errors] == ["one failed"]
    assert sm.data == []


def test_invoke_group_without_callables_raises_value_error():
    """`invoke_group()` with no callable raises ValueError."""
    with pytest.raises(ValueError, match="at least one"):
        invoke_group()


def test_invoke_group_with_a_non_callable_raises_type_error():
    """`invoke_group()` given something that is not callable raises TypeError naming it."""
    with pytest.raises(TypeError, match="'soon'"):
        invoke_group(lambda: 1, "soon")


# --- the IInvoke protocol -----------------------------------------------------------------------


def test_object_with_run_is_an_iinvoke():
    """Any object with a `run` method passes `isinstance(obj, IInvoke)`."""

    class Fetch:
        def run(self, ctx):
            return None

    assert isinstance(Fetch(), IInvoke)


def test_object_without_run_is_not_an_iinvoke():
    """An object without `run` fails `isinstance(obj, IInvoke)`."""

    class NotAHandler:
        def start(self, ctx):
            return None

    assert not isinstance(NotAHandler(), IInvoke)


# --- child machines -----------------------------------------------------------------------------


def test_child_machine_that_finishes_at_once_completes_the_invocation(engine):
    """A StateChart subclass handler runs a child; its termination completes the invocation."""

    class Child(StateChart):
        start = State(initial=True)
        end = State(final=True)
        start.to(end)  # eventless: the child finishes as soon as it starts

    M = loader(Child)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, lambda: sm.ready.is_active)


def test_child_machine_receives_the_entering_event_kwargs(engine):
    """The child machine is built with the kwargs of the event that entered the state."""
    seen = []

    class Child(StateChart):
        start = State(initial=True)
        end = State(final=True)
        start.to(end)

        def on_enter_start(self, order_id):
            seen.append(order_id)

    M = loader(Child)

    sm = engine.machine(M)
    engine.send(sm, "load", order_id=7)
    assert wait_until(engine, lambda: sm.ready.is_active)
    assert seen == [7]


def test_child_machine_that_finishes_later_completes_the_invocation(engine):
    """A child that reaches its final state after a while completes the invocation then."""
    from statemachine.contrib.timeout import timeout

    class Child(StateChart):
        waiting = State(initial=True, invoke=timeout(0.02, on="finish"))
        end = State(final=True)
        finish = waiting.to(end)

    M = loader(Child)

    sm = engine.machine(M)
    engine.send(sm, "load")
    reached = wait_until(engine, lambda: sm.ready.is_active)
    if not reached:
        engine.send(sm, "stop")  # release the child's worker
    assert reached


def test_running_child_machine_is_cancelled_on_exit(engine):
    """A child still running when the state is exited is stopped and completes nothing."""
    started = threading.Event()

    class Child(StateChart):
        waiting = State(initial=True)
        end = State(final=True)
        finish = waiting.to(end)

        def on_enter_waiting(self):
            started.set()

    M = loader(Child)

    sm = engine.machine(M)
    engine.send(sm, "load")
    assert wait_until(engine, started.is_set)
    engine.send(sm, "stop")
    settle(engine)
    assert sm.idle.is_active
    assert sm.data == []


# --- coroutine handlers (asyncio engine) --------------------------------------------------------


async def _until(condition, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


def test_coroutine_handler_result_is_the_done_invoke_data():
    """An `async def` handler is awaited on the loop and its result is the completion data."""

    async def fetch(url):
        await asyncio.sleep(0)
        return url.upper()

    M = loader(fetch)

    async def main():
        sm = M()
        await sm.send("load", url="abc")
        await _until(lambda: sm.ready.is_active)
        return sm

    assert asyncio.run(main()).data == ["ABC"]


class _AsyncListener:
    """A coroutine callback: it puts the machine on the asyncio engine."""

    async def after_transition(self):
        await asyncio.sleep(0)


def test_async_iinvoke_run_is_awaited():
    """An IInvoke whose `run` is a coroutine function is awaited on the loop (the machine is
    on the asyncio engine through another coroutine callback)."""

    class Fetch:
        async def run(self, ctx):
            await asyncio.sleep(0)
            return ctx.state_id

    M = loader(Fetch)

    async def main():
        sm = M(listeners=[_AsyncListener()])
        await sm.send("load")
        await _until(lambda: sm.ready.is_active)
        return sm

    assert asyncio.run(main()).data == ["loading"]


@pytest.mark.parametrize("handler", ["class", "instance"])
def test_async_iinvoke_run_alone_is_refused_on_the_sync_engine(handler):
    """An IInvoke whose `run` is `async def` does not select the asyncio engine by itself: on
    a machine with no coroutine callback, creating the machine raises (as the reference
    does), with a note saying how to get the asyncio engine."""

    class Fetch:
        async def run(self, ctx):
            return ctx.state_id

    M = loader(Fetch if handler == "class" else Fetch())
    with pytest.raises(InvalidDefinition) as info:
        M()
    assert str(info.value) == (
        "Cannot use IInvoke with async run() on the sync engine. Add an async callback or "
        "listener to enable the async engine."
    )
    assert "selects the asyncio engine" in info.value.__notes__[0]


def test_invoke_group_can_be_cancelled_before_it_runs():
    """`on_cancel()` on an invoke group that never ran does nothing (and raises nothing)."""
    group = invoke_group(lambda: 1, lambda: 2)
    assert group.on_cancel() is None
    assert group.callables[0]() == 1


def test_coroutine_handler_task_is_cancelled_on_exit():
    """Leaving the state cancels the asyncio task running a coroutine handler."""
    events = []

    async def fetch():
        events.append("started")
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise
        return "never"

    M = loader(fetch)

    async def main():
        sm = M()
        await sm.send("load")
        assert await _until(lambda: events == ["started"])
        await sm.send("stop")
        await _until(lambda: "cancelled" in events)
        return sm

    sm = asyncio.run(main())
    assert events == ["started", "cancelled"]
    assert sm.idle.is_active
    assert sm.data == []


def test_coroutine_handler_makes_the_machine_async():
    """A state with an `async def` handler gives the machine the asyncio engine."""

    async def fetch():
        return 1

    M = loader(fetch)

    async def main():
        sm = M()
        pending = sm.activate_initial_state()
        awaitable = hasattr(pending, "__await__")
        if awaitable:
            await pending
        return awaitable

    assert asyncio.run(main()) is True


def test_coroutine_handler_exception_becomes_error_execution():
    """An `async def` handler that raises sends `error.execution` with the exception."""

    async def fetch():
        await asyncio.sleep(0)
        raise ConnectionError("async offline")

    M = loader(fetch)

    async def main():
        sm = M()
        await sm.send("load")
        await _until(lambda: sm.failed.is_active)
        return sm

    sm = asyncio.run(main())
    assert sm.failed.is_active
    assert [str(e) for e in sm.errors] == ["async offline"]


def test_plain_handler_on_the_async_engine_runs_off_the_loop_thread():
    """On the asyncio engine a plain handler runs in an executor thread, not on the loop's."""
    threads = []

    def fetch():
        threads.append(threading.get_ident())
        return "ok"

    async def on_enter_idle(self):
        await asyncio.sleep(0)  # only to select the asyncio engine

    M = loader(fetch, on_enter_idle=on_enter_idle)

    async def main():
        sm = M()
        await sm.send("load")
        await _until(lambda: sm.ready.is_active)
        return sm

    sm = asyncio.run(main())
    assert sm.data == ["ok"]
    assert threads[0] != threading.get_ident()


def test_executor_handler_ctx_send_is_delivered_on_the_loop():
    """On the asyncio engine, `ctx.send` from an executor thread delivers the event on the loop."""
    loop_threads = []

    class Worker:
        def run(self, ctx):
            ctx.send("progress")
            ctx.cancelled.wait(2)

    class M(StateChart):
        idle = State(initial=True)
        working = State(invoke=Worker)
        reported = State()
        go = idle.to(working)
        progress = working.to(reported)

        async def on_enter_reported(self):
            loop_threads.append(threading.get_ident())

    async def main():
        sm = M()
        await sm.send("go")
        await _until(lambda: sm.reported.is_active)
        return sm

    sm = asyncio.run(main())
    assert sm.reported.is_active
    assert loop_threads == [threading.get_ident()]
