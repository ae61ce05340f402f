"""The run loop: queues, run-to-completion, and applying microstep plans.

Processing model (SCXML): ``send`` puts an event on the external queue; the thread that holds
the processing lock takes external events one at a time and, for each, runs a *macrostep*: the
event's microstep, then every internal event (``raise_``, ``error.execution``) until the
internal queue is empty. A ``send`` made while another call is processing (a callback, or
another thread) only enqueues; the lock holder processes it before returning.

Invariant: outside a microstep, the model's state field holds the value of the active state
(flat machines), and the queues are empty whenever the lock is free.
"""

from __future__ import annotations

import time
from _thread import allocate_lock  # `threading` is slow to import and not needed for a lock

from ._event_data import EventData, TriggerData
from ._states import State
from ._typing import TYPE_CHECKING
from .exceptions import TransitionNotAllowed

if TYPE_CHECKING:
    from typing import Any

    from ._callbacks import Bound
    from ._machine import StateChart
    from ._program import Program, TransitionRun

__all__ = ["SyncEngine"]


def _log_error(message: str, *args: Any, exc_info: BaseException | None = None) -> None:
    """Log on the ``statemachine`` logger (``logging`` is imported only when needed)."""
    import logging

    logging.getLogger("statemachine").error(message, *args, exc_info=exc_info)


ERROR_EXECUTION = "error.execution"
INITIAL_EVENT = "__initial__"
# The source of the initial entry: an empty state with id "", as callbacks expect a State.
_NO_SOURCE = State()


class SyncEngine:
    """Drives one machine instance: holds its queues and lock, and applies transition runs."""

    __slots__ = (
        "_delayed",
        "_external",
        "_internal",
        "_lock",
        "_seq",
        "_wake",
        "allow_no_transition",
        "atomic",
        "catch",
        "current_event",
        "field",
        "machine",
        "model",
        "owners",
        "program",
        "running",
    )

    def __init__(
        self,
        machine: StateChart[Any],
        program: Program,
        owners: tuple[Any, ...],
    ) -> None:
        self.machine = machine
        self.program = program
        self.owners = owners
        self.model = machine.model
        self.field = machine.state_field
        cls = type(machine)
        self.allow_no_transition = cls.allow_event_without_transition
        self.atomic = cls.atomic_configuration_update
        self.catch = cls.catch_errors_as_events
        self._external: list[TriggerData] = []
        self._internal: list[TriggerData] = []
        self._delayed: list[TriggerData] | None = None
        self._lock = allocate_lock()
        self._seq = 0
        self._wake: Any = None  # a threading.Event, made when a delayed event must be waited for
        self.running = True
        self.current_event: str | None = None

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
            td = TriggerData(
                self.machine, event, args, kwargs, send_id, time.monotonic() + delay / 1000
            )
            self._seq += 1
            td.seq = self._seq
            import heapq

            if self._delayed is None:
                self._delayed = []
            heapq.heappush(self._delayed, td)
            self._notify()
            return self._run()
        if not internal and not self._external and self._lock.acquire(False):
            # Fast path: nothing queued and nobody processing, so this event goes first. A
            # transition without callbacks or guards (the plain "dictionary lookup" case) is
            # applied right here, without building any per-event object.
            try:
                if self.running:
                    program = self.program
                    table = program.table.get(event)
                    if table is None:
                        table = program.event_table(event)
                    value = getattr(self.model, self.field)
                    runs = table.get(value)
                    if runs is not None and not runs[0].has_callbacks and not program.prepare:
                        run = runs[0]
                        if run.entries:
                            setattr(self.model, self.field, run.target_value)
                        if run.enters_final:
                            self.running = False
                        return None
                    result = self._fire(event, args, kwargs, None, value, runs)
                else:
                    td = TriggerData(self.machine, event, args, kwargs, send_id)
                    result = self._microstep_for(td)
                if self._internal:
                    self._drain_internal()
                if self._external or self._delayed:
                    self._drain()
            except BaseException:
                self._clear_queues()  # a failed macrostep drops what was pending
                raise
            finally:
                self._lock.release()
            if self._external:  # enqueued by another thread after our last look
                self._run()
            return result
        td = TriggerData(self.machine, event, args, kwargs, send_id)
        (self._internal if internal else self._external).append(td)
        self._notify()
        return self._run()

    def _clear_queues(self) -> None:
        self._external.clear()
        self._internal.clear()

    def cancel(self, send_id: str) -> None:
        """Drop pending events sent with ``send_id``."""
        self._external[:] = [td for td in self._external if td.send_id != send_id]
        if self._delayed:
            import heapq

            self._delayed[:] = [td for td in self._delayed if td.send_id != send_id]
            heapq.heapify(self._delayed)
        self._notify()

    def activate_initial_state(self, kwargs: dict[str, Any]) -> None:
        """Enter the initial configuration, running only prepare and entry callbacks."""
        run = self.program.initial_run
        if run is None:
            return
        with self._lock:
            try:
                self.current_event = INITIAL_EVENT
                ed = self._prepare(INITIAL_EVENT, (), kwargs, None, _NO_SOURCE)
                self._apply(run, ed, None)
                self._drain_internal()
            finally:
                self.current_event = None
        if self._external:
            self._run()

    # --- the loop -----------------------------------------------------------------------------
    def _run(self) -> Any:
        """Process every queued event if the lock is free; return the first result."""
        result = None
        first = True
        while self._external or self._internal or self._delayed:
            if not self._lock.acquire(False):
                return result  # the holder will process what we queued
            try:
                r = self._drain()
            except BaseException:
                self._clear_queues()  # a failed macrostep drops what was pending
                raise
            finally:
                self._lock.release()
            if first:
                result, first = r, False
        return result

    def _drain(self) -> Any:
        result = None
        first = True
        if self._internal:
            self._drain_internal()
        while True:
            if self._external:
                td = self._external.pop(0)
            elif self._delayed:
                td = self._delayed[0]
                wait = td.execution_time - time.monotonic()
                if wait > 0:
                    # Sleep until due, but wake for a cancellation or a newly sent event,
                    # then look at the queues again.
                    self._wait(wait)
                    continue
                import heapq

                heapq.heappop(self._delayed)
            else:
                return result
            r = self._macrostep(td)
            if first:
                result, first = r, False

    def _wait(self, seconds: float) -> None:
        if self._wake is None:
            import threading  # only machines that use delayed events pay for it

            self._wake = threading.Event()
        self._wake.wait(seconds)
        self._wake.clear()

    def _notify(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _drain_internal(self) -> None:
        internal = self._internal
        while internal:
            self._microstep_for(internal.pop(0))

    def _macrostep(self, td: TriggerData) -> Any:
        result = self._microstep_for(td)
        if self._internal:
            self._drain_internal()
        return result

    # --- one event ------------------------------------------------------------------------------
    def _microstep_for(self, td: TriggerData) -> Any:
        """Select the transition ``td`` fires from the current state and apply it."""
        event: str = td.event  # type: ignore[assignment]  # queued events always have a name
        if not self.running:
            if not self.allow_no_transition:
                raise TransitionNotAllowed(self._event_obj(event), self.machine.configuration)
            return None
        program = self.program
        table = program.table.get(event)
        if table is None:
            table = program.event_table(event)
        value = getattr(self.model, self.field)
        return self._fire(event, td.args, td.kwargs, td, value, table.get(value))

    def _fire(
        self,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        td: TriggerData | None,
        value: Any,
        runs: tuple[TransitionRun, ...] | None,
    ) -> Any:
        """Pick the first candidate whose guards pass and apply it."""
        ed: EventData | None = None
        if self.program.prepare:
            state = self.program.definition.states_map.get(value)
            ed = self._prepare(event, args, kwargs, td, state)
            kwargs = ed.kwargs
        if runs is not None:
            for run in runs:
                if run.needs_event_data and (ed is None or ed.transition is not run.transition):
                    ed = EventData(self.machine, event, args, kwargs, run.transition, td)
                if run.has_guards:
                    owners = self.owners
                    for func, slot in run.validators:  # validators always propagate
                        func(owners, ed) if slot is None else func(owners[slot])
                    enabled = True
                    try:
                        for (func, slot), expected in run.conds:
                            r = func(owners, ed) if slot is None else func(owners[slot])
                            if bool(r) is not expected:
                                enabled = False
                                break
                    except Exception as exc:
                        if not self.catch:
                            raise
                        self._queue_error(exc)  # a raising condition counts as false
                        enabled = False
                    if not enabled:
                        continue
                if not self.catch:
                    return self._apply(run, ed, value)
                previous = self.current_event
                self.current_event = event
                try:
                    return self._apply(run, ed, value)
                finally:
                    self.current_event = previous
        self._no_transition(event, kwargs, value)
        return None

    def _no_transition(self, event: str, kwargs: dict[str, Any], value: Any) -> None:
        # Off the hot path: a model value that is no state is reported, not read as "no
        # transition" (raises InvalidStateValue naming the value).
        if value is not None:
            self.machine._state_of(value)
        if event == ERROR_EXECUTION:
            error = kwargs.get("error")
            _log_error(
                "Unhandled error in %s: %r. Declare an `error_execution` transition to handle it.",
                type(self.machine).__name__,
                error,
                exc_info=error if isinstance(error, BaseException) else None,
            )
            return
        if not self.allow_no_transition:
            raise TransitionNotAllowed(self._event_obj(event), self.machine.configuration)

    def _event_obj(self, event: str) -> Any:
        return self.program.definition.events.get(event, event)

    def _prepare(
        self,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        td: TriggerData | None,
        state: State | None,
    ) -> EventData:
        """Run ``prepare_event`` callbacks; their dict results extend the event's kwargs."""
        ed = EventData(self.machine, event, args, dict(kwargs), None, td)
        ed.source = ed.state = state
        for func, slot in self.program.prepare:
            extra = func(self.owners, ed) if slot is None else func(self.owners[slot])
            if isinstance(extra, dict):
                ed.kwargs.update(extra)
        return ed

    # --- applying a plan ------------------------------------------------------------------------
    def _apply(self, run: TransitionRun, ed: EventData | None, value: Any) -> Any:
        """Run one microstep: before, exit, on, enter, after; return the before+on results.

        ``value`` is the model value before the microstep; it is restored if a callback
        raises while errors propagate, so a failed transition changes nothing. ``ed`` is None
        when no callback of the run takes arguments.
        """
        model, field = self.model, self.field
        if not run.has_callbacks:  # only the configuration changes
            if run.entries:
                setattr(model, field, run.target_value)
            if run.enters_final:
                self.running = False
            return None
        if ed is not None:
            ed._prev = (value,)
        results: list[Any] = []
        atomic = self.atomic
        try:
            if run.before and not self._block(run.before, ed, results):
                return None  # a failing `before` aborts the transition
            for state, callers in run.exit_cbs:
                if callers:
                    if ed is not None:
                        ed.state = state
                    self._block(callers, ed, None)
                if not atomic:
                    setattr(model, field, None)
            if run.on:
                if ed is not None:
                    ed.state = ed.source
                    ed._in_on = True
                self._block(run.on, ed, results)
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
                    self._block(callers, ed, None)
        except BaseException:
            # Errors propagate (catch_errors_as_events is off): leave the machine as it was.
            setattr(model, field, value)
            raise
        if run.enters_final:
            self.running = False
        if run.after:
            if ed is not None:
                ed.state = ed.target = run.entries[-1] if run.entries else ed.source
            self._block(run.after, ed, None)
        if not results:
            return None
        return results[0] if len(results) == 1 else results

    def _block(
        self, callers: tuple[Bound, ...], ed: EventData | None, results: list[Any] | None
    ) -> bool:
        """Run one block of callbacks; with errors caught as events, a raise skips the rest of
        the block and queues one ``error.execution``. Returns False if the block failed."""
        owners = self.owners
        try:
            if results is None:
                for func, slot in callers:
                    func(owners[slot]) if slot is not None else func(owners, ed)
            else:
                for func, slot in callers:
                    results.append(func(owners[slot]) if slot is not None else func(owners, ed))
        except Exception as exc:
            if not self.catch:
                raise
            self._queue_error(exc)
            return False
        return True

    def _queue_error(self, exc: Exception) -> None:
        if self.current_event == ERROR_EXECUTION:
            # An error while handling an error: report it instead of looping forever.
            _log_error("Error while processing error.execution, ignoring: %r", exc, exc_info=exc)
            return
        self._internal.append(TriggerData(self.machine, ERROR_EXECUTION, (), {"error": exc}))
