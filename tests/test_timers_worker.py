"""Durable timers with real workers: ``manage.py db_worker`` processes of django-tasks-db fire
the timers of rows on PostgreSQL (two workers, and a worker restarted while a timer comes
due) and on SQLite (one worker).

Everything runs in subprocesses against the small project in tests/timers_worker, on a
database made for the test (a PostgreSQL database created and dropped here, or an SQLite file
in ``tmp_path``). Workers are started here and stopped by their pid.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings

pytest.importorskip("django_tasks_db", reason="django-tasks-db needs Django 5.2 or newer")

ROOT = Path(__file__).resolve().parent.parent


def _env(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.timers_worker.settings",
        "TIMERS_WORKER_DB": database,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def drive(database: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.timers_worker.driver", *args],
        cwd=ROOT,
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


class Workers:
    """``db_worker`` processes of one database, stopped by pid at the end."""

    def __init__(self, database: str, log_dir: Path) -> None:
        self.database = database
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "django",
                "db_worker",
                "--interval",
                "0.1",
                "--no-startup-delay",
                "--worker-id",
                name,
            ],
            cwd=ROOT,
            env=_env(self.database),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.stop(process)

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("*.log")))


def wait_for(database: str, condition, timeout: float = 40.0) -> dict:
    """Poll the report until ``condition(report)`` holds; the last report either way."""
    deadline = time.monotonic() + timeout
    while True:
        report = drive(database, "report")
        if condition(report) or time.monotonic() > deadline:
            return report
        time.sleep(0.3)


def all_done(report: dict) -> bool:
    return not report["timers"].get("pending") and not (
        report["tasks"].get("READY") or report["tasks"].get("RUNNING")
    )


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped at the end."""
    if not settings.POSTGRES_AVAILABLE:
        message = "PostgreSQL is not reachable; start it (see tests/django_project/settings.py)."
        if os.environ.get("STATEMACHINE_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    import psycopg

    name = f"test_sm_timers_{uuid.uuid4().hex[:8]}"
    pg = settings.PG
    with psycopg.connect(
        host=pg["host"], port=pg["port"], user=pg["user"], dbname=pg["name"], autocommit=True
    ) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres:{name}"
    finally:
        with psycopg.connect(
            host=pg["host"], port=pg["port"], user=pg["user"], dbname=pg["name"], autocommit=True
        ) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Workers]]:
    made: list[Workers] = []
    yield made
    for group in made:
        group.stop_all()


def test_two_workers_fire_200_timers_due_the_same_second_exactly_once(
    postgres_database, workers, tmp_path
):
    database = postgres_database
    drive(database, "setup")
    scheduled = drive(database, "schedule", "200", "4")
    duplicated = drive(database, "duplicate", "20")  # redeliveries of 20 of them
    group = Workers(database, tmp_path)
    workers.append(group)
    group.start("w1")
    group.start("w2")
    report = wait_for(database, all_done)
    assert all_done(report), (report, group.logs())
    assert report["timers"] == {"fired": 200}
    assert report["orders"] == {"total": 200, "fired": 200, "most": 1}  # none twice
    assert report["expired"] == 200
    assert report["tasks"] == {"SUCCESSFUL": 220}
    assert report["fired_reports"] == 200
    assert report["not_pending_reports"] == duplicated["duplicated"] == 20
    assert report["workers"] == ["w1", "w2"]
    due = datetime.fromisoformat(scheduled["due"])
    assert datetime.fromisoformat(report["first_fired"]) >= due  # never early
    fired_in = (
        datetime.fromisoformat(report["last_fired"]) - datetime.fromisoformat(report["first_fired"])
    ).total_seconds()
    print(
        f"\nscheduled 200 timers in {scheduled['seconds']:.2f} s "
        f"({200 / scheduled['seconds']:.0f}/s); two workers fired them in {fired_in:.2f} s "
        f"({200 / max(fired_in, 0.001):.0f}/s); duplicates fired 0, lost 0"
    )


def test_a_timer_due_while_the_worker_restarts_fires_once_after(
    postgres_database, workers, tmp_path
):
    database = postgres_database
    drive(database, "setup")
    group = Workers(database, tmp_path)
    workers.append(group)
    first = group.start("before")
    drive(database, "schedule", "3", "2")
    group.stop(first)  # the test stops its worker by pid before the timers are due
    assert first.returncode is not None
    time.sleep(3.5)  # they come due while no worker runs
    assert drive(database, "report")["timers"] == {"pending": 3}
    group.start("after")
    report = wait_for(database, all_done)
    assert report["timers"] == {"fired": 3}, group.logs()
    assert report["orders"] == {"total": 3, "fired": 3, "most": 1}
    assert report["workers"] == ["after"]


def test_one_worker_on_sqlite(workers, tmp_path):
    database = f"sqlite:{tmp_path / 'timers.sqlite3'}"
    drive(database, "setup")
    drive(database, "schedule", "30", "2")
    drive(database, "duplicate", "5")
    group = Workers(database, tmp_path)
    workers.append(group)
    group.start("solo")
    report = wait_for(database, all_done)
    assert report["timers"] == {"fired": 30}, group.logs()
    assert report["orders"] == {"total": 30, "fired": 30, "most": 1}
    assert report["not_pending_reports"] == 5
