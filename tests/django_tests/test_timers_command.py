"""``manage.py statemachine_timers``: the listing and its filters, ``--enqueue`` (on the dummy
task backend, which keeps what is enqueued), ``--run-due`` and the errors."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone as django_timezone

from statemachine.contrib.django.timers import Timer
from statemachine.contrib.django.timers._tasks_api import task_backends
from statemachine.contrib.django.timers.management.commands.statemachine_timers import Command
from statemachine.contrib.django.timers.tasks import fire_timer
from statemachine.contrib.django.timers.testing import frozen_clock
from tests.django_project.shop.models import Invoice, Order, Reservation

# Real transactions: timers are enqueued when the event's transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def queue():
    backend = task_backends["default"]
    backend.clear()
    yield backend
    backend.clear()


@pytest.fixture(autouse=True)
def utc():
    """Times are shown (and read without an offset) in the current time zone: UTC here."""
    with django_timezone.override(timezone.utc):
        yield


@pytest.fixture
def clock():
    with frozen_clock(START) as frozen:
        yield frozen


def run(*args, **options):
    out = io.StringIO()
    call_command("statemachine_timers", *args, stdout=out, **options)
    return out.getvalue()


def lines(output):
    return output.splitlines()


def sent_invoice():
    invoice = Invoice.objects.create()
    invoice.statemachine.send_out()
    return invoice


@pytest.fixture
def timers(queue, clock):
    """Scheduled at 09:00. Pending: an invoice's `remind` in 1 hour and `expire` in 2 days,
    a reservation's `release` in 48 hours. Due at 09:00:01: a cancelled `waive` (dropped) and
    a `remind` of a draft (failed: drafts take no reminders), fired at 09:00:01."""
    invoice = sent_invoice()
    invoice.statemachine.send("expire", at=timedelta(days=2), send_id="expiry")
    invoice.statemachine.send("remind", at=timedelta(hours=1), note="nudge")
    invoice.statemachine.send("waive", delay=1_000, send_id="w")
    invoice.statemachine.cancel_event("w")
    draft = Invoice.objects.create()
    draft.statemachine.send("remind", delay=1_000)
    reservation = Reservation.objects.create()
    clock.advance(seconds=1)
    report = fire_timer.call(str(Timer.objects.get(object_id=draft.pk, event="remind").key))
    assert report["status"] == "failed"
    queue.clear()
    return invoice, draft, reservation


# --- the listing ------------------------------------------------------------------------------
def test_lists_the_pending_timers_oldest_due_first(timers):
    invoice, _, reservation = timers
    remind = Timer.objects.get(object_id=invoice.pk, event="remind")
    out = lines(run())
    assert out[0].split() == ["KEY", "MODEL", "OBJECT", "EVENT", "DUE", "STATUS", "OUTCOME"]
    assert out[1].split() == [
        str(remind.key),
        "shop.Invoice",
        str(invoice.pk),
        "remind",
        "2026-12-01T10:00:00+00:00",
        "pending",
        "-",
    ]
    rows = [line.split()[1:6] for line in out[1:-1]]
    assert rows == [
        ["shop.Invoice", str(invoice.pk), "remind", "2026-12-01T10:00:00+00:00", "pending"],
        ["shop.Invoice", str(invoice.pk), "expire", "2026-12-03T09:00:00+00:00", "pending"],
        [
            "shop.Reservation",
            str(reservation.pk),
            "release",
            "2026-12-03T09:00:00+00:00",
            "pending",
        ],
    ]
    assert out[-1] == "3 timers (status pending)."
    # The columns line up: each starts where its heading starts.
    due = out[0].index("DUE")
    assert {line[due : due + 4] for line in out[1:-1]} == {"2026"}


def test_status_selects_other_statuses_with_their_outcome(timers):
    invoice, draft, _ = timers
    out = lines(run("--status", "failed", "--status", "dropped"))
    assert [line.split()[2:6] for line in out[1:-1]] == [
        [str(invoice.pk), "waive", "2026-12-01T09:00:01+00:00", "dropped"],
        [str(draft.pk), "remind", "2026-12-01T09:00:01+00:00", "failed"],
    ]
    assert out[1].endswith("  cancelled by cancel_event('w')")
    assert "  TransitionNotAllowed: " in out[2]
    assert out[-1] == "2 timers (status failed or dropped)."
    assert len(lines(run("--status", "all"))) == 1 + 5 + 1


def test_model_selects_the_timers_of_that_models_rows(timers):
    _, _, reservation = timers
    out = lines(run("--model", "shop.Reservation"))
    assert [line.split()[1:4] for line in out[1:-1]] == [
        ["shop.Reservation", str(reservation.pk), "release"]
    ]
    assert out[-1] == "1 timer (status pending; model shop.Reservation)."
    both = lines(run("--model", "shop.Reservation", "--model", "shop.Invoice"))
    assert len(both) == 1 + 3 + 1


def test_a_proxy_model_selects_its_concrete_models_rows(queue, clock):
    order = Order.objects.create(items=1)
    order.statemachine.send("pay", delay=1_000)  # any machine's delayed event is a timer
    out = lines(run("--model", "shop.AtomicOrder"))
    assert [line.split()[1:4] for line in out[1:-1]] == [["shop.Order", str(order.pk), "pay"]]
    assert "No timers match" in run("--model", "shop.Invoice")


@pytest.mark.parametrize(
    ("before", "events"),
    [
        ("2026-12-01T10:00:00+00:00", []),  # strictly before
        ("2026-12-01T10:00:01+00:00", ["remind"]),
        ("2026-12-01T11:00:00+01:00", []),  # the offset counts: 10:00 UTC
        ("2026-12-01T10:30", ["remind"]),  # no offset: the current time zone (UTC)
        ("2026-12-03", ["remind"]),  # a date: its midnight
        ("2026-12-04", ["remind", "expire", "release"]),
    ],
)
def test_due_before_selects_the_timers_due_earlier(timers, before, events):
    out = lines(run("--due-before", before))
    assert [line.split()[3] for line in out[1:-1] if not line.startswith("KEY")] == events


def test_times_are_shown_and_read_in_the_current_time_zone(timers):
    with django_timezone.override("Europe/Paris"):
        assert "  2026-12-01T11:00:00+01:00  " in lines(run())[1]
        assert "No timers match" in run("--due-before", "2026-12-01T11:00")
        assert len(lines(run("--due-before", "2026-12-01T11:00:01"))) == 1 + 1 + 1


def test_an_empty_listing_says_what_was_asked(timers):
    assert run("--model", "shop.Order", "--due-before", "2026-12-02") == (
        "No timers match (status pending; model shop.Order; due before "
        "2026-12-02T00:00:00+00:00).\n"
    )


def test_the_listing_works_when_the_task_backend_cannot_defer(timers):
    """A misconfigured backend is when one looks at stuck timers: no system check stops it."""
    out = io.StringIO()
    with override_settings(STATEMACHINE_TIMERS_BACKEND="immediate"):
        # As `manage.py statemachine_timers` runs it: system checks first, unless skipped.
        Command(stdout=out).run_from_argv(["manage.py", "statemachine_timers"])
    assert out.getvalue().endswith("3 timers (status pending).\n")


# --- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("Invoice", r"--model 'Invoice': expected app_label\.Model, a model with a state machine"),
        ("shop.Invoice.state", r"--model 'shop\.Invoice\.state': expected app_label\.Model"),
        ("nope.Invoice", r"--model 'nope\.Invoice': there is no installed app 'nope'; expected"),
        ("shop.Nope", r"--model 'shop\.Nope': app 'shop' has no model 'Nope'; expected"),
        (
            "auth.User",
            r"--model 'auth\.User': auth\.User has no state machine \(it does not use "
            r"StateMachineModelMixin\), so it has no timers\. Models with one: ",
        ),
    ],
)
def test_a_bad_model_is_refused_with_what_is_expected(timers, label, message):
    with pytest.raises(CommandError, match=message) as caught:
        run("--model", label)
    assert "shop.Invoice" in str(caught.value)  # the models that would do
    assert "publishing.Article" in str(caught.value)


@pytest.mark.parametrize("value", ["tomorrow", "2026-02-30", "2026-12-01 25:00", "12/24/2026"])
def test_a_bad_date_is_refused_with_what_is_expected(timers, value):
    with pytest.raises(CommandError) as caught:
        run("--due-before", value)
    assert str(caught.value) == (
        f"--due-before {value!r}: not an ISO 8601 date or datetime; give one such as "
        "2026-12-24, 2026-12-24T18:00 or 2026-12-24T18:00:00+01:00."
    )


def test_an_unknown_status_is_refused_with_the_choices(timers):
    with pytest.raises(CommandError, match=r"invalid choice: 'sent' \(choose from .*pending"):
        run("--status", "sent")


@pytest.mark.parametrize("action", ["--enqueue", "--run-due"])
def test_the_actions_refuse_another_status(timers, action):
    with pytest.raises(CommandError, match=f"{action} acts on pending timers only, and --status"):
        run(action, "--status", "fired")
    assert timers_enqueued() == []


def test_enqueue_and_run_due_exclude_each_other(timers):
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("--enqueue", "--run-due")


# --- --enqueue --------------------------------------------------------------------------------
def timers_enqueued():
    return [(r.args, r.task.run_after) for r in task_backends["default"].results]


def test_enqueue_enqueues_every_pending_timer_again(timers):
    pending = list(Timer.objects.pending().order_by("due_at", "id"))
    out = lines(run("--enqueue"))
    assert timers_enqueued() == [([str(t.key), "default"], t.due_at) for t in pending]
    results = task_backends["default"].results
    for timer, result, line in zip(pending, results, out, strict=False):
        assert Timer.objects.get(pk=timer.pk).task_id == str(result.id)
        assert line.startswith(
            f"enqueued {timer.key} {timer.content_type.model_class()._meta.label}"
        )
        assert line.endswith(f"as task {result.id}")
    assert out[-1] == (
        "Enqueued 3 pending timers again; each fires at most once, however many of its tasks run."
    )


def test_enqueue_takes_the_filters(timers):
    _, _, reservation = timers
    run("--enqueue", "--model", "shop.Reservation")
    [(args, _)] = timers_enqueued()
    assert args == [str(Timer.objects.get(object_id=reservation.pk).key), "default"]


def test_a_timer_enqueued_again_still_fires_once(timers, clock):
    invoice, _, _ = timers
    expire = str(Timer.objects.get(object_id=invoice.pk, event="expire").key)
    run("--enqueue", "--model", "shop.Invoice")
    run("--enqueue", "--model", "shop.Invoice")
    clock.advance(days=2)
    deliveries = [r for r in task_backends["default"].results if r.args[0] == expire]
    assert len(deliveries) == 2
    reports = [fire_timer.call(*r.args) for r in deliveries]
    assert [r["fired"] for r in reports] == [True, False]
    assert Invoice.objects.get(pk=invoice.pk).state == "expired"


def test_enqueue_refuses_a_backend_that_cannot_defer(timers):
    with override_settings(STATEMACHINE_TIMERS_BACKEND="immediate"):
        with pytest.raises(CommandError, match=r"^Nothing was enqueued: .*cannot run a task later"):
            run("--enqueue")
    assert timers_enqueued() == []
    assert Timer.objects.pending().count() == 3  # none fired at once


def test_the_help_says_why_enqueue_is_safe():
    parser = Command().create_parser("manage.py", "statemachine_timers")
    text = " ".join(parser.format_help().split())
    assert "firing is idempotent, so a timer fires at most once" in text


# --- --run-due --------------------------------------------------------------------------------
def test_run_due_fires_the_due_timers_here_and_prints_each_outcome(timers, clock):
    invoice, _, reservation = timers
    assert run("--run-due") == "No pending timer is due (now: 2026-12-01T09:00:01+00:00).\n"
    remind = Timer.objects.get(object_id=invoice.pk, event="remind")
    expire = Timer.objects.get(object_id=invoice.pk, event="expire")
    release = Timer.objects.get(object_id=reservation.pk, event="release")
    clock.advance(days=1)
    assert lines(run("--run-due")) == [
        f"fired {remind.key} shop.Invoice {invoice.pk} remind: sent 'remind'; the row is in sent",
        "Ran 1 due timer: 1 fired.",
    ]
    invoice.refresh_from_db()
    assert (invoice.state, invoice.reminders, invoice.note) == ("sent", 1, "nudge")
    assert Timer.objects.pending().count() == 2  # not due yet
    clock.advance(days=1)
    assert lines(run("--run-due")) == [
        f"fired {expire.key} shop.Invoice {invoice.pk} expire: "
        "sent 'expire'; the row is in expired",
        f"fired {release.key} shop.Reservation {reservation.pk} release: "
        "sent 'release'; the row is in released",
        "Ran 2 due timers: 2 fired.",
    ]
    assert Invoice.objects.get(pk=invoice.pk).state == "expired"
    assert Reservation.objects.get(pk=reservation.pk).state == "released"
    assert not Timer.objects.pending().exists()
    assert run("--run-due").startswith("No pending timer is due")


def test_run_due_reports_timers_that_are_dropped_or_fail(queue, clock):
    invoice = sent_invoice()
    invoice.statemachine.send("expire", delay=1_000)
    Invoice.objects.filter(pk=invoice.pk).update(state="paid")  # behind the machine's back
    draft = Invoice.objects.create()
    draft.statemachine.send("remind", delay=2_000)
    clock.advance(seconds=2)
    out = lines(run("--run-due"))
    assert out[0].startswith("dropped ")
    assert out[0].endswith(f"shop.Invoice {invoice.pk} expire: the row left sent")
    assert out[1].startswith("failed ")
    assert f"shop.Invoice {draft.pk} remind: TransitionNotAllowed: " in out[1]
    assert out[2] == "Ran 2 due timers: 1 dropped, 1 failed."


def test_run_due_takes_the_filters(timers, clock):
    invoice, _, reservation = timers
    clock.advance(days=3)
    out = lines(run("--run-due", "--model", "shop.Reservation"))
    assert out[-1] == "Ran 1 due timer: 1 fired."
    assert Reservation.objects.get(pk=reservation.pk).state == "released"
    assert Invoice.objects.get(pk=invoice.pk).state == "sent"
    out = lines(run("--run-due", "--due-before", "2026-12-02"))
    assert [line.split()[4] for line in out[:-1]] == ["remind:"]
