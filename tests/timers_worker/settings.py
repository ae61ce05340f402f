"""Settings of the worker tests' project (see the package docstring)."""

from __future__ import annotations

import os

SECRET_KEY = "timers-worker-tests-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "statemachine.contrib.django",
    "statemachine.contrib.django.timers",
    "django_tasks_db",
    "tests.timers_worker.orders",
]
try:
    import django.tasks  # noqa: F401
except ImportError:  # the backport, before Django 6.0
    INSTALLED_APPS.append("django_tasks")

_kind, _, _where = os.environ["TIMERS_WORKER_DB"].partition(":")
if _kind == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("STATEMACHINE_PG_HOST", "127.0.0.1"),
            "PORT": int(os.environ.get("STATEMACHINE_PG_PORT", "5432")),
            "USER": os.environ.get("STATEMACHINE_PG_USER", "postgres"),
            "NAME": _where,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _where,
            # A worker and the driver write the same file: wait for the lock, not fail.
            "OPTIONS": {"timeout": 20},
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
