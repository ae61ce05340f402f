"""The run loop: queues, run-to-completion, and applying microstep plans.

Processing model (SCXML): ``send`` puts an event on the external queue; whoever holds the
processing lock takes external events one at a time and, for each, runs a *macrostep*: the
event's microstep, then every eventless transition and internal event (``raise_``,
``error.execution``, ``done.state.*``) until none is left. A ``send`` made while another call
is processing (a callback, another thread or another task) only enqueues; the lock holder
processes it before returning.

One algorithm, two drivers. Every step of the algorithm (:class:`Engine`'s ``_fire``,
``_apply``, ``_settle``, ``_drain``, ...) is a generator. Callbacks run inline; the generators
only *yield* when the driver must do something the algorithm cannot: wait for a delayed event
(a :class:`Wait`), or await a coroutine a callback returned. :class:`SyncEngine` drives them
with plain calls (and never sees a coroutine: a machine with coroutine callbacks gets the
asyncio engine); :class:`~statemachine._async.AsyncEngine` drives them with ``await``.

Invariant: outside a microstep, the model's state field holds the value(s) of the active
state(s), and the queues are empty whenever the lock is free.
"""

from __future__ import annotations

import time
from _thread import allocate_lock  # `threading` is slow to import and not needed for a lock

from . import exceptions
from ._definition import INITIAL_EVENT
from ._event_data import EventData, TriggerData
from ._orderedset import ordered_set_of
from ._plan import MicroStep, is_in_final_state, stored_values
from ._program import NOT_FAST, ChartStep
from ._states import State
from ._typing import TYPE_CHECKING
from .exceptions import InvalidDefinition, StateMachineError, TransitionNotAllowed

if TYPE_CHECKING:
    from collections.abc import Callable, Generator
    from typing import Any, TypeAlias

    from ._callbacks import Bound
    from ._invoke import Invocation, Invoker
    from ._machine import StateChart
    from ._program import Candidates, Program, TransitionRun
    from ._transitions import Transition

    # What the algorithm's generators yield to their driver, and get back.
    Steps: TypeAlias = Generator[Any, Any, Any]

__all__ = ["Engine", "SyncEngine", "Wait"]


def _log_error(message: str, *args: Any, exc_info: BaseException | None = None) -> None:
    """Log on the ``statemachine`` logger (``logging`` is imported only when needed)."""
    import logging

    logging.getLogger("statemachine").error(message, *args, exc_info=exc_info)


def _log_warning(message: str, arg: Any, exc_info: BaseException) -> None:
    import logging

    logging.getLogger("statemachine").warning(message, arg, exc_info=exc_info)


def _deliverable(exc: Exception) -> Exception:
    """What an asyncio caller gets for ``exc``: a callback's ``StopIteration`` cannot travel
    through a coroutine or a future, so it arrives as the ``RuntimeError`` Python makes of it
    in a coroutine (``__cause__`` is the original)."""
    if exc.__class__ is not _Escaped:
        return exc
    error = RuntimeError("coroutine raised StopIteration")
    error.__cause__ = exc.error
    return error


class _Escaped(Exception):
    """Carries a ``StopIteration`` raised by a callback out of the algorithm's generators;
    the drivers raise the original (see :meth:`Engine._caught`)."""

    def __init__(self, error: StopIteration) -> None:
        super().__init__(error)
        self.error = error


ERROR_EXECUTION = "error.execution"


def _fresh(stored: Any) -> Any:
    """A planned model value ready to store: several values become a new OrderedSet."""
    return ordered_set_of(stored.copy()) if stored.__class__ is dict else stored


_GENERAL = object()  # _try_plain: the event needs the general statechart path
_UNSET = object()  # Engine._stored before the fast path stored anything


class Wait:
    """Yielded by the algorithm: sleep up to ``seconds``, waking early on a new event or a
    cancellation (the driver knows how: a thread event, or an asyncio one)."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class Engine:
    """The SCXML processing algorithm over one machine instance; subclasses drive it.

    Holds the queues, the history records and the processing lock. ``owners`` is the tuple
    callbacks are bound against: ``(machine, model, *listeners)``.
    """

    __slots__ = (
        "_delayed",
        "_external",
        "_here",
        "_internal",
        "_invoker",
        "_lock",
        "_result",
        "_sched_lock",
        "_scheduler_running",
        "_seq",
        "_stored",
        "_unsettled",
        "_wake",
        "allow_no_transition",
        "atomic",
        "background",
        "catch",
        "chart",
        "current_event",
        "field",
        "history",
        "machine",
        "model",
        "owners",
        "program",
        "running",
        "settles",
    )

    #: True for the asyncio engine: callback results may be awaitables to await.
    is_async = False

    def __init__(
        self,
        machine: StateChart[Any],
        program: Program,
        owners: tuple[Any, ...],
    ) -> None:
        self.machine = machine
        self.program = program
        self.owners = owners
        self.model = owners[1]
        self.field = machine.state_field
        self.allow_no_transition, self.atomic, self.catch, background = program.settings
        self._external: list[TriggerData] = []
        self._internal: list[TriggerData] = []
        self._delayed: list[TriggerData] | None = None
        self._lock = allocate_lock()
        self._seq = 0
        self._result: Any = None
        # The model value the fast statechart path stored last, and the memo of steps from
        # its configuration (see _try_plain).
        self._stored: Any = _UNSET
        self._here: dict[str | None, ChartStep] | None = None
        # A macrostep raised and left work (see _failed): settle before the next event.
        self._unsettled = False
        self.running = True
        self.current_event: str | None = None
        self.chart = program.chart
        self.settles = program.settles
        self._invoker: Invoker | None = None
        if program.invoke:
            from ._invoke import Invoker

            self._invoker = Invoker(machine)
        self.history: dict[str, list[State]] = {}
        # Delayed events on a scheduler instead of blocking the sender (opt-in).
        self.background: bool = background
        # The sync driver's scheduler of delayed events (see SyncEngine): set here, so that
        # building a sync engine is one call (the asyncio engine has its own fields).
        self._wake: Any = None  # a threading.Event, made when a delayed event must be waited for
        self._sched_lock: Any = None
        self._scheduler_running = False

    def adopt(self, other: Engine) -> None:
        """Take over the runtime state of another engine of the same machine (used when
        listeners added at runtime make a machine switch engines)."""
        self._external, self._internal = other._external, other._internal
        self._delayed, self._seq = other._delayed, other._seq
        self.running, self.history = other.running, other.history
        self._unsettled = other._unsettled
        self._invoker = other._invoker

    # --- queueing -------------------------------------------------------------------------------
    def _enqueue(
        self,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        delay: float,
        send_id: str | None,
        internal: bool,
        meta: Any = None,
    ) -> TriggerData:
        if delay:
            if internal:
                raise exceptions.delayed_internal(event)
            td = TriggerData(
                self.machine, event, args, kwargs, send_id, time.monotonic() + delay / 1000
            )
            td.meta = meta
            self._seq += 1
            td.seq = self._seq
            import heapq

            if self._delayed is None:
                self._delayed = []
            heapq.heappush(self._delayed, td)
        else:
            td = TriggerData(self.machine, event, args, kwargs, send_id)
            td.meta = meta
            if internal:
                td.internal = True
                self._internal.append(td)
            else:
                self._external.append(td)
        self._notify()
        return td

    def _clear_queues(self) -> None:
        self._external.clear()
        self._internal.clear()

    def _failed(self, exc: BaseException) -> None:
        """A macrostep raised ``exc`` (errors propagate). As in the reference, the external
        queue is dropped (on the asyncio engine every caller still waiting for one of those
        events gets ``exc`` too), and the work the macrostep left (eventless transitions still
        enabled, internal events left by a failed selection) is finished before the next
        event is processed."""
        # (An error raised by a callback of the microstep has dropped the internal events
        # too, as the reference does; one raised while selecting the transitions, by a
        # validator or as TransitionNotAllowed, leaves them for the next send.)
        dropped = self._external[:]
        self._external.clear()
        for td in dropped:
            td.outcome = (False, exc)
            future = td.future
            if future is not None and not future.done():
                future.set_exception(exc)
        self._unsettled = True

    def cancel(self, send_id: str) -> None:
        """Drop pending events sent with ``send_id`` (an asyncio caller waiting for one gets
        None)."""
        dropped = [td for td in self._external if td.send_id == send_id]
        self._external[:] = [td for td in self._external if td.send_id != send_id]
        if self._delayed:
            import heapq

            dropped += [td for td in self._delayed if td.send_id == send_id]
            self._delayed[:] = [td for td in self._delayed if td.send_id != send_id]
            heapq.heapify(self._delayed)
        for td in dropped:
            td.outcome = (True, None)
            if td.future is not None and not td.future.done():
                td.future.set_result(None)
        self._notify()

    def _notify(self) -> None:
        """Wake a driver waiting for a delayed event (a new event or a cancellation)."""

    # --- the loop (generators) -------------------------------------------------------------------
    def _initial(self, kwargs: dict[str, Any]) -> Steps:
        """Enter the initial configuration, running only prepare and entry callbacks."""
        program = self.program
        plan, plain_value = program.initial_plan()
        if plain_value is not NOT_FAST:
            # Nothing to run on the way in (the common case): one store on the model.
            setattr(self.model, self.field, _fresh(plain_value))
            return
        self.current_event = INITIAL_EVENT
        root = program.definition.initial_transition
        try:
            ed = yield from self._prepare(INITIAL_EVENT, (), kwargs, None, root.source, root)
            eds = {id(root): ed}
            yield from self._apply_chart(INITIAL_EVENT, (), ed.kwargs, None, [], plan, [], eds)
            yield from self._settle()
        finally:
            self.current_event = None

    def _drain(self) -> Steps:
        """Process queued events until none is due; returns the first external result.

        On the asyncio engine each event records its own outcome (result or exception) for
        its caller; on the sync engine a failure clears the queues and propagates.
        """
        result = None
        first = True
        # Internal events raised from outside (raise_), and the work a failed macrostep
        # left, go first.
        yield from self._settle()
        self._unsettled = False
        while True:
            if self._external:
                td = self._external.pop(0)
            elif self._delayed and not self.background:
                td = self._delayed[0]
                wait = td.execution_time - time.monotonic()
                if wait > 0:
                    # Sleep until due, but wake for a cancellation or a newly sent event,
                    # then look at the queues again.
                    yield Wait(wait)
                    continue
                import heapq

                heapq.heappop(self._delayed)
            else:
                return result
            if not self.is_async:
                r = yield from self._macrostep(td)
            else:
                # Each asyncio caller gets its own outcome, whoever processes its event.
                try:
                    r = yield from self._macrostep(td)
                except Exception as raised:
                    exc = _deliverable(raised)
                    td.outcome = (False, exc)
                    future = td.future
                    if future is not None and not future.done():
                        future.set_exception(exc)
                    self._failed(exc)
                    return result
                td.outcome = (True, r)
                future = td.future
                if future is not None and not future.done():
                    future.set_result(r)
            if first:
                result, first = r, False

    def _settle(self) -> Steps:
        """Finish the macrostep: eventless transitions, then internal events, until neither
        is left (SCXML's inner loop). Raises if it takes more than ``max_microsteps``."""
        internal = self._internal
        if not internal and not self.chart:
            return
        eventless = self.program.definition.has_eventless
        limit: int = type(self.machine).max_microsteps
        steps = 0
        while True:
            while True:
                if eventless and self.running:
                    taken = yield from self._fire_chart(None, (), {}, None, eventless=True)
                else:
                    taken = False
                if not taken:
                    if not internal:
                        break
                    yield from self._microstep_for(internal.pop(0))
                steps += 1
                if steps > limit:
                    self._clear_queues()
                    raise StateMachineError(
                        f"{type(self.machine).__name__} did not settle after {limit} "
                        f"microsteps (active: {[s.id for s in self.machine.configuration]}). "
                        "An eventless transition or an internal event probably loops; add a "
                        "guard that becomes false, or raise `max_microsteps` on the class."
                    )
            if self.chart and self.running:
                self._check_parallel_completion()
            invoker = self._invoker
            if invoker is not None:
                if not self.running:
                    invoker.cancel_all()
                elif invoker.pending:
                    # Starting an invocation can fail (error.execution): handle it now.
                    invoker.start_pending(
                        self.program.invoke, self._spawn, self._queue_error, self._invocation_done
                    )
            if not internal or not self.running:
                return

    def _spawn(self, invocation: Invocation) -> None:
        """Start one invocation (the drivers know how: a thread, or an asyncio task)."""
        raise NotImplementedError

    def _invocation_done(self, invocation: Invocation, result: Any, error: Any) -> Any:
        """Report a finished invocation to the machine (unless it was cancelled meanwhile):
        ``done.invoke.<invokeid>`` with ``data``, or ``error.execution`` with ``error``."""
        invoker = self._invoker
        if invoker is None or not invoker.finished(invocation):
            return None
        if error is not None:
            return self.machine.send(ERROR_EXECUTION, error=error)
        return self.machine.send(f"done.invoke.{invocation.ctx.invokeid}", data=result)

    def _macrostep(self, td: TriggerData) -> Steps:
        result = yield from self._microstep_for(td)
        yield from self._settle()
        return result

    # --- one event ------------------------------------------------------------------------------
    def _try_plain(self, event: str) -> Any:
        """Apply ``event`` right away if its transition runs no callback at all (the plain
        "dictionary lookup" case: one store on the model) and return None. Otherwise return
        what the full path needs: ``(model value, candidate runs)`` on a flat machine, or
        the :class:`~statemachine._program.ChartStep` on a statechart."""
        program = self.program
        value = getattr(self.model, self.field)
        if self.chart:
            # The value this engine stored by the fast path last time is still there: its
            # configuration's steps are known without reading the value again. (Identity: a
            # new value, even an equal one, is looked up; stored values are never changed in
            # place.)
            step = None
            if value is self._stored:
                step = self._here.get(event)  # type: ignore[union-attr]
            if step is None:
                table = program.table.get(event)
                if table is None:
                    table = program.event_table(event)
                step = program.chart_step(event, value, table, self.machine._state_of)
            new = step.fast_value
            if new is NOT_FAST:
                return step
            new = _fresh(new)
            setattr(self.model, self.field, new)
            if step.next_steps is not None:
                self._stored, self._here = new, step.next_steps
            return None
        table = program.table.get(event)
        if table is None:
            table = program.event_table(event)
        try:
            runs = table.get(value)
        except TypeError:  # an unhashable value: the general path reports it
            return value, None
        if runs is not None and not runs[0].has_callbacks and not program.prepare:
            run = runs[0]
            if run.entries:
                setattr(self.model, self.field, run.target_value)
            if run.enters_final:
                self._stop()
            return None
        return value, runs

    def _microstep_for(self, td: TriggerData) -> Steps:
        """Select the transition ``td`` fires from the current state and apply it."""
        event: str = td.event  # type: ignore[assignment]  # queued events always have a name
        if not self.running:
            # Events that arrive once the machine has stopped, internal ones too (an error
            # raised by an `after` callback of the final transition), are refused like
            # external ones (as in the reference).
            if not self.allow_no_transition:
                raise TransitionNotAllowed(self._event_obj(event), self.machine.configuration)
            if event == ERROR_EXECUTION:  # logged, never swallowed silently
                self._no_transition(event, td.kwargs, None, td)
            return None
        if self.chart:
            return (yield from self._fire_chart(event, td.args, td.kwargs, td))
        program = self.program
        table = program.table.get(event)
        if table is None:
            table = program.event_table(event)
        value = getattr(self.model, self.field)
        return (yield from self._fire(event, td.args, td.kwargs, td, value, table.get(value)))

    def _fire(
        self,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        td: TriggerData | None,
        value: Any,
        runs: Candidates | None,
    ) -> Steps:
        """Flat machines: pick the first candidate whose guards pass and run its microstep
        (before, exit, on, enter, after); return the before+on results.

        ``value`` is the model value before the microstep; it is restored if a callback
        raises while errors propagate, so a failed transition changes nothing. ``ed`` stays
        None when no callback of the run takes arguments.
        """
        ed: EventData | None = None
        if self.program.prepare:
            state = self.program.definition.states_map.get(value)
            ed = yield from self._prepare(event, args, kwargs, td, state)
            kwargs = ed.kwargs
        chosen = None
        picks = self.program.picks.get(event)
        pick = picks.get(value) if picks is not None and runs is not None else None
        if pick is not None:  # the selection compiled to one function (see compile_pick)
            i = pick(self.owners, self._caught)
            if i >= 0:
                chosen = runs[i]  # type: ignore[index]
        else:
            for run in runs or ():
                if run.has_guards:
                    if run.guards_need_event_data and (
                        ed is None or ed.transition is not run.transition
                    ):
                        ed = EventData(self.machine, event, args, kwargs, run.transition, td)
                    ok = self._passes(run, ed)
                    if ok.__class__ is not bool:
                        ok = yield from ok
                    if not ok:
                        continue
                chosen = run
                break
        if chosen is None:
            self._no_transition(event, kwargs, value, td)
            self._result = None
            return None
        run = chosen
        if run.needs_event_data and (ed is None or ed.transition is not run.transition):
            ed = EventData(self.machine, event, args, kwargs, run.transition, td)
        model, field = self.model, self.field
        if not run.has_callbacks:  # only the configuration changes
            if run.entries:
                setattr(model, field, run.target_value)
            if run.enters_final:
                self._stop()
            self._result = None
            return None
        catch = self.catch
        if catch:
            previous = self.current_event
            self.current_event = event
        if ed is not None:
            ed._prev = (value,)
        results: list[Any] = []
        atomic = self.atomic
        try:
            try:
                if run.before:
                    if catch:  # a failing `before` fails the whole microstep
                        yield from self._uncaught(run.before, ed, results)
                    else:
                        ok = self._block(run.before, ed, results)
                        if ok.__class__ is not bool:
                            yield from ok
                for state, callers in run.exit_cbs:
                    if callers:
                        if ed is not None:
                            ed.state = state
                        ok = self._block(callers, ed, None)
                        if ok.__class__ is not bool:
                            yield from ok
                    if not atomic:
                        setattr(model, field, None)
                if run.on:
                    if ed is not None:
                        ed.state = ed.source
                        ed._in_on = True
                    if catch and event == ERROR_EXECUTION:
                        # Handling error.execution, a failing `on` fails the microstep.
                        yield from self._uncaught(run.on, ed, results)
                    else:
                        ok = self._block(run.on, ed, results)
                        if ok.__class__ is not bool:
                            yield from ok
                    if ed is not None:
                        ed._in_on = False
                if atomic and run.entries:
                    setattr(model, field, run.target_value)
                for state, callers in run.entry_cbs:
                    if not atomic:
                        setattr(model, field, state.value)
                    if callers:
                        if ed is not None:
                            ed.state = ed.target = state
                        ok = self._block(callers, ed, None)
                        if ok.__class__ is not bool:
                            yield from ok
            except BaseException as exc:
                # Leave the machine as it was; then the error propagates, or (caught as
                # events) becomes error.execution.
                setattr(model, field, value)
                if not catch:
                    raise
                self._microstep_failed(exc, catch)
                self._result = None
                return None
            if run.enters_final:
                self._stop()
            if run.after:
                if ed is not None:
                    ed.state = ed.target = run.entries[-1] if run.entries else ed.source
                if catch and event == ERROR_EXECUTION:
                    yield from self._after_handling_error(run.after, ed)
                else:
                    ok = self._block(run.after, ed, None)
                    if ok.__class__ is not bool:
                        yield from ok
        except BaseException:
            self._internal.clear()  # see _failed
            raise
        finally:
            if catch:
                self.current_event = previous
        result = None if not results else results[0] if len(results) == 1 else results
        self._result = result  # for SyncEngine.send, which drives this with `for`
        return result

    def _passes(self, run: TransitionRun, ed: EventData | None) -> Any:
        """Run the validators (which always propagate) and the conditions of ``run``. With
        errors caught as events, a raising condition queues ``error.execution`` and counts
        as false. Returns a bool (the asyncio engine: a generator that returns one)."""
        owners = self.owners
        for func, slot in run.validators:
            func(owners, ed) if slot is None else func(owners[slot])
        try:
            for (func, slot), expected in run.conds:
                value = func(owners, ed) if slot is None else func(owners[slot])
                if bool(value) is not expected:
                    return False
        except Exception as exc:
            self._caught(exc)
            return False
        return True

    def _block(
        self, callers: tuple[Bound, ...], ed: EventData | None, results: list[Any] | None
    ) -> Any:
        """Run one block of callbacks; with errors caught as events, a raise skips the rest of
        the block and queues one ``error.execution``. Returns False if the block failed (the
        asyncio engine: a generator that returns the same)."""
        owners = self.owners
        try:
            if results is None:
                for func, slot in callers:
                    func(owners[slot]) if slot is not None else func(owners, ed)
            else:
                for func, slot in callers:
                    results.append(func(owners[slot]) if slot is not None else func(owners, ed))
        except Exception as exc:
            self._caught(exc)
            return False
        return True

    def _prepare(
        self,
        event: str | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        td: TriggerData | None,
        state: State | None,
        transition: Transition | None = None,
    ) -> Steps:
        """Run ``prepare_event`` callbacks; their dict results extend the event's kwargs."""
        ed = EventData(self.machine, event, args, dict(kwargs), transition, td)
        if transition is None:
            ed.source = ed.state = state
        if self.program.prepare:
            results: list[Any] = []
            ok = self._block(self.program.prepare, ed, results)
            if ok.__class__ is not bool:
                yield from ok
            for extra in results:
                if isinstance(extra, dict):
                    ed.kwargs.update(extra)
        return ed

    # --- statecharts: the general plan ------------------------------------------------------------
    def configuration(self) -> list[State]:
        """The active states in document order, ancestors included (a stored leaf value from
        an older save still restores its whole branch)."""
        value = getattr(self.model, self.field)
        if value is None:
            return []
        return self.program.configuration_of(value, self.machine._state_of)

    def sync_running(self) -> None:
        """Derive ``running`` from the stored state (a restore, a reload, a rollback): the
        machine has terminated exactly when a top-level final state is active. Raises
        :class:`~statemachine.exceptions.InvalidStateValue` for a value of no state."""
        self.running = not any(s.final and s.parent is None for s in self.configuration())

    def _fire_chart(
        self,
        event: str | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        td: TriggerData | None,
        eventless: bool = False,
        step: ChartStep | None = None,
    ) -> Steps:
        """Select the enabled transitions of every active atomic state (SCXML), remove
        conflicts, plan the microstep and apply it. With ``eventless``, select transitions
        without events and return whether any was taken. ``step``: the memoized step of
        ``event`` from the current configuration, when the caller already looked it up."""
        program = self.program
        if step is None:
            if eventless:
                key = None
                table = program.eventless_table()
                if not table:
                    return False
            else:
                key = event
                found = program.table.get(event)  # type: ignore[arg-type]
                table = found if found is not None else program.event_table(event)  # type: ignore[arg-type]
            step = program.chart_step(
                key, getattr(self.model, self.field), table, self.machine._state_of
            )
        config = step.config
        if program.prepare and (not eventless or step.candidates):
            # prepare_event runs for eventless transitions too (with event None), once a
            # candidate exists; it sees the first candidate transition.
            first = step.candidates[0][1][0].transition if step.candidates else None
            leaf = next((s for s in config if s.is_atomic), None)
            prepared = yield from self._prepare(event, args, kwargs, td, leaf, first)
            kwargs = prepared.kwargs
        # The EventData of each selected transition, by id(transition); the transitions
        # that enter states by default get theirs when needed (_apply_chart).
        eds: dict[int, EventData] = {}
        if step.fixed is not None:
            runs, plan = step.fixed
            for run in runs:
                t = run.transition
                eds[id(t)] = EventData(self.machine, event, args, kwargs, t, td)
        else:
            selected: list[TransitionRun] = []
            for _, candidates in step.candidates:
                for run in candidates:
                    if run in selected:
                        break  # a transition of a shared ancestor, already taken
                    run_ed = EventData(self.machine, event, args, kwargs, run.transition, td)
                    if run.has_guards:
                        ok = self._passes(run, run_ed)
                        if ok.__class__ is not bool:
                            ok = yield from ok
                        if not ok:
                            continue
                    selected.append(run)
                    eds[id(run.transition)] = run_ed
                    break
            if not selected:
                if eventless:
                    return False
                self._no_transition(event, kwargs, None, td)  # type: ignore[arg-type]
                return None
            runs, plan = program.plan(selected, config, self.history)
        previous = self.current_event
        self.current_event = event
        try:
            result = yield from self._apply_chart(event, args, kwargs, td, runs, plan, config, eds)
        finally:
            self.current_event = previous
        return True if eventless else result

    def _apply_chart(
        self,
        event: str | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        td: TriggerData | None,
        runs: list[TransitionRun],
        plan: MicroStep,
        config: list[State],
        eds: dict[int, EventData],
    ) -> Steps:
        """Apply a general plan: before, exits (recording history), on, entries (with the
        actions of default entries, and final states completing their parents), after. Same
        error rules as the flat applier.

        ``eds`` maps each transition (by id) to the EventData its callbacks see. While a state
        is exited, its transition's data has ``state`` and ``source`` set to that state; while
        one is entered, ``state`` and ``target`` (``source`` is the transition's, for a state
        entered by default the compound or history state entering it)."""
        program = self.program
        machine = self.machine
        model, field, atomic = self.model, self.field, self.atomic

        def data_of(t: Transition) -> EventData:
            ed = eds.get(id(t))
            if ed is None:
                ed = eds[id(t)] = EventData(machine, event, args, kwargs, t, td)
            return ed

        prev_value = getattr(model, field)
        results: list[Any] = []
        writes = plan.writes
        if writes is None:
            writes = plan.writes = stored_values(plan, config)
        after_exits, after_entries, final_value = writes
        catch = self.catch
        # Handling error.execution, a failing `on` action fails the microstep.
        strict_on = catch and event == ERROR_EXECUTION
        try:
            for run in runs:
                if run.before:  # a failing `before` fails the whole microstep
                    yield from self._uncaught(run.before, eds[id(run.transition)], results)
            self.history.update(plan.history)
            exit_causes = plan.exit_causes
            for i, s in enumerate(plan.exits):
                callers = program.exit[s.id]
                if callers:
                    ed = data_of(exit_causes[i])
                    ed.state = ed.source = s
                    ok = self._block(callers, ed, None)
                    if ok.__class__ is not bool:
                        yield from ok
                if not atomic:
                    setattr(model, field, _fresh(after_exits[i]))
                if self._invoker is not None and s.id in program.invoke:
                    self._invoker.exited(s)
            for run in runs:
                ed = eds[id(run.transition)]
                ed.state = ed.source = run.transition.source  # type: ignore[union-attr]
                if run.on:
                    ed._chart = (config, plan.exits, plan.entries)
                    ed._in_on = True
                    if strict_on:
                        yield from self._uncaught(run.on, ed, results)
                    else:
                        ok = self._block(run.on, ed, results)
                        if ok.__class__ is not bool:
                            yield from ok
                    ed._in_on = False
            if atomic:
                setattr(model, field, _fresh(final_value))
            entry_causes, contents = plan.entry_causes, plan.contents
            for j, s in enumerate(plan.entries):
                if not atomic:
                    setattr(model, field, _fresh(after_entries[j]))
                ed = data_of(entry_causes[j])
                ed.state = ed.target = s
                callers = program.enter[s.id]
                done_data = None
                if s.final and s.id in program.donedata:
                    done_data = yield from self._enter_final(s, callers, ed)
                elif callers:
                    ok = self._block(callers, ed, None)
                    if ok.__class__ is not bool:
                        yield from ok
                if self._invoker is not None and s.id in program.invoke:
                    invoke_ed = EventData(machine, event, args, dict(ed.kwargs), None, td)
                    invoke_ed.state = invoke_ed.target = s
                    self._invoker.entered(s, invoke_ed)
                defaults = contents.get(s.id)
                if defaults:
                    chart = None if event == INITIAL_EVENT else (config, plan.exits, plan.entries)
                    yield from self._default_content(defaults, ed, results, data_of, chart)
                if s.final:
                    # Completion is judged on the configuration as it stands: with an atomic
                    # update, the whole new one (as in the reference).
                    gone = {id(x) for x in plan.exits}
                    entered = plan.entries if atomic else plan.entries[: j + 1]
                    current = [x for x in config if id(x) not in gone] + entered
                    self._on_final(s, current, done_data)
        except BaseException as exc:
            # Leave the machine as it was; then the error propagates, or (caught as events)
            # becomes error.execution.
            setattr(model, field, prev_value)
            if not catch:
                self._internal.clear()  # see _failed
                raise
            self._microstep_failed(exc, catch)
            return None
        try:
            for run in runs:
                if run.after:
                    t = run.transition
                    ed = eds[id(t)]
                    ed.source = t.source  # type: ignore[union-attr]
                    ed.state = ed.target = t.target or t.source  # type: ignore[union-attr]
                    if strict_on:
                        yield from self._after_handling_error(run.after, ed)
                    else:
                        ok = self._block(run.after, ed, None)
                        if ok.__class__ is not bool:
                            yield from ok
        except BaseException:
            self._internal.clear()  # see _failed
            raise
        if not results:
            return None
        return results[0] if len(results) == 1 else results

    def _after_handling_error(self, callers: tuple[Bound, ...], ed: EventData | None) -> Steps:
        """The `after` actions of the transition handling ``error.execution``: an error there
        is logged and ignored (see _microstep_failed), as in the reference."""
        try:
            yield from self._uncaught(callers, ed, None)
        except Exception as exc:
            self._microstep_failed(exc, self.catch)

    def _uncaught(
        self, callers: tuple[Bound, ...], ed: EventData | None, results: list[Any] | None
    ) -> Steps:
        """Run a block whose errors are not caught per block, even when errors are caught as
        events: they fail the whole microstep instead (see :meth:`_microstep_failed`)."""
        catch = self.catch
        self.catch = False
        try:
            ok = self._block(callers, ed, results)
            if ok.__class__ is not bool:
                yield from ok
        finally:
            self.catch = catch

    def _default_content(
        self,
        defaults: list[Transition],
        ed: EventData,
        results: list[Any],
        data_of: Callable[[Transition], EventData],
        chart: tuple[list[State], list[State], list[State]] | None,
    ) -> Steps:
        """Run the ``on`` actions of the default transitions of a state just entered: its
        initial transition (a compound entered by default: they see the state's entry data,
        and their results join the event's), and the default transition of one of its history
        states entered without a record (they see that transition, from the history state)."""
        runs = self.program.runs
        for t in defaults:
            callers = runs[(t, None)].on
            if not callers:
                continue
            # A history state's default transition runs as `on` actions that see the
            # microstep's configurations; a compound's initial transition runs with the
            # compound's entry data, without them (as in the reference).
            if t.source.is_history:
                run_ed = data_of(t)
                run_ed.state = run_ed.source = t.source
                run_ed.target = t.target
                run_ed._chart = chart
                run_ed._in_on = chart is not None
                into = None
            else:
                run_ed, into = ed, results
            # Default entry actions are not a block of their own: a failure fails the
            # microstep, as in the reference.
            try:
                yield from self._uncaught(callers, run_ed, into)
            finally:
                run_ed._in_on = False

    def _enter_final(self, state: State, callers: tuple[Bound, ...], ed: EventData) -> Steps:
        """The entry callbacks of a final state with ``donedata``, which runs among them
        (after the inline ones): returns its result, None if the block failed before it or
        in it (the rest of the block is then skipped)."""
        program = self.program
        split = program.enter_split[state.id]
        ok: Any = self._block(callers[:split], ed, None) if split else True
        if ok.__class__ is not bool:
            ok = yield from ok
        if not ok:
            return None
        results: list[Any] = []
        ok = self._block(program.donedata[state.id][:1], ed, results)
        if ok.__class__ is not bool:
            ok = yield from ok
        if not ok:
            return None
        if split < len(callers):
            rest = self._block(callers[split:], ed, None)
            if rest.__class__ is not bool:
                yield from rest
        return results[0] if results else None

    def _on_final(self, state: State, current: list[State], data: Any) -> None:
        """Entering a final state: a top-level one terminates the machine; a nested one
        completes its parent (``done.state.<parent>``, with ``data`` from its donedata), and
        a parallel grandparent whose regions are all complete."""
        parent = state.parent
        if parent is None:
            self._stop()
            return
        self._raise_done(parent, data)
        grand = parent.parent
        if grand is not None and grand.parallel and is_in_final_state(grand, current):
            self._raise_done(grand, None)

    def _raise_done(self, state: State, data: Any) -> None:
        args: tuple[Any, ...] = ()
        kwargs: dict[str, Any] = {}
        if isinstance(data, dict):
            kwargs = dict(data)
        elif data is not None:
            args = (data,)
        td = TriggerData(self.machine, f"done.state.{state.id}", args, kwargs)
        td.internal = True
        self._internal.append(td)

    def _check_parallel_completion(self) -> None:
        """A machine whose top level is parallel states alone terminates when the active ones
        have all completed."""
        definition = self.program.definition
        if not definition.parallel_top:
            return
        config = self.configuration()
        active = [s for s in config if s.parent is None]
        if active and all(is_in_final_state(s, config) for s in active):
            self._stop()

    def _stop(self) -> None:
        """The machine terminates: the events still queued are dropped, as in the reference
        (an unhandled error among them is logged, never swallowed silently; an asyncio
        caller waiting for a dropped event gets None). Events sent from now on are refused
        (or ignored, with ``allow_event_without_transition``)."""
        self.running = False
        for td in self._internal:
            if td.event == ERROR_EXECUTION:
                error = td.kwargs.get("error")
                _log_error(
                    "Error dropped: %s terminated before handling it: %r.",
                    type(self.machine).__name__,
                    error,
                    exc_info=error if isinstance(error, BaseException) else None,
                )
        self._internal.clear()
        dropped = self._external[:]
        if self._delayed:
            dropped += self._delayed
            self._delayed.clear()
        self._external.clear()
        for td in dropped:
            td.outcome = (True, None)
            future = td.future
            if future is not None and not future.done():
                future.set_result(None)
        # Machines built from documents finish as an SCXML session does (their class says
        # how: exit handlers, the end of an invocation).
        terminated = getattr(type(self.machine), "_terminated", None)
        if terminated is not None:
            terminated(self.machine)

    def _no_transition(
        self, event: str, kwargs: dict[str, Any], value: Any, td: TriggerData | None
    ) -> None:
        # Off the hot path: a model value that is no state is reported, not read as "no
        # transition" (raises InvalidStateValue naming the value).
        if value is not None:
            self.machine._state_of(value)
        if event.startswith("done.invoke."):
            return  # nobody waits for this invocation's completion
        if event == ERROR_EXECUTION:
            error = kwargs.get("error")
            _log_error(
                "Unhandled error in %s: %r. Declare an `error_execution` transition to handle it.",
                type(self.machine).__name__,
                error,
                exc_info=error if isinstance(error, BaseException) else None,
            )
            return
        if not self.allow_no_transition and (td is None or not td.internal):
            raise TransitionNotAllowed(self._event_obj(event), self.machine.configuration)

    def _event_obj(self, event: str) -> Any:
        declared = self.program.definition.events.get(event)
        if declared is not None:
            return declared
        if event == ERROR_EXECUTION:  # the engine's own event: named like a declared one
            from ._events import Event

            return Event(event)
        return event

    def _caught(self, exc: Exception) -> None:
        """A callback raised ``exc`` inside a block: queue ``error.execution`` for it when
        errors are caught as events, else let it propagate. ``InvalidDefinition`` always
        propagates."""
        if not self.catch or isinstance(exc, InvalidDefinition):
            if isinstance(exc, StopIteration):
                # Raised through the algorithm's generators it would become a RuntimeError
                # (PEP 479): carried out in a wrapper, the driver raises it as it was.
                raise _Escaped(exc) from None
            raise exc
        self._queue_error(exc)

    def _microstep_failed(self, exc: BaseException, catch: bool) -> None:
        """A callback outside the per-block catching failed the microstep (a ``before``
        action, a default entry's actions, or the ``on`` actions of the transition handling
        ``error.execution``), and the configuration is restored. With errors caught as
        events (``catch``), queue ``error.execution``, or, while handling one, log the error
        and go on; else (and for ``InvalidDefinition``) propagate it."""
        if catch and exc.__class__ is _Escaped:
            exc = exc.error
        if not catch or not isinstance(exc, Exception) or isinstance(exc, InvalidDefinition):
            if exc.__class__ is _Escaped:
                raise exc
            raise exc.with_traceback(exc.__traceback__)
        if self.current_event == ERROR_EXECUTION:
            # An error while handling an error: report it instead of looping forever.
            _log_warning("Error while processing error.execution, ignoring: %s", exc, exc)
            return
        self._queue_error(exc)

    def _queue_error(self, exc: Exception) -> None:
        td = TriggerData(self.machine, ERROR_EXECUTION, (), {"error": exc})
        td.internal = True
        self._internal.append(td)

    # --- introspection ----------------------------------------------------------------------------
    def _enabled(
        self, events: Callable[[], list[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Steps:
        """The events of ``events()`` (read now: after a deferred initial entry) whose
        conditions pass from an active leaf (validators are not run). A condition that
        raises counts as passing: the event may still fire."""
        program = self.program
        owners = self.owners
        leaves = [s for s in self.configuration() if s.is_atomic]
        result = []
        for bound in events():
            table = program.table.get(bound.id) or program.event_table(bound.id)
            enabled = False
            for s in leaves:
                for run in table.get(s.value, ()):
                    ed = EventData(self.machine, bound.id, args, kwargs, run.transition)
                    try:
                        ok = True
                        for (func, slot), expected in run.conds:
                            value = func(owners, ed) if slot is None else func(owners[slot])
                            if self.is_async:
                                value = yield from self._resolve(value)
                            if bool(value) is not expected:
                                ok = False
                                break
                    except Exception:
                        ok = True
                    if ok:
                        enabled = True
                        break
                if enabled:
                    break
            if enabled:
                result.append(bound)
        return result

    def _why_not(self, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Steps:
        """The refusals of ``event`` from the current configuration: empty if it would fire
        (a transition's conditions all pass). Validators are not run; a condition that
        raises refuses with its error."""
        from ._refusal import Refusal, describe, describe_error

        machine = self.machine
        definition = self.program.definition
        if event not in definition.events:
            known = ", ".join(sorted(definition.events)) or "none"
            return [
                Refusal(
                    event,
                    None,
                    None,
                    None,
                    f"{type(machine).__name__} has no event {event!r} (its events: {known}).",
                )
            ]
        if not self.running:
            return [Refusal(event, None, None, None, f"{type(machine).__name__} has terminated.")]
        program = self.program
        table = program.table.get(event) or program.event_table(event)
        leaves = [s for s in self.configuration() if s.is_atomic]
        runs = [run for s in leaves for run in table.get(s.value, ())]
        if not runs:
            ids = ", ".join(repr(s.id) for s in leaves) or "no state"
            return [Refusal(event, None, None, None, f"No transition for {event!r} from {ids}.")]
        owners = self.owners
        refusals = []
        for run in runs:
            t = run.transition
            assert t is not None  # event runs always have a transition
            # One condition per spec, in the same order (Program._conds).
            labels = run.cond_labels
            ed = EventData(machine, event, args, kwargs, t)
            refused = None
            for ((func, slot), expected), label in zip(run.conds, labels, strict=True):
                try:
                    value = func(owners, ed) if slot is None else func(owners[slot])
                    if self.is_async:
                        value = yield from self._resolve(value)
                except Exception as exc:
                    refused = describe_error(event, t, label, exc)
                    break
                if bool(value) is not expected:
                    refused = describe(event, t, label, expected)
                    break
            if refused is None:
                return []
            refusals.append(refused)
        return refusals

    def _resolve(self, value: Any) -> Steps:
        """A callback's value, awaited by the driver if it is awaitable (asyncio engine)."""
        if hasattr(value, "__await__"):
            value = yield value
        return value


class SyncEngine(Engine):
    """Drives the algorithm with plain calls; safe for concurrent senders on many threads.

    A thread that finds the processing lock taken only enqueues and returns None; the holder
    drains the queue before releasing it.
    """

    __slots__ = ()

    def run(self, steps: Steps) -> Any:
        """Drive ``steps`` to completion and return its value. On this engine the steps only
        ever yield a :class:`Wait` (its blocks call callbacks and never await)."""
        try:
            request = steps.send(None)
            while True:
                self._wait(request.seconds)
                request = steps.send(None)
        except StopIteration as stop:
            return stop.value

    # --- entry points -------------------------------------------------------------------------
    def send(
        self,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        delay: float = 0,
        send_id: str | None = None,
        internal: bool = False,
    ) -> Any:
        """Queue ``event`` and process the queues if no one else is; see the module docstring."""
        if delay:
            self._enqueue(event, args, kwargs, delay, send_id, internal)
            if self.background:
                self._start_scheduler()
                return None
            return self._run()
        if (
            not internal
            and not self._external
            and not self._unsettled
            and self._lock.acquire(False)
        ):
            # Fast path: nothing queued and nobody processing, so this event goes first. A
            # transition without callbacks or guards (the plain "dictionary lookup" case) is
            # applied right here, without building any per-event object.
            try:
                pending: Any = self._try_plain(event) if self.running else _GENERAL
                if pending is None:
                    return None
                # The event's own record only when it has something to carry (a send id):
                # event_data.trigger_data builds one on demand otherwise.
                td = (
                    None
                    if send_id is None
                    else TriggerData(self.machine, event, args, kwargs, send_id)
                )
                if pending is _GENERAL:  # a terminated machine
                    if td is None:
                        td = TriggerData(self.machine, event, args, kwargs, send_id)
                    result = self.run(self._microstep_for(td))
                elif pending.__class__ is ChartStep:
                    result = self.run(self._fire_chart(event, args, kwargs, td, step=pending))
                else:
                    value, runs = pending
                    # Driven with `for` (cheaper than catching StopIteration); the value
                    # comes back in `_result`. A flat sync step only ever yields a Wait.
                    for request in self._fire(event, args, kwargs, td, value, runs):
                        self._wait(request.seconds)  # pragma: no cover - flat steps don't wait
                    result = self._result
                if self._internal or self.settles:
                    self.run(self._settle())
                if self._external or self._delayed:
                    self.run(self._drain())
            except BaseException as exc:
                self._failed(exc)
                if exc.__class__ is _Escaped:
                    raise exc.error from None
                raise
            finally:
                self._lock.release()
            if self._external:  # enqueued by another thread after our last look
                self._run()
            return result
        self._enqueue(event, args, kwargs, 0, send_id, internal)
        return self._run()

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
        self._enqueue(event, args, kwargs, delay, send_id, internal, meta)
        if delay and self.background:
            self._start_scheduler()
            return None
        return self._run()

    def start(self, kwargs: dict[str, Any]) -> None:
        """Called by the constructor of a machine without a stored state."""
        self.activate_initial_state(kwargs)

    def activate_initial_state(self, kwargs: dict[str, Any]) -> None:
        """Enter the initial configuration, running only prepare and entry callbacks (a
        no-op once the machine has a state)."""
        if getattr(self.model, self.field, None) is not None:
            return
        with self._lock:
            self.run(self._initial(kwargs))
        if self._external:
            self._run()

    def enabled_events(
        self, events: Callable[[], list[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> list[Any]:
        return self.run(self._enabled(events, args, kwargs))  # type: ignore[no-any-return]

    def _run(self) -> Any:
        """Process every queued event if the lock is free; return the first result."""
        result = None
        first = True
        while self._external or self._internal or (self._delayed and not self.background):
            if not self._lock.acquire(False):
                return result  # the holder will process what we queued
            try:
                r = self.run(self._drain())
            except BaseException as exc:
                self._failed(exc)
                if exc.__class__ is _Escaped:
                    raise exc.error from None
                raise
            finally:
                self._lock.release()
            if first:
                result, first = r, False
        return result

    # --- invoke: a daemon thread per handler ---------------------------------------------------
    def _spawn(self, invocation: Invocation) -> None:
        import threading

        name = f"statemachine-invoke-{invocation.ctx.invokeid}"
        threading.Thread(
            target=self._run_invocation, args=(invocation,), name=name, daemon=True
        ).start()

    def _run_invocation(self, invocation: Invocation) -> None:
        try:
            result = invocation.run(invocation.ctx, invocation.ed)
        except Exception as exc:
            self._report(invocation, None, exc)
            return
        self._report(invocation, result, None)

    def _report(self, invocation: Invocation, result: Any, error: Any) -> None:
        try:
            self._invocation_done(invocation, result, error)
        except Exception as exc:  # nobody to propagate to on this thread: report it
            _log_error("Error processing the end of %r: %r", invocation.ctx, exc, exc_info=exc)

    # --- background scheduler (opt-in: `delayed_events_in_background = True`) ------------------
    def _start_scheduler(self) -> None:
        """Make sure a scheduler thread is running; it exits when nothing is pending."""
        if self._sched_lock is None:
            self._sched_lock = allocate_lock()
        with self._sched_lock:
            if self._scheduler_running:
                return
            self._scheduler_running = True
        import threading

        name = f"statemachine-{type(self.machine).__name__}-scheduler"
        threading.Thread(target=self._schedule, name=name, daemon=True).start()

    def _schedule(self) -> None:
        """Scheduler thread: wait until the next delayed event is due, then process it (and
        anything queued meanwhile) under the machine's lock, like any other sender."""
        import heapq

        while True:
            with self._sched_lock:
                if not self._delayed:
                    self._scheduler_running = False
                    return
                wait = self._delayed[0].execution_time - time.monotonic()
            if wait > 0:
                self._wait(wait)
                continue
            with self._lock:
                try:
                    now = time.monotonic()
                    while self._delayed and self._delayed[0].execution_time <= now:
                        self.run(self._macrostep(heapq.heappop(self._delayed)))
                    while self._external:
                        self.run(self._macrostep(self._external.pop(0)))
                except Exception as exc:  # nobody to propagate to: report it
                    self._failed(exc)
                    _log_error("Error processing a delayed event: %r", exc, exc_info=exc)
            if self._external:
                self._run()

    def _wait(self, seconds: float) -> None:
        if self._wake is None:
            import threading  # only machines that use delayed events pay for it

            self._wake = threading.Event()
        self._wake.wait(seconds)
        self._wake.clear()

    def _notify(self) -> None:
        if self._wake is not None:
            self._wake.set()
