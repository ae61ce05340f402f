"""``manage.py statemachine_timers``: list the durable timers, enqueue them again, or fire the
due ones in this process.

Usage::

    manage.py statemachine_timers [--status STATUS ...] [--model app_label.Model ...]
                                  [--due-before DATETIME] [--enqueue | --run-due]

Without an action it lists the timers the filters select, one line each (key, model, object
id, event, due time, status, outcome), oldest due first, then how many there are. The
filters: ``--status`` (pending, fired, failed, dropped or all; repeatable; default pending),
``--model app_label.Model`` (repeatable; a proxy model selects its concrete model's rows, as
timers are stored) and ``--due-before`` (an ISO 8601 date or datetime; without an offset it is
in the current time zone).

``--enqueue`` enqueues the task of every selected pending timer again, for timers whose task
was never enqueued (the process died between the commit and the enqueue, or the task backend
was down). It is safe to run at any time: a timer fires at most once, whichever of its tasks
runs first, and the others find it no longer pending and do nothing.

``--run-due`` fires, in this process, every selected pending timer that is due by the timers'
clock, oldest due first, as the worker would (a development server without a worker, a
backend that lost its tasks), and prints what each did.

A bad ``--model``, ``--due-before`` or ``--status`` raises
:class:`~django.core.management.base.CommandError` naming the value and what is expected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from statemachine.contrib.django.mixins import StateMachineModelMixin
from statemachine.contrib.django.timers._clock import clock
from statemachine.contrib.django.timers._scheduling import check_backend, enqueue, fire
from statemachine.contrib.django.timers.models import Timer

__all__ = ["Command"]

STATUSES = [status for status, _ in Timer.STATUSES]
_COLUMNS = ("KEY", "MODEL", "OBJECT", "EVENT", "DUE", "STATUS", "OUTCOME")


class Command(BaseCommand):
    help = (
        "List the durable timers of state machine rows (pending ones by default, oldest due "
        "first), enqueue the pending ones again (--enqueue), or fire the due ones in this "
        "process (--run-due)."
    )
    # A listing must work when the timers' task backend is misconfigured (that is when one
    # looks at stuck timers): --enqueue checks the backend itself.
    requires_system_checks: Sequence[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--status",
            action="append",
            choices=[*STATUSES, "all"],
            help="only timers in this status (repeatable; 'all' for every status). "
            "Default: pending.",
        )
        parser.add_argument(
            "--model",
            action="append",
            metavar="app_label.Model",
            help="only the timers of this model's rows (repeatable).",
        )
        parser.add_argument(
            "--due-before",
            metavar="DATETIME",
            help="only timers due before this ISO 8601 date or datetime, such as 2026-12-24 "
            "or 2026-12-24T18:00:00+01:00 (without an offset: the current time zone).",
        )
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue the task of every selected pending timer again, for timers whose "
            "task was never enqueued (enqueueing failed after the commit). Safe to run at any "
            "time: firing is idempotent, so a timer fires at most once however many of its "
            "tasks run; the others find it no longer pending and do nothing.",
        )
        action.add_argument(
            "--run-due",
            action="store_true",
            help="fire in this process, oldest due first, every selected pending timer that "
            "is due, as the worker would, and print each outcome.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        statuses: list[str] = options["status"] or [Timer.PENDING]
        acting = "--enqueue" if options["enqueue"] else "--run-due" if options["run_due"] else ""
        if acting and statuses != [Timer.PENDING]:
            raise CommandError(
                f"{acting} acts on pending timers only, and --status asks for "
                f"{', '.join(statuses)}. Leave out --status."
            )
        timers = Timer.objects.select_related("content_type").order_by("due_at", "id")
        if "all" not in statuses:
            timers = timers.filter(status__in=statuses)
        where = [f"status {' or '.join(statuses)}"]
        if options["model"]:
            query = Q()
            for label in options["model"]:
                model = _model(label)._meta.concrete_model._meta
                query |= Q(
                    content_type__app_label=model.app_label, content_type__model=model.model_name
                )
            timers = timers.filter(query)
            where.append(f"model {' or '.join(options['model'])}")
        if options["due_before"] is not None:
            before = _moment(options["due_before"])
            timers = timers.filter(due_at__lt=before)
            where.append(f"due before {_shown(before)}")
        if options["enqueue"]:
            self.enqueue(list(timers))
        elif options["run_due"]:
            self.run_due(timers)
        else:
            self.show(list(timers), "; ".join(where))

    # --- actions ------------------------------------------------------------------------------
    def show(self, timers: list[Timer], where: str) -> None:
        """One line per timer, then how many."""
        if not timers:
            self.stdout.write(f"No timers match ({where}).")
            return
        rows = [_COLUMNS] + [
            (
                str(t.key),
                _label(t),
                t.object_id,
                t.event,
                _shown(t.due_at),
                t.status,
                " ".join(t.outcome.split()) or "-",
            )
            for t in timers
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
            self.stdout.write("  ".join([*cells, row[-1]]))
        self.stdout.write(f"{_count(len(timers))} ({where}).")

    def enqueue(self, timers: list[Timer]) -> None:
        """Enqueue the task of each (pending) timer again."""
        try:
            check_backend()
        except ImproperlyConfigured as exc:
            raise CommandError(f"Nothing was enqueued: {exc}") from None
        for timer in timers:
            enqueue(timer)
            self.stdout.write(
                f"enqueued {timer.key} {_label(timer)} {timer.object_id} {timer.event} "
                f"due {_shown(timer.due_at)} as task {timer.task_id}"
            )
        self.stdout.write(
            f"Enqueued {_count(len(timers), 'pending timer')} again; each fires at most once, "
            "however many of its tasks run."
        )

    def run_due(self, timers: Any) -> None:
        """Fire each due (pending) timer here, printing what it did."""
        now = clock.now()
        due = list(timers.filter(due_at__lte=now))
        if not due:
            self.stdout.write(f"No pending timer is due (now: {_shown(now)}).")
            return
        outcomes: Counter[str] = Counter()
        for timer in due:
            report = fire(str(timer.key))
            status = report["status"] or "gone"
            outcomes[status] += 1
            self.stdout.write(
                f"{status} {timer.key} {_label(timer)} {timer.object_id} {timer.event}: "
                f"{report['outcome']}"
            )
        summary = ", ".join(f"{n} {status}" for status, n in outcomes.items())
        self.stdout.write(f"Ran {_count(len(due), 'due timer')}: {summary}.")


def _model(label: str) -> Any:
    """The model ``app_label.Model`` names, which must use StateMachineModelMixin."""
    app_label, dot, name = label.partition(".")
    if not (app_label and dot and name) or "." in name:
        raise CommandError(
            f"--model {label!r}: expected app_label.Model, a model with a state machine "
            f"({_machine_models()})."
        )
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        raise CommandError(
            f"--model {label!r}: there is no installed app {app_label!r}; expected "
            f"app_label.Model, a model with a state machine ({_machine_models()})."
        ) from None
    try:
        model = config.get_model(name)
    except LookupError:
        raise CommandError(
            f"--model {label!r}: app {app_label!r} has no model {name!r}; expected "
            f"app_label.Model, a model with a state machine ({_machine_models()})."
        ) from None
    if not issubclass(model, StateMachineModelMixin):
        raise CommandError(
            f"--model {label!r}: {model._meta.label} has no state machine (it does not use "
            f"StateMachineModelMixin), so it has no timers. Models with one: {_machine_models()}."
        )
    return model


def _machine_models() -> str:
    """The installed models with a state machine (proxies left out), for error messages."""
    labels = sorted(
        m._meta.label
        for m in apps.get_models()
        if issubclass(m, StateMachineModelMixin) and not m._meta.proxy
    )
    return ", ".join(labels) or "none is installed"


def _moment(value: str) -> datetime:
    """``--due-before``: an ISO 8601 date (its midnight) or datetime, aware with USE_TZ."""
    moment: datetime | None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time.min) if day is not None else None
    except ValueError:  # well formed, but no such date or time (2026-02-30)
        moment = None
    if moment is None:
        raise CommandError(
            f"--due-before {value!r}: not an ISO 8601 date or datetime; give one such as "
            "2026-12-24, 2026-12-24T18:00 or 2026-12-24T18:00:00+01:00."
        )
    converted: datetime = moment
    if settings.USE_TZ and timezone.is_naive(moment):
        converted = timezone.make_aware(moment)
    elif not settings.USE_TZ and timezone.is_aware(moment):
        converted = timezone.make_naive(moment)
    return converted


def _label(timer: Timer) -> str:
    model = timer.content_type.model_class()
    if model is None:  # a model removed since
        return f"{timer.content_type.app_label}.{timer.content_type.model}"
    return str(model._meta.label)


def _shown(moment: datetime) -> str:
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.isoformat(timespec="seconds")


def _count(n: int, noun: str = "timer") -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
