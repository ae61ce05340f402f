"""Fixtures of the Django integration tests (run against ``tests/django_project``)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings


@pytest.fixture
def postgres():
    """The ``postgres`` database alias; skips when PostgreSQL is not reachable, unless
    ``STATEMACHINE_REQUIRE_POSTGRES=1`` (CI), where that is a failure."""
    if not settings.POSTGRES_AVAILABLE:
        message = (
            f"PostgreSQL is not reachable at {settings.PG['host']}:{settings.PG['port']}; "
            "start it, or unset STATEMACHINE_REQUIRE_POSTGRES to skip these tests."
        )
        if os.environ.get("STATEMACHINE_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return "postgres"
