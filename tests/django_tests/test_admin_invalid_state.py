"""The admin with a row whose stored state is not a state of its machine: the pages render,
events are refused naming the row, and who may repair it can, from the change page."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from statemachine.contrib.django.admin import STATE_PARAM
from statemachine.contrib.django.audit.models import TransitionLog
from tests.django_project.shop.models import Article, Order

pytestmark = pytest.mark.django_db


def state_in_db(order):
    return Order.objects.values_list("state", flat=True).get(pk=order.pk)


def change_url(obj):
    return reverse(f"admin:shop_{obj._meta.model_name}_change", args=(obj.pk,))


def repair_url(obj):
    return reverse(f"admin:shop_{obj._meta.model_name}_repair_state", args=(obj.pk,))


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def gone():
    order = Order.objects.create(items=1, address="1 Main St")
    Order.objects.filter(pk=order.pk).update(state="gone")
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def clerk(django_user_model):
    """Staff who may view and change orders; not a superuser."""
    user = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="shop", codename__in=["view_order", "change_order"]
        )
    )
    return user


@pytest.fixture
def clerk_client(clerk):
    client = Client()
    client.force_login(clerk)
    return client


@pytest.fixture
def repair_with_ship_permission(monkeypatch):
    """The registered OrderAdmin lets users with shop.ship_order repair too."""
    from django.contrib import admin

    monkeypatch.setattr(
        admin.site._registry[Order], "statemachine_repair_permission", "shop.ship_order"
    )


def repair_data(state="paid", token="gone", description="was paid"):
    data = {"state": state, "description": description}
    if token is not None:
        data[STATE_PARAM] = token
    return data


# --- the changelist -------------------------------------------------------------------------
def test_the_changelist_marks_the_stored_value_invalid_with_the_reason(admin_client, gone):
    Order.objects.create(items=1)
    response = admin_client.get(reverse("admin:shop_order_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    (cell,) = re.findall(r'<span class="statemachine-invalid"[^>]*>[^<]*</span>', html)
    assert ">gone (not a state of OrderMachine)</span>" in cell
    assert f'title="shop.Order pk={gone.pk}: its field &#x27;state&#x27; holds' in cell
    assert "color" in cell  # marked (red)
    assert '<td class="field-statemachine_state">Created</td>' in html  # the valid row


def test_the_state_column_keeps_its_header_and_sorts_by_the_field(admin_client, gone):
    Order.objects.filter(pk=gone.pk).update(state="shipped")
    Order.objects.create(items=1)
    response = admin_client.get(reverse("admin:shop_order_changelist"))
    html = response.content.decode()
    assert re.search(r'<th scope="col" class="sortable column-statemachine_state', html)
    assert ">State</a>" in html
    # ?o=2 orders by the second column, the state: created before shipped.
    response = admin_client.get(reverse("admin:shop_order_changelist") + "?o=2")
    assert [o.state for o in response.context["cl"].result_list] == ["created", "shipped"]
    response = admin_client.get(reverse("admin:shop_order_changelist") + "?o=-2")
    assert [o.state for o in response.context["cl"].result_list] == ["shipped", "created"]


def test_a_statechart_column_shows_the_active_leaves(admin_client):
    from django.contrib import admin

    from statemachine.contrib.django.admin import StateMachineAdminMixin

    class ArticleAdmin(StateMachineAdminMixin, admin.ModelAdmin):
        list_display = ["id", "state"]

    model_admin = ArticleAdmin(Article, admin.site)
    column = model_admin.statemachine_state
    article = Article.objects.create()
    assert column(article) == "Drafting, Missing"
    assert column.short_description == "State"
    assert column.admin_order_field == "state"
    with_gone = Article.objects.create()
    Article.objects.filter(pk=with_gone.pk).update(state=["review", "gone"])
    shown = column(Article.objects.get(pk=with_gone.pk))
    assert ">review, gone (not a state of EditorialMachine)</span>" in shown


# --- the change page ------------------------------------------------------------------------
def test_the_change_page_renders_with_the_error_and_no_event_button(admin_client, gone):
    response = admin_client.get(change_url(gone))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong class="statemachine-state statemachine-invalid">gone</strong>' in html
    assert "(not a state of OrderMachine)" in html
    assert f"shop.Order pk={gone.pk}: its field &#x27;state&#x27; holds &#x27;gone&#x27;" in html
    assert "button statemachine-event" not in html
    assert "No event can be sent until the state is repaired." in html
    assert 'class="statemachine-repair"' in html
    assert f'action="{repair_url(gone)}"' in html
    assert f'name="{STATE_PARAM}" value="gone"' in html
    for state in ("created", "paid", "shipped", "cancelled"):
        assert f'<option value="{state}"' in html
    assert "<svg" in html  # the machine's diagram, nothing active
    assert "turquoise" not in html


def test_who_may_not_repair_sees_no_repair_form(clerk_client, gone):
    response = clerk_client.get(change_url(gone))
    assert response.status_code == 200
    html = response.content.decode()
    assert "not a state of OrderMachine" in html
    assert 'class="statemachine-repair"' not in html


@pytest.mark.usefixtures("repair_with_ship_permission")
def test_the_repair_permission_opens_the_form_to_other_users(clerk, clerk_client, gone):
    assert 'class="statemachine-repair"' not in clerk_client.get(change_url(gone)).content.decode()
    clerk.user_permissions.add(Permission.objects.get(codename="ship_order"))
    clerk = type(clerk).objects.get(pk=clerk.pk)  # a fresh permission cache
    clerk_client.force_login(clerk)
    assert 'class="statemachine-repair"' in clerk_client.get(change_url(gone)).content.decode()
    response = clerk_client.post(repair_url(gone), repair_data())
    assert response.status_code == 302
    assert state_in_db(gone) == "paid"


def test_saving_other_fields_of_a_bad_row_keeps_its_value(admin_client, gone):
    data = {
        "items": 3,
        "address": "2 Side St",
        "entries": 1,
        "note": "",
        "state": "paid",  # forged: the state is not a form field
        "statemachine_audit-transitionlog-content_type-object_id-TOTAL_FORMS": "0",
        "statemachine_audit-transitionlog-content_type-object_id-INITIAL_FORMS": "0",
    }
    response = admin_client.post(change_url(gone), data)
    assert response.status_code == 302
    assert Order.objects.values_list("state", "items").get(pk=gone.pk) == ("gone", 3)


# --- events are refused ---------------------------------------------------------------------
def test_an_event_is_refused_naming_the_row(admin_client, gone):
    url = reverse("admin:shop_order_event", args=(gone.pk, "pay"))
    response = admin_client.post(url, {STATE_PARAM: "gone"})
    assert response.status_code == 302
    assert response.url == change_url(gone)
    ((level, text),) = messages_of(response)
    assert level == "error"
    assert text.startswith("'pay' was not sent: shop.Order pk=")
    assert "'gone'" in text
    assert "repair" in text
    assert state_in_db(gone) == "gone"
    assert not LogEntry.objects.exists()


# --- the repair -----------------------------------------------------------------------------
def test_a_superuser_repairs_the_row(admin_client, admin_user, gone):
    response = admin_client.post(repair_url(gone), repair_data())
    assert response.status_code == 302
    assert response.url == change_url(gone)
    assert messages_of(response) == [
        ("success", f"Order object ({gone.pk}) was repaired: it held 'gone', it is now Paid.")
    ]
    assert state_in_db(gone) == "paid"
    (entry,) = LogEntry.objects.all()
    assert entry.get_change_message() == "Repaired the state: it held 'gone', it is now Paid."
    (row,) = TransitionLog.objects.for_object(gone)
    assert (row.kind, row.event, row.source, row.target, row.user, row.description) == (
        "repair",
        "",
        "gone",
        "paid",
        admin_user,
        "was paid",
    )
    page = admin_client.get(change_url(gone)).content.decode()
    assert '<strong class="statemachine-state">Paid</strong>' in page
    assert 'data-event="cancel"' in page  # events again


def test_others_may_not_repair(clerk_client, gone):
    response = clerk_client.post(repair_url(gone), repair_data())
    assert response.status_code == 403
    assert state_in_db(gone) == "gone"
    assert not TransitionLog.objects.exists()


def test_a_valid_row_is_not_repaired(admin_client):
    order = Order.objects.create(items=1)
    response = admin_client.post(repair_url(order), repair_data(token="created"))
    assert response.status_code == 302
    ((level, text),) = messages_of(response)
    assert level == "error"
    assert "is in a state of OrderMachine (Created): there is nothing to repair" in text
    assert state_in_db(order) == "created"
    assert not TransitionLog.objects.exists()


def test_a_stale_repair_form_is_refused(admin_client, gone):
    response = admin_client.post(repair_url(gone), repair_data(token="lost"))
    ((level, text),) = messages_of(response)
    assert level == "error"
    assert "changed since the page was loaded: it now holds 'gone'" in text
    assert state_in_db(gone) == "gone"


def test_an_unknown_state_is_refused(admin_client, gone):
    response = admin_client.post(repair_url(gone), repair_data(state="lost"))
    ((level, text),) = messages_of(response)
    assert level == "error"
    assert "was not repaired: Select a valid choice. lost is not one of the" in text
    assert state_in_db(gone) == "gone"


def test_the_repair_url_takes_only_posts(admin_client, gone):
    assert admin_client.get(repair_url(gone)).status_code == 405
    assert state_in_db(gone) == "gone"


def test_repairing_a_missing_row_is_a_404(admin_client):
    url = reverse("admin:shop_order_repair_state", args=(12345,))
    assert admin_client.post(url, repair_data()).status_code == 404
