"""pre_transition / post_transition, and per-event permissions (``statemachine_permissions``,
``by=user``, ``available_events``, ``why_not``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from statemachine import Refusal, State
from statemachine.contrib.django import TransitionPermissionDenied
from statemachine.contrib.django.signals import post_transition, pre_transition
from statemachine.exceptions import TransitionNotAllowed
from tests.django_project.shop.models import Article, AtomicOrder, Order, Parcel

pytestmark = pytest.mark.django_db


class Recorder:
    """Connects to both signals and keeps what each call got (plus the state at that time)."""

    def __init__(self, sender=None):
        self.calls: list[tuple[str, dict]] = []
        self.sender = sender

    def pre(self, signal, **kwargs):
        self.calls.append(("pre", {**kwargs, "state_then": kwargs["instance"].state}))

    def post(self, signal, **kwargs):
        self.calls.append(("post", {**kwargs, "state_then": kwargs["instance"].state}))

    def __enter__(self):
        pre_transition.connect(self.pre, sender=self.sender, weak=False)
        post_transition.connect(self.post, sender=self.sender, weak=False)
        return self

    def __exit__(self, *exc):
        pre_transition.disconnect(self.pre, sender=self.sender)
        post_transition.disconnect(self.post, sender=self.sender)

    @property
    def names(self):
        return [name for name, _ in self.calls]


# --- signals -------------------------------------------------------------------------------
class TestSignals:
    def test_pre_and_post_kwargs(self):
        order = Order.objects.create(items=1)
        with Recorder() as rec:
            order.statemachine.send("pay", 7, reference="r-1")
        assert rec.names == ["pre", "post"]
        (_, pre), (_, post) = rec.calls
        for kwargs in (pre, post):
            assert kwargs["sender"] is Order
            assert kwargs["instance"] is order
            assert kwargs["event"] == "pay"
            assert isinstance(kwargs["source"], State)
            assert isinstance(kwargs["target"], State)
            assert (kwargs["source"].id, kwargs["target"].id) == ("created", "paid")
            assert kwargs["args"] == (7,)
            assert kwargs["kwargs"] == {"reference": "r-1"}
        assert "exception" not in pre
        assert post["exception"] is None
        assert pre["state_then"] == "created"  # before the transition's callbacks
        assert post["state_then"] == "paid"  # after the new state is set

    def test_bound_event_methods_send_them_too(self):
        order = Order.objects.create(items=1)
        with Recorder() as rec:
            order.pay()
        assert rec.names == ["pre", "post"]
        assert rec.calls[1][1]["kwargs"] == {}

    def test_sender_is_the_concrete_class(self):
        order = AtomicOrder.objects.create(items=1)
        with Recorder(sender=Order) as only_order, Recorder(sender=AtomicOrder) as only_proxy:
            order.pay()
        assert only_order.calls == []
        assert only_proxy.names == ["pre", "post"]
        assert only_proxy.calls[0][1]["sender"] is AtomicOrder

    def test_an_eventless_transition_is_signalled_with_an_empty_event(self):
        """The event's transition and the eventless one it leads to are both sent, and both
        reach the audit log: its rows match the stored state."""
        from statemachine.contrib.django.audit.models import TransitionLog

        parcel = Parcel.objects.create()
        with Recorder(sender=Parcel) as rec:
            parcel.statemachine.weigh(by="scale")
        moves = [(n, c["event"], c["source"].id, c["target"].id) for n, c in rec.calls]
        assert moves == [
            ("pre", "weigh", "packed", "weighed"),
            ("post", "weigh", "packed", "weighed"),
            ("pre", "", "weighed", "labelled"),
            ("post", "", "weighed", "labelled"),
        ]
        assert rec.calls[0][1]["kwargs"] == {"by": "scale"}
        assert rec.calls[2][1]["kwargs"] == {}
        log = [(r.event, r.source, r.target) for r in TransitionLog.objects.for_object(parcel)]
        assert log == [("weigh", "packed", "weighed"), ("", "weighed", "labelled")]
        assert Parcel.objects.get(pk=parcel.pk).state == log[-1][2]

    def test_a_sender_can_be_named_lazily(self):
        """Model signals: ``sender="app_label.Model"`` works, as for django-fsm's."""
        with Recorder(sender="shop.AtomicOrder") as by_name, Recorder(sender="shop.Order") as other:
            AtomicOrder.objects.create(items=1).pay()
        assert by_name.names == ["pre", "post"]
        assert other.calls == []

    def test_post_carries_the_exception_of_a_failing_callback(self):
        order = Order.objects.create(items=1, state="shipped")
        with Recorder() as rec, pytest.raises(RuntimeError) as info:
            order.statemachine.restock()
        assert rec.names == ["pre", "post"]
        post = rec.calls[1][1]
        assert post["exception"] is info.value
        assert post["event"] == "restock"
        assert (post["source"].id, post["target"].id) == ("shipped", "created")

    def test_a_later_success_has_no_stale_exception(self):
        order = Order.objects.create(items=1, state="shipped")
        with Recorder() as rec:
            with pytest.raises(RuntimeError):
                order.statemachine.restock()
            with pytest.raises(TransitionNotAllowed):  # from "shipped": refused, nothing sent
                order.pay()
        assert rec.names == ["pre", "post"]

    def test_nothing_is_sent_for_no_transition(self):
        order = Order.objects.create(items=1, state="shipped")
        with Recorder() as rec, pytest.raises(TransitionNotAllowed):
            order.pay()
        assert rec.calls == []

    def test_nothing_is_sent_for_a_failing_guard(self):
        order = Order.objects.create(items=0)
        with Recorder() as rec, pytest.raises(TransitionNotAllowed):
            order.pay()
        assert rec.calls == []

    def test_nothing_is_sent_for_a_denied_permission(self):
        order = Order.objects.create(items=1, state="paid", address="x")
        user = User.objects.create_user("nobody")
        with Recorder() as rec, pytest.raises(TransitionPermissionDenied):
            order.ship(by=user)
        assert rec.calls == []

    def test_nothing_is_sent_for_the_initial_state(self):
        with Recorder() as rec:
            Order.objects.create(items=1)
            Article.objects.create()
        assert rec.calls == []

    def test_statechart_transitions(self):
        article = Article.objects.create()
        with Recorder(sender=Article) as rec:
            article.statemachine.proof()
        assert rec.names == ["pre", "post"]
        post = rec.calls[1][1]
        assert (post["source"].id, post["target"].id) == ("drafting", "proofread")
        assert post["exception"] is None


# --- permissions ---------------------------------------------------------------------------
class NoteBackend:
    """Object permissions for the tests: ``shop.ship_order`` on an order whose note is
    ``"ship:<username>"``. Records every question it is asked."""

    asked: list[tuple[str, object]] = []

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        NoteBackend.asked.append((perm, obj))
        return (
            obj is not None
            and perm == "shop.ship_order"
            and getattr(obj, "note", None) == f"ship:{user_obj.username}"
        )


BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    f"{__name__}.NoteBackend",  # this very module (pytest may import it under another name)
]


@pytest.fixture
def backends():
    NoteBackend.asked = []
    with override_settings(AUTHENTICATION_BACKENDS=BACKENDS):
        yield NoteBackend.asked


def grant(user, codename="ship_order"):
    user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)  # a fresh instance: no permission cache


@pytest.fixture
def paid():
    return Order.objects.create(items=1, state="paid", address="Main St")


class TestPermissions:
    def test_an_event_without_permission_is_open_to_all(self, backends):
        order = Order.objects.create(items=1)
        user = User.objects.create_user("anyone")
        assert order.has_event_permission("pay", user)
        order.pay(by=user)
        assert order.state == "paid"

    def test_string_permission_granted_globally(self, backends, paid):
        user = User.objects.create_user("clerk")
        assert not paid.has_event_permission("ship", user)
        user = grant(user)
        assert paid.has_event_permission("ship", user)
        paid.ship(by=user)
        assert paid.state == "shipped"

    def test_string_permission_checked_on_the_object_first(self, backends, paid):
        user = User.objects.create_user("alice")
        other = Order.objects.create(items=1, state="paid", address="x")
        paid.note = "ship:alice"
        assert paid.has_event_permission("ship", user)
        assert backends == [("shop.ship_order", paid)]  # the object answered: no global check

        backends.clear()
        assert not other.has_event_permission("ship", user)
        assert backends == [("shop.ship_order", other), ("shop.ship_order", None)]

        paid.ship(by=user)
        assert paid.state == "shipped"
        with pytest.raises(TransitionPermissionDenied):
            other.ship(by=user)

    def test_callable_permission(self, backends, paid):
        staff = User.objects.create_user("staff", is_staff=True)
        user = User.objects.create_user("user")
        assert not paid.has_event_permission("cancel", user)
        assert paid.has_event_permission("cancel", staff)
        with pytest.raises(TransitionPermissionDenied) as info:
            paid.cancel(by=user)
        assert "the check <lambda>() is required" in str(info.value)
        paid.cancel(by=staff)
        assert paid.state == "cancelled"

    def test_a_callable_gets_the_instance_and_the_user(self, backends, paid, monkeypatch):
        seen = []

        def may_ship(instance, user):
            seen.append((instance, user))
            return user.username == "boss"

        monkeypatch.setattr(Order, "statemachine_permissions", {"ship": may_ship})
        boss, other = User.objects.create_user("boss"), User.objects.create_user("other")
        assert paid.has_event_permission("ship", boss)
        assert not paid.has_event_permission("ship", other)
        assert seen == [(paid, boss), (paid, other)]

    def test_superusers_have_every_string_permission(self, backends, paid):
        root = User.objects.create_user("root", is_superuser=True)  # not staff
        assert paid.has_event_permission("ship", root)
        assert not paid.has_event_permission("cancel", root)  # callables decide alone

    def test_available_events(self, backends, paid):
        nobody = User.objects.create_user("nobody")
        staff = User.objects.create_user("staff", is_staff=True)
        shipper = grant(User.objects.create_user("shipper"))
        assert sorted(e.id for e in paid.available_events()) == ["cancel", "ship"]
        assert paid.available_events(nobody) == []
        assert [e.id for e in paid.available_events(staff)] == ["cancel"]
        assert [e.id for e in paid.available_events(shipper)] == ["ship"]
        paid.address = ""  # the guard now refuses ship: permission alone is not enough
        assert paid.available_events(shipper) == []

    def test_why_not_includes_the_permission(self, backends, paid):
        user = User.objects.create_user("nobody")
        assert paid.why_not("ship") == []
        (refusal,) = paid.why_not("ship", user)
        assert isinstance(refusal, Refusal)
        assert refusal.event == "ship"
        assert (refusal.source, refusal.target, refusal.guard) == (None, None, None)
        assert "nobody lacks the permission 'shop.ship_order'" in refusal.message
        assert paid.why_not("ship", grant(user)) == []

    def test_why_not_lists_guard_and_permission_refusals_together(self, backends, paid):
        user = User.objects.create_user("nobody")
        paid.address = ""
        guard, permission = paid.why_not("ship", user)
        assert guard.guard == "address_known"
        assert "lacks the permission" in permission.message

    def test_a_refusal_by_permission_happens_before_anything_runs(self, backends):
        order = AtomicOrder.objects.create(items=1, state="paid", address="x")
        user = User.objects.create_user("nobody")
        conditions = []
        order.statemachine.add_listener(
            type("Spy", (), {"before_ship": lambda self: conditions.append("before")})()
        )
        with (
            Recorder() as rec,
            CaptureQueriesContext(connection) as queries,
            pytest.raises(TransitionPermissionDenied) as info,
        ):
            order.ship(by=user)
        err = info.value
        assert isinstance(err, PermissionDenied)
        assert (err.event, err.user) == ("ship", user)
        assert f"may not send 'ship' to AtomicOrder pk={order.pk}" in str(err)
        assert "'shop.ship_order' is required" in str(err)
        assert rec.calls == []
        assert conditions == []
        assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        assert not [q for q in queries.captured_queries if "SAVEPOINT" in q["sql"]]
        assert order.state == "paid"
        assert Order.objects.get(pk=order.pk).state == "paid"

    def test_send_event_with_by(self, backends, paid):
        user = User.objects.create_user("nobody")
        with pytest.raises(TransitionPermissionDenied):
            paid.send_event("ship", by=user)
        with pytest.raises(TransitionPermissionDenied):
            paid.statemachine.send("ship", by=user)
        assert paid.state == "paid"
        shipper = grant(user)
        with Recorder() as rec:
            paid.send_event("ship", by=shipper)
        assert paid.state == "shipped"
        assert rec.calls[0][1]["kwargs"] == {"by": shipper}  # callbacks and receivers see it

    def test_without_by_no_check_is_made(self, backends, paid):
        """A Celery task or a management command sends without a user: no check."""
        paid.ship()
        assert paid.state == "shipped"
        assert backends == []
