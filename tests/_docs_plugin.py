"""A pytest plugin (``-p tests._docs_plugin`` in pyproject.toml) for the documentation's
doctests.

* The examples of ``docs/django.md`` and ``docs/coming-from-django-fsm.md`` run against the
  test project's database, as if marked ``django_db``; those of ``docs/django-timers.md`` too,
  with real transactions.
* Exception notes: the library puts its fix-it hints in exception notes, which a traceback
  prints under the message. Recent doctests compare the message and the notes; older ones
  (Python 3.10, early 3.11) compare only the last line printed, which is then the last note
  (on 3.10 the ``exceptiongroup`` backport prints notes). There, doctest is shown the message
  and the notes as one piece, so the documented examples (``Error: message...``) check the
  same text on every version.

A plugin rather than ``docs/conftest.py``, whose module name would clash with
``tests/conftest.py``.
"""

from __future__ import annotations

import doctest
import inspect
import traceback
from typing import Any

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.name in ("django.md", "coming-from-django-fsm.md"):
            item.add_marker(pytest.mark.django_db)
        elif item.name == "django-timers.md":  # commits: the timers' tasks are enqueued then
            item.add_marker(pytest.mark.django_db(transaction=True))


class _ExceptionAsOneLine:
    """The ``traceback`` module as doctest uses it, except that ``format_exception_only``
    returns the message and the notes as a single item."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exception_only(*args: Any) -> list[str]:
        return ["".join(traceback.format_exception_only(*args))]


def _doctest_reads_the_last_line_only() -> bool:
    try:
        source = inspect.getsource(doctest.DocTestRunner)
    except (OSError, TypeError):  # pragma: no cover - no source shipped
        return False
    return "format_exception_only(*exception[:2])[-1]" in source


if _doctest_reads_the_last_line_only():  # pragma: no cover - depends on the Python version
    doctest.traceback = _ExceptionAsOneLine()  # type: ignore[assignment]
