"""Settings of the publishing demo. Not for production: the secret key is public.

The SQLite database is ``db.sqlite3`` next to ``manage.py``; set ``DEMO_DB_PATH`` to use
another file (the demo's test points it at a temporary directory), and
``DEMO_ARCHIVE_AFTER_SECONDS`` to change how long an article stays published (default 3).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "demo-only-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Autodiscovers each app's statemachines.py; adds the graph_statemachines command.
    "statemachine.contrib.django",
    # The audit log: one TransitionLog row per transition.
    "statemachine.contrib.django.audit",
    # Durable timers: a published article is archived DEMO_ARCHIVE_AFTER_SECONDS later.
    "statemachine.contrib.django.timers",
    "publishing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demo_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEMO_DB_PATH") or str(BASE_DIR / "db.sqlite3"),
    }
}

STATIC_URL = "/static/"

# Django's Tasks framework runs the timers: built in from Django 6.0, the `django-tasks`
# backport (an app) before. The dummy backend accepts tasks to run later and keeps them in this
# process's memory, without running them: `python manage.py demo` fires the due timers itself
# (`statemachine_timers --run-due`), so it needs no worker. The README shows how to run them
# with a worker instead (django-tasks-db).
try:
    import django.tasks  # noqa: F401

    _TASKS_PACKAGE = "django.tasks"
except ImportError:
    _TASKS_PACKAGE = "django_tasks"
    INSTALLED_APPS.append("django_tasks")
TASKS = {"default": {"BACKEND": f"{_TASKS_PACKAGE}.backends.dummy.DummyBackend"}}

# How long a published article stays published before its timer archives it (seconds; a few
# in the demo, where a real site would wait days). The demo's test shortens it.
DEMO_ARCHIVE_AFTER_SECONDS = float(os.environ.get("DEMO_ARCHIVE_AFTER_SECONDS") or 3)
