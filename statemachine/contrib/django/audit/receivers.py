"""The receivers that write :class:`~.models.TransitionLog` rows: ``post_transition`` (a
transition) and ``state_repaired`` (a repair)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import router

__all__ = ["ignored_models", "log_repair", "log_transition"]


def ignored_models() -> frozenset[str]:
    """The lowercased ``app_label.model`` labels of ``STATEMACHINE_AUDIT_IGNORED_MODELS``."""
    labels = getattr(settings, "STATEMACHINE_AUDIT_IGNORED_MODELS", None) or ()
    if isinstance(labels, str):  # refused by the system check; tolerated here
        labels = [labels]
    return frozenset(str(label).lower() for label in labels)


def _ignored(model: Any) -> bool:
    ignored = ignored_models()
    return bool(ignored) and (
        model._meta.label_lower in ignored
        or model._meta.concrete_model._meta.label_lower in ignored
    )


def _user(by: Any) -> Any:
    """``by`` when it is a saved user, else None (an anonymous user, a name, a system...)."""
    if isinstance(by, get_user_model()) and by.pk is not None:
        return by
    return None


def _same_database(user: Any, using: str) -> Any:
    """``user`` if it can be referenced from ``using`` (a foreign key cannot cross
    databases), else None."""
    if user is None or user._state.db in (None, using):
        return user
    return None


def _state_id(state: Any) -> str:
    return "" if state is None else str(getattr(state, "id", state))


def log_transition(
    sender: Any,
    instance: Any,
    event: str,
    source: Any,
    target: Any,
    kwargs: Any = None,
    exception: BaseException | None = None,
    **_extra: Any,
) -> None:
    """Write the row of a successful transition of a saved instance, on the instance's
    database (so inside the transition's transaction)."""
    from .models import TransitionLog

    if exception is not None or instance.pk is None or _ignored(sender):
        return
    kwargs = kwargs or {}
    using = instance._state.db or router.db_for_write(TransitionLog, instance=instance)
    description = kwargs.get("description")
    TransitionLog.objects.using(using).create(
        content_type=ContentType.objects.db_manager(using).get_for_model(instance),
        object_id=str(instance.pk),
        event=str(event),
        source=_state_id(source),
        target=_state_id(target),
        user=_same_database(_user(kwargs.get("by")), using),
        description="" if description is None else str(description),
    )


def log_repair(
    sender: Any,
    instance: Any,
    source: Any,
    target: Any,
    by: Any = None,
    description: str = "",
    **_extra: Any,
) -> None:
    """Write the row of a repaired state (``kind="repair"``, no event) of a saved instance."""
    from .models import TransitionLog

    if instance.pk is None or _ignored(sender):
        return
    using = instance._state.db or router.db_for_write(TransitionLog, instance=instance)
    TransitionLog.objects.using(using).create(
        content_type=ContentType.objects.db_manager(using).get_for_model(instance),
        object_id=str(instance.pk),
        kind=TransitionLog.REPAIR,
        event="",
        source="" if source is None else str(source),
        target=_state_id(target),
        user=_same_database(_user(by), using),
        description="" if description is None else str(description),
    )
