"""The Django demo (contrib/django_demo) runs end to end, twice, against a temporary database.

``python manage.py demo`` runs in a subprocess (the demo is its own Django project, with its
own settings), with ``DEMO_DB_PATH`` and ``--diagram`` pointing into ``tmp_path`` so nothing is
written into the checkout, and articles archived by their timer one second after publication
(``DEMO_ARCHIVE_AFTER_SECONDS``). The admin pages are then read from the demo's database by the
test client, in another subprocess with the demo's settings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = next(
    parent / "contrib" / "django_demo"
    for parent in Path(__file__).resolve().parents
    if (parent / "contrib" / "django_demo" / "manage.py").exists()
)


def demo_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEMO_DB_PATH": str(tmp_path / "demo.sqlite3"),
        "DEMO_ARCHIVE_AFTER_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "demo_site.settings",  # not the test suite's settings
        "PYTHONIOENCODING": "utf-8",
    }


def run_in_demo(tmp_path: Path, *args: str) -> str:
    """``python ARGS`` in the demo's folder, with its settings; its output (it must succeed)."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=DEMO,
        env=demo_env(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run_demo(tmp_path: Path, diagram: Path) -> str:
    return run_in_demo(tmp_path, "manage.py", "demo", "--diagram", str(diagram))


@pytest.fixture(scope="module")
def demo_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def runs(demo_tmp: Path) -> tuple[str, str, Path]:
    """Two runs on the same database: the demo resets its own sample data."""
    tmp_path = demo_tmp
    diagram = tmp_path / "out" / "article.svg"
    first = run_demo(tmp_path, diagram)
    diagram.unlink()
    second = run_demo(tmp_path, diagram)
    return first, second, diagram


def test_prints_each_transition_with_who_sent_it(runs):
    first, _, _ = runs
    for line in [
        "'State machines in Django': submit: draft -> in_review (by alice)",
        "'State machines in Django': publish: in_review -> published (by erin)",
        "'State machines in Django': archive: published -> archived (by alice)",
        "'Untitled thoughts': reject: in_review -> rejected (by erin)",
        "'Untitled thoughts': revise: rejected -> draft (by alice)",
    ]:
        assert line in first


def test_shows_the_refusals_and_their_reasons(runs):
    first, _, _ = runs
    assert "why not submit? 'submit' from 'draft' to 'in_review': is_complete is false." in first
    assert "submit refused:" in first
    assert "why not publish (alice)? alice lacks the permission 'publishing.publish_article'." in (
        first
    )
    assert "publish refused: alice may not send 'publish'" in first
    assert "refused: the field is protected" in first


def test_prints_the_audit_log(runs):
    first, _, _ = runs
    assert "== Audit log (TransitionLog)" in first
    assert "Needs a conclusion" in first  # the description= of the rejection


def test_writes_the_diagram_and_prints_its_path(runs):
    first, second, diagram = runs
    assert f"wrote {diagram}" in first
    assert f"wrote {diagram}" in second
    svg = diagram.read_text(encoding="utf-8")
    assert "<svg" in svg
    for state in ["Draft", "In review", "Published", "Rejected", "Archived"]:
        assert state in svg


def test_a_second_run_gives_the_same_story(runs):
    """Idempotent: the second run replaces the sample data instead of failing on it."""
    first, second, _ = runs

    def story(out: str) -> str:  # keys, primary keys and times differ from run to run
        out = re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "<key>", out)
        return re.sub(r" +", " ", re.sub(r"\d+", "#", out))

    assert "removed the previous run's articles" in second
    assert story(first) == story(second)


# --- the durable timer: a published article is archived by itself -------------------------------
def test_publishing_schedules_a_timer_that_archives_the_article(runs):
    first, _, _ = runs
    story = first.partition("== Archived by itself: a durable timer")[2].partition("\n== ")[0]
    pending, _, fired = story.partition("waiting ")
    # Scheduled: the listing of the pending timers shows it.
    [listed] = [line.split() for line in pending.splitlines() if re.match(r" +[0-9a-f]{8}-", line)]
    assert listed[1] == "publishing.Article"
    assert (listed[3], listed[5], listed[6]) == ("archive", "pending", "-")
    # Fired: by `statemachine_timers --run-due`, through the model's path (the receiver).
    assert "'Timers in Django': archive: published -> archived (by nobody)" in fired
    assert re.search(
        r"fired [0-9a-f-]{36} publishing\.Article \d+ archive: "
        r"sent 'archive'; the row is in archived",
        fired,
    )
    assert "stored state: 'archived'" in fired
    # The first article was archived by alice before its timer was due: dropped.
    assert re.search(r"archive +\S+ +dropped +the row left published", fired)
    assert "archive: published -> archived by nobody" in first.partition("== Audit log")[2]


ADMIN_PAGES = """
import json

import django

django.setup()

from django.test import Client
from django.urls import reverse

from publishing.models import Article

pages = {}
for user in ("admin", "alice"):
    client = Client(HTTP_HOST="localhost")
    assert client.login(username=user, password=user)
    for article in Article.objects.all():
        url = reverse("admin:publishing_article_change", args=[article.pk])
        response = client.get(url)
        pages[f"{user}: {article.title}"] = [response.status_code, response.content.decode()]
    response = client.get(reverse("admin:statemachine_timers_timer_changelist"))
    pages[f"{user}: timers"] = [response.status_code, response.content.decode()]
print(json.dumps(pages))
"""


@pytest.fixture(scope="module")
def admin_pages(runs, demo_tmp: Path) -> dict[str, str]:
    """{"<user>: <article title>" or "<user>: timers": HTML} of the demo's admin, after the
    demo ran."""
    pages = json.loads(run_in_demo(demo_tmp, "-c", ADMIN_PAGES))
    assert {status for status, _ in pages.values()} == {200}
    return {name: html for name, (_, html) in pages.items()}


def timer_rows(html: str, name: str) -> list[str]:
    """A column of the timers inline of a change page, top to bottom."""
    inline = html.partition('id="statemachine_timers-timer-content_type-object_id-group"')[2]
    assert inline, "no timers inline on the page"
    return re.findall(rf'<td class="field-{name}">\s*<p>(.*?)</p>', inline, re.S)


def test_the_article_admin_shows_its_timers(admin_pages):
    page = admin_pages["admin: Timers in Django"]
    assert timer_rows(page, "event") == ["archive"]
    assert timer_rows(page, "status") == ["Fired"]
    assert timer_rows(page, "outcome") == ["sent &#x27;archive&#x27;; the row is in archived"]
    first = admin_pages["admin: State machines in Django"]
    assert timer_rows(first, "status") == ["Dropped"]
    assert timer_rows(first, "outcome") == ["the row left published"]
    # Never published: no timer.
    assert timer_rows(admin_pages["admin: Untitled thoughts"], "event") == []
    # Authors see them too (the demo gives them statemachine_timers.view_timer).
    assert timer_rows(admin_pages["alice: Timers in Django"], "status") == ["Fired"]


def test_the_timer_admin_lists_the_demos_timers(admin_pages):
    changelist = admin_pages["admin: timers"]
    assert "2 timers" in changelist
    assert "the row left published" in changelist
    assert "Timers in Django" not in changelist  # rows are named by model and pk, not loaded
    assert re.search(r'<a href="/admin/publishing/article/\d+/change/">', changelist)
