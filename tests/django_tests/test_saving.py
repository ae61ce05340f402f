"""Atomic saving, rollback of failed transitions, optimistic and pessimistic locking, and the
per-call options (SQLite; the concurrent versions run on PostgreSQL in test_concurrency_pg)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from statemachine.contrib.django import ConcurrentTransition
from statemachine.contrib.django import signals as sm_signals
from statemachine.exceptions import TransitionNotAllowed
from tests.django_project.shop.models import (
    AtomicOrder,
    OptimisticOrder,
    Order,
    PessimisticOrder,
    Report,
    TransitionRecord,
)

pytestmark = pytest.mark.django_db


def stored(pk):
    """The row as the database has it (a fresh read, no instance cache)."""
    return Order.objects.values("state", "note", "items", "entries").get(pk=pk)


@pytest.fixture
def record_transitions():
    """Write a TransitionRecord for each transition (inside the event's transaction)."""

    def record(sender, instance, event, source, target, **kwargs):
        TransitionRecord.objects.create(
            model=sender.__name__,
            object_pk=instance.pk,
            event=event,
            source=source.id,
            target=target.id,
        )

    sm_signals.pre_transition.connect(record, dispatch_uid="test_saving_record")
    yield
    sm_signals.pre_transition.disconnect(dispatch_uid="test_saving_record")


def writes(queries, table="shop_order"):
    """The UPDATE/INSERT statements on ``table`` (other apps' receivers may log elsewhere)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].split()[0].upper() in ("UPDATE", "INSERT") and f'"{table}"' in q["sql"]
    ]


# --- atomic saving -------------------------------------------------------------------------
class TestAtomic:
    def test_the_new_state_is_saved_without_calling_save(self):
        order = AtomicOrder.objects.create(items=1)
        order.pay()
        assert stored(order.pk)["state"] == "paid"
        assert AtomicOrder.objects.get(pk=order.pk).statemachine.paid.is_active

    def test_only_the_state_column_is_written(self):
        order = AtomicOrder.objects.create(items=1)
        order.note = "changed in memory only"
        order.items = 5
        with CaptureQueriesContext(connection) as queries:
            order.pay()
        (update,) = writes(queries.captured_queries)
        assert '"note"' not in update
        assert '"items"' not in update
        assert stored(order.pk) == {"state": "paid", "note": "", "items": 1, "entries": 1}
        assert order.note == "changed in memory only"  # the instance keeps it

    def test_without_atomic_saving_nothing_is_written(self):
        order = Order.objects.create(items=1)
        with CaptureQueriesContext(connection) as queries:
            order.pay()
        assert writes(queries.captured_queries) == []
        assert stored(order.pk)["state"] == "created"
        order.save()
        assert stored(order.pk)["state"] == "paid"

    def test_an_unsaved_instance_is_not_inserted_by_an_event(self):
        order = AtomicOrder(items=1)
        order.pay()
        assert order.pk is None
        assert not Order.objects.exists()
        order.save()
        assert stored(order.pk)["state"] == "paid"

    def test_a_failing_callback_rolls_back_the_receivers_writes(self, record_transitions):
        order = AtomicOrder.objects.create(items=1, state="shipped")
        with pytest.raises(RuntimeError, match="the warehouse is closed"):
            order.statemachine.restock()
        assert not TransitionRecord.objects.exists()  # the pre_transition row rolled back
        assert stored(order.pk)["state"] == "shipped"
        assert order.state == "shipped"
        assert order.statemachine.shipped.is_active
        assert AtomicOrder.objects.get(pk=order.pk).state == "shipped"

    def test_a_failing_callback_rolls_back_what_a_callback_wrote(self):
        order = AtomicOrder.objects.create(items=1, state="shipped")
        other = Order.objects.create(items=9)

        class Writer:
            """A listener: its callbacks run inside the transition, before the failing one."""

            def before_restock(self):
                Order.objects.filter(pk=other.pk).update(note="written by a callback")
                TransitionRecord.objects.create(
                    model="x", object_pk=1, event="restock", source="a", target="b"
                )

        order.statemachine.add_listener(Writer())
        with pytest.raises(RuntimeError):
            order.statemachine.restock()
        assert stored(other.pk)["note"] == ""
        assert not TransitionRecord.objects.exists()
        assert order.state == "shipped"

    def test_without_atomic_saving_a_failure_does_not_roll_back(self, record_transitions):
        """The contrast: the same failure on a non-atomic model keeps the receiver's row
        (there is no transaction of the event's own), so the tests above measure something."""
        order = Order.objects.create(items=1, state="shipped")
        with pytest.raises(RuntimeError):
            order.statemachine.restock()
        assert TransitionRecord.objects.count() == 1

    def test_a_refused_transition_writes_nothing(self, record_transitions):
        order = AtomicOrder.objects.create(items=0)
        order.note = "unsaved"
        with CaptureQueriesContext(connection) as queries, pytest.raises(TransitionNotAllowed):
            order.pay()
        assert writes(queries.captured_queries) == []
        assert stored(order.pk) == {"state": "created", "note": "", "items": 0, "entries": 1}
        assert order.state == "created"
        assert not TransitionRecord.objects.exists()

    def test_successful_transition_keeps_receiver_rows(self, record_transitions):
        order = AtomicOrder.objects.create(items=1)
        order.pay()
        (row,) = TransitionRecord.objects.all()
        assert (row.model, row.object_pk, row.event, row.source, row.target) == (
            "AtomicOrder",
            order.pk,
            "pay",
            "created",
            "paid",
        )


# --- optimistic locking --------------------------------------------------------------------
class TestOptimistic:
    def test_the_second_sender_loses(self, record_transitions):
        pk = OptimisticOrder.objects.create(items=1, address="x").pk
        first = OptimisticOrder.objects.get(pk=pk)
        second = OptimisticOrder.objects.get(pk=pk)

        first.pay()
        assert stored(pk)["state"] == "paid"

        with pytest.raises(ConcurrentTransition, match=rf"OptimisticOrder pk={pk}.*'created'"):
            second.cancel()
        assert stored(pk)["state"] == "paid"  # nothing written
        assert second.state == "created"  # the instance is as it was
        assert second.statemachine.created.is_active
        assert list(TransitionRecord.objects.values_list("event", flat=True)) == ["pay"]

        second.refresh_from_db()
        second.cancel()  # reloaded, it may try again
        assert stored(pk)["state"] == "cancelled"
        assert list(TransitionRecord.objects.values_list("event", flat=True)) == [
            "pay",
            "cancel",
        ]

    def test_the_update_is_conditional_on_the_loaded_state(self):
        order = OptimisticOrder.objects.create(items=1)
        with CaptureQueriesContext(connection) as queries:
            order.pay()
        (update,) = writes(queries.captured_queries)
        where = update.split("WHERE", 1)[1]
        assert "\"state\" = 'created'" in where  # UPDATE ... WHERE ... state = 'created'

    def test_consecutive_transitions_of_one_instance(self):
        order = OptimisticOrder.objects.create(items=1, address="x")
        order.pay()
        order.ship()  # the instance knows it saved "paid"
        assert stored(order.pk)["state"] == "shipped"

    def test_a_stale_instance_save_raises(self):
        pk = OptimisticOrder.objects.create(items=1).pk
        fresh = OptimisticOrder.objects.get(pk=pk)
        stale = OptimisticOrder.objects.get(pk=pk)
        fresh.pay()
        stale.note = "overwrite"
        # Like any error inside save(), it spoils an enclosing atomic block (here the test's
        # transaction), so catch it outside a savepoint of its own.
        with pytest.raises(ConcurrentTransition), transaction.atomic():
            stale.save()
        assert stored(pk) == {"state": "paid", "note": "", "items": 1, "entries": 1}
        stale.refresh_from_db()
        stale.note = "overwrite"
        stale.save()
        assert stored(pk)["note"] == "overwrite"

    def test_saving_a_deleted_row_inserts_it_again(self):
        order = OptimisticOrder.objects.create(items=1)
        Order.objects.filter(pk=order.pk).delete()
        order.save()  # no row to conflict with: Django's usual UPDATE-then-INSERT
        assert stored(order.pk)["state"] == "created"

    def test_without_locking_the_stale_instance_overwrites(self):
        """The contrast: last writer wins when no lock is configured."""
        pk = AtomicOrder.objects.create(items=1, address="x").pk
        first = AtomicOrder.objects.get(pk=pk)
        second = AtomicOrder.objects.get(pk=pk)
        first.pay()
        second.cancel()
        assert stored(pk)["state"] == "cancelled"


class TestMachineFollowsTheRow:
    """The machine's own bookkeeping (terminated or not) follows the state it is given back."""

    def test_a_rolled_back_final_transition_does_not_terminate_the_machine(self):
        pk = OptimisticOrder.objects.create(items=1).pk
        first, second = OptimisticOrder.objects.get(pk=pk), OptimisticOrder.objects.get(pk=pk)
        first.pay()
        with pytest.raises(ConcurrentTransition):
            second.cancel()  # entered the final state, then rolled back
        assert not second.statemachine.is_terminated
        assert [e.id for e in second.available_events()] == ["pay", "cancel"]

    def test_refresh_from_db_out_of_a_final_state(self):
        order = Order.objects.create(items=1)
        order.cancel()  # not saved
        assert order.statemachine.is_terminated
        order.refresh_from_db()
        assert order.state == "created"
        assert not order.statemachine.is_terminated
        order.pay()
        assert order.state == "paid"

    def test_refresh_from_db_into_a_final_state(self):
        order = Order.objects.create(items=1)
        Order.objects.get(pk=order.pk).send_event("cancel", atomic=True)
        order.refresh_from_db()
        assert order.statemachine.is_terminated
        with pytest.raises(TransitionNotAllowed):
            order.pay()


# --- pessimistic locking -------------------------------------------------------------------
class TestPessimistic:
    def test_a_stale_instance_sees_the_new_state_before_deciding(self):
        pk = PessimisticOrder.objects.create(items=1, address="x").pk
        first = PessimisticOrder.objects.get(pk=pk)
        stale = PessimisticOrder.objects.get(pk=pk)
        first.pay()
        assert stale.state == "created"
        stale.ship()  # allowed from "paid", which only the database knows
        assert stale.state == "shipped"
        assert stored(pk)["state"] == "shipped"

    def test_a_refusal_after_the_reread_keeps_the_state_read(self):
        pk = PessimisticOrder.objects.create(items=1).pk
        first = PessimisticOrder.objects.get(pk=pk)
        stale = PessimisticOrder.objects.get(pk=pk)
        first.pay()
        with pytest.raises(TransitionNotAllowed):
            stale.pay()  # "paid" has no pay
        assert stored(pk)["state"] == "paid"
        assert stale.state == "paid"  # what the row holds, not the stale value
        assert stale.statemachine.paid.is_active

    def test_a_stale_instance_sees_that_the_row_reached_a_final_state(self):
        pk = PessimisticOrder.objects.create(items=1).pk
        first = PessimisticOrder.objects.get(pk=pk)
        stale = PessimisticOrder.objects.get(pk=pk)
        first.cancel()
        with pytest.raises(TransitionNotAllowed):
            stale.pay()
        assert stale.state == "cancelled"
        assert stale.statemachine.is_terminated
        assert stored(pk)["state"] == "cancelled"

    def test_the_row_is_read_for_update(self):
        order = PessimisticOrder.objects.create(items=1)
        with CaptureQueriesContext(connection) as queries:
            order.pay()
        selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        assert any('"shop_order"."state"' in sql for sql in selects)
        assert stored(order.pk)["state"] == "paid"


# --- per-call options ----------------------------------------------------------------------
class TestPerCallOptions:
    def test_send_event_with_atomic(self):
        order = Order.objects.create(items=1)
        order.send_event("pay", atomic=True)
        assert stored(order.pk)["state"] == "paid"
        order.send_event("cancel")  # the model's default again: not saved
        assert stored(order.pk)["state"] == "paid"
        assert order.state == "cancelled"

    def test_send_event_with_an_optimistic_lock(self):
        pk = Order.objects.create(items=1).pk
        first, second = Order.objects.get(pk=pk), Order.objects.get(pk=pk)
        first.send_event("pay", lock="optimistic")
        with pytest.raises(ConcurrentTransition):
            second.send_event("cancel", lock="optimistic")
        assert stored(pk)["state"] == "paid"
        assert second.state == "created"

    def test_send_event_with_a_pessimistic_lock(self):
        pk = Order.objects.create(items=1, address="x").pk
        first, stale = Order.objects.get(pk=pk), Order.objects.get(pk=pk)
        first.send_event("pay", atomic=True)
        stale.send_event("ship", lock="pessimistic")
        assert stored(pk)["state"] == "shipped"

    def test_send_event_can_turn_the_models_lock_off(self):
        pk = OptimisticOrder.objects.create(items=1).pk
        first, second = OptimisticOrder.objects.get(pk=pk), OptimisticOrder.objects.get(pk=pk)
        first.pay()
        second.send_event("cancel", lock=None, atomic=True)  # last writer wins, on request
        assert stored(pk)["state"] == "cancelled"

    def test_statemachine_options_block(self):
        order = Order.objects.create(items=1, address="x")
        with order.statemachine_options(atomic=True):
            order.pay()
            assert stored(order.pk)["state"] == "paid"
            order.ship()
            assert stored(order.pk)["state"] == "shipped"
        assert order._option("atomic") is False
        atomic = AtomicOrder.objects.create(items=1)
        with atomic.statemachine_options(atomic=False):
            atomic.pay()
        assert stored(atomic.pk)["state"] == "created"
        atomic.cancel()
        assert stored(atomic.pk)["state"] == "cancelled"  # atomic again after the block

    def test_statemachine_options_lock_and_nesting(self):
        pk = Order.objects.create(items=1).pk
        first, second = Order.objects.get(pk=pk), Order.objects.get(pk=pk)
        with second.statemachine_options(lock="optimistic"):
            with second.statemachine_options(atomic=True):
                assert second._lock() == "optimistic"  # the outer block's lock still holds
                first.send_event("pay", atomic=True)
                with pytest.raises(ConcurrentTransition):
                    second.cancel()
        assert second._lock() is None
        assert stored(pk)["state"] == "paid"

    def test_options_are_restored_after_an_error(self):
        order = Order.objects.create(items=0)
        with pytest.raises(TransitionNotAllowed):
            order.send_event("pay", atomic=True, lock="optimistic")
        assert order._option("atomic") is False
        assert order._lock() is None


# --- StateCharts: errors caught as events, and events they ignore ----------------------------
def report_row(pk):
    return Report.objects.values("state", "title").get(pk=pk)


def test_a_chart_catches_a_callback_error_and_the_errors_are_listed():
    """By default the chart handles the error (error.execution): the transition completes
    and is saved; ``statemachine_errors`` says what went wrong."""
    report = Report.objects.create()
    assert report.statemachine_errors == ()
    report.statemachine.publish()
    assert report.state == "published"
    assert report_row(report.pk) == {"state": "published", "title": "side effect"}
    [error] = report.statemachine_errors
    assert isinstance(error, RuntimeError)
    assert str(error) == "the printer is on fire"
    report.statemachine.touch()
    assert report.statemachine_errors == ()  # the errors of the last event only


@pytest.mark.parametrize("how", ["send_event", "statemachine_options", "model option"])
def test_raise_errors_rolls_back_the_database_and_the_instance(how, monkeypatch):
    report = Report.objects.create()
    with pytest.raises(RuntimeError, match="the printer is on fire"):
        if how == "send_event":
            report.send_event("publish", raise_errors=True)
        elif how == "statemachine_options":
            with report.statemachine_options(raise_errors=True):
                report.statemachine.publish()
        else:
            monkeypatch.setattr(Report, "statemachine_raise_errors", True)
            report.statemachine.publish()
    assert report.state == "draft"
    assert report.statemachine.draft.is_active
    assert report_row(report.pk) == {"state": "draft", "title": ""}
    report.statemachine.touch()  # the instance still works, and saves
    assert report_row(report.pk)["state"] == "draft"


def test_an_event_the_chart_ignores_writes_nothing():
    """No transition, no UPDATE: not even the optimistic check, which would fail here."""
    report = Report.objects.create(state="published")
    Report.objects.filter(pk=report.pk).update(state="draft")  # behind the instance's back
    with CaptureQueriesContext(connection) as queries:
        report.statemachine.publish()  # no transition from "published": ignored
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert report_row(report.pk)["state"] == "draft"
    with pytest.raises(ConcurrentTransition):
        report.statemachine.touch()  # a self-transition is a transition: saved, so checked
    assert report.state == "published"


def test_the_events_result_is_the_callbacks_only():
    """The signals listener the mixin adds contributes nothing to what an event returns."""
    report = Report.objects.create()
    assert report.statemachine.touch() == "touched"
    assert report.send_event("touch") == "touched"
