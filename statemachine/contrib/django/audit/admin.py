"""Admin of the audit log: a read-only :class:`TransitionLogAdmin` (registered) and
:class:`TransitionLogInline`, the history of one object, for the audited models' admins::

    from statemachine.contrib.django.audit.admin import TransitionLogInline

    @admin.register(Order)
    class OrderAdmin(admin.ModelAdmin):
        inlines = [TransitionLogInline]

Both show rows to users with the ``view_transitionlog`` permission (superusers have it) and
never let anyone add, change or delete one: the log is written by transitions only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from .models import TransitionLog

__all__ = ["TransitionLogAdmin", "TransitionLogInline"]

_FIELDS = ("timestamp", "event", "source", "target", "user", "description")


class _ReadOnly:
    """Viewing only: no add, change or delete permission, whoever asks."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class TransitionLogInline(_ReadOnly, GenericTabularInline):
    """The transitions of the object on its change page, oldest first, read-only."""

    model = TransitionLog
    fields = _FIELDS
    readonly_fields = _FIELDS
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    ordering = ("timestamp", "id")
    verbose_name = "transition"
    verbose_name_plural = "transitions"

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("user")


@admin.register(TransitionLog)
class TransitionLogAdmin(_ReadOnly, admin.ModelAdmin):
    """Every transition, newest first; read-only."""

    list_display = ("timestamp", "content_type", "object_id", "event", "source", "target", "user")
    list_filter = ("content_type", "event", "timestamp")
    search_fields = ("object_id", "event", "source", "target", "description")
    date_hierarchy = "timestamp"
    ordering = ("-timestamp", "-id")
    list_select_related = ("content_type", "user")
    fields = ("content_type", "object_id", "content_object", *_FIELDS)
    readonly_fields = fields
