"""Invoked work: what runs while a state is active (SCXML ``<invoke>``, UML ``do/``).

A state's invoke handlers start when the state is entered, once the macrostep that entered
it has finished, and are cancelled when it is exited. When a handler returns, the machine
gets the external event ``done.invoke.<invokeid>`` with ``data=<the result>`` (matched by a
``done_invoke_<state>`` transition); when it raises, an ``error.execution`` with
``error=<the exception>``. Events of a cancelled invocation are dropped.

The sync engine runs each handler on a daemon thread; the asyncio engine runs coroutine
handlers as tasks and plain ones in the loop's default executor.
"""

from __future__ import annotations

import threading

from . import exceptions
from ._callbacks import call_bound, is_coroutine_bound
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ._callbacks import Bound
    from ._event_data import EventData
    from ._states import State

__all__ = [
    "DETACHED",
    "Handler",
    "Invocation",
    "InvokeContext",
    "InvokeGroup",
    "Invoker",
    "make_handlers",
]

# What a handler's ``prepare`` returns when the work was handed to someone else (a durable
# timer kept by the model, say): nothing is spawned, and no ``done.invoke`` event will come.
DETACHED = object()


class InvokeContext:
    """What an invoke handler receives (``run(ctx)`` of an :class:`~statemachine.invoke.IInvoke`).

    Attributes:
        invokeid: ``"<state_id>.<8 hex digits>"``, unique per invocation.
        state_id: the id of the state that invoked the work.
        send: the machine's ``send``, to send events from the handler.
        machine: the machine.
        cancelled: a ``threading.Event`` set when the state is exited; long-running work should
            check it (or ``cancelled.wait(timeout)``) and stop.
        kwargs: the keyword arguments of the event that entered the state.
    """

    __slots__ = ("cancelled", "invokeid", "kwargs", "machine", "send", "state_id")

    def __init__(self, invokeid: str, state_id: str, machine: Any, kwargs: dict[str, Any]) -> None:
        self.invokeid = invokeid
        self.state_id = state_id
        self.machine = machine
        self.cancelled = threading.Event()
        self.send = self._send_unless_cancelled(machine.send)
        self.kwargs = kwargs

    def _send_unless_cancelled(self, send: Callable[..., Any]) -> Callable[..., Any]:
        """``send``, except that a cancelled invocation's events are dropped."""
        cancelled = self.cancelled

        def send_event(event: str, *args: Any, **kwargs: Any) -> Any:
            if cancelled.is_set():
                return None
            return send(event, *args, **kwargs)

        return send_event

    def __repr__(self) -> str:
        return f"InvokeContext(invokeid={self.invokeid!r}, state_id={self.state_id!r})"


class InvokeGroup:
    """Callables run together as one invocation; its data is the list of their results, in
    order, once all have returned (see :func:`statemachine.invoke.invoke_group`)."""

    def __init__(self, *callables: Callable[..., Any]) -> None:
        if not callables:
            raise exceptions.empty_invoke_group()
        for c in callables:
            if not callable(c):
                raise exceptions.invoke_group_not_callable(c)
        self.callables = callables

    def on_cancel(self) -> None:
        """Nothing to do: a running group's callables are told through ``ctx.cancelled``
        (this exists so that the group can be cancelled like any ``IInvoke``, even before it
        ran)."""

    def __repr__(self) -> str:
        return f"invoke_group({', '.join(getattr(c, '__name__', repr(c)) for c in self.callables)})"


class Handler:
    """One prepared invoke handler of a state.

    ``run(ctx, ed)`` does the work (it may return a coroutine on the asyncio engine);
    ``cancel(instance)`` is called with what ``make`` returned when the state is exited.
    """

    __slots__ = ("is_async", "label", "make", "needs_async_engine")

    def __init__(
        self, label: str, make: Callable[[], Any], is_async: bool, selects_engine: bool = True
    ) -> None:
        self.label = label
        self.make = make  # -> (run(ctx, ed) -> result, on_cancel or None)
        self.is_async = is_async
        # An `IInvoke` whose `run()` is `async def` needs the asyncio engine but does not
        # select it (as in the reference): on an otherwise sync machine it is an error.
        self.needs_async_engine = is_async and not selects_engine


class _ChildWatcher:
    """Listener of a child machine: notices when it enters a top-level final state."""

    def __init__(self) -> None:
        self.finished = threading.Event()

    def on_enter_state(self, state: State) -> None:
        if state.final and state.parent is None:
            self.finished.set()


def _run_child(cls: type, ctx: InvokeContext) -> Any:
    """Run a child machine until it terminates (the invocation's data is None) or the
    invoking state is exited."""
    watcher = _ChildWatcher()
    child = cls(listeners=[watcher], **ctx.kwargs)
    # Entering a top-level final state wakes us at once; the periodic look also catches a
    # child whose parallel regions all completed.
    while not child.is_terminated and not ctx.cancelled.is_set():
        watcher.finished.wait(0.05)
    return None


def make_handlers(specs: list[Any], resolved: Callable[[Any], list[Bound]]) -> tuple[Handler, ...]:
    """Turn a state's invoke declarations into handlers.

    ``resolved(spec)`` resolves names and callables into bound callbacks (with argument
    injection), as for any other callback group.
    """
    import inspect

    from ._machine import StateChart

    result: list[Handler] = []
    for spec in specs:
        func = spec.func
        if isinstance(func, type) and issubclass(func, StateChart):
            cls = func

            def make_child(cls: type = cls) -> Any:
                return (lambda ctx, ed: _run_child(cls, ctx)), None

            result.append(Handler(cls.__name__, make_child, False))
        elif isinstance(func, type) and hasattr(func, "run"):
            klass = func

            def make_class(klass: type = klass) -> Any:
                instance = klass()
                return (
                    (lambda ctx, ed: instance.run(ctx)),
                    getattr(instance, "on_cancel", None),
                    getattr(instance, "prepare", None),
                )

            is_async = inspect.iscoroutinefunction(klass.run)
            result.append(Handler(klass.__name__, make_class, is_async, selects_engine=False))
        elif isinstance(func, InvokeGroup):
            group = func

            def make_group(group: InvokeGroup = group) -> Any:
                return (lambda ctx, ed: _run_group(group, ctx)), None

            result.append(Handler(repr(group), make_group, False))
        elif not callable(func) and hasattr(func, "run") and not isinstance(func, str):
            instance = func

            def make_instance(instance: Any = instance) -> Any:
                return (
                    (lambda ctx, ed: instance.run(ctx)),
                    getattr(instance, "on_cancel", None),
                    getattr(instance, "prepare", None),
                )

            is_async = inspect.iscoroutinefunction(instance.run)
            result.append(
                Handler(type(instance).__name__, make_instance, is_async, selects_engine=False)
            )
        else:
            for bound in resolved(spec):

                def make_bound(bound: Bound = bound) -> Any:
                    return (
                        lambda ctx, ed: call_bound(bound, ctx.machine._get_engine().owners, ed)
                    ), None

                result.append(Handler(spec.label, make_bound, is_coroutine_bound(bound)))
    return tuple(result)


def _run_group(group: InvokeGroup, ctx: InvokeContext) -> list[Any]:
    """Run the group's callables on threads of their own and collect the results in order."""
    results: list[Any] = [None] * len(group.callables)
    errors: list[BaseException] = []

    def one(i: int, c: Callable[..., Any]) -> None:
        try:
            results[i] = c(ctx) if _takes_argument(c) else c()
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=one, args=(i, c), daemon=True)
        for i, c in enumerate(group.callables)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def _takes_argument(func: Callable[..., Any]) -> bool:
    import inspect

    try:
        return bool(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return False


class Invocation:
    """One running (or about to run) handler of one state."""

    __slots__ = ("ctx", "ed", "handler", "on_cancel", "prepare", "run", "state", "task")

    def __init__(self, handler: Handler, state: State, ctx: InvokeContext, ed: EventData) -> None:
        self.handler = handler
        self.state = state
        self.ctx = ctx
        self.ed = ed
        # make() -> (run, on_cancel[, prepare]): ``prepare(ctx, ed)``, if any, runs in the
        # machine's own processing, before the handler is spawned (it may set ctx.invokeid).
        made = handler.make()
        self.run, self.on_cancel = made[0], made[1]
        self.prepare = made[2] if len(made) > 2 else None
        self.task: Any = None  # the asyncio task, on the asyncio engine

    def cancel(self) -> None:
        """Stop the invocation. A raising ``on_cancel()`` is logged, never propagated: the
        state is being exited whatever the handler thinks of it."""
        self.ctx.cancelled.set()
        if self.task is not None:
            self.task.cancel()
        if self.on_cancel is not None:
            try:
                self.on_cancel()
            except Exception as exc:
                import logging

                logging.getLogger("statemachine").error(
                    "on_cancel() of %r raised %r; the invocation is cancelled anyway.",
                    self.ctx,
                    exc,
                    exc_info=exc,
                )


class Invoker:
    """The invocations of one machine instance: pending ones (entered during the current
    macrostep) and running ones, by state id."""

    __slots__ = ("machine", "pending", "running")

    def __init__(self, machine: Any) -> None:
        self.machine = machine
        self.pending: list[tuple[State, dict[str, Any], EventData]] = []
        self.running: dict[str, list[Invocation]] = {}

    def entered(self, state: State, ed: EventData) -> None:
        self.pending.append((state, dict(ed.kwargs), ed))

    def exited(self, state: State) -> None:
        """Cancel the state's invocations (or forget them if they have not started)."""
        self.pending = [p for p in self.pending if p[0] is not state]
        for inv in self.running.pop(state.id, ()):
            inv.cancel()

    def cancel_all(self) -> None:
        self.pending.clear()
        for invs in self.running.values():
            for inv in invs:
                inv.cancel()
        self.running.clear()

    def start_pending(
        self,
        handlers: dict[str, tuple[Handler, ...]],
        spawn: Callable[[Invocation], None],
        failed: Callable[[Exception], None],
        done: Callable[[Invocation, Any, Any], Any],
    ) -> None:
        """Start what the finished macrostep entered and did not leave.

        A handler's ``prepare(ctx, ed, report)``, if any, runs here, in the machine's own
        processing: it may set ``ctx.invokeid``, and call ``report(result, error)`` to end
        the invocation at once (``done`` reports it to the machine; what ``run`` returns
        later is then ignored). One whose ``prepare`` raises is not started; ``failed`` gets
        the error. One whose ``prepare`` returns :data:`DETACHED` is not started either: its
        work is done elsewhere."""
        import os

        pending, self.pending = self.pending, []
        for state, kwargs, ed in pending:
            for handler in handlers[state.id]:
                invokeid = f"{state.id}.{os.urandom(4).hex()}"
                ctx = InvokeContext(invokeid, state.id, self.machine, kwargs)
                inv = Invocation(handler, state, ctx, ed)
                running = self.running.setdefault(state.id, [])
                running.append(inv)
                if inv.prepare is not None:
                    try:
                        prepared = inv.prepare(ctx, ed, lambda r, e, inv=inv: done(inv, r, e))
                    except Exception as exc:
                        if inv in running:
                            running.remove(inv)
                        failed(exc)
                        continue
                    if prepared is DETACHED:
                        running.remove(inv)
                        continue
                spawn(inv)

    def finished(self, inv: Invocation) -> bool:
        """Forget a finished invocation; False if it had been cancelled meanwhile, or its end
        was already reported."""
        if inv.ctx.cancelled.is_set():
            return False
        invs = self.running.get(inv.state.id)
        if not invs or inv not in invs:
            return False
        invs.remove(inv)
        return True
