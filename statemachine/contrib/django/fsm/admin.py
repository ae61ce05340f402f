"""django-fsm's admin integration: :class:`FSMAdminMixin`.

Put it before ``admin.ModelAdmin``, as with django-fsm-2 (only the import line changes)::

    from django.contrib import admin
    from statemachine.contrib.django.fsm.admin import FSMAdminMixin

    @admin.register(BlogPost)
    class BlogPostAdmin(FSMAdminMixin, admin.ModelAdmin):
        fsm_fields = ["state"]
        fsm_forms = {"rename": RenameForm}

The change page gets, under the form, a row of buttons per FSM field: one per transition the
user may run now (its source matches, its conditions pass, the user has its permission). A
button submits the change form: the form is saved as usual, then the transition runs and the
object is saved again, in one database transaction; the outcome is a message. A transition
with a form (``fsm_forms``, or ``custom={"form": ...}`` on ``@transition``) links to a page
with that form instead (``<object_id>/transition/<name>/``); its ``cleaned_data`` become the
method's keyword arguments. The managed FSM fields are read-only in the form: they change
through transitions.

Transitions run with :func:`~statemachine.contrib.django.fsm.performed_by` the user, so the
audit log records who ran them. A method that raises undoes everything, except a transition's
``on_error`` state, which is saved (django-fsm sets it as the error goes on).

The templates live in the ``"statemachine.contrib.django"`` app, which must be in
``INSTALLED_APPS`` (in place of ``"django_fsm"``). System checks report, at startup: that app
missing (``statemachine.E104``), ``fsm_fields`` naming a field that is not an FSM field
(``E105``), ``fsm_forms`` naming no transition (``E106``), and a form path that cannot be
imported (``E107``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import router, transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.module_loading import import_string

from statemachine.contrib.django.admin import admin_url

from ._fields import FSMFieldMixin
from ._transitions import Transition, all_transitions, available_transitions, performed_by

__all__ = ["FSMAdminMixin"]

logger = logging.getLogger(__name__)

_FormClass = type[forms.BaseForm]

#: The parameter carrying the state a transition's form page was rendered with.
STATE_PARAM = "_fsm_state"


class FSMAdminMixin:
    """Transition buttons (and forms) on the admin change page of a model with FSM fields.

    Attributes:
        fsm_fields: the FSM fields to manage (their names). Empty (the default): every FSM
            field of the model.
        fsm_forms: ``{transition name: form class or its dotted path}``; such a transition
            first asks for its form. Takes precedence over ``custom["form"]``.
        fsm_default_disallow_transition: django-fsm's switch for transitions whose ``custom``
            has no ``"admin"`` key: True shows them, False hides them (then only
            ``custom={"admin": True}`` shows one). None (the default) reads the setting
            ``FSM_ADMIN_FORCE_PERMIT``: True there means False here.
        fsm_transition_form_template: the template of a transition's form page.
        fsm_post_param: the name of the POST parameter a button sends.
        fsm_transition_success_msg, fsm_transition_error_msg, fsm_transition_not_allowed_msg:
            the messages (``{transition_name}``, ``{error}``).
    """

    fsm_fields: Sequence[str] = ()
    fsm_forms: Mapping[str, _FormClass | str] = {}
    fsm_default_disallow_transition: bool | None = None
    fsm_transition_form_template = "statemachine/admin/event_form.html"
    fsm_post_param = "_fsm_transition_to"
    fsm_transition_success_msg = "FSM transition '{transition_name}' succeeded."
    fsm_transition_error_msg = "FSM transition '{transition_name}' failed: {error}."
    fsm_transition_not_allowed_msg = "FSM transition '{transition_name}' is not allowed."
    change_form_template = "statemachine/admin/fsm_change_form.html"

    # What ModelAdmin provides (the mixin is always combined with it).
    model: Any
    opts: Any
    admin_site: Any

    # --- checks (run by ``manage.py check`` and at startup) ---------------------------------
    def check(self, **kwargs: Any) -> list[Any]:
        errors: list[Any] = list(super().check(**kwargs))  # type: ignore[misc]
        name = type(self).__name__
        if not apps.is_installed("statemachine.contrib.django"):
            errors.append(
                checks.Error(
                    f"{name} uses FSMAdminMixin, whose templates come with the "
                    "'statemachine.contrib.django' app, which is not installed.",
                    hint="Add 'statemachine.contrib.django' to INSTALLED_APPS (in place of "
                    "'django_fsm').",
                    obj=type(self),
                    id="statemachine.E104",
                )
            )
        try:
            fields = self.get_fsm_field_names()
        except ImproperlyConfigured as err:
            errors.append(checks.Error(str(err), obj=type(self), id="statemachine.E105"))
            return errors
        transitions = {
            t.name: t
            for field in fields
            for t in all_transitions(self.model, self.model._meta.get_field(field))
        }
        for transition_name in self.fsm_forms:
            if transition_name not in transitions:
                errors.append(
                    checks.Error(
                        f"{name}.fsm_forms has a form for {transition_name!r}, which is not a "
                        f"transition of the managed fields {fields!r} of "
                        f"{self.model.__name__} (its transitions: "
                        f"{', '.join(sorted(transitions)) or 'none'}).",
                        obj=type(self),
                        id="statemachine.E106",
                    )
                )
        for transition in transitions.values():
            try:
                self.get_fsm_transition_form(transition)
            except ImproperlyConfigured as err:
                errors.append(checks.Error(str(err), obj=type(self), id="statemachine.E107"))
        return errors

    # --- which fields and transitions -------------------------------------------------------
    def get_fsm_field_names(self) -> list[str]:
        """The managed FSM fields: ``fsm_fields``, or every FSM field of the model."""
        names = [f.name for f in self.model._meta.fields if isinstance(f, FSMFieldMixin)]
        if not self.fsm_fields:
            return names
        unknown = [name for name in self.fsm_fields if name not in names]
        if unknown:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.fsm_fields names {unknown!r}, which "
                f"{'is' if len(unknown) == 1 else 'are'} not FSM fields of "
                f"{self.model.__name__} (its FSM fields: {names!r})."
            )
        return list(self.fsm_fields)

    @staticmethod
    def get_fsm_block_label(fsm_field_name: str) -> str:
        """The label of a field's row of buttons."""
        return f"Transition ({fsm_field_name})"

    def is_fsm_transition_visible(self, transition: Transition) -> bool:
        """Is ``transition`` offered in the admin? Its ``custom["admin"]``, else the default
        (see ``fsm_default_disallow_transition``)."""
        default = self.fsm_default_disallow_transition
        if default is None:
            default = not getattr(settings, "FSM_ADMIN_FORCE_PERMIT", False)
        return bool(transition.custom.get("admin", default))

    def get_fsm_label(self, transition: Transition) -> str:
        """A button's text: ``custom["label"]``, else the method's name."""
        return str(transition.custom.get("label", transition.name))

    def get_help_text(self, transition: Transition) -> str | None:
        """A button's tooltip: ``custom["help_text"]``, if any."""
        text = transition.custom.get("help_text")
        return None if text is None else str(text)

    def get_fsm_transition_form(self, transition: Transition) -> _FormClass | None:
        """The form ``transition`` asks for: ``fsm_forms[name]``, else ``custom["form"]``
        (a class or a dotted path), else None (the button runs it at once)."""
        form = self.fsm_forms.get(transition.name, transition.custom.get("form"))
        if isinstance(form, str):
            try:
                form = import_string(form)
            except ImportError as err:
                raise ImproperlyConfigured(
                    f"The form of the transition {transition.name!r} is {form!r}, which "
                    f"cannot be imported: {err}. Give a form class or its dotted path."
                ) from err
        return form

    def get_fsm_transitions(self, request: Any, obj: Any) -> list[tuple[str, list[Transition]]]:
        """``(field name, transitions)`` for each managed field: the visible transitions
        ``request.user`` may run on ``obj`` now (none without change permission)."""
        if not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            return []
        found = []
        for name in self.get_fsm_field_names():
            field = self.model._meta.get_field(name)
            offered = [
                t
                for t in available_transitions(obj, field)
                if t.has_perm(obj, request.user) and self.is_fsm_transition_visible(t)
            ]
            found.append((name, offered))
        return found

    def run_fsm_transition(
        self, request: Any, obj: Any, transition: Transition, kwargs: dict[str, Any]
    ) -> Any:
        """Run ``transition`` on ``obj`` as ``request.user`` and save ``obj``. Called inside
        the database transaction; override it to do more there."""
        with performed_by(request.user):
            result = getattr(obj, transition.name)(**kwargs)
        obj.save()
        return result

    # --- the change page --------------------------------------------------------------------
    def get_readonly_fields(self, request: Any, obj: Any = None) -> Sequence[str]:
        """The usual read-only fields plus the managed FSM fields."""
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return fields + [n for n in self.get_fsm_field_names() if n not in fields]

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
            context["fsm_object_transitions"] = [
                {
                    "field": name,
                    "block_label": self.get_fsm_block_label(name),
                    "available_transitions": [
                        {
                            "name": t.name,
                            "label": self.get_fsm_label(t),
                            "help_text": self.get_help_text(t) or "",
                            "form_url": (
                                self._transition_url(obj, t.name, name)
                                if self.get_fsm_transition_form(t) is not None
                                else ""
                            ),
                        }
                        for t in offered
                    ],
                }
                for name, offered in self.get_fsm_transitions(request, obj)
            ]
            context["fsm_post_param"] = self.fsm_post_param
        return super().render_change_form(  # type: ignore[misc]
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def response_change(self, request: Any, obj: Any) -> Any:
        """After the change form is saved: run the transition its button asked for."""
        name = request.POST.get(self.fsm_post_param)
        if not name:
            return super().response_change(request, obj)  # type: ignore[misc]
        offered = self._offered(request, obj, name)
        if offered is None:
            self._not_allowed(request, name)
        else:
            self._apply(request, obj, offered, {})
        return HttpResponseRedirect(request.path)

    # --- a transition's form ----------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        """The admin's URLs, with ``<object_id>/transition/<name>/`` first."""
        info = (self.opts.app_label, self.opts.model_name)
        view = self.admin_site.admin_view(self.fsm_transition_view)
        own = path(
            "<path:object_id>/transition/<str:transition_name>/",
            view,
            name="{}_{}_fsm_transition".format(*info),
        )
        return [own, *super().get_urls()]  # type: ignore[misc]

    def fsm_transition_view(self, request: Any, object_id: str, transition_name: str) -> Any:
        """The form of a transition (GET); run it with the form's data (POST), then go back
        to the change page."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404(
                f"{self.opts.verbose_name} with primary key {object_id!r} does not exist."
            )
        if not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        change_url = self._object_url(obj)
        offered = self._offered(request, obj, transition_name)
        if offered is None:
            self._not_allowed(request, transition_name)
            return HttpResponseRedirect(change_url)
        form_class = self.get_fsm_transition_form(offered[1])
        if form_class is None:
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            self._apply(request, obj, offered, {})
            return HttpResponseRedirect(change_url)
        field_name, found = offered
        state = self.model._meta.get_field(field_name).get_state(obj)
        token = request.POST.get(STATE_PARAM) or request.GET.get(STATE_PARAM)
        if token is not None and token != str(state):
            messages.error(
                request,
                f"{obj} changed since the page was loaded: its {field_name} is now "
                f"{state!r}. {transition_name!r} did not run; check it and try again.",
            )
            return HttpResponseRedirect(change_url)
        extra = {"instance": obj} if issubclass(form_class, forms.BaseModelForm) else {}
        if request.method == "GET":
            form = form_class(**extra)
        else:
            form = form_class(request.POST, request.FILES, **extra)
            if form.is_valid():
                self._apply(request, obj, offered, dict(form.cleaned_data))
                return HttpResponseRedirect(change_url)
        form.instance = obj  # the object, for a plain Form too
        label = self.get_fsm_label(found)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{label}: {obj}",
            "subtitle": None,
            "opts": self.opts,
            "original": obj,
            "form": form,
            "media": self.media + form.media,  # type: ignore[attr-defined]
            "transition": found,
            "event_label": label,
            "help_text": self.get_help_text(found) or "",
            "state": state,
            "state_param": STATE_PARAM,
            "state_token": str(state),
            "change_url": change_url,
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.fsm_transition_form_template, context)

    # --- helpers ----------------------------------------------------------------------------
    def _offered(self, request: Any, obj: Any, name: str) -> tuple[str, Transition] | None:
        """The field and transition ``name``, if it is offered to ``request.user`` now."""
        for field, offered in self.get_fsm_transitions(request, obj):
            for t in offered:
                if t.name == name:
                    return field, t
        return None

    def _not_allowed(self, request: Any, name: str) -> None:
        messages.error(request, self.fsm_transition_not_allowed_msg.format(transition_name=name))

    def _apply(
        self, request: Any, obj: Any, offered: tuple[str, Transition], kwargs: dict[str, Any]
    ) -> bool:
        """Run the transition ``offered`` (its field and itself, as :meth:`_offered` found
        them) in one transaction, and say how it went. A failure saves nothing but an
        ``on_error`` state."""
        field = self.model._meta.get_field(offered[0])
        found = offered[1]
        name = found.name
        before = field.get_state(obj)
        try:
            with transaction.atomic(using=router.db_for_write(self.model, instance=obj)):
                self.run_fsm_transition(request, obj, found, kwargs)
        except Exception as err:
            logger.exception("The transition %r of %r failed in the admin", name, obj)
            after = field.get_state(obj)
            if after != before and after == found.on_error:
                obj.save(update_fields=[field.name])
            messages.error(
                request, self.fsm_transition_error_msg.format(transition_name=name, error=err)
            )
            return False
        state = field.get_state(obj)
        self.log_change(  # type: ignore[attr-defined]
            request, obj, f"Ran the transition {name!r}; {field.name} is now {state!r}."
        )
        messages.success(request, self.fsm_transition_success_msg.format(transition_name=name))
        return True

    def _object_url(self, obj: Any) -> str:
        return admin_url(self, obj, "change")

    def _transition_url(self, obj: Any, name: str, field: str) -> str:
        """The form page of ``name``, with the state of ``field`` the link was made in."""
        state = self.model._meta.get_field(field).get_state(obj)
        query = urlencode({STATE_PARAM: str(state)})
        return f"{admin_url(self, obj, 'fsm_transition', name)}?{query}"
