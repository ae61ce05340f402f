"""Settings of the Django project the integration tests run against.

The ``default`` database is SQLite, or PostgreSQL with ``STATEMACHINE_TEST_DB=postgres`` (the
whole suite then runs on PostgreSQL; ``.ci/run`` runs it both ways). A ``postgres`` alias points
at PostgreSQL (127.0.0.1:5432, database ``test``, trust auth; override with
``STATEMACHINE_PG_*``, and name the test database with ``STATEMACHINE_PG_TEST_NAME``) when it
answers; tests that need it use ``databases=["postgres"]`` and skip when it is missing, unless
``STATEMACHINE_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) turns the skip into a failure.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# The seed's `campaign` app is a top-level package, as in the seed; so is the demo project's
# `publishing` app, whose models the examples of docs/django.md use; `fsm_blog`, whose models
# the examples of docs/coming-from-django-fsm.md use, is one too.
_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parents[1] / "contrib" / "django_demo")]

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["*"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "statemachine.contrib.django",
    "statemachine.contrib.django.audit",
    "statemachine.contrib.django.timers",
    "tests.django_project.shop",
    "fsm_blog",
    "campaign",
    "publishing",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tests.django_project.urls"

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

PG = {
    "host": os.environ.get("STATEMACHINE_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("STATEMACHINE_PG_PORT", "5432")),
    "name": os.environ.get("STATEMACHINE_PG_NAME", "test"),
    "user": os.environ.get("STATEMACHINE_PG_USER", "postgres"),
}


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


POSTGRES_AVAILABLE = _reachable(PG["host"], PG["port"])

POSTGRES = {
    "ENGINE": "django.db.backends.postgresql",
    "HOST": PG["host"],
    "PORT": PG["port"],
    "NAME": PG["name"],
    "USER": PG["user"],
    # Several checkouts on one machine can test at once, each with its own test database.
    "TEST": {"NAME": os.environ.get("STATEMACHINE_PG_TEST_NAME", "test_statemachine")},
}
TEST_DB = os.environ.get("STATEMACHINE_TEST_DB", "sqlite")

if TEST_DB == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    if POSTGRES_AVAILABLE:
        DATABASES["postgres"] = POSTGRES
elif TEST_DB == "postgres":
    if not POSTGRES_AVAILABLE:
        raise ImproperlyConfigured(
            f"STATEMACHINE_TEST_DB=postgres, but PostgreSQL is not reachable at "
            f"{PG['host']}:{PG['port']}. Start it, or unset STATEMACHINE_TEST_DB for SQLite."
        )
    # The `postgres` alias is the same test database (its tests run here too).
    DATABASES = {"default": POSTGRES, "postgres": {**POSTGRES, "TEST": {"MIRROR": "default"}}}
else:
    raise ImproperlyConfigured(
        f"STATEMACHINE_TEST_DB is {TEST_DB!r}; use 'sqlite' (the default) or 'postgres'."
    )

# Django's Tasks framework: built in from Django 6.0, else the `django-tasks` backport (an app).
# The durable timers' unit tests run on the dummy backend (it keeps what is enqueued); their
# worker tests on `django-tasks-db` (Django 5.2+), whose `db_worker` command runs them.
try:
    import django.tasks  # noqa: F401

    _TASKS_PACKAGE = "django.tasks"
except ImportError:
    _TASKS_PACKAGE = "django_tasks"
    INSTALLED_APPS.append("django_tasks")
TASKS: dict[str, dict[str, object]] = {
    "default": {"BACKEND": f"{_TASKS_PACKAGE}.backends.dummy.DummyBackend"},
    "immediate": {"BACKEND": f"{_TASKS_PACKAGE}.backends.immediate.ImmediateBackend"},
}
try:
    import django_tasks_db  # noqa: F401
except ImportError:  # Django < 5.2: the worker tests do not run
    pass
else:
    INSTALLED_APPS.append("django_tasks_db")
    TASKS["db"] = {"BACKEND": "django_tasks_db.DatabaseBackend"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test logins
STATIC_URL = "/static/"
