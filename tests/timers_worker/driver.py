"""The worker tests' driver: ``python -m tests.timers_worker.driver COMMAND [ARGS]``, with
``DJANGO_SETTINGS_MODULE=tests.timers_worker.settings``; prints one JSON object.

- ``setup``: create the tables.
- ``schedule N SECONDS``: create N orders; each schedules ``expire`` at the same instant,
  SECONDS from now (rounded up to a whole second).
- ``duplicate K``: enqueue the task of K pending timers once more (a redelivery).
- ``report``: what the timers, the orders and the tasks look like now.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta

import django


def main(argv: list[str]) -> dict[str, object]:
    django.setup()
    from django.core.management import call_command
    from django.db.models import Count, Max, Min, Sum
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from statemachine.contrib.django.timers import Timer
    from statemachine.contrib.django.timers._scheduling import enqueue
    from tests.timers_worker.orders.models import Order

    command = argv[0]
    if command == "setup":
        call_command("migrate", run_syncdb=True, verbosity=0)
        return {"ok": True}
    if command == "schedule":
        count, seconds = int(argv[1]), float(argv[2])
        due = (timezone.now() + timedelta(seconds=seconds)).replace(microsecond=0)
        due += timedelta(seconds=1)
        started = time.perf_counter()
        for _ in range(count):
            order = Order.objects.create()
            order.statemachine.send("expire", at=due)
        elapsed = time.perf_counter() - started
        return {"scheduled": count, "seconds": elapsed, "due": due.isoformat()}
    if command == "duplicate":
        timers = list(Timer.objects.pending()[: int(argv[1])])
        for timer in timers:
            enqueue(timer)
        return {"duplicated": len(timers)}
    if command == "report":
        timers = dict(Timer.objects.values_list("status").annotate(n=Count("id")))
        fired = Timer.objects.filter(status=Timer.FIRED).aggregate(
            first=Min("finished_at"), last=Max("finished_at")
        )
        tasks = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")))
        workers = sorted(
            {w for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for w in ids}
        )
        returned = [r for r in DBTaskResult.objects.values_list("return_value", flat=True) if r]
        orders = Order.objects.aggregate(
            total=Count("id"), fired=Sum("firings"), most=Max("firings")
        )
        return {
            "timers": timers,
            "orders": orders,
            "expired": Order.objects.filter(state="expired").count(),
            "tasks": tasks,
            "workers": workers,
            "fired_reports": sum(1 for r in returned if r.get("fired")),
            "not_pending_reports": sum(
                1 for r in returned if str(r.get("outcome", "")).startswith("not pending")
            ),
            "first_fired": fired["first"].isoformat() if fired["first"] else None,
            "last_fired": fired["last"].isoformat() if fired["last"] else None,
        }
    raise SystemExit(f"unknown command {command!r}; see the module docstring")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
