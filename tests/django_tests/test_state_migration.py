"""The data migration of docs/django.md ("Renaming or removing a state"), applied as written
on SQLite and on PostgreSQL: rows holding the values of renamed or removed states end up in
states of the machine, and every other row is left alone.

The migration's code is read from the documentation itself, so the page cannot drift from
what is tested.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from publishing.models import Article

DOCS = Path(__file__).resolve().parents[2] / "docs" / "django.md"
FIRST_LINE = "# publishing/migrations/0002_renamed_states.py"


def documented_migration() -> ModuleType:
    """The module of the documented migration (the fenced block that starts with its path)."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    (source,) = [b for b in blocks if b.startswith(FIRST_LINE)]
    module = ModuleType("publishing.migrations.0002_renamed_states")
    exec(compile(source, str(DOCS), "exec"), module.__dict__)
    return module


def test_the_documentation_has_the_migration():
    module = documented_migration()
    assert module.RENAMED == {"pending": "in_review", "spam": "rejected"}
    assert module.Migration.dependencies == [("publishing", "0001_initial")]


@pytest.fixture(params=["default", "postgres"])
def alias(request):
    if request.param == "postgres":
        return request.getfixturevalue("postgres")  # skips (or fails in CI) without it
    return request.param


@pytest.mark.django_db(transaction=True, databases=["default", "postgres"])
def test_the_documented_migration_maps_old_values_to_states(alias):
    articles = Article.objects.using(alias)
    rows = {}
    for old in ("pending", "spam", "draft", "published", "pending"):
        article = articles.create(title=old, body="...")
        articles.filter(pk=article.pk).update(state=old)
        rows[article.pk] = old
    assert sum(a.statemachine_state_error() is not None for a in articles.all()) == 3

    module = documented_migration()
    migration = module.Migration("0002_renamed_states", "publishing")
    connection = connections[alias]
    state = MigrationLoader(connection).project_state(("publishing", "0001_initial"))
    with connection.schema_editor() as editor:
        migration.apply(state, editor)

    expected = {"pending": "in_review", "spam": "rejected"}  # others keep their state
    assert dict(articles.values_list("pk", "state")) == {
        pk: expected.get(old, old) for pk, old in rows.items()
    }
    for article in articles.all():  # every row's machine works again
        assert article.statemachine_state_error() is None
        assert article.statemachine.configuration_values == {article.state}
