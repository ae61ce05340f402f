"""The audit-log app ``statemachine.contrib.django.audit``: rows, queries, settings,
transactions and the admin."""

from __future__ import annotations

import datetime
import re

import django
import pytest
from asgiref.sync import async_to_sync
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.db import transaction
from django.test import override_settings
from django.urls import path, reverse
from django.utils import timezone

from statemachine.contrib.django import TransitionPermissionDenied
from statemachine.contrib.django.audit.admin import TransitionLogAdmin, TransitionLogInline
from statemachine.contrib.django.audit.checks import check_ignored_models
from statemachine.contrib.django.audit.models import TransitionLog
from statemachine.contrib.django.signals import post_transition
from statemachine.exceptions import TransitionNotAllowed
from tests.django_project.shop.models import AsyncJob, AtomicOrder, BlogPost, Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice")


def test_a_transition_writes_one_row(alice):
    order = Order.objects.create(items=1)
    before = timezone.now()
    order.statemachine.send("pay", by=alice, description="paid by card")
    after = timezone.now()

    (log,) = TransitionLog.objects.all()
    assert (log.event, log.source, log.target) == ("pay", "created", "paid")
    assert log.user == alice
    assert log.description == "paid by card"
    assert before <= log.timestamp <= after
    assert log.content_type == ContentType.objects.get_for_model(Order)
    assert log.object_id == str(order.pk)
    assert log.content_object == order
    assert "pay" in str(log)


def test_user_and_description_are_optional():
    order = Order.objects.create(items=1)
    order.pay()  # a bound event method, without keywords
    (log,) = TransitionLog.objects.all()
    assert log.user is None
    assert log.description == ""


@pytest.mark.parametrize("by", ["cron", AnonymousUser()])
def test_by_that_is_not_a_user_is_not_recorded(by):
    order = Order.objects.create(items=1)
    order.statemachine.send("pay", by=by)
    assert TransitionLog.objects.get().user is None


def test_deleting_the_user_keeps_the_row(alice):
    order = Order.objects.create(items=1)
    order.statemachine.send("pay", by=alice)
    alice.delete()
    assert TransitionLog.objects.get().user is None


def test_for_object_lists_one_objects_transitions_in_order():
    first = Order.objects.create(items=1, address="here")
    second = Order.objects.create(items=1)
    first.pay()
    second.pay()
    first.ship()
    post = BlogPost.objects.create(title="Hello")
    post.publish()

    assert [(log.event, log.target) for log in TransitionLog.objects.for_object(first)] == [
        ("pay", "paid"),
        ("ship", "shipped"),
    ]
    assert [log.event for log in TransitionLog.objects.for_object(second)] == ["pay"]
    assert [log.event for log in TransitionLog.objects.for_object(post)] == ["publish"]
    # A proxy instance of the same row has the same history (one content type).
    proxy = AtomicOrder.objects.get(pk=first.pk)
    assert TransitionLog.objects.for_object(proxy).count() == 2
    # It is a queryset method: it chains.
    assert TransitionLog.objects.filter(event="ship").for_object(first).count() == 1


def test_rows_are_ordered_by_timestamp_then_id():
    order = Order.objects.create(items=1)
    order.pay()
    order.cancel()
    TransitionLog.objects.filter(event="cancel").update(
        timestamp=timezone.now() - datetime.timedelta(days=1)
    )
    assert [log.event for log in TransitionLog.objects.for_object(order)] == ["cancel", "pay"]


@pytest.mark.parametrize(
    ("ignored", "order_logged", "atomic_logged"),
    [
        (["shop.Order"], False, False),  # a concrete model and its proxies
        (["shop.atomicorder"], True, False),  # a proxy only; labels are case-insensitive
        (["auth.User"], True, True),
    ],
)
def test_ignored_models(ignored, order_logged, atomic_logged):
    with override_settings(STATEMACHINE_AUDIT_IGNORED_MODELS=ignored):
        order = Order.objects.create(items=1)
        order.pay()
        atomic = AtomicOrder.objects.create(items=1)
        atomic.pay()
        post = BlogPost.objects.create(title="Hello")
        post.publish()
    assert TransitionLog.objects.for_object(order).exists() is order_logged
    assert TransitionLog.objects.for_object(atomic).exists() is atomic_logged
    assert TransitionLog.objects.for_object(post).exists()


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        (["shop.Order", "shop.AtomicOrder"], []),
        (["shop.Nope", "shop.order"], ["statemachine_audit.W001"]),
        ("shop.Order", ["statemachine_audit.E001"]),
    ],
)
def test_the_ignored_models_setting_is_checked(value, ids):
    with override_settings(STATEMACHINE_AUDIT_IGNORED_MODELS=value):
        messages = check_ignored_models()
    assert [m.id for m in messages] == ids
    if ids == ["statemachine_audit.W001"]:
        assert "'shop.Nope'" in messages[0].msg


def test_the_check_is_registered():
    with override_settings(STATEMACHINE_AUDIT_IGNORED_MODELS=["shop.Nope"]):
        messages = checks.run_checks()
    assert "statemachine_audit.W001" in [m.id for m in messages]


def test_an_unsaved_instance_writes_nothing():
    order = Order(items=1)
    order.pay()
    assert not TransitionLog.objects.exists()


# --- transactions --------------------------------------------------------------------------
@pytest.fixture
def failing_receiver():
    """A post_transition receiver connected after the audit log's, which raises."""

    def fail(sender, event, exception=None, **kwargs):
        if exception is None and event == "pay":
            raise RuntimeError("the bank said no")

    post_transition.connect(fail, dispatch_uid="test_audit.fail")
    yield
    post_transition.disconnect(dispatch_uid="test_audit.fail")


@pytest.mark.usefixtures("failing_receiver")
def test_an_atomic_transition_that_fails_after_logging_rolls_the_row_back():
    order = AtomicOrder.objects.create(items=1)
    with pytest.raises(RuntimeError, match="bank"):
        order.statemachine.send("pay", description="rolled back")
    assert not TransitionLog.objects.exists()
    order.refresh_from_db()
    assert order.state == "created"


@pytest.mark.usefixtures("failing_receiver")
def test_without_atomic_saving_the_row_of_the_completed_transition_stays():
    order = Order.objects.create(items=1)  # the contrast: no transaction around the event
    with pytest.raises(RuntimeError, match="bank"):
        order.pay()
    assert TransitionLog.objects.get().event == "pay"


def test_a_failing_callback_of_an_atomic_transition_leaves_no_row():
    order = AtomicOrder.objects.create(items=1, address="here")
    order.pay()
    order.ship()
    with pytest.raises(RuntimeError, match="warehouse"):
        order.restock()  # its `on` callback raises
    assert [log.event for log in TransitionLog.objects.for_object(order)] == ["pay", "ship"]
    order.refresh_from_db()
    assert order.state == "shipped"


def test_the_row_belongs_to_the_callers_transaction():
    order = Order.objects.create(items=1)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        order.pay()
        assert TransitionLog.objects.count() == 1  # written inside the block...
        1 / 0
    assert not TransitionLog.objects.exists()  # ...and rolled back with it


def test_atomic_transition_commits_the_row_with_the_state(alice):
    order = AtomicOrder.objects.create(items=1)
    order.statemachine.send("pay", by=alice)
    order.refresh_from_db()
    assert order.state == "paid"
    assert TransitionLog.objects.for_object(order).get().user == alice


@pytest.mark.skipif(
    django.VERSION < (5, 0), reason="async model machines need Django 5.0+ (Signal.asend)"
)
@pytest.mark.django_db(transaction=True)
def test_the_asyncio_engine_logs_too(alice):
    """post_transition goes out with Signal.asend(): the receiver runs in a thread, where it
    may use the ORM."""
    job = AsyncJob.objects.create()

    async def view(pk):
        mine = await AsyncJob.objects.aget(pk=pk)
        await mine.statemachine.send("start", by=alice, description="from an async view")

    async_to_sync(view)(job.pk)
    (log,) = TransitionLog.objects.for_object(job)
    assert (log.event, log.source, log.target) == ("start", "queued", "running")
    assert log.user == alice
    assert log.description == "from an async view"


# --- refused transitions -------------------------------------------------------------------
def test_a_failing_guard_writes_nothing():
    order = Order.objects.create(items=0)  # pay needs has_items
    with pytest.raises(TransitionNotAllowed):
        order.pay()
    assert not TransitionLog.objects.exists()


def test_an_event_not_allowed_in_the_state_writes_nothing():
    order = Order.objects.create(items=1, address="here")
    with pytest.raises(TransitionNotAllowed):
        order.ship()  # still `created`
    assert not TransitionLog.objects.exists()


def test_a_denied_permission_writes_nothing(alice):
    order = Order.objects.create(items=1)
    with pytest.raises(TransitionPermissionDenied):
        order.statemachine.send("cancel", by=alice)  # only staff may cancel
    assert not TransitionLog.objects.exists()


# --- admin ---------------------------------------------------------------------------------
site = admin.AdminSite(name="audit_test_admin")


class OrderAdmin(admin.ModelAdmin):
    fields = ["items", "address"]
    inlines = [TransitionLogInline]


site.register(Order, OrderAdmin)
site.register(TransitionLog, TransitionLogAdmin)

urlpatterns = [path("audit-admin/", site.urls)]


@pytest.fixture
def audit_urls():
    with override_settings(ROOT_URLCONF=__name__):
        yield


@pytest.fixture
def history(alice):
    order = Order.objects.create(items=1)
    order.statemachine.send("pay", by=alice, description="paid by card")
    order.cancel()
    return order


@pytest.mark.usefixtures("audit_urls")
def test_the_inline_shows_the_history_read_only(admin_client, history):
    response = admin_client.get(reverse("audit_test_admin:shop_order_change", args=[history.pk]))
    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.formset.model is TransitionLog
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    assert inline.formset.total_form_count() == 2
    prefix = inline.formset.prefix
    html = response.content.decode()
    for text in ("paid by card", "alice", "pay", "cancel", "created", "cancelled"):
        assert text in html
    for name in ("event", "source", "target", "description", "user", "DELETE"):
        assert f'name="{prefix}-0-{name}"' not in html
    assert f'name="{prefix}-TOTAL_FORMS"' in html  # the (empty) management form only


@pytest.mark.usefixtures("audit_urls")
def test_the_log_admin_is_read_only(admin_client, history):
    changelist = admin_client.get(
        reverse("audit_test_admin:statemachine_audit_transitionlog_changelist")
    )
    assert changelist.status_code == 200
    assert "paid by card" not in changelist.content.decode()  # not a list column
    assert "Cancelled" in changelist.content.decode()  # the target state, by its name
    add = admin_client.get(reverse("audit_test_admin:statemachine_audit_transitionlog_add"))
    assert add.status_code == 403
    log = TransitionLog.objects.for_object(history).first()
    change_url = reverse("audit_test_admin:statemachine_audit_transitionlog_change", args=[log.pk])
    detail = admin_client.get(change_url)
    assert detail.status_code == 200
    assert "paid by card" in detail.content.decode()
    assert not detail.context["adminform"].form.fields  # every field is read-only
    posted = admin_client.post(change_url, {"event": "forged"})
    assert posted.status_code == 403
    log.refresh_from_db()
    assert log.event == "pay"
    delete_url = reverse("audit_test_admin:statemachine_audit_transitionlog_delete", args=[log.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403


def test_the_log_admin_is_registered_on_the_default_site():
    assert isinstance(admin.site._registry[TransitionLog], TransitionLogAdmin)


# --- names, the plural and the content type filter ------------------------------------------
def test_the_log_is_called_entries_in_the_plural(admin_client):
    assert TransitionLog._meta.verbose_name_plural == "transition log entries"
    assert "Transition log entries" in admin_client.get(reverse("admin:index")).content.decode()


def test_the_content_type_filter_offers_only_types_with_rows(admin_client):
    from publishing.models import Article as PublishingArticle

    Order.objects.create(items=1).statemachine.send("pay")
    PublishingArticle.objects.create(title="t", body="b").send_event("submit")
    response = admin_client.get(reverse("admin:statemachine_audit_transitionlog_changelist"))
    (content_types,) = [
        spec for spec in response.context["cl"].filter_specs if spec.field_path == "content_type"
    ]
    offered = {pk for pk, _ in content_types.lookup_choices}
    assert offered == {
        ContentType.objects.get_for_model(Order).pk,
        ContentType.objects.get_for_model(PublishingArticle).pk,
    }
    assert ContentType.objects.count() > len(offered)  # the others are left out


@pytest.mark.usefixtures("audit_urls")
def test_the_inline_names_the_states_and_events(admin_client, history):
    html = admin_client.get(
        reverse("audit_test_admin:shop_order_change", args=[history.pk])
    ).content.decode()

    def column(name):
        return re.findall(rf'<td class="field-{name}">\s*<p>([^<]*)</p>', html)

    assert column("event_name") == ["Pay", "Cancel"]
    assert column("source_name") == ["Created", "Paid"]
    assert column("target_name") == ["Paid", "Cancelled"]


def test_repairs_eventless_transitions_and_unknown_states_are_named_too():
    from tests.django_project.shop.models import Parcel

    names = TransitionLogAdmin(TransitionLog, admin.site)
    parcel = Parcel.objects.create()
    parcel.statemachine.send("weigh")  # then, by itself, weighed -> labelled
    weigh, eventless = TransitionLog.objects.for_object(parcel)
    assert [names.event_name(weigh), names.target_name(weigh)] == ["Weigh", "Weighed"]
    assert [names.event_name(eventless), names.target_name(eventless)] == [
        "(eventless)",
        "Labelled",
    ]
    order = Order.objects.create(items=1)
    Order.objects.filter(pk=order.pk).update(state="gone")
    Order.objects.get(pk=order.pk).repair_state("paid")
    (repair,) = TransitionLog.objects.for_object(order)
    assert [names.event_name(repair), names.source_name(repair), names.target_name(repair)] == [
        "(state repaired)",
        "'gone'",
        "Paid",
    ]
