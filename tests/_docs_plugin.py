"""A pytest plugin (``-p tests._docs_plugin`` in pyproject.toml): the examples of
``docs/django.md`` run as doctests against the test project's database, as if marked
``django_db``. A plugin rather than ``docs/conftest.py``, whose module name would clash with
``tests/conftest.py``."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.name == "django.md":
            item.add_marker(pytest.mark.django_db)
