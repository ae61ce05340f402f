"""The clock the timers read: ``timezone.now()``, replaceable in tests (see ``testing``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

__all__ = ["clock"]


class _Clock:
    """``clock.now()``: the current time, aware. Tests freeze and advance it."""

    def now(self) -> datetime:
        now: datetime = timezone.now()
        return now


clock = _Clock()
