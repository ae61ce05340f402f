"""Django's Tasks framework: ``django.tasks`` (Django 6.0+), else the ``django-tasks``
backport."""

from __future__ import annotations

from typing import Any

try:  # Django 6.0+
    from django.tasks import task, task_backends  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the Django version
    try:
        from django_tasks import task, task_backends  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        task = task_backends = None

__all__ = ["MISSING", "backend", "task", "task_backends"]

MISSING = (
    "The durable timers need Django's Tasks framework: Django 6.0 or newer, or the "
    "`django-tasks` backport (pip install django-tasks, and add 'django_tasks' to "
    "INSTALLED_APPS)."
)


def backend(alias: str) -> Any:
    """The task backend ``alias`` (``TASKS`` setting)."""
    if task_backends is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(MISSING)
    return task_backends[alias]
