"""The admin side: :class:`StateMachineAdminMixin` for ``ModelAdmin``.

Put it before ``admin.ModelAdmin`` in the bases of the admin of a model that uses
:class:`~statemachine.contrib.django.StateMachineModelMixin`::

    from django.contrib import admin
    from statemachine.contrib.django.admin import StateMachineAdminMixin

    @admin.register(Order)
    class OrderAdmin(StateMachineAdminMixin, admin.ModelAdmin):
        statemachine_event_forms = {"ship": ShipForm}

The change page then shows the state (once, in the state machine panel: state fields change
only through events), a button per event the user may send now, why the events that have a
transition from the current state cannot be sent (the others collapsed under one line), and
the machine's diagram with the active states filled, drawn with state and event names only
(``statemachine_diagram_actions = True`` adds the callbacks and guards). A button posts to
``<object_id>/event/<event>/`` (URL name ``admin:<app>_<model>_event``), which sends the event
with atomic saving and the user's permissions checked, reports the outcome with
``django.contrib.messages`` and redirects back to the change page. An event listed in
``statemachine_event_forms`` first shows its form; the cleaned data become the event's
keyword arguments.

A row whose stored state is not a state of its machine (a state renamed or removed since) does
not break the admin: the changelist shows the stored value marked invalid, with the reason;
the change page shows the error instead of event buttons and, to superusers (or users with
``statemachine_repair_permission``), a form that sets the state (``<object_id>/repair-state/``,
URL name ``admin:<app>_<model>_repair_state``; see
:meth:`~statemachine.contrib.django.StateMachineModelMixin.repair_state`).

With the durable timers app (``"statemachine.contrib.django.timers"``) installed, the change
page also lists the row's timers, read-only
(:class:`~statemachine.contrib.django.timers.admin.TimerInline`);
``statemachine_show_timers = False`` leaves them out.

The templates live in this app: ``"statemachine.contrib.django"`` must be in
``INSTALLED_APPS`` (a system check says so).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from statemachine._callbacks import RESERVED_KWARGS
from statemachine.exceptions import TransitionNotAllowed
from statemachine.orderedset import OrderedSet

from .fields import StateField, StateForeignKey
from .mixins import (
    ConcurrentTransition,
    InvalidStoredState,
    StateMachineModelMixin,
    TransitionPermissionDenied,
    _is_state_value,
    _machine_class,
    _state_field,
    _timers_installed,
)

__all__ = ["StateMachineAdminMixin"]

logger = logging.getLogger(__name__)

#: The POST (and query string) parameter carrying the state the page was rendered with.
STATE_PARAM = "_statemachine_state"

# Keyword arguments an event form may not produce: send_event()/send() options, and the names
# the machine reserves for its own callback arguments (send() would drop them silently).
_FORBIDDEN_KWARGS = (
    frozenset({"by", "atomic", "lock", "raise_errors", "delay", "send_id", "internal"})
    | RESERVED_KWARGS
)


class StateMachineAdminMixin:
    """Transitions, refusals and a diagram on the admin change page of a state machine model.

    Attributes:
        statemachine_event_forms: ``{event_id: FormClass}``; such an event first shows its
            form (a ``forms.Form``) and its ``cleaned_data`` become the event's keyword
            arguments.
        statemachine_show_refusals: list the declared events the user cannot send now, with
            the reasons (``why_not``). Default True.
        statemachine_show_diagram: show the machine's diagram (needs pydot and Graphviz; a
            note replaces it when they are missing). Default True.
        statemachine_diagram_actions: draw the callbacks (entry, exit) and guards in the
            diagram too; they are Python names, meant for developers. Default False: state
            and event names only.
        statemachine_repair_permission: a permission (``"app_label.codename"``) that lets a
            user who is not a superuser repair a row whose stored state is not a state of
            its machine. Default None: superusers only.
        statemachine_show_timers: with the durable timers app installed, list the row's
            timers on the change page (a read-only ``TimerInline``). Default True.
    """

    statemachine_event_forms: Mapping[str, type[forms.BaseForm]] = {}
    statemachine_show_refusals: bool = True
    statemachine_show_diagram: bool = True
    statemachine_diagram_actions: bool = False
    statemachine_repair_permission: str | None = None
    statemachine_show_timers: bool = True
    change_form_template = "statemachine/admin/change_form.html"
    statemachine_event_form_template = "statemachine/admin/event_form.html"

    # What ModelAdmin provides (the mixin is always combined with it).
    model: Any
    opts: Any
    admin_site: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The changelist's state columns (see get_list_display), one attribute per field.
        self._statemachine_columns: dict[str, str] = {}
        if issubclass(self.model, StateMachineModelMixin):
            for name in self.get_state_field_names():
                column = f"statemachine_{name}"
                setattr(self, column, self._state_column(self.model._meta.get_field(name)))
                self._statemachine_columns[name] = column

    # --- checks ---------------------------------------------------------------------------
    def check(self, **kwargs: Any) -> list[Any]:
        errors: list[Any] = list(super().check(**kwargs))  # type: ignore[misc]
        name = type(self).__name__
        if not apps.is_installed("statemachine.contrib.django"):
            errors.append(
                checks.Error(
                    f"{name} uses StateMachineAdminMixin, whose templates come with the "
                    "'statemachine.contrib.django' app, which is not installed.",
                    hint="Add 'statemachine.contrib.django' to INSTALLED_APPS.",
                    obj=type(self),
                    id="statemachine.E101",
                )
            )
        if not issubclass(self.model, StateMachineModelMixin):
            errors.append(
                checks.Error(
                    f"{name} uses StateMachineAdminMixin but its model "
                    f"{self.model.__name__} does not use StateMachineModelMixin.",
                    hint="Add StateMachineModelMixin before models.Model in the model's bases.",
                    obj=type(self),
                    id="statemachine.E102",
                )
            )
            return errors
        try:
            machine_cls = self._machine_class()
        except Exception:
            return errors  # the model's own checks report a machine that cannot be loaded
        declared = {e.id for e in machine_cls.events}
        for event in self.statemachine_event_forms:
            if event not in declared:
                errors.append(
                    checks.Error(
                        f"{name}.statemachine_event_forms has a form for {event!r}, which is "
                        f"not an event of {machine_cls.__name__} (its events: "
                        f"{', '.join(sorted(declared)) or 'none'}).",
                        obj=type(self),
                        id="statemachine.E103",
                    )
                )
        return errors

    # --- the form: state fields are read-only -----------------------------------------------
    def get_readonly_fields(self, request: Any, obj: Any = None) -> Sequence[str]:
        """The usual read-only fields plus the machine's state field and every protected
        state field: they change only through events, never through the form."""
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        for name in self.get_state_field_names():
            if name not in fields:
                fields.append(name)
        return fields

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        """The form's fieldsets, without the state fields on the change page: the state
        machine panel above the form shows the state (the add page keeps them, read-only)."""
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if obj is None:
            return fieldsets
        hidden = set(self.get_state_field_names())
        kept = []
        for name, options in fieldsets:
            fields = _without(options.get("fields", ()), hidden)
            if fields or not options.get("fields"):
                kept.append((name, {**options, "fields": fields}))
        return kept

    def get_list_display(self, request: Any) -> Sequence[Any]:
        """The changelist's columns, a state field's replaced by its state column: the
        state's name, or the stored value marked invalid when it is no state."""
        return self._state_columns(super().get_list_display(request))  # type: ignore[misc]

    def get_list_display_links(self, request: Any, list_display: Sequence[Any]) -> Any:
        links = super().get_list_display_links(request, list_display)  # type: ignore[misc]
        return links if links is None else self._state_columns(links)

    def get_sortable_by(self, request: Any) -> Any:
        return self._state_columns(super().get_sortable_by(request))  # type: ignore[misc]

    def _state_columns(self, names: Sequence[Any]) -> list[Any]:
        columns = self._statemachine_columns
        return [columns.get(n, n) if isinstance(n, str) else n for n in names]

    def _state_column(self, field: Any) -> Any:
        def column(obj: Any) -> str:
            return self.statemachine_state_display(obj, field)

        column.short_description = capfirst(field.verbose_name)  # type: ignore[attr-defined]
        column.admin_order_field = field.name  # type: ignore[attr-defined]
        return column

    def statemachine_state_display(self, obj: Any, field: Any) -> str:
        """What the changelist shows for the state field ``field`` of ``obj``: the names of
        its active states, or the stored value in red with the reason when it is not a
        state of the machine (the full message as the tooltip)."""
        main = _state_field(self.model)
        machine = self._machine_class() if field is main else field.machine
        stored = getattr(obj, field.attname, None)
        if stored is None:
            return "-"
        values = list(stored) if isinstance(stored, (OrderedSet, list, tuple)) else [stored]
        bad = [v for v in values if not _is_state_value(machine, v)]
        if bad:
            error = InvalidStoredState(obj, field.name, stored, bad[0], machine)
            return str(
                format_html(
                    '<span class="statemachine-invalid" style="color: var(--error-fg, #ba2121)" '
                    'title="{}">{} ({})</span>',
                    str(error),
                    _shown(stored),
                    error.reason,
                )
            )
        states = [machine.states_map[v] for v in values]
        leaves = [s for s in states if not any(c in states for c in s.states)]
        return ", ".join(str(s.name) for s in leaves)

    def get_state_field_names(self) -> list[str]:
        """The model's fields the admin must never edit: the field the machine stores its
        state in and any protected ``StateField``/``StateForeignKey``."""
        names: list[str] = []
        main = _state_field(self.model)
        if main is not None:
            names.append(main.name)
        for f in self.model._meta.concrete_fields:
            protected = isinstance(f, (StateField, StateForeignKey)) and f.protected
            if protected and f.name not in names:
                names.append(f.name)
        return names

    def get_inlines(self, request: Any, obj: Any) -> list[Any]:
        """The admin's inlines, plus the row's durable timers on the change page when the
        timers app is installed (see ``statemachine_show_timers``). An inline of the admin's
        own that is a ``TimerInline`` is not doubled."""
        inlines = list(super().get_inlines(request, obj))  # type: ignore[misc]
        if (
            obj is None
            or not self.statemachine_show_timers
            or not issubclass(self.model, StateMachineModelMixin)
            or not _timers_installed()
        ):
            return inlines
        from .timers.admin import TimerInline

        if not any(isinstance(i, type) and issubclass(i, TimerInline) for i in inlines):
            inlines.append(TimerInline)
        return inlines

    # --- hooks --------------------------------------------------------------------------------
    def get_statemachine_events(self, request: Any, obj: Any) -> list[Any]:
        """The events offered as buttons: those whose conditions pass now and that the user
        may send (``obj.available_events(request.user)``); none without change permission."""
        if not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            return []
        return list(obj.available_events(request.user))

    def get_event_label(self, event: Any) -> str:
        """The button text of ``event`` (an event or its id): the event's name."""
        name = getattr(event, "name", None)
        if name is None:
            declared = {e.id: e for e in self._machine_class().events}
            found = declared.get(str(event))
            name = found.name if found is not None else str(event)
        return str(name)

    def get_event_form(self, request: Any, obj: Any, event: str) -> type[forms.BaseForm] | None:
        """The form class asked for before sending ``event``, or None to send it at once."""
        return self.statemachine_event_forms.get(event)

    def run_event(self, request: Any, obj: Any, event: str, kwargs: dict[str, Any]) -> Any:
        """Send ``event`` to ``obj``: atomic saving of the state field and the permission
        check of ``request.user``. A callback error a ``StateChart`` would catch as an
        ``error.execution`` event is raised instead, so it is reported and nothing is saved.
        Override it to do more in the same transaction (atomic saving writes only the state
        field; save other fields a callback changes here)."""
        return obj.send_event(event, atomic=True, raise_errors=True, by=request.user, **kwargs)

    def get_statemachine_diagram(self, request: Any, obj: Any) -> str:
        """The machine's diagram as inline SVG markup, active states filled (none for a row
        whose stored state is not a state). State and event names only, unless
        ``statemachine_diagram_actions``: the callbacks and guards are Python names.

        Raises:
            PydotNotInstalled, GraphvizNotFound: the diagram cannot be rendered.
        """
        from statemachine.contrib.diagram import DotGraphMachine, extract

        valid = obj.statemachine_state_error() is None
        graph = extract(self._machine(obj) if valid else self._machine_class())
        if not self.statemachine_diagram_actions:
            for state in graph.walk():
                state.actions = []
            for transition in graph.transitions:
                transition.guards = []
                transition.actions = []
        svg = DotGraphMachine(graph).create("svg").decode("utf-8")
        start = svg.find("<svg")
        return svg[start:] if start >= 0 else svg

    # --- URLs -----------------------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        """The admin's URLs, with ``<object_id>/event/<event>/`` and
        ``<object_id>/repair-state/`` first (the admin's own ``<object_id>/`` catch-all would
        shadow them otherwise)."""
        info = (self.opts.app_label, self.opts.model_name)
        view = self.admin_site.admin_view(self.statemachine_event_view)
        repair = self.admin_site.admin_view(self.statemachine_repair_view)
        urls = [
            path("<path:object_id>/event/<str:event>/", view, name="{}_{}_event".format(*info)),
            path(
                "<path:object_id>/repair-state/",
                repair,
                name="{}_{}_repair_state".format(*info),
            ),
        ]
        return urls + list(super().get_urls())  # type: ignore[misc]

    # --- the change page --------------------------------------------------------------------
    def render_change_form(
        self,
        request: Any,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None and not add:
            context["statemachine"] = self.get_statemachine_context(request, obj)
        return super().render_change_form(  # type: ignore[misc]
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def get_statemachine_context(self, request: Any, obj: Any) -> dict[str, Any]:
        """What the change page's state machine panel shows."""
        context: dict[str, Any] = {
            "state_param": STATE_PARAM,
            "events": [],
            "refused": [],
            "unreachable": [],
            "invalid": None,
            "repair": None,
            "diagram": None,
            "diagram_error": "",
        }
        error = obj.statemachine_state_error()
        if error is not None:
            # No machine to ask: say what is wrong, and offer the repair to who may do it.
            context["state"] = _shown(error.stored)
            context["invalid"] = {"reason": error.reason, "message": str(error)}
            if self.has_repair_permission(request, obj):
                context["repair"] = {
                    "url": self._object_url(obj, "repair_state"),
                    "form": RepairStateForm(self._machine_class()),
                    "token": _raw_token(obj),
                }
        else:
            machine = self._machine(obj)
            context["state"] = _state_label(machine)
            context["state_token"] = _state_token(machine)
            offered = self.get_statemachine_events(request, obj)
            offered_ids = {str(e) for e in offered}
            for event in offered:
                event_id = str(event)
                context["events"].append(
                    {
                        "id": event_id,
                        "label": self.get_event_label(event),
                        "url": self._event_url(obj, event_id),
                        "has_form": self.get_event_form(request, obj, event_id) is not None,
                    }
                )
            if self.statemachine_show_refusals:
                # Events that have a transition from here: why not now. The others could
                # never be sent from this state: listed apart, collapsed.
                allowed = {str(e) for e in machine.allowed_events}
                for event in type(machine).events:
                    if event.id in offered_ids:
                        continue
                    label = self.get_event_label(event)
                    if event.id not in allowed:
                        context["unreachable"].append({"id": event.id, "label": label})
                        continue
                    reasons = obj.why_not(event.id, request.user)
                    if isinstance(reasons, list) and reasons:
                        context["refused"].append(
                            {
                                "id": event.id,
                                "label": label,
                                "reasons": [r.message for r in reasons],
                            }
                        )
        if self.statemachine_show_diagram:
            try:
                # Graphviz escapes the labels it draws: the markup is safe to inline.
                context["diagram"] = mark_safe(self.get_statemachine_diagram(request, obj))
            except Exception as err:
                from statemachine.contrib.diagram._notes import one_line

                context["diagram_error"] = one_line(err)  # with the notes: how to fix it
        return context

    def has_repair_permission(self, request: Any, obj: Any) -> bool:
        """May ``request.user`` repair ``obj``'s stored state? Superusers may; so may users
        with change permission and ``statemachine_repair_permission``, when it is set."""
        user = request.user
        if user.is_active and user.is_superuser:
            return True
        perm = self.statemachine_repair_permission
        return bool(
            perm
            and self.has_change_permission(request, obj)  # type: ignore[attr-defined]
            and (user.has_perm(perm, obj) or user.has_perm(perm))
        )

    # --- the repair view --------------------------------------------------------------------
    def statemachine_repair_view(self, request: Any, object_id: str) -> Any:
        """Set the stored state of a row whose value is not a state of its machine (POST
        from the change page's repair form), then redirect to the change page with the
        outcome as a message. Recorded as a repair in the admin history and the audit log."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404(
                f"{self.opts.verbose_name} with primary key {object_id!r} does not exist."
            )
        if not self.has_repair_permission(request, obj):
            raise PermissionDenied
        change_url = self._object_url(obj, "change")
        error = obj.statemachine_state_error()
        if error is None:
            messages.error(
                request,
                f"{obj} is in a state of {self._machine_class().__name__} "
                f"({_state_label(self._machine(obj))}): there is nothing to repair. Send "
                "events to change it.",
            )
            return HttpResponseRedirect(change_url)
        token = request.POST.get(STATE_PARAM)
        if token is not None and token != _raw_token(obj):
            messages.error(
                request,
                f"{obj} changed since the page was loaded: it now holds "
                f"{_shown(error.stored)!r}. Nothing was repaired; check it and try again.",
            )
            return HttpResponseRedirect(change_url)
        form = RepairStateForm(self._machine_class(), request.POST)
        if not form.is_valid():
            problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
            messages.error(request, f"{obj} was not repaired: {problems}")
            return HttpResponseRedirect(change_url)
        old = _shown(error.stored)
        try:
            obj.repair_state(
                form.cleaned_data["state"],
                by=request.user,
                description=form.cleaned_data["description"],
            )
        except Exception as err:
            logger.exception("Repairing the state of %r from the admin failed", obj)
            messages.error(
                request, f"{obj} was not repaired: {type(err).__name__}: {err}. Nothing was saved."
            )
            return HttpResponseRedirect(change_url)
        state = _state_label(self._machine(obj))
        self.log_change(  # type: ignore[attr-defined]
            request, obj, f"Repaired the state: it held {old!r}, it is now {state}."
        )
        messages.success(request, f"{obj} was repaired: it held {old!r}, it is now {state}.")
        return HttpResponseRedirect(change_url)

    # --- the event view ---------------------------------------------------------------------
    def statemachine_event_view(self, request: Any, object_id: str, event: str) -> Any:
        """Send ``event`` to the object (POST), or show the event's form (GET, for an event
        with a form); then redirect to the change page with the outcome as a message."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404(
                f"{self.opts.verbose_name} with primary key {object_id!r} does not exist."
            )
        if not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        change_url = self._object_url(obj, "change")
        error = obj.statemachine_state_error()
        if error is not None:
            messages.error(request, f"{event!r} was not sent: {error}")
            return HttpResponseRedirect(change_url)
        machine = self._machine(obj)
        declared = {e.id: e for e in type(machine).events}
        if event not in declared:
            messages.error(
                request,
                f"{type(machine).__name__} has no event {event!r}; nothing was done. Its "
                f"events: {', '.join(declared) or 'none'}.",
            )
            return HttpResponseRedirect(change_url)
        form_class = self.get_event_form(request, obj, event)
        if form_class is None and request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        token = request.POST.get(STATE_PARAM) or request.GET.get(STATE_PARAM)
        kwargs: dict[str, Any] = {}
        if form_class is not None:
            if request.method == "GET":
                return self._render_event_form(request, obj, event, form_class(), token)
            form = form_class(request.POST, request.FILES)
            if not form.is_valid():
                return self._render_event_form(request, obj, event, form, token)
            kwargs = dict(form.cleaned_data)
            clash = sorted(_FORBIDDEN_KWARGS.intersection(kwargs))
            if clash:
                raise ImproperlyConfigured(
                    f"The form {form_class.__name__} of the event {event!r} has fields named "
                    f"{', '.join(clash)}, which cannot be event keyword arguments "
                    "(send_event() options or names reserved by the machine). Rename them."
                )
        if token is not None and token != _state_token(machine):
            messages.error(
                request,
                f"{obj} changed since the page was loaded: it is now {_state_label(machine)}. "
                f"{self.get_event_label(declared[event])} was not sent; check the new state "
                "and try again.",
            )
            return HttpResponseRedirect(change_url)
        self.send_statemachine_event(request, obj, event, kwargs)
        return HttpResponseRedirect(change_url)

    def send_statemachine_event(
        self, request: Any, obj: Any, event: str, kwargs: dict[str, Any]
    ) -> bool:
        """Send ``event`` through :meth:`run_event` and report the outcome as a message.
        Refusals and errors are reported, not raised; nothing is saved then. Returns whether
        the event was sent."""
        machine = self._machine(obj)
        label = self.get_event_label(event)
        if type(machine).allow_event_without_transition:
            # Such a machine ignores an event it cannot take: ask first, to say why.
            reasons = obj.why_not(event, request.user, **kwargs)
            if isinstance(reasons, list) and reasons:
                self._refused(request, obj, label, [r.message for r in reasons])
                return False
        try:
            self.run_event(request, obj, event, kwargs)
        except TransitionPermissionDenied as err:
            self._refused(request, obj, label, [str(err)])
            return False
        except TransitionNotAllowed as err:
            reasons = obj.why_not(event, request.user, **kwargs)
            details = [r.message for r in reasons] if isinstance(reasons, list) else []
            self._refused(request, obj, label, details or [str(err)])
            return False
        except ConcurrentTransition as err:
            messages.error(
                request,
                f"{label} was not saved: {obj} was changed by someone else meanwhile. {err}",
            )
            return False
        except Exception as err:
            logger.exception("Sending %r to %r from the admin failed", event, obj)
            messages.error(
                request, f"{label} failed: {type(err).__name__}: {err}. Nothing was saved."
            )
            return False
        state = _state_label(machine)
        self.log_change(request, obj, f"Sent the event {label!r}; the state is now {state}.")  # type: ignore[attr-defined]
        messages.success(request, f"{label}: {obj} is now {state}.")
        return True

    # --- helpers ----------------------------------------------------------------------------
    def _machine_class(self) -> Any:
        return _machine_class(self.model)

    def _machine(self, obj: Any) -> Any:
        return getattr(obj, obj.state_machine_attr)

    def _object_url(self, obj: Any, view: str) -> str:
        return admin_url(self, obj, view)

    def _event_url(self, obj: Any, event: str) -> str:
        return admin_url(self, obj, "event", event)

    def _refused(self, request: Any, obj: Any, label: str, reasons: list[str]) -> None:
        messages.error(
            request,
            f"{label} was refused for {obj}; nothing was done: {' '.join(reasons)}",
        )

    def _render_event_form(
        self, request: Any, obj: Any, event: str, form: Any, token: str | None
    ) -> Any:
        label = self.get_event_label(event)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{label}: {obj}",
            "subtitle": None,
            "opts": self.opts,
            "original": obj,
            "form": form,
            "media": self.media + form.media,  # type: ignore[attr-defined]
            "event": event,
            "event_label": label,
            "state": _state_label(self._machine(obj)),
            "state_param": STATE_PARAM,
            "state_token": token or "",
            "change_url": self._object_url(obj, "change"),
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.statemachine_event_form_template, context)


class _ReadOnly:
    """Viewing only: no add, change or delete permission, whoever asks (the audit log's
    and the timers' admins)."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


def admin_url(model_admin: Any, obj: Any, view: str, *args: str) -> str:
    """The URL of ``model_admin``'s view ``view`` (``change``, ``event``...) for ``obj``."""
    opts = model_admin.opts
    return str(
        reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{view}",
            args=(quote(obj.pk), *args),
            current_app=model_admin.admin_site.name,
        )
    )


class RepairStateForm(forms.Form):
    """The admin's repair of a stored state: the state to store, and why."""

    state = forms.ChoiceField(label="Set the state to")
    description = forms.CharField(
        label="Why", required=False, max_length=500, help_text="Kept in the audit log."
    )

    def __init__(self, machine: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_statemachine_repair_%s")
        super().__init__(*args, **kwargs)
        field: Any = self.fields["state"]
        field.choices = [(s.id, str(s.name)) for s in machine.states_map.values()]


def _raw_token(obj: Any) -> str:
    """The stored value, as the repair form remembers it (compared on POST)."""
    return str(obj._current_raw())


def _without(fields: Sequence[Any], hidden: set[str]) -> list[Any]:
    """A fieldset's ``fields`` without the ``hidden`` names (a tuple is one line of fields)."""
    kept: list[Any] = []
    for item in fields:
        if isinstance(item, (list, tuple)):
            line = [f for f in item if f not in hidden]
            if line:
                kept.append(tuple(line))
        elif item not in hidden:
            kept.append(item)
    return kept


def _shown(stored: Any) -> str:
    """A stored state value as the admin shows it: as it is in the database."""
    if isinstance(stored, (OrderedSet, list, tuple)):
        return ", ".join(str(v) for v in stored)
    return str(stored)


def _active_leaves(machine: Any) -> list[Any]:
    """The active states without active children (the ones worth naming)."""
    active = list(machine.configuration)
    return [s for s in active if not any(c in active for c in s.states)]


def _state_label(machine: Any) -> str:
    names = [str(s.name) for s in _active_leaves(machine)]
    return ", ".join(names) if names else "(no state)"


def _state_token(machine: Any) -> str:
    """The active configuration, as the page remembers it (compared on POST)."""
    return ",".join(sorted(str(v) for v in machine.configuration_values))
