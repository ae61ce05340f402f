"""Admin of the durable timers: :class:`TimerInline`, the timers of one row on its change page,
and :class:`TimerAdmin`, every timer (registered on the default admin site).

:class:`~statemachine.contrib.django.admin.StateMachineAdminMixin` adds :class:`TimerInline`
to the change page of every state machine model by itself when this app is installed. Other
admins can list it in their ``inlines``::

    from statemachine.contrib.django.timers.admin import TimerInline

    @admin.register(Invoice)
    class InvoiceAdmin(admin.ModelAdmin):
        inlines = [TimerInline]

Both are read-only, whoever asks: timers are written by events and changed by their tasks,
never by hand (``manage.py statemachine_timers`` enqueues or fires them). They show rows to
users with the ``statemachine_timers.view_timer`` permission (superusers have it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from statemachine.contrib.django.admin import _ReadOnly

from .models import Timer

__all__ = ["DisplayOnlyFormSet", "TimerAdmin", "TimerInline"]

_INLINE_FIELDS = ("event", "due_at", "status", "outcome", "send_id")


class DisplayOnlyFormSet(BaseGenericInlineFormSet):
    """The formset of a read-only inline: it shows its rows and never reads the request.

    The timers inline has nothing to submit, so it stays unbound: the change page's POST is
    valid without its management form (a page rendered before the timers app was installed,
    a client or test that posts the model's own fields only), forged inline data are ignored,
    and saving the page saves nothing of it.
    """

    def __init__(self, data: Any = None, files: Any = None, **kwargs: Any) -> None:
        # Invariant: never bound, whatever the admin passes.
        super().__init__(None, None, **kwargs)

    def is_valid(self) -> bool:
        return True

    def has_changed(self) -> bool:
        return False

    def save(self, commit: bool = True) -> list[Any]:
        """Saves nothing (what the admin reads after saving: no new, changed or deleted
        objects)."""
        self.new_objects: list[Any] = []
        self.changed_objects: list[Any] = []
        self.deleted_objects: list[Any] = []
        return []


class TimerInline(_ReadOnly, GenericTabularInline):
    """The durable timers of the object (pending, fired, failed and dropped), oldest due
    first, read-only: event, due time, status, outcome and send id, with a link to each
    timer's own page when :class:`TimerAdmin` is registered on the same site."""

    model = Timer
    formset = DisplayOnlyFormSet
    fields = _INLINE_FIELDS
    readonly_fields = _INLINE_FIELDS
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    ordering = ("due_at", "id")
    verbose_name = "timer"
    verbose_name_plural = "timers"


@admin.register(Timer)
class TimerAdmin(_ReadOnly, admin.ModelAdmin):
    """Every durable timer, the latest due first; read-only. Filters by status, event, model
    (only the models that have timers) and due date; searches keys, object ids, events, send
    ids and outcomes."""

    list_display = ("due_at", "row", "event", "status", "outcome", "send_id")
    list_filter = (
        "status",
        "event",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        "due_at",
    )
    search_fields = ("key", "object_id", "event", "send_id", "outcome")
    date_hierarchy = "due_at"
    ordering = ("-due_at", "-id")
    list_select_related = ("content_type",)
    fields = (
        "key",
        "row",
        "event",
        "args",
        "kwargs",
        "send_id",
        "states",
        "run_as",
        "status",
        "outcome",
        "due_at",
        "created_at",
        "finished_at",
        "task_id",
    )
    readonly_fields = fields

    @admin.display(description="row", ordering="object_id")
    def row(self, timer: Timer) -> str:
        """``app_label.Model pk``, linked to the row's change page when this site has an
        admin for its model (no query per timer: the row is not loaded)."""
        model = timer.content_type.model_class()
        if model is None:  # a model removed since
            return f"{timer.content_type.app_label}.{timer.content_type.model} {timer.object_id}"
        text = f"{model._meta.label} {timer.object_id}"
        if not self.admin_site.is_registered(model):
            return text
        opts = model._meta
        try:
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=(quote(timer.object_id),),
            )
        except NoReverseMatch:  # an admin without a change view
            return text
        return str(format_html('<a href="{}">{}</a>', url, text))
