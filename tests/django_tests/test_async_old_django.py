"""On Django releases before 5.0 (no ``Signal.asend``), a model whose machine has coroutine
callbacks is refused when it is created, with a message that says what to do."""

from __future__ import annotations

import django
import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.django_project.shop.models import AsyncJob

pytestmark = pytest.mark.skipif(
    django.VERSION >= (5, 0), reason="Django 5.0+ supports async model machines (test_async.py)"
)


def test_async_machines_need_django_5_on_older_ones():
    with pytest.raises(ImproperlyConfigured, match=r"need Django 5\.0 or newer"):
        AsyncJob(name="report")
