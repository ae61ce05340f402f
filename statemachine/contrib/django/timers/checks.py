"""The system check of the timers app: a task backend that can run tasks later."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import _tasks_api
from ._scheduling import check_backend


def check_task_backend(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``statemachine_timers.E001``: no Tasks framework; ``E002``: the backend cannot defer."""
    if _tasks_api.task_backends is None:
        return [checks.Error(_tasks_api.MISSING, id="statemachine_timers.E001")]
    try:
        check_backend()
    except ImproperlyConfigured as exc:  # an unknown alias is one too
        return [checks.Error(str(exc), id="statemachine_timers.E002")]
    return []
