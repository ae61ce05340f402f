"""The asyncio driver of the processing algorithm (:class:`AsyncEngine`).

A machine gets this engine when any of its callbacks is a coroutine function. The algorithm
is :class:`~statemachine._engine.Engine`'s, unchanged: its generators yield the coroutines
that callbacks return, and this driver awaits them and sends the results back in.

Inside a running event loop, ``send()``, ``activate_initial_state()`` and
``enabled_events()`` return awaitables. Called from plain synchronous code (no running loop)
they run to completion on a private per-thread loop and return plain values.

Concurrency: every external event sent by a concurrent caller carries a future, so each
caller of ``await sm.send(...)`` gets its own result or exception, whichever task happens to
process it. A ``send()`` made from a callback (re-entrant) only enqueues.
"""

from __future__ import annotations

import asyncio
import collections.abc
import contextlib
import contextvars
import os
import sys
import threading
import types

from ._engine import Engine, Wait, _deliverable
from ._event_data import TriggerData
from ._program import ChartStep
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Generator
    from typing import Any

    from ._callbacks import Bound
    from ._engine import Steps
    from ._event_data import EventData
    from ._invoke import Invocation
    from ._program import TransitionRun

__all__ = ["AsyncEngine"]

# The engine whose processing loop the current task is running (re-entrant sends only queue).
_processing: contextvars.ContextVar[Engine | None] = contextvars.ContextVar(
    "statemachine_processing", default=None
)
_loops = threading.local()
# Tasks that finish a step started by send(): referenced until done (the loop's are weak).
_tasks: set[asyncio.Task[Any]] = set()


def _private_loop() -> asyncio.AbstractEventLoop:
    """This thread's loop for driving async machines from synchronous code."""
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _loops.loop = asyncio.new_event_loop()
        import atexit

        atexit.register(loop.close)
    return loop


_asyncio_running_loop = asyncio._get_running_loop
_get_ident = threading.get_ident
_copy_context = contextvars.copy_context
_DONE = object()  # what next() returns for a step that ran to its end
# The loop _get_running_loop() found last. asyncio's accessor checks os.getpid() on every
# call (a fork must not see its parent's loop), a system call that costs up to a microsecond
# on some machines; a loop that runs in this thread right now says so more cheaply.
_last_loop: Any = None


def _get_running_loop() -> asyncio.AbstractEventLoop | None:
    """The running loop of this thread, or None."""
    global _last_loop
    loop = _last_loop
    # asyncio's loops hold the id of the thread running them, None when they are not running:
    # only the running loop of this thread can hold this thread's id.
    if loop is not None and loop._thread_id == _get_ident():
        return loop  # type: ignore[no-any-return]
    loop = _asyncio_running_loop()
    if loop is not None and isinstance(loop, asyncio.BaseEventLoop):
        _last_loop = loop
    return loop


def _forget_loop() -> None:  # pragma: no cover - runs in a forked child (tested there)
    global _last_loop
    _last_loop = None


if hasattr(os, "register_at_fork"):  # a child process never sees its parent's running loop
    os.register_at_fork(after_in_child=_forget_loop)


if sys.version_info >= (3, 11):

    def _task_in(
        loop: asyncio.AbstractEventLoop, context: contextvars.Context, coro: Any
    ) -> asyncio.Task[Any]:
        """A task running ``coro`` in ``context`` itself."""
        return loop.create_task(coro, context=context)

else:  # pragma: no cover - Python 3.10: create_task() takes no context; a copy of it

    def _task_in(
        loop: asyncio.AbstractEventLoop, context: contextvars.Context, coro: Any
    ) -> asyncio.Task[Any]:
        return context.run(loop.create_task, coro)


class _Ready:
    """An awaitable that is already complete (what a re-entrant ``send`` returns), so an
    un-awaited one never warns."""

    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"<completed send: {self.value!r}>"

    def __await__(self) -> Generator[Any, None, Any]:
        return self.value
        yield  # pragma: no cover - makes this a generator


async def _raising(exc: BaseException) -> Any:
    """What ``send()`` returns inside a running loop when its event already failed."""
    raise exc


async def _after(task: asyncio.Task[tuple[bool, Any]]) -> Any:
    ok, value = await task
    if ok:
        return value
    raise value


class _Handover(collections.abc.Coroutine):  # type: ignore[type-arg]
    """What ``send()`` returns when a callback suspended and a task took over the rest of
    the step: a coroutine (``asyncio.create_task`` takes it) of the step's outcome.

    Cancelling the caller cancels the step, as if the caller ran it, also when the caller is
    cancelled before it starts (a task cancelled before its first step): that is why this is
    not a plain coroutine function.
    """

    __slots__ = ("_coro", "_started", "_task")

    def __init__(self, task: asyncio.Task[tuple[bool, Any]]) -> None:
        self._task = task
        self._coro = _after(task)
        self._started = False

    def __repr__(self) -> str:
        return f"<send in progress: {self._task!r}>"

    def __await__(self) -> Generator[Any, None, Any]:
        self._started = True
        return self._coro.__await__()

    def send(self, value: Any) -> Any:
        self._started = True
        return self._coro.send(value)

    def throw(self, *exc: Any) -> Any:
        if not self._started:
            self._task.cancel()  # the caller is gone before it began: so is the step
        return self._coro.throw(*exc)

    def close(self) -> None:
        self._coro.close()


async def _completed(value: Any) -> Any:
    """What ``send()`` returns inside a running loop when the work is already done: still a
    coroutine, as in python-statemachine, so ``asyncio.create_task(sm.send(...))`` works."""
    return value


class _Pending:
    """What :func:`_eagerly` returns for an awaitable that did not complete at once."""

    __slots__ = ("rest",)

    def __init__(self, rest: Any) -> None:
        self.rest = rest  # an awaitable of the result


class _Resumed:
    """The rest of a coroutine that was started by :func:`_eagerly` and suspended: awaiting
    it delegates to the coroutine exactly as ``await coroutine`` would have."""

    __slots__ = ("coro", "first")

    def __init__(self, coro: Any, first: Any) -> None:
        self.coro = coro
        self.first = first  # what the coroutine yielded when it suspended

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, yielded = self.coro, self.first
        while True:
            try:
                sent = yield yielded  # to the running task, as the coroutine would have
            except BaseException as exc:
                try:
                    yielded = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    yielded = coro.send(sent)
                except StopIteration as stop:
                    return stop.value


_CoroutineType = types.CoroutineType


def _eagerly(value: Any) -> Any:
    """Start a callback's coroutine right away: most complete without suspending, and then
    their result is had without a round trip through the event loop. Returns the result, or
    a :class:`_Pending` holding an awaitable of it (any other awaitable, or a coroutine that
    suspended). A coroutine that raises raises here, as a plain callback would."""
    if value.__class__ is not _CoroutineType:
        return _Pending(value)
    try:
        yielded = value.send(None)
    except StopIteration as stop:
        return stop.value
    return _Pending(_Resumed(value, yielded))


class _ThreadTask:
    """A daemon thread that looks like a task to the scheduler bookkeeping (``done()``)."""

    def __init__(self, target: Any) -> None:
        self._thread = threading.Thread(
            target=target, name="statemachine-async-scheduler", daemon=True
        )
        self._thread.start()

    def done(self) -> bool:
        return not self._thread.is_alive()


class AsyncEngine(Engine):
    """Drives the algorithm with ``await``: coroutine callbacks, guards and handlers are
    awaited in the documented order, one at a time."""

    __slots__ = ("_initial_kwargs", "_owner", "_scheduler", "_wake_loop")

    is_async = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._wake: asyncio.Event | None = None
        self._wake_loop: asyncio.AbstractEventLoop | None = None
        self._scheduler: asyncio.Task[None] | _ThreadTask | None = None
        # Constructor kwargs of an initial entry not run yet (deferred inside a running loop).
        self._initial_kwargs: dict[str, Any] | None = None
        # The thread running a step synchronously inside send() (its callbacks' sends queue).
        self._owner: int | None = None

    def _reentrant(self) -> bool:
        """Called from one of this machine's callbacks, while it processes: the processing
        task (``_processing``) or the thread running a step inside ``send()`` (``_owner``)."""
        return _processing.get() is self or self._owner == _get_ident()

    # --- driving ---------------------------------------------------------------------------------
    async def drive(self, steps: Steps) -> Any:
        """Run ``steps`` to completion, awaiting what it yields."""
        try:
            request = steps.send(None)
        except StopIteration as stop:
            return stop.value
        return await self._drive_from(steps, request)

    async def _drive_from(self, steps: Steps, request: Any) -> Any:
        """Go on driving ``steps``, which just yielded ``request``."""
        try:
            while True:
                try:
                    if isinstance(request, Wait):
                        await self._wait(request.seconds)
                        value = None
                    else:
                        value = await request
                except BaseException as exc:  # into the algorithm, where the callback ran
                    request = steps.throw(exc)
                else:
                    request = steps.send(value)
        except StopIteration as stop:
            return stop.value

    def run(self, steps: Steps) -> Any:
        """Inside a running loop, an awaitable of the result; else the result itself."""
        if _get_running_loop() is not None:
            return self._locked(steps)
        return _private_loop().run_until_complete(self._locked(steps))

    async def _locked(self, steps: Steps) -> Any:
        """Run ``steps`` holding the processing lock (waiting for another task to finish its
        macrostep first), then process whatever was queued meanwhile."""
        if self._reentrant():  # from a callback: we already hold the lock
            return await self.drive(steps)
        while not self._lock.acquire(False):
            await asyncio.sleep(0.0005)
        token = _processing.set(self)
        try:
            if self._initial_kwargs is not None:
                initial = self._initial_kwargs
                self._initial_kwargs = None
                await self.drive(self._initial(initial))
            result = await self.drive(steps)
            while self._external or (self._internal and not self._unsettled):
                await self.drive(self._drain())
            return result
        finally:
            _processing.reset(token)
            self._lock.release()

    # --- entry points ----------------------------------------------------------------------------
    def complete(self, result: Any) -> Any:
        """What a send from sync code returns: an awaitable ``result`` (a model hook's) is run
        to completion on this thread's private loop, as ``send()`` does with its own."""
        if hasattr(result, "__await__") and _get_running_loop() is None:
            return _private_loop().run_until_complete(result)
        return result

    def send(
        self,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        delay: float = 0,
        send_id: str | None = None,
        internal: bool = False,
    ) -> Any:
        pending = None
        if (
            not delay
            and not internal
            and not self._external
            and self._initial_kwargs is None
            and self.running
            and not self._unsettled
            and self._lock.acquire(False)
        ):
            # Fast path: nothing queued and nobody processing. A transition that runs no
            # callback is applied right now (one store on the model). Inside a running loop,
            # one that does is run right now too, until a callback really suspends: then a
            # task takes over the rest, lock included. From sync code, what the lookup
            # found is handed on to the processing below.
            handed = False
            try:
                pending = self._try_plain(event)
                loop = _get_running_loop()
                if pending is None:
                    return None if loop is None else _completed(None)
                if loop is not None:
                    td = (
                        None
                        if send_id is None
                        else TriggerData(self.machine, event, args, kwargs, send_id)
                    )
                    self._owner = _get_ident()  # sends from our callbacks only queue
                    try:
                        steps = self._step_and_drain(event, args, kwargs, td, pending)
                        # The step runs in a copy of the caller's context, as a task does,
                        # and the task that may take over runs in that same context: a
                        # callback that sets a context variable, suspends, and resets it
                        # (with its token) does both in one context.
                        context = _copy_context()
                        request = context.run(next, steps, _DONE)
                        if request is not _DONE:
                            # A callback suspended: a task runs the rest, lock included.
                            task = _task_in(loop, context, self._go_on(steps, request))
                            handed = True
                            _tasks.add(task)  # the loop keeps only a weak reference
                            task.add_done_callback(_tasks.discard)
                            return _Handover(task)
                    except BaseException:  # not an error of the step (that is its outcome)
                        self._clear_queues()
                        raise
                    finally:
                        self._owner = None
                    ok, value = self._result
                    return _completed(value) if ok else _raising(value)
            finally:
                if not handed:
                    self._lock.release()
        if delay or internal:
            td = self._enqueue(event, args, kwargs, delay, send_id, internal)
        else:
            td = TriggerData(self.machine, event, args, kwargs, send_id)
            self._external.append(td)
            if self._wake is not None:
                self._wake.set()
        return self._queued(td, delay, internal, pending)

    def post(
        self,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        delay: float,
        send_id: str | None,
        internal: bool,
        meta: Any,
    ) -> Any:
        """Like :meth:`send`, with ``meta`` attached to the queued event (no fast path)."""
        td = self._enqueue(event, args, kwargs, delay, send_id, internal, meta)
        return self._queued(td, delay, internal, None)

    def _queued(self, td: TriggerData, delay: float, internal: bool, pending: Any) -> Any:
        """Process the queue holding ``td`` (what :meth:`send` does once it queued it)."""
        if delay and self.background:  # the scheduler processes it when due
            loop = _get_running_loop()
            self._start_scheduler(loop)
            if self._reentrant():
                return _Ready()
            return _completed(None) if loop is not None else None
        if self._reentrant():
            # Re-entrant (from a callback): the running loop processes it, and drops it if
            # the macrostep that sent it fails.
            td.from_callback = True
            return _Ready()
        loop = _get_running_loop()
        if loop is None:
            # From sync code: process on this thread's private loop; if another thread is
            # processing, it will take the event (as on the sync engine).
            return _private_loop().run_until_complete(self._process(td, False, pending))
        return self._process(td, not internal, pending)

    def _step_and_drain(
        self,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        td: TriggerData | None,
        pending: Any,
    ) -> Steps:
        """Take the step :meth:`_try_plain` found for ``event`` (``pending``), then process
        whatever is queued; the step's outcome, ``(True, result)`` or ``(False, error)``,
        ends up in ``_result``."""
        try:
            if pending.__class__ is ChartStep:
                result = yield from self._fire_chart(event, args, kwargs, td, step=pending)
            else:
                value, runs = pending
                result = yield from self._fire(event, args, kwargs, td, value, runs)
            if self._internal or self.settles:
                yield from self._settle()
        except Exception as raised:
            exc = _deliverable(raised)
            self._failed(exc)
            self._result = (False, exc)
            return
        while self._external or self._internal or (self._delayed and not self.background):
            yield from self._drain()
        self._result = (True, result)

    async def _go_on(self, steps: Steps, request: Any) -> tuple[bool, Any]:
        """The rest of a step that ``send()`` started and a callback suspended: this task
        holds the processing lock until it is done, and returns the step's outcome."""
        _processing.set(self)  # in this task's own context
        try:
            await self._drive_from(steps, request)
            outcome: tuple[bool, Any] = self._result
            return outcome
        except BaseException:
            self._clear_queues()
            raise
        finally:
            self._lock.release()

    def _clear_queues(self) -> None:
        """Drop everything queued; callers still waiting for one of those events get it
        cancelled instead of waiting forever."""
        for td in (*self._external, *self._internal):
            if td.future is not None and not td.future.done():
                td.future.cancel()
        super()._clear_queues()

    async def _process(self, td: TriggerData, wait: bool = True, pending: Any = None) -> Any:
        """Process the queues unless another task is, then return ``td``'s own outcome
        (waiting for the task that processes it, if need be). ``pending`` is what
        :meth:`_try_plain` found for ``td`` in ``send()``, reused if still current."""
        if self._lock.acquire(False):
            token = _processing.set(self)
            try:
                if self._initial_kwargs is not None:
                    initial, self._initial_kwargs = self._initial_kwargs, None
                    await self.drive(self._initial(initial))
                external = self._external
                if (
                    len(external) == 1
                    and external[0] is td
                    and not self._internal
                    and not self._unsettled
                    and self.running
                ):
                    # Our event alone: the lookup made by send() is reused while current.
                    external.pop()
                    if (
                        pending.__class__ is not tuple
                        or getattr(self.model, self.field) is not pending[0]
                    ):
                        pending = self._try_plain(td.event)  # type: ignore[arg-type]
                    if pending is None:
                        td.outcome = (True, None)
                    else:
                        await self.drive(
                            self._step_and_drain(td.event, td.args, td.kwargs, td, pending)  # type: ignore[arg-type]
                        )
                        td.outcome = self._result
                while (
                    self._external
                    or (self._internal and not self._unsettled)
                    or (self._delayed and not self.background)
                ):
                    await self.drive(self._drain())
            except BaseException:
                self._clear_queues()
                raise
            finally:
                _processing.reset(token)
                self._lock.release()
        outcome = td.outcome
        if outcome is None:
            if not wait:
                return None  # internal events have no outcome of their own
            td.future = asyncio.get_running_loop().create_future()
            return await td.future
        ok, value = outcome
        if ok:
            return value
        raise value

    def start(self, kwargs: dict[str, Any]) -> None:
        """Called by the constructor: inside a running loop, the initial entry waits for the
        first awaited call (``await sm.activate_initial_state()``); without one it runs now."""
        self._initial_kwargs = kwargs
        if _get_running_loop() is None:
            _private_loop().run_until_complete(self._locked(self._drain()))

    def activate_initial_state(self, kwargs: dict[str, Any]) -> Any:
        """Enter the initial configuration if the machine has no state yet."""
        if self._initial_kwargs is not None:
            self._initial_kwargs = {**self._initial_kwargs, **kwargs}
        elif getattr(self.model, self.field, None) is None:
            self._initial_kwargs = kwargs
        return self.run(self._drain())

    def enabled_events(
        self, events: Callable[[], list[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        return self.run(self._enabled(events, args, kwargs))

    # --- background scheduler (opt-in: `delayed_events_in_background = True`) ---------------------
    def _start_scheduler(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """A task of the running loop; from sync code, a daemon thread with a loop of its
        own (as the sync engine's scheduler thread)."""
        if self._scheduler is not None and not self._scheduler.done():
            return
        if loop is None:
            self._scheduler = _ThreadTask(
                lambda: _private_loop().run_until_complete(self._schedule())
            )
            return
        self._scheduler = loop.create_task(self._schedule())

    async def _schedule(self) -> None:
        """Wait until each delayed event is due, then process it under the lock."""
        import heapq
        import time

        while self._delayed:
            wait = self._delayed[0].execution_time - time.monotonic()
            if wait > 0:
                await self._wait(wait)
                continue
            due = heapq.heappop(self._delayed)

            def one(td: TriggerData = due) -> Steps:
                return (yield from self._macrostep(td))

            try:
                await self._locked(one())
            except Exception as exc:  # nobody to propagate to: report it
                self._clear_queues()
                from ._engine import _log_error

                _log_error("Error processing a delayed event: %r", exc, exc_info=exc)

    # --- the algorithm's hooks: await what callbacks return ------------------------------------
    def _block(
        self, callers: tuple[Bound, ...], ed: EventData | None, results: list[Any] | None
    ) -> Any:
        """The sync engine's block, until a callback returns an awaitable: from there on,
        a generator that awaits it and runs the rest of the block."""
        owners = self.owners
        try:
            for i, (func, slot) in enumerate(callers):
                value = func(owners[slot]) if slot is not None else func(owners, ed)
                if value is not None and hasattr(value, "__await__"):
                    if results is None and value.__class__ is _CoroutineType:
                        # No result wanted: run it with `for`, which costs no StopIteration.
                        steps = value.__await__()
                        for yielded in steps:
                            pending = _Resumed(steps, yielded)
                            return self._await_rest(pending, callers[i + 1 :], ed, results)
                        continue
                    value = _eagerly(value)
                    if value.__class__ is _Pending:
                        return self._await_rest(value.rest, callers[i + 1 :], ed, results)
                if results is not None:
                    results.append(value)
        except Exception as exc:
            self._caught(exc)
            return False
        return True

    def _await_rest(
        self,
        pending: Any,
        rest: tuple[Bound, ...],
        ed: EventData | None,
        results: list[Any] | None,
    ) -> Steps:
        try:
            value = yield pending
        except Exception as exc:
            self._caught(exc)
            return False
        if results is not None:
            results.append(value)
        ok = self._block(rest, ed, results)
        if ok.__class__ is not bool:
            ok = yield from ok
        return ok

    def _passes(self, run: TransitionRun, ed: EventData | None) -> Steps:
        owners = self.owners
        for func, slot in run.validators:
            value = func(owners, ed) if slot is None else func(owners[slot])
            if hasattr(value, "__await__"):
                value = _eagerly(value)
                if value.__class__ is _Pending:
                    yield value.rest
        try:
            for (func, slot), expected in run.conds:
                value = func(owners, ed) if slot is None else func(owners[slot])
                if hasattr(value, "__await__"):
                    value = _eagerly(value)
                    if value.__class__ is _Pending:
                        value = yield value.rest
                if bool(value) is not expected:
                    return False
        except Exception as exc:
            self._caught(exc)
            return False
        return True

    # --- invoke: coroutine handlers as tasks, plain ones in the default executor ----------------
    def _spawn(self, invocation: Invocation) -> None:
        loop = _get_running_loop() or _private_loop()
        invocation.ctx.send = invocation.ctx._send_unless_cancelled(self._threadsafe_send(loop))
        context = contextvars.copy_context()
        context.run(_processing.set, None)  # the task sends as an outside caller
        # A task copies the context current at its creation.
        invocation.task = context.run(loop.create_task, self._run_invocation(invocation))

    def _threadsafe_send(self, loop: asyncio.AbstractEventLoop) -> Any:
        """``ctx.send`` for handlers: from another thread (an executor), the event is sent on
        the machine's loop, and a ``concurrent.futures.Future`` of the result is returned."""
        machine = self.machine

        def send(event: str, *args: Any, **kwargs: Any) -> Any:
            if _get_running_loop() is loop:
                return machine.send(event, *args, **kwargs)

            async def on_loop() -> Any:
                result = machine.send(event, *args, **kwargs)
                return (await result) if hasattr(result, "__await__") else result

            return asyncio.run_coroutine_threadsafe(on_loop(), loop)

        return send

    async def _run_invocation(self, invocation: Invocation) -> None:
        from ._engine import _log_error

        error: Exception | None = None
        try:
            if invocation.handler.is_async:
                result = await invocation.run(invocation.ctx, invocation.ed)
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(
                    None, invocation.run, invocation.ctx, invocation.ed
                )
            if hasattr(result, "__await__"):
                result = await result
        except asyncio.CancelledError:
            return
        except Exception as exc:
            result, error = None, exc
        try:
            sent = self._invocation_done(invocation, result, error)
            if hasattr(sent, "__await__"):
                await sent
        except Exception as exc:  # nobody to propagate to in this task: report it
            _log_error("Error processing the end of %r: %r", invocation.ctx, exc, exc_info=exc)

    # --- waiting for delayed events --------------------------------------------------------------
    async def _wait(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        if self._wake is None or self._wake_loop is not loop:
            self._wake, self._wake_loop = asyncio.Event(), loop
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    def _notify(self) -> None:
        wake, loop = self._wake, self._wake_loop
        if wake is None or loop is None or loop.is_closed():
            return
        if _get_running_loop() is loop:
            wake.set()
        else:  # from another thread (a scheduler thread, an executor): hand it to its loop
            loop.call_soon_threadsafe(wake.set)
