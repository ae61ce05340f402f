"""The durable timers app: ``"statemachine.contrib.django.timers"`` in ``INSTALLED_APPS``."""

from __future__ import annotations

from django.apps import AppConfig


class StateMachineTimersConfig(AppConfig):
    """Durable delayed events for model machines, run by Django's Tasks framework.

    Registers the system check that the configured task backend can run tasks later."""

    name = "statemachine.contrib.django.timers"
    label = "statemachine_timers"
    verbose_name = "State machine timers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from .checks import check_task_backend

        checks.register(check_task_backend)
