"""The durable timers in the admin: the read-only ``TimerInline`` on a row's change page (added
by ``StateMachineAdminMixin`` when the timers app is installed, or listed by hand) and the
read-only ``TimerAdmin``, through Django's test client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.test import RequestFactory, modify_settings, override_settings
from django.urls import path, reverse

from statemachine.contrib.django.admin import StateMachineAdminMixin
from statemachine.contrib.django.timers import Timer
from statemachine.contrib.django.timers.admin import TimerAdmin, TimerInline
from statemachine.contrib.django.timers.testing import frozen_clock, run_due_timers
from tests.django_project.shop.models import Invoice, Reservation

pytestmark = pytest.mark.django_db

INLINE_PREFIX = "statemachine_timers-timer-content_type-object_id"


# --- admin sites of this module --------------------------------------------------------------
class InvoiceAdmin(StateMachineAdminMixin, admin.ModelAdmin):
    """Declares no inline: the mixin adds the timers."""

    statemachine_show_diagram = False


class ReservationAdmin(admin.ModelAdmin):
    """No state machine admin: the inline listed by hand."""

    inlines = [TimerInline]


site = admin.AdminSite(name="timers_test_admin")
site.register(Invoice, InvoiceAdmin)
site.register(Reservation, ReservationAdmin)
site.register(Timer, TimerAdmin)

# Without the Timer admin: it stays usable when the timers app is removed from INSTALLED_APPS.
bare_site = admin.AdminSite(name="timers_bare_admin")
bare_site.register(Invoice, InvoiceAdmin)

urlpatterns = [path("timers-admin/", site.urls), path("bare-admin/", bare_site.urls)]


@pytest.fixture(autouse=True)
def urls():
    with override_settings(ROOT_URLCONF=__name__):
        yield


@pytest.fixture
def clock():
    with frozen_clock() as frozen:
        yield frozen


@pytest.fixture
def invoice(clock):
    """A sent invoice with three timers: `remind` fired, `expire` pending, `resend` dropped
    (cancelled); another invoice has a pending timer of its own."""
    invoice = Invoice.objects.create()
    invoice.statemachine.send_out()
    invoice.statemachine.send("remind", delay=1_000, send_id="nudge", note="first")
    invoice.statemachine.send("expire", at=timedelta(days=2), send_id="expiry")
    invoice.statemachine.send("resend", at=timedelta(days=1), send_id="again")
    invoice.statemachine.cancel_event("again")
    clock.advance(seconds=1)
    [report] = run_due_timers()
    assert report["status"] == "fired"
    other = Invoice.objects.create()
    other.statemachine.send_out()
    other.statemachine.send("expire", delay=5_000, send_id="other-expiry")
    return Invoice.objects.get(pk=invoice.pk)


def change_url(obj, site_name="timers_test_admin"):
    return reverse(f"{site_name}:shop_{obj._meta.model_name}_change", args=[obj.pk])


def timers_inline(response):
    """The inline formset of the timers on a change page, or None."""
    found = [i for i in response.context["inline_admin_formsets"] if i.formset.model is Timer]
    assert len(found) <= 1
    return found[0] if found else None


def column(html, name):
    """The texts of one read-only column of the timers inline, top to bottom."""
    return [
        text.strip()
        for text in re.findall(rf'<td class="field-{name}">\s*<p>(.*?)</p>', html, re.S)
    ]


# --- the inline -----------------------------------------------------------------------------
def test_the_change_page_lists_the_rows_timers_read_only(admin_client, invoice):
    response = admin_client.get(change_url(invoice))
    assert response.status_code == 200
    inline = timers_inline(response)
    assert inline is not None
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    assert inline.formset.total_form_count() == 3  # not the other invoice's timer
    html = response.content.decode()
    assert column(html, "event") == ["remind", "resend", "expire"]  # oldest due first
    assert column(html, "status") == ["Fired", "Dropped", "Pending"]
    assert column(html, "send_id") == ["nudge", "again", "expiry"]
    assert column(html, "outcome")[:2] == [
        "sent &#x27;remind&#x27;; the row is in sent",
        "cancelled by cancel_event(&#x27;again&#x27;)",
    ]
    assert "other-expiry" not in html
    for name in ("event", "due_at", "status", "outcome", "send_id", "DELETE"):
        assert f'name="{INLINE_PREFIX}-0-{name}"' not in html
    # Each row links to the timer's own (read-only) page on the same site.
    first = Timer.objects.for_object(invoice).get(event="remind")
    link = reverse("timers_test_admin:statemachine_timers_timer_change", args=[first.pk])
    assert f'href="{link}"' in html


def test_a_user_needs_the_view_timer_permission_to_see_the_inline(client, invoice):
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="change_invoice"))
    client.force_login(clerk)
    assert timers_inline(client.get(change_url(invoice))) is None
    clerk.user_permissions.add(Permission.objects.get(codename="view_timer"))
    clerk = User.objects.get(pk=clerk.pk)  # forget the cached permissions
    client.force_login(clerk)
    inline = timers_inline(client.get(change_url(invoice)))
    assert inline is not None
    assert inline.formset.total_form_count() == 3


def test_saving_the_change_page_needs_no_data_from_the_inline(admin_client, invoice):
    """The timers inline reads nothing from the POST: a form posted without its management
    form saves, and forged rows change no timer."""
    timer = Timer.objects.for_object(invoice).get(event="expire")
    response = admin_client.post(change_url(invoice), {"reminders": "7", "note": "edited"})
    assert response.status_code == 302, response.context["errors"]
    invoice.refresh_from_db()
    assert (invoice.reminders, invoice.note) == (7, "edited")
    forged = {
        "reminders": "8",
        "note": "again",
        f"{INLINE_PREFIX}-TOTAL_FORMS": "1",
        f"{INLINE_PREFIX}-INITIAL_FORMS": "1",
        f"{INLINE_PREFIX}-0-id": str(timer.pk),
        f"{INLINE_PREFIX}-0-event": "pay",
        f"{INLINE_PREFIX}-0-status": "fired",
        f"{INLINE_PREFIX}-0-DELETE": "on",
    }
    assert admin_client.post(change_url(invoice), forged).status_code == 302
    timer.refresh_from_db()
    assert (timer.event, timer.status) == ("expire", Timer.PENDING)
    assert Invoice.objects.get(pk=invoice.pk).reminders == 8


def test_an_admin_may_list_the_inline_itself(admin_client, clock):
    reservation = Reservation.objects.create()  # its `held` timeout is a timer
    response = admin_client.get(change_url(reservation))
    inline = timers_inline(response)
    assert inline is not None
    assert column(response.content.decode(), "send_id") == ["timeout.held"]


def test_the_mixin_does_not_add_the_inline_twice(invoice):
    class OwnInline(TimerInline):
        pass

    class WithOwnInline(StateMachineAdminMixin, admin.ModelAdmin):
        inlines = [OwnInline]

    request = RequestFactory().get("/")
    assert WithOwnInline(Invoice, site).get_inlines(request, invoice) == [OwnInline]
    assert InvoiceAdmin(Invoice, site).get_inlines(request, invoice) == [TimerInline]


def test_the_add_page_and_statemachine_show_timers_false_have_no_timers(invoice):
    class Quiet(InvoiceAdmin):
        statemachine_show_timers = False

    request = RequestFactory().get("/")
    assert InvoiceAdmin(Invoice, site).get_inlines(request, None) == []
    assert Quiet(Invoice, site).get_inlines(request, invoice) == []


def test_the_inline_is_absent_without_the_timers_app(admin_client, invoice):
    url = change_url(invoice, "timers_bare_admin")
    assert timers_inline(admin_client.get(url)) is not None
    with modify_settings(INSTALLED_APPS={"remove": ["statemachine.contrib.django.timers"]}):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert timers_inline(response) is None
        assert "expiry" not in response.content.decode()
        assert (
            InvoiceAdmin(Invoice, bare_site).get_inlines(RequestFactory().get("/"), invoice) == []
        )


# --- the Timer admin --------------------------------------------------------------------------
def test_the_timer_admin_is_registered_on_the_default_site():
    assert isinstance(admin.site._registry[Timer], TimerAdmin)


def test_the_timer_admin_is_read_only(admin_client, invoice):
    changelist = admin_client.get(reverse("timers_test_admin:statemachine_timers_timer_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 4
    assert "delete_selected" not in changelist.context["cl"].model_admin.get_actions(
        changelist.wsgi_request
    )
    add = reverse("timers_test_admin:statemachine_timers_timer_add")
    assert admin_client.get(add).status_code == 403
    assert admin_client.post(add, {"event": "pay"}).status_code == 403
    timer = Timer.objects.for_object(invoice).get(event="expire")
    url = reverse("timers_test_admin:statemachine_timers_timer_change", args=[timer.pk])
    detail = admin_client.get(url)
    assert detail.status_code == 200
    assert not detail.context["adminform"].form.fields  # every field is read-only
    assert str(timer.key) in detail.content.decode()
    assert admin_client.post(url, {"event": "pay", "status": "fired"}).status_code == 403
    delete = reverse("timers_test_admin:statemachine_timers_timer_delete", args=[timer.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    timer.refresh_from_db()
    assert (timer.event, timer.status) == ("expire", Timer.PENDING)
    assert Timer.objects.count() == 4


def results(admin_client, **query):
    response = admin_client.get(
        reverse("timers_test_admin:statemachine_timers_timer_changelist"), query
    )
    assert response.status_code == 200
    return sorted((t.event, t.send_id) for t in response.context["cl"].result_list)


def test_the_timer_admin_filters_by_status_and_event(admin_client, invoice):
    assert results(admin_client, status__exact="pending") == [
        ("expire", "expiry"),
        ("expire", "other-expiry"),
    ]
    assert results(admin_client, status__exact="dropped") == [("resend", "again")]
    assert results(admin_client, event="remind") == [("remind", "nudge")]
    assert results(admin_client, event="expire", status__exact="fired") == []


def test_the_timer_admin_searches_keys_send_ids_and_outcomes(admin_client, invoice):
    timer = Timer.objects.get(send_id="other-expiry")
    assert results(admin_client, q=str(timer.key)[:13]) == [("expire", "other-expiry")]
    assert results(admin_client, q="nudge") == [("remind", "nudge")]
    assert results(admin_client, q="cancelled by") == [("resend", "again")]


def test_the_row_column_links_to_the_rows_change_page_where_it_has_one(admin_client, invoice):
    timer = Timer.objects.for_object(invoice).get(event="expire")
    here = TimerAdmin(Timer, site).row(timer)
    assert here == f'<a href="{change_url(invoice)}">shop.Invoice {invoice.pk}</a>'
    # The default site has no Invoice admin: plain text.
    assert TimerAdmin(Timer, admin.site).row(timer) == f"shop.Invoice {invoice.pk}"
