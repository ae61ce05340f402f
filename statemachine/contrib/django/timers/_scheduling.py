"""Scheduling, cancelling and firing durable timers (the model mixin and the task call these).

A timer is written in the transaction of the event that scheduled it and enqueued when that
transaction commits (``run_after`` = its due time). It belongs to the states that were active
when the event ended; leaving any of them drops it, in the transaction of the transition
that left. When its task runs, it fires only if it is still pending, due, and its states are
all still active in the row as stored; the timer row is locked meanwhile, so two deliveries
of the same task fire it once.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import router, transaction

from . import _tasks_api
from ._clock import clock

if TYPE_CHECKING:
    from .models import Timer

__all__ = ["TimerWatch", "cancel", "enqueue", "fire", "schedule", "schedule_timeout"]


def backend_alias() -> str:
    """The task backend the timers use (``STATEMACHINE_TIMERS_BACKEND``, default
    ``"default"``)."""
    return str(getattr(settings, "STATEMACHINE_TIMERS_BACKEND", "default"))


def queue_name() -> str:
    return str(getattr(settings, "STATEMACHINE_TIMERS_QUEUE", "default"))


def check_backend() -> None:
    """Raise ImproperlyConfigured unless the timers' task backend can run a task later, on
    the timers' queue."""
    alias = backend_alias()
    backend = _tasks_api.backend(alias)
    queue = queue_name()
    queues = getattr(backend, "queues", None)
    if queues and queue not in queues:
        raise ImproperlyConfigured(
            f"The timers' queue {queue!r} (STATEMACHINE_TIMERS_QUEUE) is not a queue of the "
            f"task backend {alias!r}, whose QUEUES are {sorted(queues)!r}: add it to "
            f"TASKS[{alias!r}]['QUEUES'], or set STATEMACHINE_TIMERS_QUEUE to one of them."
        )
    if not getattr(backend, "supports_defer", False):
        raise ImproperlyConfigured(
            f"The task backend {alias!r} ({type(backend).__name__}) cannot run a task later "
            "(it does not support run_after), so a durable timer would fire before its "
            f"delay. Configure TASKS[{alias!r}] with a backend that does, such as "
            "'django_tasks_db.DatabaseBackend' (pip install django-tasks-db), or set "
            "STATEMACHINE_TIMERS_BACKEND to the alias of one."
        )


def due_time(event: str, at: Any, delay: float, now: datetime) -> datetime:
    """When a send with ``delay`` (milliseconds) or ``at`` (a datetime or a timedelta from
    now) is due."""
    if at is not None:
        if delay:
            raise TypeError(
                f"send({event!r}) got both delay={delay!r} and at={at!r}: give one of them."
            )
        if isinstance(at, timedelta):
            return now + at
        if isinstance(at, datetime):
            if at.tzinfo is None and settings.USE_TZ:
                raise ValueError(
                    f"send({event!r}, at={at!r}): a naive datetime; give an aware one "
                    "(django.utils.timezone.make_aware) or a timedelta."
                )
            return at
        raise TypeError(
            f"send({event!r}, at={at!r}): `at` must be a datetime or a timedelta, not "
            f"{type(at).__name__}."
        )
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not math.isfinite(delay):
        raise TypeError(f"send({event!r}, delay={delay!r}): the delay must be a number of ms.")
    if delay < 0:
        raise ValueError(f"send({event!r}, delay={delay!r}): the delay cannot be negative.")
    return now + timedelta(milliseconds=delay)


def _json_payload(
    event: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """The arguments as JSON values (they are stored until the timer fires)."""
    payload = {"args": list(args), "kwargs": kwargs}
    try:
        _check_keys(payload)
        text = json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"A durable timer for {event!r} stores its arguments as JSON, and {exc}. Pass "
            "plain values (str, int, float, bool, None, lists, dicts with str keys), such "
            "as the primary key of a row instead of the row."
        ) from None
    loaded = json.loads(text)
    return loaded["args"], loaded["kwargs"]


def _check_keys(value: Any) -> None:
    """JSON would turn a dict's other keys into strings: refuse them instead."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"the dict key {key!r} is not a str")
            _check_keys(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_keys(item)


def _run_as(event: str, by: Any) -> str:
    """The id of the user a timer's event is sent ``by``."""
    from django.contrib.auth import get_user_model

    if by is None:
        return ""
    if isinstance(by, get_user_model()) and by.pk is not None:
        return str(by.pk)
    raise TypeError(
        f"A durable timer for {event!r} runs its event as a saved user or as nobody: by= "
        f"must be a saved {get_user_model().__name__}, not {by!r}."
    )


def _active_ids(machine: Any) -> list[str]:
    return [s.id for s in machine.configuration]


def schedule(
    instance: Any,
    machine: Any,
    event: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    delay: float,
    send_id: str | None,
) -> bool:
    """Make a durable timer for this send (see the module). Returns True (it is taken)."""
    from .models import Timer

    kwargs = dict(kwargs)
    at = kwargs.pop("at", None)
    if machine._get_engine().is_async:
        raise NotImplementedError(
            f"{type(instance).__name__}: durable timers are not available yet on a machine "
            "that runs on the asyncio engine (async callbacks). Send the delayed event from "
            "a machine with plain callbacks, or remove 'statemachine.contrib.django.timers' "
            "from INSTALLED_APPS to keep delayed events in memory."
        )
    if instance.pk is None:
        raise ValueError(
            f"{type(instance).__name__}: a delayed event ({event!r}) is stored with its row, "
            "and this row is not saved yet. Save it first."
        )
    check_backend()
    now = clock.now()
    due = due_time(event, at, delay, now)
    run_as = _run_as(event, kwargs.pop("by", None))
    stored_args, stored_kwargs = _json_payload(event, args, kwargs)
    timer = Timer(
        event=event,
        args=stored_args,
        kwargs=stored_kwargs,
        send_id=send_id or "",
        run_as=run_as,
        due_at=due,
        created_at=now,
    )
    _place(instance, machine, timer)
    return True


def schedule_timeout(
    instance: Any, machine: Any, state_id: str, seconds: float, on: str | None
) -> bool:
    """A declared ``timeout(...)`` of the state just entered: a durable timer that sends
    ``on`` (or ``done.invoke.<state>``) and belongs to that state alone. Its ``send_id`` is
    ``timeout.<state>``. On a row not saved yet it is written when the row is saved. The
    asyncio engine keeps its timeouts in memory (returns False)."""
    from .models import Timer

    if machine._get_engine().is_async:
        return False
    check_backend()
    now = clock.now()
    event = on if on is not None else f"done.invoke.{state_id}"
    due = now + timedelta(seconds=seconds)
    timer = Timer(
        event=event, send_id=f"timeout.{state_id}", states=[state_id], due_at=due, created_at=now
    )
    _place(instance, machine, timer)
    return True


def _place(instance: Any, machine: Any, timer: Timer) -> None:
    """Write ``timer`` for ``instance`` now, or when the event in progress ends, or (a row not
    saved yet) when the row is saved."""
    watch: TimerWatch = instance.__dict__["_statemachine_timer_watch"]
    if instance.pk is None:
        watch.unsaved.append(timer)
    elif watch.batch is not None:
        watch.batch.append(timer)  # written when the event ends, with the states it left
    else:
        _write(instance, machine, [timer])


def _write(instance: Any, machine: Any, timers: list[Timer]) -> None:
    """Save ``timers`` (those without states get the states active now) and enqueue each one
    when the transaction commits."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Timer

    using = router.db_for_write(Timer, instance=instance)
    content_type = ContentType.objects.db_manager(using).get_for_model(instance)
    states = _active_ids(machine)
    for timer in timers:
        timer.content_type = content_type
        timer.object_id = str(instance.pk)
        if not timer.states:
            timer.states = states
        _save_and_enqueue(timer, using)


def _save_and_enqueue(timer: Timer, using: str) -> None:
    timer.save(using=using)
    transaction.on_commit(lambda: enqueue(timer), using=using)


def enqueue(timer: Timer) -> Any:
    """Enqueue the task that fires ``timer`` when it is due; returns the task result."""
    from .models import Timer
    from .tasks import fire_timer

    task = fire_timer.using(
        run_after=timer.due_at, backend=backend_alias(), queue_name=queue_name()
    )
    result = task.enqueue(str(timer.key), timer._state.db)
    Timer.objects.using(timer._state.db).filter(pk=timer.pk).update(task_id=str(result.id))
    timer.task_id = str(result.id)
    return result


def cancel(instance: Any, send_id: str) -> int:
    """Drop the pending timers of ``instance`` sent with ``send_id``; how many there were."""
    from .models import Timer

    watch: TimerWatch | None = instance.__dict__.get("_statemachine_timer_watch")
    dropped = 0
    if watch is not None and watch.batch:
        kept = [t for t in watch.batch if t.send_id != send_id]
        dropped = len(watch.batch) - len(kept)
        watch.batch[:] = kept
    if instance.pk is None:
        return dropped
    using = router.db_for_write(Timer, instance=instance)
    updated: int = (
        Timer.objects.using(using)
        .for_object(instance)
        .pending()
        .filter(send_id=send_id)
        .update(
            status=Timer.DROPPED,
            finished_at=clock.now(),
            outcome=f"cancelled by cancel_event({send_id!r})",
        )
    )
    return dropped + updated


class TimerWatch:
    """The listener a row's machine gets when the timers app is installed: it notes the
    states each event from outside leaves, and holds the timers the event schedules until
    it ends (:meth:`commit`, inside the event's transaction)."""

    def __init__(self, instance: Any) -> None:
        self.instance = instance
        self.batch: list[Timer] | None = None
        self.exited: set[str] = set()
        self.unsaved: list[Timer] = []  # timeouts of a row not saved yet

    def on_exit_state(self, state: Any) -> None:
        if self.batch is not None:
            self.exited.add(state.id)

    def begin(self) -> None:
        self.batch = []
        self.exited = set()

    def discard(self) -> None:
        self.batch = None
        self.exited = set()

    def commit(self, machine: Any) -> None:
        """The event succeeded: drop the timers of the states it left, then write the ones
        it scheduled (they belong to the states active now)."""
        from .models import Timer

        batch, exited = self.batch or [], self.exited
        self.discard()
        instance = self.instance
        if instance.pk is None:
            return
        using = router.db_for_write(Timer, instance=instance)
        if exited:
            now = clock.now()
            stale = [
                t.pk
                for t in Timer.objects.using(using)
                .for_object(instance)
                .pending()
                .only("pk", "states")
                if exited.intersection(t.states)
            ]
            if stale:
                left = ", ".join(sorted(exited))
                Timer.objects.using(using).filter(pk__in=stale).update(
                    status=Timer.DROPPED, finished_at=now, outcome=f"the row left {left}"
                )
        if batch:
            _write(instance, machine, batch)

    def saved(self, machine: Any) -> None:
        """The row was saved: write the timeouts it got before it had a primary key (those
        whose state is still active)."""
        if self.unsaved and self.instance.pk is not None:
            unsaved, self.unsaved = self.unsaved, []
            active = set(_active_ids(machine))
            _write(self.instance, machine, [t for t in unsaved if active.issuperset(t.states)])


def fire(key: str, database: str | None = None) -> dict[str, Any]:
    """Fire the timer ``key`` if it is still pending, due and valid (the task's body).
    ``database``: the alias it was written to (default: the router's choice for Timer).

    Returns what happened: ``{"timer": key, "fired": bool, "status": ..., "outcome": ...}``.
    """
    from .models import Timer

    now = clock.now()
    using = database or router.db_for_write(Timer)
    with transaction.atomic(using=using):
        timer = Timer.objects.using(using).select_for_update().filter(key=key).first()
        if timer is None:
            return _report(key, False, "", "no timer has this key (deleted since)")
        if timer.status != Timer.PENDING:
            return _report(
                key, False, timer.status, f"not pending: already {timer.status} ({timer.outcome})"
            )
        if timer.due_at > now:
            # Delivered early (a backend's clock, or a manual run): not yet; run it again then.
            transaction.on_commit(lambda: enqueue(timer), using=using)
            return _report(key, False, timer.status, f"not due until {timer.due_at.isoformat()}")
        model = timer.content_type.model_class()
        row = None
        if model is not None:
            manager = model._base_manager.db_manager(using)  # the row's database too
            row = manager.select_for_update().filter(pk=timer.object_id).first()
        if row is None:
            return _finish(timer, Timer.DROPPED, "the row no longer exists", now)
        machine = getattr(row, row.state_machine_attr)
        active = set(_active_ids(machine))
        missing = [s for s in timer.states if s not in active]
        if missing:
            return _finish(timer, Timer.DROPPED, f"the row left {', '.join(missing)}", now)
        kwargs = dict(timer.kwargs)
        if timer.run_as:
            from django.contrib.auth import get_user_model

            user = get_user_model()._default_manager.filter(pk=timer.run_as).first()
            if user is None:
                return _finish(
                    timer, Timer.FAILED, f"its user (id {timer.run_as}) no longer exists", now
                )
            kwargs["by"] = user
        transitions = row._statemachine_signals.transitions
        try:
            # A savepoint: a failed event leaves no trace. Atomic saving, whatever the
            # model's setting: nobody else is there to save the state the event changes.
            with transaction.atomic(using=using), row.statemachine_options(atomic=True):
                machine.send(timer.event, *timer.args, **kwargs)
        except Exception as exc:
            return _finish(timer, Timer.FAILED, f"{type(exc).__name__}: {exc}", now)
        states = ", ".join(_active_ids(machine))
        if row._statemachine_signals.transitions == transitions:
            outcome = f"sent {timer.event!r}; no transition took it: the row stays in {states}"
        else:
            outcome = f"sent {timer.event!r}; the row is in {states}"
        return _finish(timer, Timer.FIRED, outcome, now)


def _finish(timer: Timer, status: str, outcome: str, now: datetime) -> dict[str, Any]:
    timer.status = status
    timer.outcome = outcome
    timer.finished_at = now
    timer.save(update_fields=["status", "outcome", "finished_at"])
    return _report(str(timer.key), status == timer.FIRED, status, outcome)


def _report(key: Any, fired: bool, status: str, outcome: str) -> dict[str, Any]:
    return {"timer": str(key), "fired": fired, "status": status, "outcome": outcome}
