"""Helpers for tests of code that uses durable timers: a clock you move by hand, and a way to
fire the timers that are due without a worker.

>>> from datetime import timedelta
>>> from statemachine.contrib.django.timers.testing import frozen_clock
>>> with frozen_clock() as clock:
...     start = clock.now()
...     _ = clock.advance(hours=48)
...     clock.now() - start == timedelta(hours=48)
True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ._clock import clock as _clock

__all__ = ["FrozenClock", "frozen_clock", "run_due_timers"]


class FrozenClock:
    """A clock that stands still until :meth:`advance` moves it."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` (``seconds=``, ``hours=``...); returns the
        new time."""
        self.current += timedelta(**delta)
        return self.current


@contextmanager
def frozen_clock(start: datetime | None = None) -> Iterator[FrozenClock]:
    """Within the block, the timers read the time from a :class:`FrozenClock` (starting at
    ``start``, default now)."""
    frozen = FrozenClock(start or timezone.now())
    _clock.now = frozen.now  # type: ignore[method-assign]
    try:
        yield frozen
    finally:
        del _clock.now  # back to the class's method


def run_due_timers() -> list[dict[str, Any]]:
    """Fire, in this process, every pending timer due by the timers' clock (oldest due
    first), as the worker would; returns what each did."""
    from ._scheduling import fire
    from .models import Timer

    keys = Timer.objects.pending().filter(due_at__lte=_clock.now()).values_list("key", flat=True)
    return [fire(str(key)) for key in list(keys)]
