"""The test app's admin: orders get the state machine panel (StateMachineAdminMixin)."""

from django import forms
from django.contrib import admin

from statemachine.contrib.django.admin import StateMachineAdminMixin
from statemachine.contrib.django.audit.admin import TransitionLogInline

from .models import AsyncJob, OptimisticOrder, Order, Report


class ShipForm(forms.Form):
    """Asked before `ship`; its data reach the event's callbacks as keyword arguments."""

    note = forms.CharField(max_length=40, help_text="Passed to the event as note=.")


@admin.register(Order)
class OrderAdmin(StateMachineAdminMixin, admin.ModelAdmin):
    list_display = ["id", "state", "items", "address"]
    inlines = [TransitionLogInline]
    statemachine_event_forms = {"ship": ShipForm}


@admin.register(OptimisticOrder)
class OptimisticOrderAdmin(OrderAdmin):
    """Orders saved with optimistic locking: a concurrent change is refused."""


@admin.register(Report)
class ReportAdmin(StateMachineAdminMixin, admin.ModelAdmin):
    """A StateChart model: a callback error it would catch as an event is reported."""

    statemachine_show_diagram = False


@admin.register(AsyncJob)
class AsyncJobAdmin(StateMachineAdminMixin, admin.ModelAdmin):
    """A machine with coroutine callbacks (the asyncio engine), from the sync admin views."""

    statemachine_show_diagram = False
