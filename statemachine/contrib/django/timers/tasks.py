"""The task that fires a durable timer (``fire_timer``, enqueued with ``run_after``)."""

from __future__ import annotations

from typing import Any

from ._scheduling import fire
from ._tasks_api import MISSING, task

__all__ = ["fire_timer"]

if task is None:  # pragma: no cover - depends on the installed packages
    raise ImportError(MISSING)


@task()
def fire_timer(key: str, database: str | None = None) -> dict[str, Any]:
    """Fire the timer with idempotency key ``key`` (written to ``database``), if it is still
    pending, due and valid; returns what happened (a second delivery says the timer is no
    longer pending)."""
    return fire(key, database)
