"""Durable timers (``statemachine.contrib.django.timers``), on the dummy task backend (it keeps
what is enqueued) and a frozen clock: scheduling, validity, idempotency, cancelling."""

from __future__ import annotations

from datetime import timedelta

import django
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import override_settings

from statemachine.contrib.django import signals
from statemachine.contrib.django.audit.models import TransitionLog
from statemachine.contrib.django.timers import Timer
from statemachine.contrib.django.timers._tasks_api import task_backends
from statemachine.contrib.django.timers.checks import check_task_backend
from statemachine.contrib.django.timers.tasks import fire_timer
from statemachine.contrib.django.timers.testing import frozen_clock, run_due_timers
from tests.django_project.shop.models import AsyncJob, Invoice, Reservation

# Real transactions: the task is enqueued when the event's transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue():
    """The dummy backend's queue, emptied before and after each test."""
    backend = task_backends["default"]
    backend.clear()
    yield backend
    backend.clear()


@pytest.fixture
def clock():
    with frozen_clock() as frozen:
        yield frozen


def sent_invoice(**fields):
    invoice = Invoice.objects.create(**fields)
    invoice.statemachine.send_out()
    return invoice


def fresh(invoice):
    return Invoice.objects.get(pk=invoice.pk)


def test_a_delayed_send_writes_a_timer_and_enqueues_its_task_for_later(queue, clock):
    invoice = sent_invoice()
    assert invoice.statemachine.send("remind", delay=60_000, send_id="r1", note="first") is None
    timer = Timer.objects.get()
    assert (timer.event, timer.args, timer.kwargs, timer.send_id) == (
        "remind",
        [],
        {"note": "first"},
        "r1",
    )
    assert timer.states == ["sent"]
    assert timer.status == Timer.PENDING
    assert timer.due_at == clock.now() + timedelta(seconds=60)
    assert timer.content_object == invoice
    # The event did not run, and nothing waits in memory.
    assert fresh(invoice).reminders == 0
    [result] = queue.results
    assert result.task.func is fire_timer.func
    assert result.args == [str(timer.key), "default"]  # the key, and the timer's database
    assert result.task.run_after == timer.due_at
    assert Timer.objects.get().task_id == str(result.id)


def test_a_timer_fires_once_when_due_through_the_model_path(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.send("remind", delay=60_000, note="nudge")
    key = str(Timer.objects.get().key)
    received = []

    def receiver(**kwargs):
        received.append(kwargs["event"])

    signals.post_transition.connect(receiver)
    try:
        early = fire_timer.call(key)
        assert early["fired"] is False
        assert "not due until" in early["outcome"]
        assert fresh(invoice).reminders == 0
        clock.advance(seconds=60)
        report = fire_timer.call(key)
        assert report == {
            "timer": key,
            "fired": True,
            "status": "fired",
            "outcome": "sent 'remind'; the row is in sent",
        }
        # A second delivery of the same task (a worker that crashed before its ack).
        again = fire_timer.call(key)
        assert again["fired"] is False
        assert again["outcome"].startswith("not pending: already fired")
    finally:
        signals.post_transition.disconnect(receiver)
    row = fresh(invoice)
    assert (row.reminders, row.note) == (1, "nudge")  # saved by atomic saving
    assert received == ["remind"]
    assert TransitionLog.objects.for_object(row).filter(event="remind").count() == 1
    timer = Timer.objects.get()
    assert (timer.status, timer.finished_at) == (Timer.FIRED, clock.now())


def test_an_early_delivery_is_enqueued_again_for_the_due_time(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.send("remind", delay=5_000)
    timer = Timer.objects.get()
    fire_timer.call(str(timer.key))
    assert [r.task.run_after for r in queue.results] == [timer.due_at, timer.due_at]


def test_leaving_the_state_drops_the_timer_in_the_same_transaction(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.send("remind", delay=60_000)
    invoice.statemachine.pay()
    timer = Timer.objects.get()
    assert (timer.status, timer.outcome) == (Timer.DROPPED, "the row left sent")
    clock.advance(minutes=5)
    report = fire_timer.call(str(timer.key))
    assert report["fired"] is False
    assert fresh(invoice).state == "paid"


def test_an_internal_transition_does_not_leave_the_state(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.send("expire", delay=60_000)
    invoice.statemachine.remind()  # internal self-transition: `sent` is not exited
    assert Timer.objects.get().status == Timer.PENDING
    invoice.statemachine.resend()  # external self-transition: it is
    assert Timer.objects.get().status == Timer.DROPPED


def test_a_state_changed_behind_the_machines_back_makes_the_timer_stale(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.send("expire", delay=1_000)
    Invoice.objects.filter(pk=invoice.pk).update(state="paid")
    clock.advance(seconds=1)
    [report] = run_due_timers()
    assert report["fired"] is False
    assert report["outcome"] == "the row left sent"
    assert Timer.objects.get().status == Timer.DROPPED
    assert fresh(invoice).state == "paid"


def test_cancel_event_drops_the_timer_from_another_instance_of_the_row(queue, clock):
    sent_invoice().statemachine.send("expire", delay=1_000, send_id="expiry")
    other = Invoice.objects.get()  # as another process would load it
    other.statemachine.cancel_event("expiry")
    timer = Timer.objects.get()
    assert (timer.status, timer.outcome) == (
        Timer.DROPPED,
        "cancelled by cancel_event('expiry')",
    )
    clock.advance(seconds=5)
    assert run_due_timers() == []
    assert fresh(other).state == "sent"


def test_cancel_event_leaves_other_send_ids_and_other_rows_alone(queue, clock):
    first, second = sent_invoice(), sent_invoice()
    first.statemachine.send("expire", delay=1_000, send_id="expiry")
    first.statemachine.send("remind", delay=1_000, send_id="nudge")
    second.statemachine.send("expire", delay=1_000, send_id="expiry")
    first.statemachine.cancel_event("expiry")
    assert sorted(Timer.objects.pending().values_list("object_id", "send_id")) == sorted(
        [(str(first.pk), "nudge"), (str(second.pk), "expiry")]
    )


def test_a_timer_scheduled_by_a_callback_belongs_to_the_state_the_event_ends_in(queue, clock):
    invoice = Invoice.objects.create()
    invoice.statemachine.send_out(days=2)
    timer = Timer.objects.get()
    assert (timer.event, timer.send_id, timer.states) == ("expire", "expiry", ["sent"])
    assert timer.due_at == clock.now() + timedelta(days=2)
    clock.advance(days=2)
    [report] = run_due_timers()
    assert report["fired"] is True
    assert fresh(invoice).state == "expired"


def test_a_failed_event_leaves_no_timer_and_enqueues_nothing(queue, clock):
    invoice = sent_invoice()
    with pytest.raises(RuntimeError, match="payment provider"):
        invoice.statemachine.break_down()
    assert not Timer.objects.exists()
    assert queue.results == []
    assert fresh(invoice).state == "sent"


def test_a_rolled_back_transaction_leaves_no_timer_and_no_task(queue, clock):
    invoice = sent_invoice()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        invoice.statemachine.send("expire", delay=1_000)
        1 / 0
    assert not Timer.objects.exists()
    assert queue.results == []


def test_at_takes_a_datetime_or_a_timedelta(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.send("expire", at=clock.now() + timedelta(hours=48))
    invoice.statemachine.send("remind", at=timedelta(minutes=90))
    dues = sorted(Timer.objects.values_list("due_at", flat=True))
    assert dues == [clock.now() + timedelta(minutes=90), clock.now() + timedelta(hours=48)]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"at": "tomorrow"}, TypeError, "must be a datetime or a timedelta, not str"),
        ({"at": timedelta(1), "delay": 5}, TypeError, "got both delay=5 and at="),
        ({"delay": -1}, ValueError, "the delay cannot be negative"),
        ({"delay": float("nan")}, TypeError, "the delay must be a number of ms"),
        ({"when": object(), "delay": 5}, TypeError, "stores its arguments as JSON"),
        ({"by": "root", "delay": 5}, TypeError, "by= must be a saved User"),
    ],
)
def test_bad_timer_arguments_are_refused_before_anything_is_written(
    queue, clock, kwargs, error, message
):
    invoice = sent_invoice()
    with pytest.raises(error, match=message):
        invoice.statemachine.send("expire", **kwargs)
    assert not Timer.objects.exists()
    assert queue.results == []


def test_a_naive_datetime_is_refused(queue, clock):
    invoice = sent_invoice()
    with pytest.raises(ValueError, match="a naive datetime; give an aware one"):
        invoice.statemachine.send("expire", at=clock.now().replace(tzinfo=None))


def test_an_unsaved_row_cannot_have_a_timer(queue, clock):
    invoice = Invoice()
    with pytest.raises(ValueError, match=r"this row is not saved yet\. Save it first"):
        invoice.statemachine.send("expire", delay=1_000)


def test_the_immediate_backend_is_refused_with_what_to_configure(queue, clock):
    invoice = sent_invoice()
    with override_settings(STATEMACHINE_TIMERS_BACKEND="immediate"):
        with pytest.raises(ImproperlyConfigured, match="cannot run a task later") as caught:
            invoice.statemachine.send("expire", delay=1_000)
        [error] = check_task_backend()
    assert "django_tasks_db.DatabaseBackend" in str(caught.value)
    assert error.id == "statemachine_timers.E002"
    assert not Timer.objects.exists()
    assert fresh(invoice).state == "sent"  # not expired at once
    assert check_task_backend() == []  # the dummy backend can defer


def test_a_timer_runs_its_event_as_the_user_who_scheduled_it(queue, clock):
    clerk = User.objects.create_user("clerk")
    boss = User.objects.create_user("boss")
    boss.user_permissions.add(Permission.objects.get(codename="waive_invoice"))
    refused, allowed = sent_invoice(), sent_invoice()
    refused.statemachine.send("waive", delay=1_000, by=clerk)
    allowed.statemachine.send("waive", delay=1_000, by=boss)
    assert sorted(Timer.objects.values_list("run_as", flat=True)) == sorted(
        [str(clerk.pk), str(boss.pk)]
    )
    clock.advance(seconds=1)
    reports = {r["timer"]: r for r in run_due_timers()}
    by_row = {t.object_id: reports[str(t.key)] for t in Timer.objects.all()}
    assert by_row[str(refused.pk)]["status"] == "failed"
    assert "TransitionPermissionDenied" in by_row[str(refused.pk)]["outcome"]
    assert by_row[str(allowed.pk)]["status"] == "fired"
    assert (fresh(refused).state, fresh(allowed).state) == ("sent", "waived")
    log = TransitionLog.objects.for_object(allowed).get(event="waive")
    assert log.user == boss


def test_a_refused_event_is_recorded_as_failed_and_changes_nothing(queue, clock):
    invoice = Invoice.objects.create()  # draft: `remind` is not allowed there
    invoice.statemachine.send("remind", delay=1_000)
    clock.advance(seconds=1)
    [report] = run_due_timers()
    assert report["status"] == "failed"
    assert report["outcome"].startswith("TransitionNotAllowed: ")
    assert fresh(invoice).state == "draft"
    assert fresh(invoice).reminders == 0


def test_a_deleted_row_drops_its_timer(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.send("expire", delay=1_000)
    Invoice.objects.all().delete()
    clock.advance(seconds=1)
    [report] = run_due_timers()
    assert (report["status"], report["outcome"]) == ("dropped", "the row no longer exists")


def test_an_unknown_key_is_reported(queue):
    report = fire_timer.call("00000000-0000-0000-0000-000000000000")
    assert report["fired"] is False
    assert report["outcome"] == "no timer has this key (deleted since)"


# --- declared timeouts: `State(invoke=timeout(...))` -------------------------------------------


def test_a_new_row_gets_its_initial_states_timeout_when_it_is_saved(queue, clock):
    reservation = Reservation.objects.create()
    timer = Timer.objects.get()
    assert (timer.event, timer.states, timer.send_id) == ("release", ["held"], "timeout.held")
    assert timer.due_at == clock.now() + timedelta(hours=48)
    assert timer.content_object == reservation
    assert [r.task.run_after for r in queue.results] == [timer.due_at]
    # Loading the row and using its machine schedules nothing more.
    assert Reservation.objects.get().statemachine.held.is_active
    assert Timer.objects.count() == 1


def test_an_unsaved_row_keeps_no_timeout_in_memory_either(queue, clock):
    import threading

    before = threading.active_count()
    reservation = Reservation()
    assert reservation.statemachine.held.is_active
    assert not Timer.objects.exists()
    assert threading.active_count() == before
    reservation.save()
    assert Timer.objects.get().object_id == str(reservation.pk)


def test_the_timeout_fires_when_due(queue, clock):
    reservation = Reservation.objects.create()
    clock.advance(hours=47)
    assert run_due_timers() == []
    clock.advance(hours=1)
    [report] = run_due_timers()
    assert report["fired"] is True
    assert Reservation.objects.get(pk=reservation.pk).state == "released"


def test_leaving_the_state_cancels_its_timeout_in_the_same_transaction(queue, clock):
    reservation = Reservation.objects.create()
    reservation.statemachine.confirm()
    timer = Timer.objects.get()
    assert (timer.status, timer.outcome) == (Timer.DROPPED, "the row left held")
    clock.advance(hours=48)
    assert run_due_timers() == []
    assert Reservation.objects.get(pk=reservation.pk).state == "confirmed"


def test_a_rolled_back_exit_keeps_the_timeout_pending(queue, clock):
    reservation = Reservation.objects.create()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        reservation.statemachine.confirm()
        1 / 0
    assert Timer.objects.get().status == Timer.PENDING
    assert Reservation.objects.get(pk=reservation.pk).state == "held"


def test_entering_the_state_again_starts_a_new_timeout(queue, clock):
    reservation = Reservation.objects.create()
    clock.advance(hours=10)
    reservation.statemachine.pause()
    reservation.statemachine.resume()
    first, second = Timer.objects.order_by("id")
    assert first.status == Timer.DROPPED
    assert (second.status, second.due_at) == (Timer.PENDING, clock.now() + timedelta(hours=48))
    clock.advance(hours=40)
    assert run_due_timers() == []  # the first one would have been due by now
    clock.advance(hours=8)
    assert [r["fired"] for r in run_due_timers()] == [True]


def test_a_timeout_without_an_event_completes_the_invocation(queue, clock):
    reservation = Reservation.objects.create()
    reservation.statemachine.quote()
    timer = Timer.objects.get(status=Timer.PENDING)
    assert (timer.event, timer.states) == ("done.invoke.quoted", ["quoted"])
    clock.advance(seconds=30)
    [report] = run_due_timers()
    assert report["fired"] is True
    assert Reservation.objects.get(pk=reservation.pk).state == "released"


def test_cancel_event_cancels_a_timeout_by_its_send_id(queue, clock):
    reservation = Reservation.objects.create()
    reservation.statemachine.cancel_event("timeout.held")
    assert Timer.objects.get().status == Timer.DROPPED


def test_cancel_event_in_the_event_that_scheduled_drops_it_before_it_is_written(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.snooze()
    timer = Timer.objects.get()
    assert (timer.event, timer.send_id, timer.status) == ("remind", "nudge", Timer.PENDING)
    assert timer.due_at == clock.now() + timedelta(seconds=2)
    assert len(queue.results) == 1


def test_a_timer_whose_user_was_deleted_fails_and_says_so(queue, clock):
    clerk = User.objects.create_user("clerk")
    invoice = sent_invoice()
    invoice.statemachine.send("remind", delay=1_000, by=clerk)
    user_id = clerk.pk
    clerk.delete()
    clock.advance(seconds=1)
    [report] = run_due_timers()
    assert (report["status"], report["outcome"]) == (
        "failed",
        f"its user (id {user_id}) no longer exists",
    )
    assert fresh(invoice).reminders == 0


def test_a_timer_reads_as_its_row_event_due_time_and_status(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.send("remind", at=timedelta(hours=1))
    timer = Timer.objects.get()
    due = f"{timer.due_at:%Y-%m-%d %H:%M:%S}"
    assert str(timer) == f"invoice {invoice.pk}: remind at {due} (pending)"


def test_the_package_exposes_the_model_the_clock_and_fire():
    from statemachine.contrib.django import timers
    from statemachine.contrib.django.timers._clock import clock
    from statemachine.contrib.django.timers._scheduling import fire

    assert (timers.Timer, timers.clock, timers.fire) == (Timer, clock, fire)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        timers.nothing


def test_the_check_reports_a_backend_that_does_not_exist():
    with override_settings(STATEMACHINE_TIMERS_BACKEND="nowhere"):
        [error] = check_task_backend()
    assert error.id == "statemachine_timers.E002"
    assert "nowhere" in error.msg


@pytest.mark.skipif(django.VERSION < (5, 0), reason="async model machines need Django 5.0+")
def test_a_machine_on_the_asyncio_engine_refuses_durable_sends(queue, clock):
    job = AsyncJob.objects.create()
    with pytest.raises(NotImplementedError, match="not available yet on a machine that runs on"):
        job.statemachine.send("start", delay=1_000)
    assert not Timer.objects.exists()
    # A declared timeout stays in memory there (see the docs): nothing is written.
    from statemachine.contrib.django.timers._scheduling import schedule_timeout

    assert schedule_timeout(job, job.statemachine, "queued", 5, "start") is False


def test_without_the_tasks_framework_the_check_and_the_send_say_what_to_install(
    queue, clock, monkeypatch
):
    from statemachine.contrib.django.timers import _tasks_api

    invoice = sent_invoice()
    monkeypatch.setattr(_tasks_api, "task_backends", None)
    [error] = check_task_backend()
    assert error.id == "statemachine_timers.E001"
    assert "pip install django-tasks" in error.msg
    with pytest.raises(ImproperlyConfigured, match="need Django's Tasks framework"):
        invoice.statemachine.send("expire", delay=1_000)
    assert not Timer.objects.exists()


def test_a_model_can_opt_out_and_keep_its_delayed_events_in_memory(queue, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.django_project.shop.models import MemoryInvoice

    invoice = MemoryInvoice.objects.create()
    invoice.statemachine.send_out()
    invoice.statemachine.send("remind", delay=1, note="now")  # the sync engine waits 1 ms
    assert not Timer.objects.exists()
    assert MemoryInvoice.objects.get(pk=invoice.pk).reminders == 1
    with CaptureQueriesContext(connection) as queries:
        invoice.statemachine.pay()
    assert not any("statemachine_timers" in q["sql"] for q in queries.captured_queries)


def test_a_queue_the_backend_does_not_have_is_refused_when_scheduling(queue, clock):
    invoice = sent_invoice()
    with override_settings(STATEMACHINE_TIMERS_QUEUE="timers"):
        with pytest.raises(ImproperlyConfigured, match="add it to TASKS") as caught:
            invoice.statemachine.send("expire", delay=1_000)
        [error] = check_task_backend()
    assert "'timers' (STATEMACHINE_TIMERS_QUEUE) is not a queue" in str(caught.value)
    assert error.id == "statemachine_timers.E002"
    assert not Timer.objects.exists()


def test_the_worker_saves_the_state_of_a_model_without_atomic_saving(queue, clock):
    from tests.django_project.shop.models import LooseInvoice

    invoice = LooseInvoice.objects.create()
    invoice.statemachine.send_out()
    invoice.save()  # no atomic saving: the caller saves
    invoice.statemachine.send("pay", delay=1_000)
    clock.advance(seconds=1)
    [report] = run_due_timers()
    assert report["fired"] is True
    assert LooseInvoice.objects.get(pk=invoice.pk).state == "paid"


def test_at_without_durable_timers_is_refused_not_run_at_once(queue, clock):
    from tests.django_project.shop.models import MemoryInvoice

    invoice = MemoryInvoice.objects.create()
    invoice.statemachine.send_out()
    with pytest.raises(TypeError, match="`at` schedules a durable timer"):
        invoice.statemachine.send("pay", at=timedelta(hours=1))
    assert MemoryInvoice.objects.get(pk=invoice.pk).state == "sent"


def test_dict_keys_that_json_would_turn_into_strings_are_refused(queue, clock):
    invoice = sent_invoice()
    with pytest.raises(TypeError, match="the dict key 1 is not a str"):
        invoice.statemachine.send("remind", delay=1_000, note={"lines": {1: "one"}})
    assert not Timer.objects.exists()


def test_a_timeout_left_before_the_first_save_is_not_written(queue, clock):
    reservation = Reservation()
    reservation.statemachine.confirm()
    reservation.save()
    assert not Timer.objects.exists()


def test_an_event_no_transition_takes_is_recorded_as_such(queue, clock):
    reservation = Reservation.objects.create()
    reservation.statemachine.send("resume", delay=1_000)  # a StateChart ignores it in `held`
    clock.advance(seconds=1)
    reports = run_due_timers()
    assert [r["outcome"] for r in reports] == [
        "sent 'resume'; no transition took it: the row stays in held"
    ]


@pytest.mark.django_db(transaction=True, databases=["default", "postgres"])
def test_a_row_on_another_database_has_its_timer_there_and_its_task_knows_it(
    queue, clock, postgres
):
    invoice = Invoice.objects.using(postgres).create()
    invoice.statemachine.send_out()
    invoice.statemachine.send("expire", delay=1_000)
    if settings.TEST_DB == "sqlite":  # (else `postgres` mirrors the default database)
        assert not Timer.objects.exists()  # nothing on the default database
    timer = Timer.objects.using(postgres).get()
    [result] = queue.results
    assert result.args == [str(timer.key), postgres]
    clock.advance(seconds=1)
    report = fire_timer.call(*result.args)
    assert report["fired"] is True
    assert Invoice.objects.using(postgres).get(pk=invoice.pk).state == "expired"
