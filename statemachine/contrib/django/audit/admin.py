"""Admin of the audit log: a read-only :class:`TransitionLogAdmin` (registered) and
:class:`TransitionLogInline`, the history of one object, for the audited models' admins::

    from statemachine.contrib.django.audit.admin import TransitionLogInline

    @admin.register(Order)
    class OrderAdmin(admin.ModelAdmin):
        inlines = [TransitionLogInline]

Both show rows to users with the ``view_transitionlog`` permission (superusers have it) and
never let anyone add, change or delete one: the log is written by transitions only. They
name states and events by their names (``"In review"``), looked up on the machine of the
logged object's model; a value that is no state (the source of a repair, a state removed
since) is shown as stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from statemachine.contrib.django.admin import _ReadOnly

from .models import TransitionLog

__all__ = ["TransitionLogAdmin", "TransitionLogInline"]

_FIELDS = ("timestamp", "event", "source", "target", "user", "description")
_NAMED = ("timestamp", "event_name", "source_name", "target_name", "user", "description")


def _names(log: TransitionLog) -> tuple[dict[str, str], dict[str, str]]:
    """``({state id: name}, {event id: name})`` of the machine of the logged object's model;
    empty when it has none (or it cannot be loaded)."""
    model = log.content_type.model_class()
    name = getattr(model, "state_machine_name", None)
    if not name:
        return {}, {}
    try:
        from statemachine import registry

        machine = registry.get_machine_cls(name)
    except Exception:  # a machine renamed or removed since: show the stored ids
        return {}, {}
    # Names are read each time: a lazy translation follows the request's language.
    return (
        {s.id: str(s.name) for s in machine.states_map.values()},
        {e.id: str(e.name) for e in machine.events},
    )


def _state_name(log: TransitionLog, value: str) -> str:
    states, _ = _names(log)
    if value in states:
        return states[value]
    return repr(value) if value else "-"


class _Names:
    """Columns that show the names of the logged states and events."""

    @admin.display(description="event", ordering="event")
    def event_name(self, log: TransitionLog) -> str:
        if log.kind == TransitionLog.REPAIR:
            return "(state repaired)"
        if not log.event:
            return "(eventless)"
        _, events = _names(log)
        return events.get(log.event, str(log.event))

    @admin.display(description="source state", ordering="source")
    def source_name(self, log: TransitionLog) -> str:
        return _state_name(log, log.source)

    @admin.display(description="target state", ordering="target")
    def target_name(self, log: TransitionLog) -> str:
        return _state_name(log, log.target)


class TransitionLogInline(_Names, _ReadOnly, GenericTabularInline):
    """The transitions (and repairs) of the object on its change page, oldest first,
    read-only, with the names of the states and events."""

    model = TransitionLog
    fields = _NAMED
    readonly_fields = _NAMED
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    ordering = ("timestamp", "id")
    verbose_name = "transition"
    verbose_name_plural = "transitions"

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("user", "content_type")


@admin.register(TransitionLog)
class TransitionLogAdmin(_Names, _ReadOnly, admin.ModelAdmin):
    """Every transition, newest first; read-only. The content type filter offers only the
    types that have rows."""

    list_display = (
        "timestamp",
        "content_type",
        "object_id",
        "event_name",
        "source_name",
        "target_name",
        "user",
    )
    list_filter = (
        ("content_type", admin.RelatedOnlyFieldListFilter),
        "kind",
        "event",
        "timestamp",
    )
    search_fields = ("object_id", "event", "source", "target", "description")
    date_hierarchy = "timestamp"
    ordering = ("-timestamp", "-id")
    list_select_related = ("content_type", "user")
    fields = ("content_type", "object_id", "content_object", "kind", *_FIELDS)
    readonly_fields = fields
