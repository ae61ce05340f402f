"""Model fields that hold a machine's state: :class:`StateField` and :class:`StateForeignKey`.

The field learns everything from the machine: its choices (each state's value and name), its
default (the initial state's value), its column type (integer when every state value is an
int, text otherwise) and length. A statechart whose configuration can hold several active
states (compound or parallel states) is stored as a JSON list in a text column and restored
exactly.

``protected=True`` makes direct assignment (``order.state = "paid"``) raise
:class:`ProtectedStateError`, while transitions, loading from the database, ``refresh_from_db()``,
``full_clean()`` and deserialization keep working. Protection is per instance and per thread
(a context variable), never a class-level switch. It needs the model to use
:class:`~statemachine.contrib.django.StateMachineModelMixin`, which a system check verifies.
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import importlib
import json
from typing import Any

from django.core import checks
from django.db import models
from django.db.models.fields.related_descriptors import (
    ForeignKeyDeferredAttribute,
    ForwardManyToOneDescriptor,
)
from django.db.models.query_utils import DeferredAttribute

from statemachine import registry
from statemachine.orderedset import OrderedSet

__all__ = ["ProtectedStateError", "StateField", "StateForeignKey", "unprotected"]

DEFAULT_MAX_LENGTH = 50

# Instances (by id) whose protected fields may be written in this thread or task right now.
_unprotected: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "statemachine_django_unprotected", default=frozenset()
)


class ProtectedStateError(AttributeError):
    """A direct assignment to a protected state field."""


class unprotected:
    """Allow writes to ``instance``'s protected state fields inside the block (this thread or
    task only). Transitions, ``refresh_from_db()`` and ``full_clean()`` use it; use it yourself
    for data migrations or fixtures that must force a state.

    (A class rather than a generator: every event of a model enters it.)"""

    __slots__ = ("instance", "token")

    def __init__(self, instance: models.Model) -> None:
        self.instance = instance

    def __enter__(self) -> None:
        self.token = _unprotected.set(_unprotected.get() | {id(self.instance)})

    def __exit__(self, *exc: object) -> None:
        _unprotected.reset(self.token)


def _raw(value: Any) -> Any:
    """What a state value is in the database: an enum member's ``.value``."""
    return value.value if isinstance(value, enum.Enum) else value


def resolve_machine(ref: Any) -> Any:
    """A machine class from a class or a dotted path, without triggering autodiscovery (which
    is not allowed while Django is still importing models)."""
    if isinstance(ref, str):
        found = registry._REGISTRY.get(ref)
        if found is not None:
            return found
        module, _, name = ref.rpartition(".")
        try:
            found = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError, ValueError) as err:
            raise ImportError(
                f"Cannot import the state machine {ref!r}: {err}. Use the dotted path of a "
                "machine class, like 'orders.statemachines.OrderMachine'."
            ) from err
    else:
        found = ref
    from statemachine import StateChart

    if not (isinstance(found, type) and issubclass(found, StateChart)):
        shown = f"{ref!r} names {found!r}" if isinstance(ref, str) else repr(found)
        raise ImportError(
            f"{shown}, which is not a state machine class (a subclass of StateChart or "
            "StateMachine)."
        )
    return found


class _Guard:
    """Shared by the descriptors: refuse a second assignment unless unprotected."""

    field: Any

    def _check(self, instance: Any, attname: str) -> None:
        field = self.field
        if (
            field.protected
            and attname in instance.__dict__
            and id(instance) not in _unprotected.get()
        ):
            raise ProtectedStateError(
                f"{type(instance).__name__}.{field.name} is protected: it changes only through "
                f"the state machine's events. Send an event instead of assigning it, or use "
                f"statemachine.contrib.django.unprotected(instance) to force a value."
            )


class _StateDescriptor(_Guard, DeferredAttribute):
    """The field's attribute: deferred loading as usual, protected assignment."""

    def __set__(self, instance: Any, value: Any) -> None:
        self._check(instance, self.field.attname)
        instance.__dict__[self.field.attname] = value


class _StateKeyDescriptor(_Guard, ForeignKeyDeferredAttribute):
    """``instance.<fk>_id``: protected assignment; a new value drops the cached related row,
    as Django's own descriptor does."""

    def __set__(self, instance: Any, value: Any) -> None:
        self._check(instance, self.field.attname)
        super().__set__(instance, value)


class _ProtectedForwardDescriptor(_Guard, ForwardManyToOneDescriptor):
    """``instance.<fk>``: assigning a related row is protected too."""

    def __set__(self, instance: Any, value: Any) -> None:
        self._check(instance, self.field.attname)
        with unprotected(instance):  # the attname write below is this same assignment
            super().__set__(instance, value)


class _MachineBound:
    """What the field knows about its machine, resolved once (at class creation if possible)."""

    _machine_ref: Any
    model: Any
    name: str

    def _machine_cls(self) -> Any:
        ref = self._machine_ref
        if ref is None:
            ref = getattr(self.model, "state_machine_name", None)
            if not ref:
                raise ImportError(
                    f"{self.model.__name__}.{self.name} has no machine: pass one "
                    f"(StateField(OrderMachine) or StateField('app.statemachines.OrderMachine')) "
                    "or set `state_machine_name` on the model."
                )
        return resolve_machine(ref)

    @property
    def machine(self) -> Any:
        """The machine class this field stores the state of."""
        cls = self.__dict__.get("_machine")
        if cls is None:
            cls = self.__dict__["_machine"] = self._machine_cls()
        return cls


def _has_several(machine: Any) -> bool:
    """Can the configuration hold several active states (compound or parallel states)?"""
    return any(s.states for s in machine.states_map.values())


class StateField(_MachineBound, models.Field):
    """The state of a machine, in one column.

    Args:
        machine: the machine class or its dotted path; by default the model's
            ``state_machine_name``.
        protected: refuse direct assignment (see the module docstring).

    Other keyword arguments are those of any field. ``max_length`` (text states) defaults to
    50 or the longest state value, whichever is larger; a system check refuses a smaller one.
    """

    descriptor_class = _StateDescriptor
    description = "State of a state machine"

    def __init__(self, machine: Any = None, *, protected: bool = False, **kwargs: Any) -> None:
        self._machine_ref = machine
        self.protected = protected
        if not protected:
            # Nothing to check on assignment: Django's own descriptor, whose writes go
            # straight to the instance (no Python call for each row loaded).
            self.descriptor_class = DeferredAttribute
        self._explicit = {k for k in ("choices", "default", "max_length") if k in kwargs}
        super().__init__(**kwargs)

    # --- learning from the machine ---------------------------------------------------------
    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        self.model = cls
        self.name = name
        with contextlib.suppress(ImportError):  # resolved later (checks report a bad path)
            self._learn(self.machine)
        super().contribute_to_class(cls, name, private_only)

    def _learn(self, machine: Any) -> None:
        states = list(machine.states_map.values())
        self._by_raw = {_raw(s.value): s.value for s in states}
        self.several = _has_several(machine)
        raws = list(self._by_raw)
        self.kind = (
            "json"
            if self.several
            else "int"
            if raws and all(isinstance(r, int) and not isinstance(r, bool) for r in raws)
            else "text"
        )
        if self.kind == "json":
            if "default" not in self._explicit:
                self.default = None  # the machine enters its initial configuration
        else:
            if "choices" not in self._explicit:
                self.choices = [(_raw(s.value), s.name) for s in states]
            if "default" not in self._explicit:
                self.default = _raw(machine.initial_state.value)
        if self.kind == "text" and "max_length" not in self._explicit:
            self.max_length = max([DEFAULT_MAX_LENGTH, *(len(str(r)) for r in raws)])

    def _kind(self) -> str:
        if "kind" not in self.__dict__:
            self._learn(self.machine)
        return self.kind

    def get_internal_type(self) -> str:
        return {"int": "IntegerField", "text": "CharField", "json": "TextField"}[self._kind()]

    def db_type(self, connection: Any) -> Any:
        kind = self._kind()
        if kind == "text":
            return models.CharField(max_length=self.max_length).db_type(connection)
        if kind == "int":
            return models.IntegerField().db_type(connection)
        return models.TextField().db_type(connection)

    def deconstruct(self) -> Any:
        """Migrations see a plain Django field (text, integer or JSON text) with the current
        choices and default: they never import the machine."""
        name, _path, _args, kwargs = super().deconstruct()
        kind = self._kind()
        if kind == "text":
            kwargs["max_length"] = self.max_length
            return name, "django.db.models.CharField", [], kwargs
        if kind == "int":
            return name, "django.db.models.IntegerField", [], kwargs
        return name, "django.db.models.TextField", [], kwargs

    def clone(self) -> Any:
        """Migrations' copy of the field: the plain Django field of :meth:`deconstruct`."""
        from django.utils.module_loading import import_string

        _name, path, args, kwargs = self.deconstruct()
        return import_string(path)(*args, **kwargs)

    # --- Python <-> database ---------------------------------------------------------------
    def to_python(self, value: Any) -> Any:
        """A state value from what a form, a fixture or the database gives."""
        if value is None or value == "":
            return None
        kind = self._kind()
        if kind == "json":
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    # Not a list written by the field (a hand-edited row, say): kept as it
                    # is, so the row loads and its machine reports the value.
                    return value
            if isinstance(value, (list, tuple, OrderedSet)):
                values = [self._by_raw.get(v, v) for v in value]
                return values[0] if len(values) == 1 else OrderedSet(values)
            return self._by_raw.get(_raw(value), value)
        raw = _raw(value)
        if kind == "int" and isinstance(raw, str) and raw.lstrip("-").isdigit():
            raw = int(raw)
        return self._by_raw.get(raw, value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return self.to_python(value)

    def get_db_converters(self, connection: Any) -> list[Any]:
        converters: list[Any] = super().get_db_converters(connection)
        if self._kind() == "text" and all(
            type(raw) is str and raw is value for raw, value in self._by_raw.items()
        ):
            # Plain text values are stored as they are: no conversion at all, so a list of
            # 10,000 rows does not pay 10,000 converter calls (Django copies every row that
            # has one). An empty column then loads as "", which the model's machine reads
            # as no state, like None (see StateMachineModelMixin._statemachine_build).
            return [c for c in converters if c != self.from_db_value]
        return converters

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        if self._kind() == "json":
            values = list(value) if isinstance(value, (OrderedSet, list, tuple)) else [value]
            return json.dumps([_raw(v) for v in values])
        return _raw(value)

    def value_to_string(self, obj: Any) -> Any:
        return self.get_prep_value(self.value_from_object(obj))

    # --- checks ----------------------------------------------------------------------------
    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = [*super().check(**kwargs)]
        try:
            machine = self.machine
        except ImportError as err:
            return [*errors, checks.Error(str(err), obj=self, id="statemachine.E001")]
        errors.extend(check_values(self, machine))
        errors.extend(check_protection(self))
        return errors


def check_values(field: Any, machine: Any) -> list[checks.CheckMessage]:
    """Can the column hold every state value?"""
    errors: list[checks.CheckMessage] = []
    label = f"{field.model.__name__}.{field.name}"
    kind = field._kind()
    for state in machine.states_map.values():
        raw = _raw(state.value)
        if kind == "int" and not -(2**31) <= raw < 2**31:
            errors.append(
                checks.Error(
                    f"State {state.id!r} of {machine.__name__} has the value {raw!r}, which does "
                    f"not fit the integer column of {label}.",
                    hint="Use values between -2**31 and 2**31-1.",
                    obj=field,
                    id="statemachine.E002",
                )
            )
        if kind == "text" and field.max_length is not None and len(str(raw)) > field.max_length:
            errors.append(
                checks.Error(
                    f"State {state.id!r} of {machine.__name__} has the value {raw!r} "
                    f"({len(str(raw))} characters), longer than max_length={field.max_length} "
                    f"of {label}.",
                    hint=f"Raise max_length to at least {len(str(raw))}, or drop it.",
                    obj=field,
                    id="statemachine.E002",
                )
            )
    return errors


def check_protection(field: Any) -> list[checks.CheckMessage]:
    if not field.protected:
        return []
    from .mixins import StateMachineModelMixin

    if issubclass(field.model, StateMachineModelMixin):
        return []
    return [
        checks.Error(
            f"{field.model.__name__}.{field.name} is protected, but {field.model.__name__} does "
            "not use StateMachineModelMixin, so its machine could not change the state either.",
            hint="Add statemachine.contrib.django.StateMachineModelMixin to the model's bases, "
            "or drop protected=True.",
            obj=field,
            id="statemachine.E003",
        )
    ]


class StateForeignKey(_MachineBound, models.ForeignKey):
    """The state as a row of a lookup table: the state values are the rows' primary keys.

    The machine reads and writes ``<name>_id`` (set ``state_field_name = "<name>_id"`` on the
    model); ``instance.<name>`` is the related row. ``on_delete`` defaults to ``PROTECT``.
    ``protected=True`` guards both attributes. Run ``manage.py check --database default`` to
    verify that every state value has its row.
    """

    descriptor_class = _StateKeyDescriptor
    forward_related_accessor_class = _ProtectedForwardDescriptor

    def __init__(
        self, to: Any, machine: Any = None, *, protected: bool = False, **kwargs: Any
    ) -> None:
        self._machine_ref = machine
        self.protected = protected
        if not protected:
            self.descriptor_class = ForeignKeyDeferredAttribute
        kwargs.setdefault("on_delete", models.PROTECT)
        super().__init__(to, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs

    def clone(self) -> Any:
        """Migrations' copy of the field: a plain ``ForeignKey``."""
        _name, _path, args, kwargs = self.deconstruct()
        return models.ForeignKey(*args, **kwargs)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = [*super().check(**kwargs)]
        try:
            machine = self.machine
        except ImportError as err:
            return [*errors, checks.Error(str(err), obj=self, id="statemachine.E001")]
        errors.extend(check_protection(self))
        databases = kwargs.get("databases") or ()
        if databases and isinstance(self.remote_field.model, type):
            related: Any = self.remote_field.model
            for alias in databases:
                try:
                    present = set(
                        related._base_manager.using(alias).values_list(
                            self.target_field.attname, flat=True
                        )
                    )
                except Exception:  # no table yet (before migrate): nothing to compare
                    continue
                missing = [
                    s.id for s in machine.states_map.values() if _raw(s.value) not in present
                ]
                if missing:
                    errors.append(
                        checks.Error(
                            f"{related.__name__} has no row for the states {missing} of "
                            f"{machine.__name__} (database {alias!r}).",
                            hint="Add rows whose primary keys are those states' values "
                            "(a data migration or a fixture).",
                            obj=self,
                            id="statemachine.E004",
                        )
                    )
        return errors
