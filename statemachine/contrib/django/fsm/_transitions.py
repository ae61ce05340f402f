"""``@transition`` methods and what they compile into.

A decorated method keeps its transitions (:class:`FSMMeta`, one per method). Calling it runs
django-fsm's steps: find the transition from the current state (an exact source, then ``"*"``,
then ``"+"``), check its conditions, send ``pre_transition``, run the method, work out the
target (a value, ``None`` for none, ``RETURN_VALUE``, ``GET_STATE``), change the state and send
``post_transition``; if the method raises and the transition has ``on_error``, the state
becomes that one and the exception goes on.

The state change is an event of a real machine of ours: the methods of each model's field are
compiled into a ``StateChart`` (:func:`machine_class`), with one event per method. So the
change runs our listeners and sends ``statemachine.contrib.django.signals`` (the audit log
records it), and the model has a diagram (``format(machine_class(Post), "mermaid")``) and
``why_not()``.
"""

from __future__ import annotations

import functools
import keyword
import types
from collections.abc import Callable, Iterable
from typing import Any

from statemachine import State as _MachineState
from statemachine import StateChart

from . import signals
from ._fields import FSMFieldMixin

__all__ = [
    "ANY_OTHER_STATE",
    "ANY_STATE",
    "GET_STATE",
    "RETURN_VALUE",
    "FSMMeta",
    "InvalidResultState",
    "State",
    "Transition",
    "TransitionNotAllowed",
    "can_proceed",
    "has_transition_perm",
    "machine_class",
    "transition",
]

ANY_STATE = "*"
ANY_OTHER_STATE = "+"


class TransitionNotAllowed(Exception):
    """The method cannot run from the current state, or its conditions are not met.

    Attributes:
        object: the model instance.
        method: the decorated method (the function).
    """

    def __init__(self, *args: Any, object: Any = None, method: Any = None) -> None:
        super().__init__(*args)
        self.object = object
        self.method = method


class InvalidResultState(Exception):
    """A ``RETURN_VALUE``/``GET_STATE`` target gave a state outside its ``states``."""


class State:
    """A target worked out when the method has run (see :class:`RETURN_VALUE`,
    :class:`GET_STATE`). ``allowed_states``: the states it may give (None: any)."""

    allowed_states: tuple[Any, ...] | None = None

    def get_state(
        self, model: Any, transition: Transition, result: Any, args: Any = (), kwargs: Any = None
    ) -> Any:
        raise NotImplementedError

    def _checked(self, state: Any) -> Any:
        if self.allowed_states is not None and state not in self.allowed_states:
            raise InvalidResultState(
                f"{state!r} is not one of the allowed states {list(self.allowed_states)!r}: "
                "return one of them, or list it in the target's states."
            )
        return state


class RETURN_VALUE(State):
    """The method's return value is the target (one of ``allowed_states``, if given)."""

    def __init__(self, *allowed_states: Any) -> None:
        self.allowed_states = allowed_states or None

    def get_state(
        self, model: Any, transition: Transition, result: Any, args: Any = (), kwargs: Any = None
    ) -> Any:
        return self._checked(result)


class GET_STATE(State):
    """``func(instance, *args, **kwargs)`` gives the target (one of ``states``, if given)."""

    def __init__(self, func: Callable[..., Any], states: Iterable[Any] | None = None) -> None:
        self.func = func
        self.allowed_states = tuple(states) if states is not None else None

    def get_state(
        self, model: Any, transition: Transition, result: Any, args: Any = (), kwargs: Any = None
    ) -> Any:
        return self._checked(self.func(model, *args, **(kwargs or {})))


class Transition:
    """One declared transition of a method (what ``get_all_FIELD_transitions()`` lists)."""

    def __init__(
        self,
        method: Callable[..., Any],
        source: Any,
        target: Any,
        on_error: Any,
        conditions: list[Callable[..., Any]],
        permission: Any,
        custom: dict[str, Any],
    ) -> None:
        self.method = method
        self.source = source
        self.target = target
        self.on_error = on_error
        self.conditions = conditions
        self.permission = permission
        self.custom = custom

    @property
    def name(self) -> str:
        return self.method.__name__

    def has_perm(self, instance: Any, user: Any) -> bool:
        """May ``user`` run it on ``instance``? (No permission: yes.)"""
        permission = self.permission
        if permission is None:
            return True
        if callable(permission):
            return bool(permission(instance, user))
        return bool(user.has_perm(permission, instance) or user.has_perm(permission))

    def conditions_met(self, instance: Any) -> bool:
        return all(condition(instance) for condition in self.conditions)

    def next_state(self, instance: Any, result: Any, args: Any, kwargs: Any) -> Any:
        target = self.target
        if isinstance(target, State):
            return target.get_state(instance, self, result, args, kwargs)
        return target

    def __repr__(self) -> str:
        return f"Transition({self.name!r}, source={self.source!r}, target={self.target!r})"


class FSMMeta:
    """The transitions of one decorated method, by source."""

    def __init__(self, method: Callable[..., Any], field: Any) -> None:
        self.method = method
        self.field = field  # a field object, or its name
        self.transitions: dict[Any, Transition] = {}
        self.wrapper: Callable[..., Any] | None = None

    @property
    def name(self) -> str:
        return self.method.__name__

    def field_name(self) -> str:
        field = self.field
        return field if isinstance(field, str) else field.name

    def field_of(self, model: Any) -> Any:
        field = model._meta.get_field(self.field_name())
        if not isinstance(field, FSMFieldMixin):
            raise TypeError(
                f"{model.__name__}.{self.name}() is a transition of {field.name!r}, which is "
                "not an FSMField, FSMIntegerField or FSMKeyField."
            )
        return field

    def get_transition(self, state: Any) -> Transition | None:
        found = self.transitions.get(state)
        if found is None:
            found = self.transitions.get(ANY_STATE)
        if found is None:
            other = self.transitions.get(ANY_OTHER_STATE)
            if other is not None and other.target != state:
                found = other
        return found

    def __repr__(self) -> str:
        return f"FSMMeta({self.name!r}, {list(self.transitions.values())!r})"


def transition(
    field: Any,
    source: Any = ANY_STATE,
    target: Any = None,
    on_error: Any = None,
    conditions: Iterable[Callable[..., Any]] = (),
    permission: Any = None,
    custom: dict[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a model method a transition of ``field`` (the field or its name) from ``source``
    (a state, a list of them, ``"*"`` any, ``"+"`` any but the target) to ``target`` (a state,
    None for no change, ``RETURN_VALUE(...)``, ``GET_STATE(...)``). Several decorators may
    stack on one method (the same field)."""
    sources = list(source) if isinstance(source, (list, tuple, set, frozenset)) else [source]
    checks = list(conditions)

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        meta: FSMMeta | None = getattr(method, "_fsm_meta", None)
        if meta is None:
            meta = FSMMeta(method, field)
            meta.wrapper = _wrapper(meta)
        elif _field_key(meta.field) != _field_key(field):
            raise TypeError(
                f"{meta.name}() is already a transition of {_field_key(meta.field)!r}: one "
                "method changes one field. Write a method for each field."
            )
        for state in sources:
            meta.transitions[state] = Transition(
                meta.method, state, target, on_error, checks, permission, dict(custom or {})
            )
        assert meta.wrapper is not None
        return meta.wrapper

    return decorate


def _field_key(field: Any) -> Any:
    return field if isinstance(field, str) else id(field)


def _wrapper(meta: FSMMeta) -> Callable[..., Any]:
    @functools.wraps(meta.method)
    def run(instance: Any, *args: Any, **kwargs: Any) -> Any:
        return _change_state(instance, meta, args, kwargs)

    run._fsm_meta = meta  # type: ignore[attr-defined]
    return run


def _change_state(instance: Any, meta: FSMMeta, args: tuple[Any, ...], kwargs: Any) -> Any:
    model = type(instance)
    field = meta.field_of(model)
    current = field.get_state(instance)
    found = meta.get_transition(current)
    if found is None:
        raise TransitionNotAllowed(
            f"Can't switch from state {current!r} using method {meta.name!r}: "
            f"{model.__name__}.{meta.name}() runs from {list(meta.transitions)!r} only.",
            object=instance,
            method=meta.method,
        )
    failed = next((c for c in found.conditions if not c(instance)), None)
    if failed is not None:
        raise TransitionNotAllowed(
            f"Transition conditions have not been met for method {meta.name!r}: "
            f"{getattr(failed, '__name__', repr(failed))} "
            f"returned false for {model.__name__} pk={instance.pk!r}.",
            object=instance,
            method=meta.method,
        )
    sent = {
        "sender": model,
        "instance": instance,
        "name": meta.name,
        "field": field,
        "source": current,
        "method_args": args,
        "method_kwargs": kwargs,
    }
    signals.pre_transition.send(target=found.target, **sent)
    try:
        result = meta.method(instance, *args, **kwargs)
        target = found.next_state(instance, result, args, kwargs)
    except Exception as exc:
        if found.on_error is not None:
            _move(instance, field, meta, current, found.on_error)
            signals.post_transition.send(target=found.on_error, exception=exc, **sent)
        raise
    _move(instance, field, meta, current, target)
    signals.post_transition.send(target=target, **sent)
    return result


# --- the compiled machine --------------------------------------------------------------------
_UNSET = object()


class _TargetIs:
    """The guard that picks, among a method's transitions, the one to the target its run
    worked out (true when no target is given: ``why_not()``, diagrams)."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.__name__ = f"target is {value!r}"

    def __call__(self, _fsm_target: Any = _UNSET, **kwargs: Any) -> bool:
        return _fsm_target is _UNSET or _fsm_target == self.value


class _Condition:
    """A django-fsm condition as a guard: ``func(instance)``, already checked by a call."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.__name__ = getattr(func, "__name__", repr(func))

    def __call__(self, model: Any, _fsm_checked: bool = False, **kwargs: Any) -> bool:
        return _fsm_checked or bool(self.func(model))


def machine_class(model: Any, field: str | None = None) -> type[StateChart]:
    """The machine the ``@transition`` methods of ``model``'s ``field`` (its only FSM field if
    None) compile into, made once per model and field."""
    cache = model.__dict__.get("_fsm_machines")
    if cache is None:
        cache = {}
        model._fsm_machines = cache
    if field is not None and field in cache:  # (per call of a transition: no field scan)
        return cache[field]  # type: ignore[no-any-return]
    fields = [f for f in model._meta.get_fields() if isinstance(f, FSMFieldMixin)]
    if field is not None:
        fields = [f for f in fields if f.name == field]
    if len(fields) != 1:
        names = [f.name for f in model._meta.get_fields() if isinstance(f, FSMFieldMixin)]
        raise ValueError(
            f"{model.__name__} has the FSM fields {names!r}: name one of them "
            f"(machine_class({model.__name__}, {names[0]!r}))."
            if names
            else f"{model.__name__} has no FSMField, FSMIntegerField or FSMKeyField."
        )
    target = fields[0]
    compiled: type[StateChart] | None = cache.get(target.name)
    if compiled is None:
        compiled = cache[target.name] = _compile(model, target)
    return compiled


def _methods(model: Any, field: Any) -> list[FSMMeta]:
    found: dict[str, FSMMeta] = {}
    for klass in reversed(model.__mro__):
        for name, value in vars(klass).items():
            meta = getattr(value, "_fsm_meta", None)
            if isinstance(meta, FSMMeta):
                found[name] = meta
            elif name in found:
                del found[name]  # overridden by a plain method
    return [m for m in found.values() if m.field_name() == field.name]


def _compile(model: Any, field: Any) -> type[StateChart]:
    methods = _methods(model, field)
    values: list[Any] = list(field.known_states())

    def note(value: Any) -> None:
        if value not in (None, ANY_STATE, ANY_OTHER_STATE) and value not in values:
            values.append(value)

    for meta in methods:
        for t in meta.transitions.values():
            note(t.source)
            for value in _targets(t, []):
                note(value)
            note(t.on_error)
    states: dict[Any, _MachineState] = {}
    taken = {m.name for m in methods} | set(dir(StateChart))
    namespace: dict[str, Any] = {
        "validate_disconnected_states": False,
        "validate_trap_states": False,
        "validate_final_reachability": False,
    }
    default = _UNSET
    if field.has_default() and not callable(field.default):
        default = getattr(field.default, "pk", field.default)
    for index, value in enumerate(values):
        ident = value if isinstance(value, str) and value.isidentifier() else ""
        if not ident or keyword.iskeyword(ident) or ident in taken or ident.startswith("_"):
            ident = f"state_{index}"
        initial = value == default if default is not _UNSET else index == 0
        state = _MachineState(name=str(value), value=value, initial=initial)
        states[value] = namespace[ident] = state
    if states and not any(s.initial for s in states.values()):
        next(iter(states.values())).initial = True
    for meta in methods:
        declared = None
        for t in meta.transitions.values():
            if t.source == ANY_STATE:
                sources = list(values)
            elif t.source == ANY_OTHER_STATE:
                fixed = not isinstance(t.target, State)
                sources = [v for v in values if not (fixed and v == t.target)]
            else:
                sources = [t.source]
            guards = [_Condition(c) for c in t.conditions]
            candidates = [*_targets(t, values), *([t.on_error] if t.on_error else [])]
            for source in sources:
                for target in candidates:
                    # The target guard only where the run chooses among several (diagrams
                    # show guards: most transitions have none).
                    cond = [_TargetIs(target), *guards] if len(candidates) > 1 else guards
                    if target is None:
                        made = states[source].to(cond=cond)
                    else:
                        made = states[source].to(states[target], cond=cond)
                    declared = made if declared is None else declared | made
        if declared is not None:
            namespace[meta.name] = declared
    name = f"{model.__name__}{field.name.title().replace('_', '')}Machine"
    return types.new_class(
        name,
        (StateChart,),
        exec_body=lambda ns: ns.update({"__module__": model.__module__, **namespace}),
    )


def _targets(t: Transition, values: list[Any]) -> list[Any]:
    """The states a transition may end in (None: it changes nothing)."""
    target = t.target
    if isinstance(target, State):
        return list(target.allowed_states) if target.allowed_states is not None else list(values)
    return [target]


def _machine(instance: Any, field: Any) -> Any:
    """The compiled machine of ``instance``'s ``field``, made on first use. It reads the
    state from the instance at each event."""
    key = f"_fsm_machine_{field.name}"
    machine = instance.__dict__.get(key)
    if machine is None:
        from statemachine.contrib.django.mixins import _Signals

        compiled = machine_class(type(instance), field.name)
        machine = compiled(instance, state_field=field.attname)
        machine.add_listener(_Signals(instance))
        instance.__dict__[key] = machine
    return machine


def _move(instance: Any, field: Any, meta: FSMMeta, current: Any, target: Any) -> None:
    """The state change, as an event of the compiled machine. A state that no transition or
    choice names (so the machine has no such state: a row's odd value, what a
    ``RETURN_VALUE()`` without states returned) is written directly."""
    from statemachine.contrib.django.fields import unprotected

    known = machine_class(type(instance), field.name).states_map
    if current is None or current not in known or (target is not None and target not in known):
        if target is not None:
            field.set_state(instance, target)
        return
    with unprotected(instance):
        _machine(instance, field).send(meta.name, _fsm_target=target, _fsm_checked=True)


# --- helpers ---------------------------------------------------------------------------------
def _meta_of(bound_method: Any) -> FSMMeta:
    meta = getattr(getattr(bound_method, "__func__", bound_method), "_fsm_meta", None)
    if not isinstance(meta, FSMMeta):
        raise TypeError(f"{bound_method!r} is not a @transition method.")
    return meta


def can_proceed(bound_method: Any, check_conditions: bool = True) -> bool:
    """Can ``obj.method()`` run now (its source matches; and its conditions pass, unless
    ``check_conditions=False``)?"""
    meta = _meta_of(bound_method)
    instance = bound_method.__self__
    found = meta.get_transition(meta.field_of(type(instance)).get_state(instance))
    if found is None:
        return False
    return not check_conditions or found.conditions_met(instance)


def has_transition_perm(bound_method: Any, user: Any) -> bool:
    """Can ``user`` run ``obj.method()`` now (source, conditions and permission)?"""
    meta = _meta_of(bound_method)
    instance = bound_method.__self__
    found = meta.get_transition(meta.field_of(type(instance)).get_state(instance))
    return found is not None and found.conditions_met(instance) and found.has_perm(instance, user)


def all_transitions(model: Any, field: Any) -> Iterable[Transition]:
    for meta in _methods(model, field):
        yield from meta.transitions.values()


def available_transitions(instance: Any, field: Any) -> Iterable[Transition]:
    current = field.get_state(instance)
    for meta in _methods(type(instance), field):
        found = meta.get_transition(current)
        if found is not None and found.conditions_met(instance):
            yield found


def contribute_helpers(model: Any, field: Any) -> None:
    """``get_all_FIELD_transitions()``, ``get_available_FIELD_transitions()`` and
    ``get_available_user_FIELD_transitions(user)`` on ``model``."""
    name = field.name

    def get_all(self: Any) -> Iterable[Transition]:
        return all_transitions(type(self), field)

    def get_available(self: Any) -> Iterable[Transition]:
        return available_transitions(self, field)

    def get_available_user(self: Any, user: Any) -> Iterable[Transition]:
        return (t for t in available_transitions(self, field) if t.has_perm(self, user))

    for attr, func in (
        (f"get_all_{name}_transitions", get_all),
        (f"get_available_{name}_transitions", get_available),
        (f"get_available_user_{name}_transitions", get_available_user),
    ):
        func.__name__ = attr
        setattr(model, attr, func)
