"""Durable timers: delayed events of model machines, kept in the database and fired by
Django's Tasks framework (``django.tasks``, or the ``django-tasks`` backport).

Add ``"statemachine.contrib.django.timers"`` to ``INSTALLED_APPS`` (and a task backend that can
run tasks later, such as ``django_tasks_db.DatabaseBackend``). Then, on a model with
:class:`~statemachine.contrib.django.StateMachineModelMixin`, ``obj.statemachine.send("expire",
delay=ms)`` or ``send("expire", at=datetime_or_timedelta)`` writes a :class:`Timer` row and
enqueues a task that sends the event when it is due, through the model's normal path. See
``docs/django-timers.md``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Timer", "clock", "fire"]


def __getattr__(name: str) -> Any:
    # The model is imported on use: this package is imported while apps load.
    if name == "Timer":
        from .models import Timer

        return Timer
    if name == "clock":
        from ._clock import clock

        return clock
    if name == "fire":
        from ._scheduling import fire

        return fire
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
