"""django-fsm's fields: :class:`FSMField`, :class:`FSMIntegerField` and :class:`FSMKeyField`.

They are Django's own column types (text, integer, foreign key) with two options:
``protected=True`` refuses a direct assignment once the instance has a state (transitions,
loading and, with :class:`FSMModelMixin`, ``refresh_from_db()`` still write it), and
``state_choices`` (``(value, label)`` pairs, or ``(value, label, proxy model)`` to switch an
instance to the proxy of its state) lists states as ``choices`` do. Migrations see the
plain Django field, so they do not depend on this package. A model with such a field can be
drawn: ``format(Model, "mermaid")`` (see :func:`_give_format`).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

from statemachine.contrib.django.fields import (
    _ProtectedForwardDescriptor,
    _StateDescriptor,
    _StateKeyDescriptor,
    unprotected,
)

__all__ = [
    "FSMField",
    "FSMFieldMixin",
    "FSMIntegerField",
    "FSMKeyField",
    "FSMModelMixin",
]


class FSMFieldMixin:
    """What the three fields share: ``protected``, ``state_choices``, and reading and writing
    the state of an instance."""

    attname: str
    name: str
    choices: Any
    default: Any

    def __init__(
        self, *args: Any, protected: bool = False, state_choices: Any = None, **kwargs: Any
    ) -> None:
        self.protected = protected
        self.state_choices = [tuple(choice) for choice in state_choices or ()]
        if self.state_choices and "choices" not in kwargs:
            kwargs["choices"] = [(choice[0], choice[1]) for choice in self.state_choices]
        # A third item names the proxy model an instance becomes in that state (a class,
        # "app_label.Model", or "Model" of the field's app).
        self.state_proxies: dict[Any, Any] = {c[0]: c[2] for c in self.state_choices if len(c) > 2}
        self._proxies: dict[Any, Any] = {}  # the proxy classes, resolved on first use
        # Unprotected: Django's own descriptor (nothing to check on assignment).
        self.descriptor_class = self._guarded if protected else self._plain
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)  # type: ignore[misc]
        if not cls._meta.abstract:
            from ._transitions import contribute_helpers

            contribute_helpers(cls, self)
            _give_format(cls)
            if self.state_proxies:
                models.signals.post_init.connect(self._switch_at_init, sender=cls, weak=False)

    def _switch_at_init(self, sender: Any, instance: Any, **kwargs: Any) -> None:
        """A new or loaded instance becomes the proxy of its state."""
        state = instance.__dict__.get(self.attname, _MISSING)
        if state is not _MISSING:  # (deferred: it stays what it was asked as)
            self.set_proxy(instance, state)

    def set_proxy(self, instance: Any, state: Any) -> None:
        """Make ``instance`` the proxy model ``state_choices`` names for ``state`` (if any)."""
        ref = self.state_proxies.get(state)
        if ref is None:
            return
        proxy = self._proxies.get(state)
        if proxy is None:
            proxy = self._proxies[state] = self._proxy_class(ref, state)
        if instance.__class__ is not proxy:
            instance.__class__ = proxy

    def _proxy_class(self, ref: Any, state: Any) -> Any:
        model = self.model  # type: ignore[attr-defined]
        found = ref
        if isinstance(ref, str):
            from django.apps import apps

            label, _, name = ref.rpartition(".")
            try:
                found = apps.get_model(label or model._meta.app_label, name)
            except LookupError:
                found = None
        concrete = model._meta.concrete_model
        meta = getattr(found, "_meta", None) if isinstance(found, type) else None
        if meta is None or meta.concrete_model is not concrete:
            raise ValueError(
                f"{model.__name__}.{self.name}: state_choices gives the state {state!r} the "
                f"model {ref!r}, which is not a proxy of {concrete.__name__}. Name a proxy "
                "model (Meta.proxy = True) as a class, 'app_label.Model' or 'Model'."
            )
        return found

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        return name, self._django_path, args, kwargs

    _django_path = ""
    _guarded: Any = _StateDescriptor
    _plain: Any = DeferredAttribute

    def get_state(self, instance: Any) -> Any:
        """The state of ``instance`` (its value, loaded if it was deferred)."""
        value = instance.__dict__.get(self.attname, _MISSING)
        return getattr(instance, self.attname) if value is _MISSING else value

    def set_state(self, instance: Any, state: Any) -> None:
        """Write ``state``, protected or not (straight into the instance: the descriptor
        would only check the protection)."""
        instance.__dict__[self.attname] = state

    def known_states(self) -> list[Any]:
        """The states this field names itself: its choices, then its default."""
        states: list[Any] = []
        for choice in self.choices or ():
            value = choice[0]
            if isinstance(choice[1], (list, tuple)):  # a named group of choices
                states.extend(c[0] for c in choice[1])
            else:
                states.append(value)
        default = self.default
        if default is not models.NOT_PROVIDED and not callable(default):
            states.append(default)
        return list(dict.fromkeys(states))


_MISSING = object()

# Metaclasses of models with FSM fields, by the metaclass they extend: it adds __format__.
_formatting: dict[type, type] = {}


def _format_model(cls: Any, spec: str) -> str:
    """``format(Model, "mermaid")``: the machine the model's ``@transition`` methods compile
    into, in a diagram format (the model's only FSM field; with several, use
    ``format(machine_class(Model, "field"), ...)``). An empty spec gives ``str(Model)``."""
    if not spec:
        return str(cls)
    from ._transitions import machine_class

    return format(machine_class(cls), spec)


def _give_format(cls: Any) -> None:
    """Let ``format(cls, "mermaid")`` draw the model's machine: the model's metaclass
    (Django's ``ModelBase``, or a subclass) is swapped for a subclass of it that only adds
    ``__format__``. Subclasses of the model inherit it."""
    meta = type(cls)
    if "__format__" in vars(meta) or getattr(meta, "_fsm_formats", False):
        return
    made = _formatting.get(meta)
    if made is None:
        made = _formatting[meta] = type(
            f"FSM{meta.__name__}", (meta,), {"__format__": _format_model, "_fsm_formats": True}
        )
    cls.__class__ = made


class FSMField(FSMFieldMixin, models.CharField):
    """A text state (``max_length`` defaults to 50)."""

    _django_path = "django.db.models.CharField"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 50)
        super().__init__(*args, **kwargs)


class FSMIntegerField(FSMFieldMixin, models.IntegerField):
    """An integer state (enum-like constants)."""

    _django_path = "django.db.models.IntegerField"


class FSMKeyField(FSMFieldMixin, models.ForeignKey):
    """The state as a row of another table: states are that table's primary keys (used as
    values in ``source``/``target``, though ``instance.<name>`` is the row)."""

    _django_path = "django.db.models.ForeignKey"
    _guarded = _StateKeyDescriptor
    _plain = ForeignKeyDeferredAttribute
    forward_related_accessor_class = _ProtectedForwardDescriptor

    def __init__(self, to: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("on_delete", models.CASCADE)
        super().__init__(to, *args, **kwargs)

    def set_state(self, instance: Any, state: Any) -> None:
        """Write ``state`` through Django's descriptor, which drops the cached related row."""
        with unprotected(instance):
            setattr(instance, self.attname, state)

    def known_states(self) -> list[Any]:
        default = self.default
        if default is models.NOT_PROVIDED or callable(default):
            return []
        return [getattr(default, "pk", default)]


class FSMModelMixin:
    """Lets ``refresh_from_db()`` reload protected FSM fields (which refuse other writes)."""

    __module__ = "statemachine.contrib.django.fsm"  # migrations name the bases by it

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        with unprotected(self):
            super().refresh_from_db(*args, **kwargs)  # type: ignore[misc]
