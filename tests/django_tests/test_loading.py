"""Loading rows costs close to what it costs without a machine: a whole row goes straight to
Model.__init__, and its machine is built on first use from the state as loaded."""

from __future__ import annotations

import pytest

from statemachine.contrib.django import ProtectedStateError, unprotected
from statemachine.contrib.django.mixins import ConcurrentTransition
from tests.django_project.shop.models import BlogPost, NotedOrder, OptimisticOrder, Order

pytestmark = pytest.mark.django_db


def test_a_loaded_row_has_no_machine_until_it_is_used():
    pk = Order.objects.create(items=1).pk
    order = Order.objects.get(pk=pk)
    assert "statemachine" not in order.__dict__
    assert order.statemachine.created.is_active
    assert order.entries == 1  # the initial entry ran once, when the row was created
    order.statemachine.send("pay")
    assert order.state == "paid"


def test_a_loaded_row_is_marked_as_loaded():
    pk = Order.objects.create().pk
    order = Order.objects.get(pk=pk)
    assert order._state.adding is False
    assert order._state.db == "default"


def test_a_protected_state_stays_protected_on_a_loaded_row():
    pk = Order.objects.create().pk
    order = Order.objects.get(pk=pk)
    with pytest.raises(ProtectedStateError):
        order.state = "paid"
    with unprotected(order):
        order.state = "paid"
    assert order.state == "paid"


def test_a_deferred_state_is_read_when_the_machine_is_built():
    pk = Order.objects.create(items=1).pk
    order = Order.objects.only("items").get(pk=pk)
    assert "state" not in order.__dict__
    order.statemachine.send("pay")
    order.save()
    assert Order.objects.get(pk=pk).state == "paid"


def test_the_optimistic_lock_compares_with_the_state_as_loaded():
    pk = OptimisticOrder.objects.create(items=1).pk
    mine = OptimisticOrder.objects.get(pk=pk)
    theirs = OptimisticOrder.objects.get(pk=pk)
    theirs.statemachine.send("pay")
    with pytest.raises(ConcurrentTransition):
        mine.statemachine.send("cancel")
    assert OptimisticOrder.objects.get(pk=pk).state == "paid"


def test_a_model_with_its_own_init_still_runs_it_for_loaded_rows():
    pk = NotedOrder.objects.create().pk
    order = NotedOrder.objects.get(pk=pk)
    assert order.made_by_init is True
    assert "statemachine" not in order.__dict__
    assert order.statemachine.created.is_active


def test_an_unprotected_state_field_takes_plain_assignments():
    post = BlogPost.objects.create()
    loaded = BlogPost.objects.get(pk=post.pk)
    loaded.state = "published"  # not protected: a plain attribute write
    assert loaded.state == "published"


def test_a_row_built_from_all_its_values_by_position_takes_the_state_as_stored():
    fields = [f.attname for f in Order._meta.concrete_fields]
    values = [None if name == "id" else 0 for name in fields]
    values[fields.index("state")] = "paid"
    values[fields.index("address")] = ""
    values[fields.index("note")] = ""
    order = Order(*values)
    assert order.statemachine.paid.is_active
    assert order.entries == 0  # taken as stored: no initial entry ran


def test_an_empty_state_column_is_no_state_yet():
    """A text column left empty ("", written around the machine) loads as it is, with no
    conversion per row; the machine reads it as no state and enters the initial one."""
    pk = Order.objects.create(items=1).pk
    Order.objects.filter(pk=pk).update(state="")
    order = Order.objects.get(pk=pk)
    assert order.state == ""
    assert order.statemachine_state_error() is None
    assert order.statemachine.created.is_active
    assert order.state == "created"
    order.statemachine.send("pay")
    order.save()
    assert Order.objects.get(pk=pk).state == "paid"
