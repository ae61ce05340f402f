"""The Django demo (contrib/django_demo) runs end to end, twice, against a temporary database.

``python manage.py demo`` runs in a subprocess (the demo is its own Django project, with its
own settings), with ``DEMO_DB_PATH`` and ``--diagram`` pointing into ``tmp_path`` so nothing is
written into the checkout.
"""

from __future__ import annotations

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


def run_demo(tmp_path: Path, diagram: Path) -> str:
    env = {
        **os.environ,
        "DEMO_DB_PATH": str(tmp_path / "demo.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "demo_site.settings",  # not the test suite's settings
        "PYTHONIOENCODING": "utf-8",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "demo", "--diagram", str(diagram)],
        cwd=DEMO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    """Two runs on the same database: the demo resets its own sample data."""
    tmp_path = tmp_path_factory.mktemp("demo")
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

    def story(out: str) -> str:  # primary keys and times differ from run to run
        return re.sub(r"\d+", "#", out)

    assert "removed the previous run's articles" in second
    assert story(first) == story(second)
