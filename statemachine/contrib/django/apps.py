"""The Django app: add ``"statemachine.contrib.django"`` to ``INSTALLED_APPS``."""

from __future__ import annotations

from django.apps import AppConfig


class StateMachineConfig(AppConfig):
    """On startup, imports every installed app's ``statemachine`` and ``statemachines``
    modules, so their machines are registered before the first request or command."""

    name = "statemachine.contrib.django"
    label = "statemachine"
    verbose_name = "State machines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from statemachine import registry

        registry.init_registry()
