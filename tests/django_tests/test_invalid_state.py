"""Rows whose stored state is not a state of their machine (a state renamed or removed since
they were saved): loading them never raises, using their machine raises an
``InvalidStateValue`` that names the row, and ``repair_state()`` fixes them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statemachine.contrib.django import InvalidStoredState, signals, unprotected
from statemachine.contrib.django.audit.models import TransitionLog
from statemachine.exceptions import InvalidStateValue
from statemachine.orderedset import OrderedSet
from tests.django_project.shop.models import (
    Article,
    Ladder,
    OptimisticOrder,
    Order,
    Ticket,
    TicketStatus,
)
from tests.django_project.shop.statemachines import EditorialMachine, OrderMachine

pytestmark = pytest.mark.django_db


def stored(model, pk, field="state"):
    return model.objects.values_list(field, flat=True).get(pk=pk)


def write_raw(model, pk, column, value):
    """Write ``value`` into the column as it is (no field conversion), as a hand edit or an
    old release of the application would have."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",
            [value, pk],
        )


@pytest.fixture
def gone():
    """A saved order whose row holds ``"gone"``, a state OrderMachine does not have."""
    order = Order.objects.create(items=1, address="1 Main St")
    Order.objects.filter(pk=order.pk).update(state="gone")
    return order


def assert_names_the_row(error, model, pk, value):
    message = str(error)
    assert isinstance(error, InvalidStateValue)
    assert f"{model._meta.label} pk={pk!r}" in message
    assert "field 'state'" in message
    assert repr(value) in message
    assert "admin" in message  # how to fix it: the admin's repair form...
    assert "data migration" in message  # ... or a data migration
    assert error.value == value


# --- loading never raises ------------------------------------------------------------------
def test_loading_a_bad_row_does_not_raise(gone):
    loaded = Order.objects.get(pk=gone.pk)
    assert loaded.state == "gone"
    assert [o.state for o in Order.objects.all()] == ["gone"]
    assert Order.objects.filter(state="gone").count() == 1


def test_refreshing_to_a_bad_row_does_not_raise(gone):
    gone.refresh_from_db()
    assert gone.state == "gone"


def test_the_constructor_does_not_raise_for_a_bad_state():
    order = Order(state="gone", items=1)
    assert order.state == "gone"
    with pytest.raises(InvalidStoredState):
        order.statemachine


def test_a_loaded_row_builds_its_machine_on_first_use(gone):
    Order.objects.filter(pk=gone.pk).update(state="paid")
    loaded = Order.objects.get(pk=gone.pk)
    assert "statemachine" not in loaded.__dict__
    assert loaded.statemachine.paid.is_active
    assert loaded.__dict__["statemachine"] is loaded.statemachine
    assert loaded.entries == gone.entries == 1  # restored, not entered: no callback ran


def test_post_init_receivers_of_a_loaded_row_see_no_machine_yet():
    """The machine is not built while Model.__init__ runs (the row is not marked as loaded
    until it returns), but right after."""
    from django.db.models.signals import post_init

    order = Order.objects.create(items=1)
    seen = []

    def receiver(instance, **kwargs):
        seen.append(hasattr(instance, "statemachine"))

    post_init.connect(receiver, sender=Order)
    try:
        loaded = Order.objects.get(pk=order.pk)
    finally:
        post_init.disconnect(receiver, sender=Order)
    assert seen == [False]
    assert loaded.statemachine.created.is_active


def test_a_new_instance_enters_its_initial_state_at_once():
    order = Order(items=1)
    assert "statemachine" in order.__dict__
    assert order.entries == 1  # on_enter_created ran in the constructor
    assert order.state == "created"


# --- using the machine raises, naming the row ----------------------------------------------
@pytest.mark.parametrize(
    "use",
    [
        pytest.param(lambda o: o.statemachine, id="the machine attribute"),
        pytest.param(lambda o: o.statemachine.configuration, id="its configuration"),
        pytest.param(lambda o: o.send_event("pay"), id="send_event"),
        pytest.param(lambda o: o.pay(), id="a bound event method"),
        pytest.param(lambda o: o.available_events(), id="available_events"),
        pytest.param(lambda o: o.why_not("pay"), id="why_not"),
    ],
)
def test_using_the_machine_of_a_bad_row_raises_naming_it(gone, use):
    loaded = Order.objects.get(pk=gone.pk)
    with pytest.raises(InvalidStoredState) as info:
        use(loaded)
    assert_names_the_row(info.value, Order, gone.pk, "gone")
    assert info.value.instance is loaded
    assert info.value.machine is OrderMachine
    assert info.value.reason == "not a state of OrderMachine"
    assert stored(Order, gone.pk) == "gone"  # nothing was written


def test_a_row_that_goes_bad_under_a_built_machine_raises_after_refresh(gone):
    order = Order.objects.create(items=1)
    assert order.statemachine.created.is_active
    Order.objects.filter(pk=order.pk).update(state="gone")
    order.refresh_from_db()  # does not raise
    with pytest.raises(InvalidStoredState) as info:
        order.send_event("pay")
    assert_names_the_row(info.value, Order, order.pk, "gone")


def test_a_value_forced_behind_the_machines_back_is_reported_by_the_next_event():
    order = Order.objects.create(items=1)
    machine = order.statemachine
    with unprotected(order):
        order.state = "gone"
    with pytest.raises(InvalidStoredState) as info:
        machine.send("pay")
    assert_names_the_row(info.value, Order, order.pk, "gone")


def test_an_integer_column_with_no_such_state():
    ladder = Ladder.objects.create()
    Ladder.objects.filter(pk=ladder.pk).update(state=99)
    loaded = Ladder.objects.get(pk=ladder.pk)
    assert loaded.state == 99
    with pytest.raises(InvalidStoredState) as info:
        loaded.statemachine.send("climb")
    assert_names_the_row(info.value, Ladder, ladder.pk, 99)


@pytest.mark.parametrize(
    ("raw", "bad"),
    [
        pytest.param("gone", "gone", id="not JSON at all"),
        pytest.param('["review", "text", "gone", "images", "missing"]', "gone", id="one unknown"),
    ],
)
def test_a_configuration_column_with_an_unknown_value(raw, bad):
    article = Article.objects.create()
    write_raw(Article, article.pk, "state", raw)
    loaded = Article.objects.get(pk=article.pk)
    error = loaded.statemachine_state_error()
    assert error is not None
    assert error.value == bad
    with pytest.raises(InvalidStoredState) as info:
        loaded.statemachine
    assert_names_the_row(info.value, Article, article.pk, bad)


def test_a_valid_row_has_no_state_error():
    order = Order.objects.create(items=1)
    assert Order.objects.get(pk=order.pk).statemachine_state_error() is None


def test_a_deferred_state_is_read_on_first_use_and_optimistic_locking_still_holds():
    order = OptimisticOrder.objects.create(items=1)
    mine = OptimisticOrder.objects.only("id", "items").get(pk=order.pk)
    theirs = OptimisticOrder.objects.get(pk=order.pk)
    theirs.send_event("cancel")  # optimistic locking saves it
    assert stored(Order, order.pk) == "cancelled"
    with CaptureQueriesContext(connection) as queries:
        mine.statemachine  # reads the deferred state now: cancelled
    assert len(queries) == 1
    assert mine.statemachine.cancelled.is_active


# --- repair_state ---------------------------------------------------------------------------
@pytest.fixture
def repairs():
    seen = []

    def receiver(sender, instance, source, target, by, description, **kwargs):
        seen.append((sender, instance.pk, source, target.id, by, description))

    signals.state_repaired.connect(receiver)
    yield seen
    signals.state_repaired.disconnect(receiver)


@pytest.fixture
def fixer():
    return get_user_model().objects.create_user("fixer")


def test_repair_state_stores_a_state_and_records_a_repair(gone, repairs, fixer):
    order = Order.objects.get(pk=gone.pk)
    order.note = "not saved by the repair"
    order.repair_state("paid", by=fixer, description="the old 'gone' meant paid")
    assert order.state == "paid"
    assert stored(Order, order.pk) == "paid"
    assert stored(Order, order.pk, "note") == ""  # only the state field is saved
    assert order.statemachine.paid.is_active
    assert order.entries == gone.entries  # no callback ran
    assert repairs == [(Order, order.pk, "gone", "paid", fixer, "the old 'gone' meant paid")]
    (row,) = TransitionLog.objects.for_object(order)
    assert (row.kind, row.event, row.source, row.target, row.user, row.description) == (
        TransitionLog.REPAIR,
        "",
        "gone",
        "paid",
        fixer,
        "the old 'gone' meant paid",
    )
    assert str(row) == f"order {order.pk}: gone repaired to paid"
    order.send_event("ship", atomic=True)  # the machine works again
    assert stored(Order, order.pk) == "shipped"


def test_repair_state_sends_no_transition_signal(gone, repairs):
    sent = []

    def receiver(**kwargs):
        sent.append(kwargs["event"])

    signals.pre_transition.connect(receiver)
    signals.post_transition.connect(receiver)
    try:
        Order.objects.get(pk=gone.pk).repair_state(OrderMachine.created)
    finally:
        signals.pre_transition.disconnect(receiver)
        signals.post_transition.disconnect(receiver)
    assert sent == []
    assert len(repairs) == 1
    assert TransitionLog.objects.get().kind == TransitionLog.REPAIR


def test_repair_state_refuses_a_state_the_machine_does_not_have(gone, repairs):
    order = Order.objects.get(pk=gone.pk)
    with pytest.raises(ValueError, match=r"'lost' is not a state of OrderMachine; .*'created'"):
        order.repair_state("lost")
    assert order.state == "gone"
    assert stored(Order, order.pk) == "gone"
    assert repairs == []


def test_a_failed_repair_keeps_the_old_value(gone):
    def explode(**kwargs):
        raise RuntimeError("audit unavailable")

    signals.state_repaired.connect(explode)
    order = Order.objects.get(pk=gone.pk)
    try:
        with pytest.raises(RuntimeError):
            order.repair_state("paid")
    finally:
        signals.state_repaired.disconnect(explode)
    assert order.state == "gone"
    assert stored(Order, order.pk) == "gone"  # rolled back with the signal's failure
    assert not TransitionLog.objects.exists()


def test_repairing_a_statechart_stores_the_default_entry():
    article = Article.objects.create()
    write_raw(Article, article.pk, "state", '["gone"]')
    loaded = Article.objects.get(pk=article.pk)
    loaded.repair_state("proofread")
    # The other region of the parallel state is entered by default.
    assert loaded.state == OrderedSet(["review", "text", "proofread", "images", "missing"])
    reloaded = Article.objects.get(pk=article.pk)
    assert {s.id for s in reloaded.statemachine.configuration} == {
        "review",
        "text",
        "proofread",
        "images",
        "missing",
    }
    loaded.repair_state(EditorialMachine.done)
    assert Article.objects.get(pk=article.pk).state == "done"


def test_repairing_an_unsaved_instance_saves_nothing(repairs):
    order = Order(state="gone")
    order.repair_state("created")
    assert order.state == "created"
    assert order.pk is None
    assert not TransitionLog.objects.exists()  # no row to point at
    assert len(repairs) == 1


def test_repairing_a_foreign_key_state():
    for pk in ("open", "doing", "closed", "lost"):
        TicketStatus.objects.create(id=pk, label=pk.title())
    ticket = Ticket.objects.create()
    Ticket.objects.filter(pk=ticket.pk).update(status_id="lost")
    loaded = Ticket.objects.get(pk=ticket.pk)
    assert loaded.status.label == "Lost"
    with pytest.raises(InvalidStoredState):
        loaded.statemachine
    loaded.repair_state("doing")
    assert loaded.status.label == "Doing"  # the related row follows the key
    assert stored(Ticket, ticket.pk, "status_id") == "doing"
    assert loaded.statemachine.doing.is_active


def test_repairing_a_row_loaded_without_its_state_records_the_stored_value(gone, repairs):
    order = Order.objects.only("id").get(pk=gone.pk)
    order.repair_state("created")
    assert repairs[0][2] == "gone"
    assert stored(Order, gone.pk) == "created"
