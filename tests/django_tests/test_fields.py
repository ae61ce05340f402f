"""StateField / StateForeignKey: columns learned from the machine, migrations, system checks,
protection and the values stored in and read back from a real database."""

from __future__ import annotations

import importlib
import sys
import threading

import pytest
from campaign.statemachines import CampaignMachineWithKeys
from django.core import checks, serializers
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection, models
from django.db.models.signals import post_init
from django.test.utils import isolate_apps, override_settings

from statemachine import State, StateMachine
from statemachine.contrib.django import (
    ProtectedStateError,
    StateField,
    StateForeignKey,
    StateMachineModelMixin,
    unprotected,
)
from statemachine.orderedset import OrderedSet
from tests.django_project.shop.models import (
    Article,
    BlogPost,
    Ladder,
    Order,
    Task,
    Ticket,
    TicketStatus,
)
from tests.django_project.shop.statemachines import OrderMachine, Priority

ISOLATED = "tests.django_project.shop"  # isolate_apps gives the app a fresh, private registry


def raw_column(table: str, column: str, pk: object) -> object:
    """What the database really holds (no field conversion)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


class LongValues(StateMachine):
    short = State(initial=True, value="s")
    lengthy = State(value="l" * 30)
    go = short.to(lengthy)


class HugeInts(StateMachine):
    small = State(initial=True, value=1)
    huge = State(value=2**40)
    grow = small.to(huge)


# --- columns -------------------------------------------------------------------------------
class TestColumns:
    @isolate_apps(ISOLATED)
    def test_integer_states_give_an_integer_column(self):
        class IntCampaign(StateMachineModelMixin, models.Model):
            state_machine_name = "campaign.statemachines.CampaignMachineWithKeys"
            step = StateField(CampaignMachineWithKeys)

            class Meta:
                app_label = "shop"

        field = IntCampaign._meta.get_field("step")
        assert field.kind == "int"
        assert field.get_internal_type() == "IntegerField"
        assert field.db_type(connection) == models.IntegerField().db_type(connection)
        assert field.choices == [
            (1, "Draft"),
            (2, "Being produced"),
            (3, "Closed"),
            (4, "Cancelled"),
        ]
        assert field.default == 1
        assert field.max_length is None

    @pytest.mark.django_db
    def test_integer_values_are_stored_as_integers(self):
        ladder = Ladder.objects.create()
        ladder.statemachine.climb()
        ladder.statemachine.climb()
        ladder.save()
        assert raw_column("shop_ladder", "state", ladder.pk) == 2
        assert Ladder.objects.get(pk=ladder.pk).state == 2
        assert Ladder.objects.filter(state=2).count() == 1

    def test_text_states_give_a_char_column(self):
        field = Order._meta.get_field("state")
        assert field.kind == "text"
        assert field.get_internal_type() == "CharField"
        assert field.max_length == 50
        assert field.db_type(connection) == models.CharField(max_length=50).db_type(connection)
        assert field.default == "created"
        assert field.choices == [
            ("created", "Created"),
            ("paid", "Paid"),
            ("shipped", "Shipped"),
            ("cancelled", "Cancelled"),
        ]

    @isolate_apps(ISOLATED)
    def test_max_length_grows_with_the_longest_value(self):
        class Long(StateMachineModelMixin, models.Model):
            state = StateField(LongValues)

            class Meta:
                app_label = "shop"

        assert len(LongValues.lengthy.value) == 30
        assert Long._meta.get_field("state").max_length == 50  # the floor

        class Longer(StateMachineModelMixin, models.Model):
            state = StateField(_values_of_length(70))

            class Meta:
                app_label = "shop"

        assert Longer._meta.get_field("state").max_length == 70

    def test_explicit_arguments_win(self):
        field = StateField(OrderMachine, max_length=80, default="paid")
        field.set_attributes_from_name("state")
        field._learn(OrderMachine)
        assert field.max_length == 80
        assert field.default == "paid"

    @pytest.mark.django_db
    def test_enum_states_are_restored_as_members(self):
        task = Task.objects.create()
        assert task.state is Priority.LOW
        task.statemachine.escalate()
        task.save()
        assert raw_column("shop_task", "state", task.pk) == "high"
        loaded = Task.objects.get(pk=task.pk)
        assert loaded.state is Priority.HIGH
        assert loaded.statemachine.high.is_active
        assert Task.objects.filter(state=Priority.HIGH).get() == task
        field = Task._meta.get_field("state")
        assert field.default == "low"
        assert field.choices == [("low", "Low"), ("high", "High")]

    def test_statechart_with_several_active_states_is_a_json_text_column(self):
        field = Article._meta.get_field("state")
        assert field.kind == "json"
        assert field.get_internal_type() == "TextField"
        assert field.db_type(connection) == models.TextField().db_type(connection)
        assert field.default is None
        assert not field.choices

    @pytest.mark.django_db
    def test_a_multi_state_configuration_is_saved_and_reloaded_exactly(self):
        article = Article.objects.create()
        assert article.state == OrderedSet(["review", "text", "drafting", "images", "missing"])
        article.statemachine.proof()
        article.save()

        stored = raw_column("shop_article", "state", article.pk)
        assert stored == '["review", "text", "proofread", "images", "missing"]'

        loaded = Article.objects.get(pk=article.pk)
        assert isinstance(loaded.state, OrderedSet)
        assert list(loaded.state) == ["review", "text", "proofread", "images", "missing"]
        assert [s.id for s in loaded.statemachine.configuration] == list(loaded.state)
        # The reloaded machine goes on from there: the other region still has its event.
        loaded.statemachine.attach()
        loaded.statemachine.publish()
        loaded.save()
        assert raw_column("shop_article", "state", article.pk) == '["done"]'
        final = Article.objects.get(pk=article.pk)
        assert final.state == "done"
        assert final.statemachine.done.is_active


def _values_of_length(n: int) -> type:
    class Sized(StateMachine):
        a = State(initial=True, value="a" * n)
        b = State(value="b")
        go = a.to(b)

    return Sized


# --- migrations ----------------------------------------------------------------------------
class TestMigrations:
    @pytest.mark.parametrize(
        ("model", "name", "path"),
        [
            (Order, "state", "django.db.models.CharField"),
            (Task, "state", "django.db.models.CharField"),
            (Article, "state", "django.db.models.TextField"),
            (Ladder, "state", "django.db.models.IntegerField"),
            (Ticket, "status", "django.db.models.ForeignKey"),
        ],
    )
    def test_deconstruct_gives_a_plain_django_field(self, model, name, path):
        field = model._meta.get_field(name)
        got_name, got_path, args, kwargs = field.deconstruct()
        assert (got_name, got_path) == (name, path)
        for value in (*args, *kwargs.values()):
            assert "statemachine" not in type(value).__module__
        assert "machine" not in kwargs
        assert "protected" not in kwargs
        clone = field.clone()
        assert type(clone).__module__.startswith("django.db.models")
        assert not isinstance(clone, (StateField, StateForeignKey))
        assert clone.deconstruct()[1:] == (path, args, kwargs)

    def test_deconstructed_kwargs_carry_choices_and_default(self):
        _name, _path, _args, kwargs = Ladder._meta.get_field("state").deconstruct()
        assert kwargs["default"] == 0
        assert kwargs["choices"][0] == (0, "Rung 0")
        assert len(kwargs["choices"]) == 41
        _name, _path, _args, kwargs = Ticket._meta.get_field("status").deconstruct()
        assert kwargs["to"] == "shop.ticketstatus"
        assert kwargs["default"] == "open"
        assert kwargs["on_delete"] is models.PROTECT

    @pytest.mark.django_db  # makemigrations checks the migration history
    def test_makemigrations_writes_plain_fields_and_then_has_nothing_to_do(
        self, tmp_path, monkeypatch
    ):
        package = tmp_path / "sm_shop_migrations"
        package.mkdir()
        (package / "__init__.py").write_text("")
        monkeypatch.syspath_prepend(str(tmp_path))
        importlib.invalidate_caches()
        try:
            with override_settings(MIGRATION_MODULES={"shop": "sm_shop_migrations"}):
                call_command("makemigrations", "shop", verbosity=0)
                written = list(package.glob("0001_*.py"))
                assert len(written) == 1
                text = written[0].read_text()
                # Migrations never import the machines nor the state fields; the model
                # mixins are bases, as for any abstract-free mixin.
                assert "statemachines" not in text
                assert "StateField" not in text
                assert "StateForeignKey" not in text
                imports = {line for line in text.splitlines() if line.startswith("import ")}
                assert imports <= {
                    "import django.db.models.deletion",
                    "import statemachine.contrib.django.mixins",
                    "import statemachine.mixins",
                }
                assert "models.TextField(default=None)" in text  # Article's JSON column
                importlib.invalidate_caches()
                # Nothing changed since: --check exits with status 1 if it would write.
                call_command("makemigrations", "shop", check=True, dry_run=True, verbosity=0)
        finally:
            for name in [m for m in sys.modules if m.startswith("sm_shop_migrations")]:
                del sys.modules[name]


# --- system checks -------------------------------------------------------------------------
def ids(errors):
    return [e.id for e in errors]


class TestChecks:
    @isolate_apps(ISOLATED)
    def test_e001_bad_machine_path(self):
        class BadPath(StateMachineModelMixin, models.Model):
            state_machine_name = "no.such.module.Machine"
            state = StateField("no.such.module.Machine")

            class Meta:
                app_label = "shop"

        errors = BadPath._meta.get_field("state").check()
        assert ids(errors) == ["statemachine.E001"]
        assert "no.such.module.Machine" in errors[0].msg

    @isolate_apps(ISOLATED)
    def test_e001_no_machine_at_all(self):
        class NoMachine(models.Model):
            state = StateField()

            class Meta:
                app_label = "shop"

        errors = NoMachine._meta.get_field("state").check()
        assert ids(errors) == ["statemachine.E001"]
        assert "NoMachine.state has no machine" in errors[0].msg

    @isolate_apps(ISOLATED)
    def test_e001_for_the_foreign_key_variant(self):
        class Status(models.Model):
            id = models.CharField(primary_key=True, max_length=10)

            class Meta:
                app_label = "shop"

        class BadFk(StateMachineModelMixin, models.Model):
            state_field_name = "status_id"
            status = StateForeignKey(Status, "shop.nope.Machine")

            class Meta:
                app_label = "shop"

        assert ids(BadFk._meta.get_field("status").check()) == ["statemachine.E001"]

    @isolate_apps(ISOLATED)
    def test_e002_integer_value_too_large(self):
        class Huge(StateMachineModelMixin, models.Model):
            state = StateField(HugeInts)

            class Meta:
                app_label = "shop"

        errors = Huge._meta.get_field("state").check()
        assert ids(errors) == ["statemachine.E002"]
        assert "'huge'" in errors[0].msg
        assert str(2**40) in errors[0].msg

    @isolate_apps(ISOLATED)
    def test_e002_text_value_longer_than_max_length(self):
        class Short(StateMachineModelMixin, models.Model):
            state = StateField(LongValues, max_length=10)

            class Meta:
                app_label = "shop"

        errors = [e for e in Short._meta.get_field("state").check() if e.id.startswith("state")]
        assert ids(errors) == ["statemachine.E002"]  # (Django's fields.E009 says it too)
        assert "max_length=10" in errors[0].msg
        assert "'lengthy'" in errors[0].msg

    @isolate_apps(ISOLATED)
    def test_e003_protected_field_without_the_mixin(self):
        class Plain(models.Model):
            state = StateField(OrderMachine, protected=True)

            class Meta:
                app_label = "shop"

        class PlainUnprotected(models.Model):
            state = StateField(OrderMachine)

            class Meta:
                app_label = "shop"

        errors = Plain._meta.get_field("state").check()
        assert ids(errors) == ["statemachine.E003"]
        assert "StateMachineModelMixin" in errors[0].msg
        assert PlainUnprotected._meta.get_field("state").check() == []

    def test_the_project_passes_its_checks(self):
        errors = checks.run_checks()
        assert [e for e in errors if e.id.startswith("statemachine.")] == []

    @pytest.mark.django_db
    def test_e004_missing_lookup_rows(self):
        field = Ticket._meta.get_field("status")
        TicketStatus.objects.create(id="open", label="Open")
        TicketStatus.objects.create(id="doing", label="Doing")
        errors = field.check(databases=["default"])
        assert ids(errors) == ["statemachine.E004"]
        assert "['closed']" in errors[0].msg
        assert "'default'" in errors[0].msg
        assert field.check() == []  # without databases no query is made

        with pytest.raises(SystemCheckError, match=r"statemachine\.E004"):
            call_command("check", databases=["default"])

        TicketStatus.objects.create(id="closed", label="Closed")
        assert field.check(databases=["default"]) == []
        call_command("check", databases=["default"])


# --- protection ----------------------------------------------------------------------------
@pytest.mark.django_db
class TestProtection:
    def test_direct_assignment_raises_naming_model_and_field(self):
        order = Order.objects.create(items=1)
        with pytest.raises(ProtectedStateError, match=r"^Order\.state is protected"):
            order.state = "paid"
        assert order.state == "created"
        assert isinstance(ProtectedStateError("x"), AttributeError)

    def test_first_assignment_in_init_and_from_db_is_allowed(self):
        order = Order(items=1, state="paid")
        assert order.state == "paid"
        assert order.statemachine.paid.is_active
        order.save()
        loaded = Order.objects.get(pk=order.pk)
        assert loaded.state == "paid"
        with pytest.raises(ProtectedStateError):
            loaded.state = "created"

    def test_transitions_change_the_state(self):
        order = Order.objects.create(items=1, address="here")
        order.pay()
        order.ship()
        assert order.state == "shipped"
        order.save()
        assert Order.objects.get(pk=order.pk).state == "shipped"

    def test_refresh_from_db(self):
        order = Order.objects.create(items=1)
        other = Order.objects.get(pk=order.pk)
        other.pay()
        other.save()
        order.refresh_from_db()
        assert order.state == "paid"
        assert order.statemachine.paid.is_active
        order.refresh_from_db(fields=["state"])
        assert order.state == "paid"
        with pytest.raises(ProtectedStateError):
            order.state = "created"

    def test_full_clean(self):
        order = Order.objects.create(items=1)
        order.pay()
        order.full_clean()
        assert order.state == "paid"

    def test_full_clean_still_rejects_a_value_not_in_the_choices(self):
        order = Order.objects.create(items=1)
        with unprotected(order):
            order.__dict__["state"] = "bogus"
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as info:
            order.full_clean()
        assert "state" in info.value.message_dict

    def test_deferred_state(self):
        order = Order.objects.create(items=1)
        order.pay()
        order.save()
        only = Order.objects.only("items").get(pk=order.pk)
        assert only.state == "paid"
        assert only.statemachine.paid.is_active
        with pytest.raises(ProtectedStateError):
            only.state = "created"
        deferred = Order.objects.defer("state").get(pk=order.pk)
        assert deferred.state == "paid"
        deferred.refresh_from_db(fields=["state"])
        assert deferred.state == "paid"
        with pytest.raises(ProtectedStateError):
            deferred.state = "shipped"

    def test_serializers_dump_and_load(self):
        order = Order.objects.create(items=2)
        order.pay()
        order.save()
        data = serializers.serialize("json", Order.objects.filter(pk=order.pk))
        assert '"state": "paid"' in data
        Order.objects.filter(pk=order.pk).delete()

        (restored,) = serializers.deserialize("json", data)
        assert restored.object.state == "paid"
        restored.save()
        loaded = Order.objects.get(pk=order.pk)
        assert loaded.state == "paid"
        assert loaded.items == 2

    def test_serializers_keep_json_configurations(self):
        article = Article.objects.create()
        article.statemachine.attach()
        article.save()
        data = serializers.serialize("json", [article])
        Article.objects.all().delete()
        (restored,) = serializers.deserialize("json", data)
        restored.save()
        assert list(Article.objects.get().state) == [
            "review",
            "text",
            "drafting",
            "images",
            "ready",
        ]

    def test_unprotected_allows_writes_inside_the_block_only(self):
        order = Order.objects.create(items=1)
        with unprotected(order):
            order.state = "shipped"
        assert order.state == "shipped"
        assert order.statemachine.shipped.is_active
        with pytest.raises(ProtectedStateError):
            order.state = "created"

    def test_unprotected_is_per_instance(self):
        a = Order.objects.create(items=1)
        b = Order.objects.create(items=1)
        with unprotected(a), pytest.raises(ProtectedStateError):
            b.state = "paid"
        assert b.state == "created"

    def test_unprotected_restores_protection_after_an_error(self):
        order = Order.objects.create(items=1)
        with pytest.raises(KeyError), unprotected(order):
            raise KeyError
        with pytest.raises(ProtectedStateError):
            order.state = "paid"

    def test_a_failed_event_leaves_the_field_protected(self):
        order = Order.objects.create(items=0)
        from statemachine.exceptions import TransitionNotAllowed

        with pytest.raises(TransitionNotAllowed):
            order.pay()
        with pytest.raises(ProtectedStateError):
            order.state = "paid"

    def test_unprotected_fields_are_assignable(self):
        post = BlogPost.objects.create()
        post.state = "published"
        assert post.fsm.published.is_active

    def test_foreign_key_variant(self):
        for value in ("open", "doing", "closed"):
            TicketStatus.objects.create(id=value, label=value.title())
        ticket = Ticket.objects.create()
        assert ticket.status_id == "open"
        assert ticket.status.label == "Open"  # the related row, now cached
        doing = TicketStatus.objects.get(pk="doing")
        with pytest.raises(ProtectedStateError, match=r"Ticket\.status is protected"):
            ticket.status = doing
        with pytest.raises(ProtectedStateError, match=r"Ticket\.status is protected"):
            ticket.status_id = "doing"
        assert ticket.status_id == "open"

        ticket.statemachine.start()
        assert ticket.status.label == "Doing"  # the cached row went with the old state
        ticket.save()
        loaded = Ticket.objects.get(pk=ticket.pk)
        assert loaded.status_id == "doing"
        assert loaded.status == doing
        assert loaded.statemachine.doing.is_active

        with unprotected(loaded):
            loaded.status = TicketStatus.objects.get(pk="closed")
        assert loaded.status_id == "closed"
        assert loaded.statemachine.closed.is_active

        new = Ticket(status=doing)  # the first assignment in __init__
        assert new.status_id == "doing"


@pytest.mark.django_db(transaction=True)
def test_protection_is_per_thread():
    """While thread A is inside ``a.refresh_from_db()`` (so ``a`` is writable there), thread B
    still may not write ``a`` or ``b``."""
    a = Order.objects.create(items=1)
    b = Order.objects.create(items=1)
    inside = threading.Barrier(2, timeout=10)
    done = threading.Barrier(2, timeout=10)
    a_thread = None
    outcome: dict[str, object] = {}

    def hold(sender, instance, **kwargs):
        if threading.current_thread() is a_thread and "held" not in outcome:
            outcome["held"] = True
            try:
                a.state = a.state  # writable here: this thread is refreshing it
                outcome["a_writable_in_a"] = True
            except ProtectedStateError:
                outcome["a_writable_in_a"] = False
            inside.wait()
            done.wait()

    def refresh():
        from django.db import connections

        try:
            a.refresh_from_db()
        finally:
            connections.close_all()

    post_init.connect(hold, sender=Order)
    try:
        a_thread = threading.Thread(target=refresh)
        a_thread.start()
        inside.wait()
        for instance in (a, b):
            with pytest.raises(ProtectedStateError):
                instance.state = "paid"
        done.wait()
        a_thread.join(10)
    finally:
        post_init.disconnect(hold, sender=Order)
    assert outcome == {"held": True, "a_writable_in_a": True}
    assert (a.state, b.state) == ("created", "created")
    with pytest.raises(ProtectedStateError):
        a.state = "paid"
