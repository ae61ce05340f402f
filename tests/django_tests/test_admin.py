"""The admin integration (StateMachineAdminMixin), through Django's test client and SQLite."""

from __future__ import annotations

import re

import django
import pytest
from campaign.models import Campaign
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from statemachine.contrib.django import signals
from statemachine.contrib.django.admin import STATE_PARAM, StateMachineAdminMixin
from tests.django_project.shop.admin import OrderAdmin
from tests.django_project.shop.models import AsyncJob, BlogPost, OptimisticOrder, Order, Report

pytestmark = pytest.mark.django_db


# --- helpers --------------------------------------------------------------------------------
# The management form of the audit log's inline on the order's page (it has no rows to edit).
_LOG_PREFIX = "statemachine_audit-transitionlog-content_type-object_id"
LOG_INLINE_MANAGEMENT = {
    f"{_LOG_PREFIX}-TOTAL_FORMS": "0",
    f"{_LOG_PREFIX}-INITIAL_FORMS": "0",
    f"{_LOG_PREFIX}-MIN_NUM_FORMS": "0",
    f"{_LOG_PREFIX}-MAX_NUM_FORMS": "0",
}


def change_url(order):
    return reverse(f"admin:shop_{order._meta.model_name}_change", args=(order.pk,))


def event_url(order, event):
    return reverse(f"admin:shop_{order._meta.model_name}_event", args=(order.pk, event))


def state_in_db(order):
    return Order.objects.values_list("state", flat=True).get(pk=order.pk)


def buttons(response):
    """The event ids offered as buttons (or form links) on a change page."""
    return re.findall(
        r'class="button statemachine-event" data-event="([^"]+)"', response.content.decode()
    )


def refused(response):
    """The event ids listed under "why these events cannot be sent now" (those that have a
    transition from the current state)."""
    block = response.content.decode().partition('class="form-row statemachine-refused"')[2]
    block = block.partition("</ul>")[0]
    return re.findall(r'<li data-event="([^"]+)">', block)


def unreachable(response):
    """The event ids collapsed under "N other events have no transition from <state>"."""
    block = response.content.decode().partition('class="form-row statemachine-unreachable"')[2]
    block = block.partition("</details>")[0]
    return re.findall(r'<li data-event="([^"]+)">', block)


def diagram_of(response):
    """The inline SVG of the state machine panel ("" if there is none)."""
    rest = response.content.decode().partition('<div class="form-row statemachine-diagram">')[2]
    return rest.partition("</svg>")[0] + "</svg>" if rest else ""


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def make_order(state="created", *, model=Order, **fields):
    fields.setdefault("items", 1)
    fields.setdefault("address", "1 Main St")
    order = model.objects.create(**fields)
    path = {"created": [], "paid": ["pay"], "shipped": ["pay", "ship"], "cancelled": ["cancel"]}
    for event in path[state]:
        order.send_event(event, atomic=True)
    assert state_in_db(order) == state
    return model.objects.get(pk=order.pk)


@pytest.fixture
def clerk(django_user_model):
    """A staff user who may view and change orders, but not ship them."""
    user = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    perms = Permission.objects.filter(
        content_type__app_label="shop", codename__in=["view_order", "change_order"]
    )
    user.user_permissions.add(*perms)
    return user


@pytest.fixture
def clerk_client(clerk):
    client = Client()
    client.force_login(clerk)
    return client


# --- the change page ------------------------------------------------------------------------
def test_the_state_field_is_read_only(admin_client):
    order = make_order("paid")
    response = admin_client.get(change_url(order))
    assert response.status_code == 200
    assert 'name="state"' not in response.content.decode()
    assert "state" not in response.context["adminform"].form.fields
    assert "state" in response.context["adminform"].readonly_fields

    # A forged form post cannot write it either.
    data = {"items": 1, "address": "1 Main St", "entries": 1, "note": "", "state": "shipped"}
    data.update(LOG_INLINE_MANAGEMENT)
    response = admin_client.post(change_url(order), data)
    assert response.status_code == 302
    assert state_in_db(order) == "paid"


def test_the_add_page_has_no_state_input_and_no_panel(admin_client):
    response = admin_client.get(reverse("admin:shop_order_add"))
    assert response.status_code == 200
    assert 'name="state"' not in response.content.decode()
    assert 'id="statemachine"' not in response.content.decode()


def test_read_only_fields_keep_the_declared_ones():
    class NotedOrderAdmin(OrderAdmin):
        readonly_fields = ["note"]

    model_admin = NotedOrderAdmin(Order, admin.site)
    assert list(model_admin.get_readonly_fields(None)) == ["note", "state"]


def test_the_panel_shows_the_state_and_the_events_a_superuser_may_send(admin_client):
    order = make_order("paid")
    response = admin_client.get(change_url(order))
    assert '<strong class="statemachine-state">Paid</strong>' in response.content.decode()
    assert buttons(response) == ["ship", "cancel"]
    # pay and restock have no transition from paid: not "refused", but collapsed apart.
    assert refused(response) == []
    assert unreachable(response) == ["pay", "restock"]
    assert "2 other events have no transition from Paid</summary>" in response.content.decode()


def test_buttons_follow_the_users_permissions(clerk, clerk_client):
    order = make_order("paid")
    response = clerk_client.get(change_url(order))
    assert response.status_code == 200
    assert buttons(response) == ["cancel"]  # staff may cancel; shipping needs shop.ship_order
    assert "ship" in refused(response)
    assert "clerk lacks the permission &#x27;shop.ship_order&#x27;." in response.content.decode()

    clerk.user_permissions.add(Permission.objects.get(codename="ship_order"))
    response = clerk_client.get(change_url(order))
    assert buttons(response) == ["ship", "cancel"]


def test_a_failing_guard_hides_the_button_and_says_why(admin_client):
    order = make_order("paid", address="")
    response = admin_client.get(change_url(order))
    assert buttons(response) == ["cancel"]
    assert (
        "&#x27;ship&#x27; from &#x27;paid&#x27; to &#x27;shipped&#x27;: address_known is false."
        in (response.content.decode())
    )


def test_no_buttons_without_change_permission(django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client = Client()
    client.force_login(viewer)
    order = make_order("created")
    response = client.get(change_url(order))
    assert response.status_code == 200
    assert buttons(response) == []
    assert "No event can be sent now." in response.content.decode()

    response = client.post(event_url(order, "pay"))
    assert response.status_code == 403
    assert state_in_db(order) == "created"


def test_the_diagram_highlights_the_current_state(admin_client):
    order = make_order("paid")
    diagram = diagram_of(admin_client.get(change_url(order)))
    assert diagram.startswith("<svg")  # inlined: the XML prolog is dropped
    assert diagram.count("<svg") == 1
    nodes = re.findall(r'<g id="node\d+" class="node">(.*?)</g>', diagram, re.DOTALL)
    filled = [n for n in nodes if 'fill="turquoise"' in n]
    assert len(filled) == 1
    assert ">Paid</text>" in filled[0]


def test_without_the_diagram(admin_client, monkeypatch):
    monkeypatch.setattr(OrderAdmin, "statemachine_show_diagram", False)
    response = admin_client.get(change_url(make_order()))
    assert response.status_code == 200
    assert diagram_of(response) == ""


def test_a_diagram_that_cannot_render_leaves_a_note(admin_client, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # Graphviz's `dot` is not found
    response = admin_client.get(change_url(make_order()))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The diagram is unavailable: &#x27;dot&#x27; not found in PATH." in page
    assert "apt-get install graphviz" in page  # the error's note says how to fix it
    assert diagram_of(response) == ""


# --- sending events -------------------------------------------------------------------------
def test_a_button_sends_the_event_and_saves(admin_client, admin_user):
    order = make_order("created")
    response = admin_client.post(event_url(order, "pay"))
    assert response.status_code == 302
    assert response["Location"] == change_url(order)
    assert state_in_db(order) == "paid"
    assert messages_of(response) == [("success", f"Pay: {order} is now Paid.")]
    entry = LogEntry.objects.get(object_id=str(order.pk))
    assert entry.user == admin_user
    assert "Sent the event 'Pay'" in entry.get_change_message()


def test_the_outcome_shows_on_the_change_page(admin_client):
    order = make_order("created")
    response = admin_client.post(event_url(order, "pay"), follow=True)
    assert response.redirect_chain == [(change_url(order), 302)]
    assert f"Pay: {order} is now Paid." in response.content.decode()
    assert '<strong class="statemachine-state">Paid</strong>' in response.content.decode()


def test_a_refused_guard_is_an_error_and_writes_nothing(admin_client):
    order = make_order("created", items=0)
    response = admin_client.post(event_url(order, "pay"))
    assert response.status_code == 302
    assert state_in_db(order) == "created"
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert text.startswith("Pay was refused")
    assert "has_items is false" in text
    assert not LogEntry.objects.exists()


def test_an_event_not_allowed_from_the_state_writes_nothing(admin_client):
    order = make_order("created")
    response = admin_client.post(event_url(order, "restock"))
    assert state_in_db(order) == "created"
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "No transition for 'restock' from 'created'." in text


def test_an_undeclared_event_writes_nothing(admin_client):
    order = make_order("created")
    response = admin_client.post(event_url(order, "explode"))
    assert response.status_code == 302
    assert state_in_db(order) == "created"
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "OrderMachine has no event 'explode'" in text
    assert "pay, ship, cancel, restock" in text


def test_an_event_the_user_may_not_send_writes_nothing(clerk_client):
    order = make_order("paid")
    response = clerk_client.post(event_url(order, "ship"), {"note": "hello"})
    assert response.status_code == 302
    assert state_in_db(order) == "paid"
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "clerk may not send 'ship'" in text
    assert "'shop.ship_order' is required" in text


def test_a_staff_user_may_cancel(clerk_client):
    order = make_order("paid")
    clerk_client.post(event_url(order, "cancel"))
    assert state_in_db(order) == "cancelled"


def test_a_failing_callback_is_an_error_and_rolls_back(admin_client, caplog):
    order = make_order("shipped")
    response = admin_client.post(event_url(order, "restock"))
    assert state_in_db(order) == "shipped"
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert text == "Restock failed: RuntimeError: the warehouse is closed. Nothing was saved."
    assert "Sending 'restock'" in caplog.text


def test_a_chart_callback_error_is_an_error_and_rolls_back(admin_client, caplog):
    """A StateChart would catch the error as an error.execution event and go on; the admin
    raises it instead: reported, and neither the state nor the callback's write is saved."""
    report = Report.objects.create()
    response = admin_client.post(event_url(report, "publish"))
    assert Report.objects.values("state", "title").get(pk=report.pk) == {
        "state": "draft",
        "title": "",
    }
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert text == "Publish failed: RuntimeError: the printer is on fire. Nothing was saved."


@pytest.mark.skipif(django.VERSION < (5, 0), reason="async model machines need Django 5.0+")
def test_an_async_machine_runs_from_the_admin(admin_client):
    """The admin's views are sync: the asyncio engine's event runs to completion there, in
    the request's transaction; a caught error is still reported and rolled back."""
    job = AsyncJob.objects.create()
    response = admin_client.post(event_url(job, "start"))
    assert messages_of(response) == [("success", f"Start: {job} is now Running.")]
    assert AsyncJob.objects.values_list("state", flat=True).get(pk=job.pk) == "running"

    response = admin_client.post(event_url(job, "crash"))
    assert messages_of(response)[-1] == (
        "error",
        "Crash failed: RuntimeError: the report could not be written. Nothing was saved.",
    )
    assert AsyncJob.objects.values("state", "name").get(pk=job.pk) == {
        "state": "running",
        "name": "",
    }


def test_a_get_does_not_send(admin_client):
    order = make_order("created")
    response = admin_client.get(event_url(order, "pay"))
    assert response.status_code == 405
    assert state_in_db(order) == "created"


def test_an_unknown_object_is_404(admin_client):
    assert admin_client.post(event_url(Order(pk=999), "pay")).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client):
    order = make_order("created")
    response = client.post(event_url(order, "pay"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert state_in_db(order) == "created"


def test_csrf_is_enforced_and_the_buttons_carry_the_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    order = make_order("created")
    assert client.post(event_url(order, "pay")).status_code == 403
    assert state_in_db(order) == "created"

    page = client.get(change_url(order)).content.decode()
    form = page.partition(f'action="{event_url(order, "pay")}"')[2].partition("</form>")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(event_url(order, "pay"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert state_in_db(order) == "paid"


# --- event forms ----------------------------------------------------------------------------
def test_an_event_with_a_form_is_a_link_to_it(admin_client):
    order = make_order("paid")
    page = admin_client.get(change_url(order)).content.decode()
    assert f'href="{event_url(order, "ship")}?{STATE_PARAM}=paid"' in page


def test_the_event_form_flow(admin_client, admin_user):
    order = make_order("paid")
    received = []

    def spy(sender, event, kwargs, **rest):
        received.append((event, kwargs))

    signals.pre_transition.connect(spy, sender=Order)
    try:
        response = admin_client.get(event_url(order, "ship"), {STATE_PARAM: "paid"})
        assert response.status_code == 200
        assert 'name="note"' in response.content.decode()
        assert f'name="{STATE_PARAM}" value="paid"' in response.content.decode()
        assert 'name="csrfmiddlewaretoken"' in response.content.decode()
        assert "Passed to the event as note=." in response.content.decode()

        response = admin_client.post(event_url(order, "ship"), {"note": ""})
        assert response.status_code == 200  # the form again, with its errors
        assert "This field is required." in response.content.decode()
        assert state_in_db(order) == "paid"
        assert received == []

        response = admin_client.post(
            event_url(order, "ship"), {"note": "fragile", STATE_PARAM: "paid"}
        )
        assert response.status_code == 302
        assert response["Location"] == change_url(order)
    finally:
        signals.pre_transition.disconnect(spy, sender=Order)
    assert state_in_db(order) == "shipped"
    [(event, kwargs)] = received
    assert event == "ship"
    assert kwargs["note"] == "fragile"
    assert kwargs["by"] == admin_user  # send_event(by=...) passes the user on as well
    assert messages_of(response) == [("success", f"Ship: {order} is now Shipped.")]


def test_an_event_form_field_may_not_shadow_send_options(admin_client, monkeypatch):
    from django import forms
    from django.core.exceptions import ImproperlyConfigured

    class BadForm(forms.Form):
        by = forms.CharField()

    monkeypatch.setattr(OrderAdmin, "statemachine_event_forms", {"pay": BadForm})
    order = make_order("created")
    with pytest.raises(ImproperlyConfigured, match="fields named by"):
        admin_client.post(event_url(order, "pay"), {"by": "x"})
    assert state_in_db(order) == "created"


# --- concurrency ----------------------------------------------------------------------------
def test_a_stale_page_is_refused(admin_client):
    order = make_order("paid")
    page = admin_client.get(change_url(order)).content.decode()
    assert f'name="{STATE_PARAM}" value="paid"' in page

    Order.objects.filter(pk=order.pk).update(state="cancelled")  # someone else, meanwhile
    response = admin_client.post(event_url(order, "cancel"), {STATE_PARAM: "paid"})
    assert state_in_db(order) == "cancelled"
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "changed since the page was loaded: it is now Cancelled" in text


def test_a_concurrent_transition_is_an_error(admin_client):
    order = make_order("paid", model=OptimisticOrder)

    def race(sender, instance, **kwargs):
        # Another process cancels the order while this one is shipping it.
        Order.objects.filter(pk=instance.pk).update(state="cancelled")

    signals.pre_transition.connect(race, sender=OptimisticOrder)
    try:
        response = admin_client.post(event_url(order, "cancel"))
    finally:
        signals.pre_transition.disconnect(race, sender=OptimisticOrder)
    assert response.status_code == 302
    assert response["Location"] == change_url(order)
    # The simulated concurrent write shared the event's transaction, so it rolled back too:
    # what matters is that the admin wrote nothing and said why.
    assert state_in_db(order) == "paid"
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "Cancel was not saved" in text
    assert "changed by someone else" in text
    assert not LogEntry.objects.exists()


# --- hooks and checks -----------------------------------------------------------------------
def test_hooks_choose_the_buttons_and_their_labels(admin_client, monkeypatch):
    monkeypatch.setattr(
        OrderAdmin,
        "get_statemachine_events",
        lambda self, request, obj: [e for e in obj.available_events(request.user) if e != "ship"],
    )
    monkeypatch.setattr(OrderAdmin, "get_event_label", lambda self, event: f"Do {event}!")
    page = admin_client.get(change_url(make_order("paid"))).content.decode()
    assert 'data-event="cancel">Do cancel!</button>' in page
    assert 'data-event="ship"' not in page


def test_the_default_label_is_the_event_name():
    model_admin = OrderAdmin(Order, admin.site)
    assert model_admin.get_event_label("restock") == "Restock"
    assert model_admin.get_event_label(Order().statemachine.pay) == "Pay"
    assert model_admin.get_event_label("unknown") == "unknown"


def test_system_checks():
    assert OrderAdmin(Order, admin.site).check() == []

    class TypoAdmin(StateMachineAdminMixin, admin.ModelAdmin):
        statemachine_event_forms = {"shipp": object}

    [error] = TypoAdmin(Order, admin.site).check()
    assert error.id == "statemachine.E103"
    assert "'shipp', which is not an event of OrderMachine" in error.msg

    class PlainAdmin(StateMachineAdminMixin, admin.ModelAdmin):
        pass

    [error] = PlainAdmin(Campaign, admin.site).check()
    assert error.id == "statemachine.E102"


def test_another_state_machine_model_in_the_admin(admin_client):
    """The mixin works for any StateMachineModelMixin model (BlogPost: unprotected field,
    another machine attribute)."""

    class BlogPostAdmin(StateMachineAdminMixin, admin.ModelAdmin):
        pass

    model_admin = BlogPostAdmin(BlogPost, admin.site)
    assert model_admin.get_readonly_fields(None) == ["state"]
    post = BlogPost.objects.create(title="Hello")
    assert [e.id for e in model_admin.get_statemachine_events(_Request(), post)] == ["publish"]


class _Request:
    class user:  # a superuser, enough for the permission checks
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(perm, obj=None):
            return True


def test_a_statechart_that_would_ignore_the_event_reports_why(admin_user, rf):
    """StateCharts ignore an event they cannot take: the admin asks why_not() first."""
    from django.contrib.messages.storage.fallback import FallbackStorage

    from tests.django_project.shop.models import Task

    class TaskAdmin(StateMachineAdminMixin, admin.ModelAdmin):
        pass

    task = Task.objects.create()
    request = rf.post("/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = TaskAdmin(Task, admin.site)
    assert model_admin.send_statemachine_event(request, task, "lower", {}) is False
    [(level, text)] = messages_of(type("R", (), {"wsgi_request": request}))
    assert level == "error"
    assert "No transition for 'lower' from 'low'." in text
    assert model_admin.send_statemachine_event(request, task, "escalate", {}) is True
    assert Task.objects.get(pk=task.pk).state == "high"


# --- the panel: the state once, the refusals that matter, a diagram for staff ----------------
def test_the_change_page_shows_the_state_once(admin_client):
    order = make_order("paid")
    html = admin_client.get(change_url(order)).content.decode()
    assert html.count('class="statemachine-state"') == 1
    assert "field-state" not in html  # no read-only "State:" row in the form


def test_declared_fieldsets_lose_the_state_fields_on_the_change_page_only():
    class FieldsetOrderAdmin(OrderAdmin):
        fieldsets = [
            (None, {"fields": [("state", "items"), "address"]}),
            ("Only the state", {"fields": ["state"]}),
            ("Notes", {"fields": ["note"]}),
        ]

    model_admin = FieldsetOrderAdmin(Order, admin.site)
    order = make_order("paid")
    assert model_admin.get_fieldsets(None, order) == [
        (None, {"fields": [("items",), "address"]}),
        ("Notes", {"fields": ["note"]}),
    ]
    assert model_admin.get_fieldsets(None) == FieldsetOrderAdmin.fieldsets  # the add page


def test_only_events_with_a_transition_from_here_are_explained(admin_client):
    order = make_order("created", items=0)  # pay's guard, has_items, is false
    response = admin_client.get(change_url(order))
    html = response.content.decode()
    assert buttons(response) == ["cancel"]
    assert refused(response) == ["pay"]
    assert "&#x27;pay&#x27; from &#x27;created&#x27; to &#x27;paid&#x27;: has_items is false." in (
        html
    )
    assert unreachable(response) == ["ship", "restock"]
    assert "<summary>2 other events have no transition from Created</summary>" in html


def test_one_unreachable_event_reads_in_the_singular(admin_client):
    report = Report.objects.create()
    Report.objects.filter(pk=report.pk).update(state="published")
    response = admin_client.get(reverse("admin:shop_report_change", args=(report.pk,)))
    assert unreachable(response) == ["publish"]
    assert "<summary>1 other event has no transition from Published</summary>" in (
        response.content.decode()
    )


def test_refusals_can_be_hidden(admin_client, monkeypatch):
    monkeypatch.setattr(admin.site._registry[Order], "statemachine_show_refusals", False)
    response = admin_client.get(change_url(make_order("created", items=0)))
    assert refused(response) == []
    assert unreachable(response) == []


CODE_NAMES = ("has_items", "address_known", "on_enter_created", "break_on_restock")


def test_the_diagram_shows_names_not_code(admin_client):
    svg = diagram_of(admin_client.get(change_url(make_order("paid"))))
    for name in ("Created", "Paid", "Shipped", "Cancelled", "Pay", "Ship", "Cancel", "Restock"):
        assert f">{name}</text>" in svg
    for code in CODE_NAMES:
        assert code not in svg


def test_the_diagram_can_show_the_callbacks_and_guards(admin_client, monkeypatch):
    monkeypatch.setattr(admin.site._registry[Order], "statemachine_diagram_actions", True)
    svg = diagram_of(admin_client.get(change_url(make_order("paid"))))
    for code in ("has_items", "address_known", "on_enter_created"):
        assert code in svg
