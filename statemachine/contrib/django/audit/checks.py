"""System checks of the audit-log app."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks

__all__ = ["check_ignored_models"]


def check_ignored_models(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``STATEMACHINE_AUDIT_IGNORED_MODELS`` must be a list of ``"app_label.Model"`` labels
    of installed models (a typo would silently log the model it meant to skip)."""
    labels = getattr(settings, "STATEMACHINE_AUDIT_IGNORED_MODELS", ())
    if isinstance(labels, str) or not isinstance(labels, (list, tuple, set, frozenset)):
        return [
            checks.Error(
                f"STATEMACHINE_AUDIT_IGNORED_MODELS must be a list of 'app_label.Model' "
                f"labels, not {labels!r}.",
                id="statemachine_audit.E001",
            )
        ]
    installed = {m._meta.label_lower for m in apps.get_models(include_auto_created=True)}
    return [
        checks.Warning(
            f"STATEMACHINE_AUDIT_IGNORED_MODELS names {label!r}, which is not an installed "
            "model: nothing is ignored for it.",
            hint="Use 'app_label.ModelName' labels, such as 'shop.Order'.",
            id="statemachine_audit.W001",
        )
        for label in labels
        if str(label).lower() not in installed
    ]
