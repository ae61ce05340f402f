"""The audit-log app: ``"statemachine.contrib.django.audit"`` in ``INSTALLED_APPS``."""

from __future__ import annotations

from django.apps import AppConfig


class StateMachineAuditConfig(AppConfig):
    """Connects the receivers that write the log (``post_transition``, ``state_repaired``)
    and registers the check of ``STATEMACHINE_AUDIT_IGNORED_MODELS``."""

    name = "statemachine.contrib.django.audit"
    label = "statemachine_audit"
    verbose_name = "State machine audit log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from statemachine.contrib.django.signals import post_transition, state_repaired

        from .checks import check_ignored_models
        from .receivers import log_repair, log_transition

        checks.register(check_ignored_models)

        post_transition.connect(log_transition, dispatch_uid="statemachine_audit.log_transition")
        state_repaired.connect(log_repair, dispatch_uid="statemachine_audit.log_repair")
