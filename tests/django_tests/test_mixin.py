"""The model side: the seed's MachineMixin example, StateMachineModelMixin's machine per
instance, historical models, bad configuration, conditions and "why not?"."""

from __future__ import annotations

import pytest
from campaign.models import Campaign
from campaign.statemachines import CampaignMachineWithKeys
from django.apps import apps as global_apps
from django.core import checks
from django.db import models
from django.db.migrations.state import ProjectState
from django.test.utils import isolate_apps

from statemachine import Refusal
from statemachine.contrib.django import StateField, StateMachineModelMixin
from statemachine.exceptions import TransitionNotAllowed
from tests.django_project.shop.models import (
    Article,
    BlogPost,
    CampaignWithInit,
    Order,
)
from tests.django_project.shop.statemachines import CampaignMachineWithInit, OrderMachine

ISOLATED = "tests.django_project.shop"


# --- the seed's example --------------------------------------------------------------------
@pytest.mark.django_db
class TestCampaign:
    def test_a_new_campaign_starts_in_draft_with_an_integer_step(self):
        campaign = Campaign(name="spring")
        assert isinstance(campaign.sm, CampaignMachineWithKeys)
        assert campaign.step == 1
        assert type(campaign.step) is int
        assert campaign.sm.draft.is_active
        assert not hasattr(campaign, "statemachine")  # the machine lives in `sm`
        assert Campaign._meta.get_field("step").get_internal_type() == "IntegerField"

    def test_events_change_the_step_and_it_is_saved(self):
        campaign = Campaign.objects.create(name="spring")
        campaign.sm.add_job()
        assert campaign.step == 1
        campaign.sm.produce()
        assert campaign.step == 2
        campaign.save()

        loaded = Campaign.objects.get(pk=campaign.pk)
        assert loaded.step == 2
        assert loaded.sm.producing.is_active
        loaded.sm.deliver()
        loaded.save()
        assert Campaign.objects.values_list("step", flat=True).get(pk=campaign.pk) == 3

    def test_a_stored_step_picks_the_state(self):
        campaign = Campaign.objects.create(name="x", step=4)
        loaded = Campaign.objects.get(pk=campaign.pk)
        assert loaded.sm.cancelled.is_active
        with pytest.raises(TransitionNotAllowed):
            loaded.sm.produce()
        assert loaded.step == 4

    def test_refused_event_keeps_the_step(self):
        campaign = Campaign.objects.create(name="x")
        with pytest.raises(TransitionNotAllowed):
            campaign.sm.deliver()
        assert campaign.step == 1

    def test_a_machine_with_a_custom_init(self):
        campaign = CampaignWithInit()
        assert isinstance(campaign.sm, CampaignMachineWithInit)
        assert campaign.sm.created_for is campaign
        assert campaign.step == 1
        campaign.save()
        loaded = CampaignWithInit.objects.get(pk=campaign.pk)
        assert loaded.sm.created_for is loaded
        loaded.sm.produce()
        loaded.save()
        assert CampaignWithInit.objects.get(pk=campaign.pk).step == 2

    def test_each_instance_has_its_own_machine(self):
        a, b = Campaign(name="a"), Campaign(name="b")
        assert a.sm is not b.sm
        a.sm.produce()
        assert (a.step, b.step) == (2, 1)


# --- events as methods ---------------------------------------------------------------------
@pytest.mark.django_db
class TestBoundEvents:
    def test_events_are_methods_of_the_instance(self):
        order = Order.objects.create(items=1, address="here")
        order.pay()
        assert order.state == "paid"
        order.ship()
        assert order.state == "shipped"
        assert order.statemachine.shipped.is_active

    def test_bound_events_refuse_like_the_machine(self):
        order = Order.objects.create(items=0)
        with pytest.raises(TransitionNotAllowed):
            order.pay()
        assert order.state == "created"

    @isolate_apps(ISOLATED)
    def test_not_bound_by_default(self):
        class Unbound(StateMachineModelMixin, models.Model):
            state_machine_name = "tests.django_project.shop.statemachines.OrderMachine"
            state = StateField()
            entries = 0

            def has_items(self):
                return True

            def address_known(self):
                return True

            class Meta:
                app_label = "shop"

        instance = Unbound()
        assert not hasattr(instance, "pay")
        assert isinstance(instance.statemachine, OrderMachine)


# --- historical models ---------------------------------------------------------------------
@pytest.mark.django_db
class TestHistoricalModels:
    def historical(self, name, app="shop"):
        model = ProjectState.from_apps(global_apps).apps.get_model(app, name)
        assert model.__module__ == "__fake__"
        return model

    def test_a_historical_model_has_no_machine_and_saves(self):
        HistoricalOrder = self.historical("Order")
        assert issubclass(HistoricalOrder, StateMachineModelMixin)  # the mixin is a base
        field = HistoricalOrder._meta.get_field("state")
        assert type(field) is models.CharField  # migrations' plain field
        order = HistoricalOrder(items=3, state="paid")
        assert not hasattr(order, "statemachine")
        assert not hasattr(order, "pay")
        order.save()
        order.state = "shipped"  # no protection either: data migrations may write it
        order.save()
        assert Order.objects.get(pk=order.pk).state == "shipped"
        assert HistoricalOrder.objects.get(pk=order.pk).state == "shipped"

    def test_the_seed_model_as_historical_model(self):
        HistoricalCampaign = self.historical("Campaign", app="campaign")
        campaign = HistoricalCampaign(name="x", step=2)
        assert not hasattr(campaign, "sm")
        campaign.save()
        assert Campaign.objects.get(pk=campaign.pk).sm.producing.is_active

    def test_historical_json_model(self):
        HistoricalArticle = self.historical("Article")
        article = HistoricalArticle.objects.create(state='["done"]')
        assert Article.objects.get(pk=article.pk).statemachine.done.is_active


# --- bad configuration ---------------------------------------------------------------------
class TestBadMachineName:
    @isolate_apps(ISOLATED)
    def test_a_name_that_cannot_be_imported(self):
        class Lost(StateMachineModelMixin, models.Model):
            state_machine_name = "no.such.module.LostMachine"
            state = models.CharField(max_length=10, default="x")

            class Meta:
                app_label = "shop"

        with pytest.raises(KeyError) as caught:
            Lost()
        assert caught.value.args == ("no.such.module.LostMachine",)
        assert "No state machine class is registered as" in caught.value.__notes__[0]

    @isolate_apps(ISOLATED)
    def test_a_name_that_is_not_a_machine(self):
        class NotAMachine(StateMachineModelMixin, models.Model):
            state_machine_name = "tests.django_project.shop.models.Order"
            state = models.CharField(max_length=10, default="x")

            class Meta:
                app_label = "shop"

        with pytest.raises(KeyError, match=r"'tests\.django_project\.shop\.models\.Order'"):
            NotAMachine()

    @isolate_apps(ISOLATED)
    def test_a_state_field_whose_machine_is_not_a_machine(self):
        class Wrong(StateMachineModelMixin, models.Model):
            state_machine_name = "tests.django_project.shop.models.Order"
            state = StateField()

            class Meta:
                app_label = "shop"

        errors = Wrong._meta.get_field("state").check()
        assert [e.id for e in errors] == ["statemachine.E001"]
        assert "not a state machine class" in errors[0].msg
        assert isinstance(errors[0], checks.Error)

    @isolate_apps(ISOLATED)
    def test_no_name_at_all(self):
        class Nameless(StateMachineModelMixin, models.Model):
            state = models.CharField(max_length=10, default="x")

            class Meta:
                app_label = "shop"

        with pytest.raises(ValueError, match=r"Set `state_machine_name` on Nameless"):
            Nameless()

    @isolate_apps(ISOLATED)
    def test_an_invalid_lock_option(self):
        class Locked(StateMachineModelMixin, models.Model):
            state_machine_name = "tests.django_project.shop.statemachines.OrderMachine"
            statemachine_lock = "tight"
            state = StateField()
            entries = 0

            def has_items(self):
                return True

            def address_known(self):
                return True

            class Meta:
                app_label = "shop"

        instance = Locked()
        with pytest.raises(ValueError, match=r"Locked\.statemachine_lock is 'tight'"):
            instance.statemachine.pay()
        assert instance.state == "created"


# --- conditions and why_not (django-fsm's BlogPost, in this library's terms) ---------------
@pytest.mark.django_db
class TestBlogPost:
    def test_publish_is_refused_until_it_has_a_title(self):
        post = BlogPost.objects.create()
        assert post.fsm.new.is_active
        with pytest.raises(TransitionNotAllowed):
            post.publish()
        assert post.state == "new"
        assert post.available_events() == []

        post.title = "Hello"
        assert [e.id for e in post.available_events()] == ["publish"]
        post.publish()
        assert post.state == "published"
        post.save()
        loaded = BlogPost.objects.get(pk=post.pk)
        assert loaded.fsm.published.is_active
        assert loaded.fsm.is_terminated

    def test_why_not_names_the_failing_guard(self):
        post = BlogPost.objects.create()
        refusals = post.why_not("publish")
        assert len(refusals) == 1
        (refusal,) = refusals
        assert isinstance(refusal, Refusal)
        assert refusal.event == "publish"
        assert refusal.guard == "has_title"  # can_publish passed, has_title did not
        assert (refusal.source.id, refusal.target.id) == ("new", "published")
        assert "has_title is false" in refusal.message
        assert post.fsm.why_not("publish") == refusals
        post.title = "Hello"
        assert post.why_not("publish") == []

    def test_why_not_from_the_final_state_and_unknown_events(self):
        post = BlogPost.objects.create(title="x")
        post.publish()
        (refusal,) = post.why_not("publish")
        assert refusal.guard is None
        assert refusal.source is None
        (unknown,) = post.why_not("archive")
        assert "no event 'archive'" in unknown.message


# --- the initial state -----------------------------------------------------------------------
@pytest.mark.django_db
class TestInitialState:
    def test_entry_callbacks_run_for_a_new_row(self):
        order = Order(items=1)
        assert order.entries == 1
        order.save()
        assert Order.objects.values_list("entries", flat=True).get(pk=order.pk) == 1
        assert Order.objects.create(items=1).entries == 1

    def test_a_state_given_to_the_constructor_is_taken_as_stored(self):
        """Even the initial state's value: the caller says where the row is (deserializers
        and fixtures build instances this way), so nothing is entered."""
        assert Order(items=1, state="created").entries == 0
        assert Order(None, "created", 1).entries == 0  # by position: id, state, items
        assert Order(None).entries == 1  # positional, but the state is not among them
        order = Order(items=1, state="created")
        order.pay()
        assert order.state == "paid"

    def test_loading_a_fixture_runs_no_entry_callback(self, tmp_path):
        """loaddata builds each object with all its fields and saves it raw: the row keeps
        exactly the fixture's values (an entry callback would have changed ``entries``)."""
        from django.core.management import call_command

        fixture = tmp_path / "orders.json"
        fixture.write_text(
            '[{"model": "shop.order", "pk": 41, "fields": {"state": "created", "items": 2,'
            ' "entries": 0}}, {"model": "shop.order", "pk": 42, "fields": {"state": "paid",'
            ' "items": 1, "entries": 5}}]'
        )
        call_command("loaddata", str(fixture), verbosity=0)
        rows = dict(Order.objects.values_list("pk", "entries"))
        assert rows == {41: 0, 42: 5}
        assert Order.objects.get(pk=41).statemachine.created.is_active

    def test_entry_callbacks_do_not_run_when_loading(self):
        order = Order.objects.create(items=1)
        loaded = Order.objects.get(pk=order.pk)
        assert loaded.state == "created"
        assert loaded.entries == 1
        assert [o.entries for o in Order.objects.all()] == [1]
        assert Order.objects.only("state").get(pk=order.pk).entries == 1
        deferred = Order.objects.defer("state").get(pk=order.pk)
        assert deferred.state == "created"
        assert deferred.entries == 1
        order.refresh_from_db()
        assert order.entries == 1

    def test_loading_a_row_in_another_state_enters_nothing(self):
        order = Order.objects.create(items=1, state="paid")
        assert order.entries == 0
        assert Order.objects.get(pk=order.pk).entries == 0

    def test_the_loaded_instance_is_not_adding_and_knows_its_database(self):
        order = Order.objects.create(items=1)
        loaded = Order.objects.get(pk=order.pk)
        assert loaded._state.adding is False
        assert loaded._state.db == "default"


@pytest.mark.django_db
def test_a_shallow_copy_gets_its_own_machine():
    import copy
    import pickle

    order = Order.objects.create(items=1, address="1 Main St")
    assert order.statemachine.created.is_active  # the machine is built
    clone = copy.copy(order)
    assert clone.statemachine is not order.statemachine
    assert clone.statemachine.model is clone
    clone.pay()  # a bound event method: the copy's own
    assert (clone.state, order.state) == ("paid", "created")
    assert order.statemachine.created.is_active
    unpickled = pickle.loads(pickle.dumps(order))
    assert unpickled.statemachine.model is unpickled
    assert unpickled.state == "created"
