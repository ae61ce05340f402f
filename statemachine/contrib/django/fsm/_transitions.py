"""``@transition`` methods and what they compile into.

A decorated method keeps its transitions (:class:`FSMMeta`, one per method). Calling it runs
django-fsm's steps: find the transition from the current state (an exact source, then ``"*"``,
then ``"+"``), check its conditions, send ``pre_transition``, run the method, work out the
target (a value, ``None`` for none, ``RETURN_VALUE``, ``GET_STATE``), change the state and send
``post_transition``; if the method raises and the transition has ``on_error``, the state
becomes that one and the exception goes on.

The methods of each model's field are compiled into a ``StateMachine`` of ours
(:func:`machine_class`), with one event per method; :func:`machine_of` is an instance's, for
diagrams (``format(machine_of(post), "mermaid")``) and ``why_not()``. When something would see
it (receivers of ``statemachine.contrib.django.signals``, such as the audit log), the state
change is an event of that machine, sent with the method's arguments; otherwise the call
writes the new state directly, which is all that event would do, and costs about what a
dictionary lookup does.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import keyword
import types
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from statemachine import State as _MachineState
from statemachine import StateMachine
from statemachine._around import HOOK
from statemachine._callbacks import RESERVED_KWARGS
from statemachine.contrib.django import signals as machine_signals
from statemachine.contrib.django.fields import unprotected

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
    "machine_of",
    "performed_by",
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

    def __repr__(self) -> str:
        return f"Transition({self.name!r}, source={self.source!r}, target={self.target!r})"


class FSMMeta:
    """The transitions of one decorated method, by source."""

    def __init__(self, method: Callable[..., Any], field: Any) -> None:
        self.method = method
        self.field = field  # a field object, or its name
        self.transitions: dict[Any, Transition] = {}
        self.wrapper: Callable[..., Any] | None = None
        self.bound: dict[Any, _Bound] = {}  # by model class
        # Stacked decorators that gave the field by name and as an object: checked to be one
        # field when the model is known (the object has no name in the class body).
        self.named: list[Any] = []

    def bind(self, model: Any) -> _Bound:
        """What calling this method on ``model`` instances needs (checked once per model)."""
        field = self.field_of(model)
        found: dict[str, _Bound] | None = model.__dict__.get("_fsm_bound")
        if found is None:
            found = model._fsm_bound = {}
        bound = found.get(field.name)
        if bound is None:
            bound = found[field.name] = _Bound(model, field)
        self.bound[model] = bound
        return bound

    @property
    def name(self) -> str:
        return self.method.__name__

    def field_name(self) -> str:
        field = self.field
        return field if isinstance(field, str) else field.name

    def field_of(self, model: Any) -> Any:
        field = model._meta.get_field(self.field_name())
        for other in self.named:
            if (other != field.name) if isinstance(other, str) else (other is not field):
                _one_field_only(self.name, field.name)
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
        _check_arguments(
            getattr(method, "__name__", repr(method)), field, checks, permission, custom
        )
        meta: FSMMeta | None = getattr(method, "_fsm_meta", None)
        if meta is None:
            meta = FSMMeta(method, field)
            meta.wrapper = _wrapper(meta)
        elif isinstance(meta.field, str) == isinstance(field, str):
            if meta.field is not field and meta.field != field:
                _one_field_only(meta.name, meta.field)
        else:  # a field and a name: compared once the field has its name (field_of)
            meta.named.append(field)
        for state in sources:
            meta.transitions[state] = Transition(
                meta.method, state, target, on_error, checks, permission, dict(custom or {})
            )
        assert meta.wrapper is not None
        return meta.wrapper

    return decorate


def _check_arguments(
    name: str, field: Any, conditions: list[Any], permission: Any, custom: Any
) -> None:
    """Refuse, when the class is created, what a call could only fail on later."""
    where = f"@transition on {name}()"
    if not isinstance(field, (str, FSMFieldMixin)):
        raise TypeError(
            f"{where}: field={field!r} is not an FSMField, FSMIntegerField or FSMKeyField; "
            "give one of them, or its name."
        )
    for condition in conditions:
        if not callable(condition):
            raise TypeError(
                f"{where}: the condition {condition!r} is not callable; give functions (or "
                "methods of the model) that take the instance and return true or false."
            )
    if permission is not None and not (isinstance(permission, str) or callable(permission)):
        raise TypeError(
            f"{where}: permission={permission!r} is neither a permission name "
            "('app_label.codename') nor a function (instance, user) -> bool."
        )
    if custom is not None and not isinstance(custom, dict):
        raise TypeError(f"{where}: custom={custom!r} is not a dict.")


def _one_field_only(name: str, held: Any) -> None:
    shown = held if isinstance(held, str) else getattr(held, "name", None) or "another field"
    raise TypeError(
        f"{name}() is already a transition of {shown!r}: one method changes one field. Write a "
        "method for each field."
    )


def _wrapper(meta: FSMMeta) -> Callable[..., Any]:
    @functools.wraps(meta.method)
    def run(instance: Any, *args: Any, **kwargs: Any) -> Any:
        return _change_state(instance, meta, args, kwargs)

    run._fsm_meta = meta  # type: ignore[attr-defined]
    return run


class _Bound:
    """What calls of a model's transitions on one field need, worked out once per model."""

    def __init__(self, model: Any, field: Any) -> None:
        self.model = model
        self.field = field
        # Reading and writing the state are the field's (bound once: they run at each call).
        self.state = field.get_state
        self.write = field.set_state
        # A model with a send hook (``statemachine_around_send``) always goes through the
        # machine; so does a model whose machine signals have receivers (the audit log).
        self.hooked = hasattr(model, HOOK)
        self.events: dict[FSMMeta, str] | None = None
        self.known: Any = None  # the compiled machine's states_map, once it is needed
        self.compiled: Any = None  # the compiled machine class, with it

    def event_of(self, meta: FSMMeta) -> str:
        """The compiled machine's event for ``meta``: the method's attribute name."""
        events = self.events
        if events is None:
            events = self.events = {m: n for n, m in _methods(self.model, self.field).items()}
        return events[meta]

    def knows(self, current: Any, target: Any) -> bool:
        """Has the compiled machine both states (so the change can be its event)?"""
        known = self.known
        if known is None:
            self.compiled = machine_class(self.model, self.field.name)
            known = self.known = self.compiled.states_map
        return current is not None and current in known and (target is None or target in known)

    def observed(self) -> bool:
        """Must the change be an event of the compiled machine (something would see it)?"""
        if self.hooked:
            return True
        model = self.model
        for signal in (machine_signals.post_transition, machine_signals.pre_transition):
            if signal.receivers and signal.has_listeners(model):
                return True
        return False


def _change_state(instance: Any, meta: FSMMeta, args: tuple[Any, ...], kwargs: Any) -> Any:
    model = type(instance)
    bound = meta.bound.get(model)
    if bound is None:
        bound = meta.bind(model)
    current = bound.state(instance)
    found = meta.transitions.get(current) or meta.get_transition(current)
    if found is None:
        raise TransitionNotAllowed(
            f"Can't switch from state {current!r} using method {meta.name!r}: "
            f"{model.__name__}.{meta.name}() runs from {list(meta.transitions)!r} only.",
            object=instance,
            method=meta.method,
        )
    for condition in found.conditions:
        if not condition(instance):
            raise TransitionNotAllowed(
                f"Transition conditions have not been met for method {meta.name!r}: "
                f"{getattr(condition, '__name__', repr(condition))} "
                f"returned false for {model.__name__} pk={instance.pk!r}.",
                object=instance,
                method=meta.method,
            )
    sent: dict[str, Any] | None = None
    if signals.pre_transition.receivers or signals.post_transition.receivers:
        sent = {
            "sender": model,
            "instance": instance,
            "name": meta.name,
            "field": bound.field,
            "source": current,
            "method_args": args,
            "method_kwargs": kwargs,
        }
        signals.pre_transition.send(target=found.target, **sent)
    try:
        result = meta.method(instance, *args, **kwargs)
        target = found.target
        if isinstance(target, State):
            target = target.get_state(instance, found, result, args, kwargs)
    except Exception as exc:
        if found.on_error is not None:
            _move(instance, bound, meta, current, found.on_error, args, kwargs)
            if sent is not None:
                signals.post_transition.send(target=found.on_error, exception=exc, **sent)
        raise
    _move(instance, bound, meta, current, target, args, kwargs)
    if sent is not None:
        signals.post_transition.send(target=target, **sent)
    return result


# --- the compiled machine --------------------------------------------------------------------
_UNSET = object()


# While a call changes the state through the machine, the instance holds the target here
# (a 1-tuple), so that the guards below pick its transition without running again what the
# call already checked.
_MOVING = "_fsm_moving"


# The guards and the validator below are plain functions of ``model`` (the instance): the
# engine calls such a function with its model directly, without building arguments.


def _target_is(value: Any) -> Callable[[Any], bool]:
    """The guard that picks, among a method's transitions, the one to the target its run
    worked out (true outside a call: ``why_not()``, diagrams)."""

    def guard(model: Any) -> bool:
        moving = model.__dict__.get(_MOVING)
        return moving is None or bool(moving[0] == value)

    guard.__name__ = f"target is {value!r}"
    return guard


def _condition(func: Callable[..., Any]) -> Callable[[Any], bool]:
    """A django-fsm condition as a guard: ``func(instance)`` (already checked by a call)."""

    def guard(model: Any) -> bool:
        return _MOVING in model.__dict__ or bool(func(model))

    guard.__name__ = getattr(func, "__name__", repr(func))
    return guard


def _through_the_method(model_class: Any, event: str) -> Callable[[Any], None]:
    """The validator that keeps the compiled machine's events to the calls of their methods
    (sent directly, an event would skip the method's body and django-fsm's signals)."""
    message = (
        f"{model_class.__name__}.{event}() changes this state: call it on the instance (the "
        "machine of a django-fsm model draws and explains; its events are made by the "
        "method calls)."
    )

    def validator(model: Any) -> None:
        if _MOVING not in model.__dict__:
            raise TransitionNotAllowed(message, object=model)

    validator.__name__ = "through the method"
    return validator


def machine_class(model: Any, field: str | None = None) -> type[StateMachine]:
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
    compiled: type[StateMachine] | None = cache.get(target.name)
    if compiled is None:
        concrete = model._meta.concrete_model
        if concrete is not model and _methods(model, target) == _methods(concrete, target):
            compiled = machine_class(concrete, target.name)  # a proxy that adds nothing
        else:
            compiled = _compile(model, target)
        cache[target.name] = compiled
    return compiled


def _methods(model: Any, field: Any) -> dict[str, FSMMeta]:
    """The ``@transition`` methods of ``model`` on ``field``, by attribute name (the name of
    their event in the compiled machine)."""
    found: dict[str, FSMMeta] = {}
    for klass in reversed(model.__mro__):
        for name, value in vars(klass).items():
            meta = getattr(value, "_fsm_meta", None)
            if isinstance(meta, FSMMeta):
                found[name] = meta
            elif name in found:
                del found[name]  # overridden by a plain method
    return {name: m for name, m in found.items() if m.field_name() == field.name}


def _compile(model: Any, field: Any) -> type[StateMachine]:
    methods = _methods(model, field)
    values: list[Any] = list(field.known_states())

    def note(value: Any) -> None:
        if value not in (None, ANY_STATE, ANY_OTHER_STATE) and value not in values:
            values.append(value)

    for meta in methods.values():
        for t in meta.transitions.values():
            note(t.source)
            for value in _targets(t, []):
                note(value)
            note(t.on_error)
    states: dict[Any, _MachineState] = {}
    taken = set(methods) | set(dir(StateMachine))
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
    for event, meta in methods.items():
        declared = None
        through = _through_the_method(model, event)
        # Each state gets the one transition a call from it uses: an exact source first,
        # then "*", then "+" (as FSMMeta.get_transition looks them up).
        exact = [s for s in meta.transitions if s not in (ANY_STATE, ANY_OTHER_STATE)]
        for t in meta.transitions.values():
            if t.source == ANY_STATE:
                sources = [v for v in values if v not in exact]
            elif t.source == ANY_OTHER_STATE:
                fixed = not isinstance(t.target, State)
                sources = [
                    v
                    for v in values
                    if v not in exact
                    and ANY_STATE not in meta.transitions
                    and not (fixed and v == t.target)
                ]
            else:
                sources = [t.source]
            guards = [_condition(c) for c in t.conditions]
            candidates = [*_targets(t, values), *([t.on_error] if t.on_error else [])]
            for source in sources:
                for target in candidates:
                    # The target guard only where the run chooses among several (diagrams
                    # show guards: most transitions have none).
                    cond = [_target_is(target), *guards] if len(candidates) > 1 else guards
                    if target is None:
                        made = states[source].to(cond=cond, validators=[through])
                    else:
                        made = states[source].to(states[target], cond=cond, validators=[through])
                    declared = made if declared is None else declared | made
        if declared is not None:
            namespace[event] = declared
    name = f"{model.__name__}{field.name.title().replace('_', '')}Machine"
    return types.new_class(
        name,
        (StateMachine,),
        exec_body=lambda ns: ns.update(
            {"__module__": model.__module__, "_fsm_field": field.name, **namespace}
        ),
    )


def _targets(t: Transition, values: list[Any]) -> list[Any]:
    """The states a transition may end in (None: it changes nothing)."""
    target = t.target
    if isinstance(target, State):
        return list(target.allowed_states) if target.allowed_states is not None else list(values)
    return [target]


def machine_of(instance: Any, field: str | None = None) -> StateMachine:
    """The compiled machine of ``instance`` (its ``field``; its only FSM field if None), in
    the instance's current state: ``format(machine_of(post), "mermaid")`` draws it with the
    state highlighted, ``machine_of(post).why_not("publish")`` says what stops a call,
    ``allowed_events`` lists the methods that could run from here. The state changes through
    the methods: the machine refuses an event sent to it directly."""
    name: str = machine_class(type(instance), field)._fsm_field  # type: ignore[attr-defined]
    return _machine(instance, instance._meta.get_field(name))  # type: ignore[no-any-return]


class _Kept:
    """Where an instance keeps its compiled machine (in its ``__dict__``). A pickled or
    copied instance gets an empty one: the machine, whose class is made at run time, is not
    copied but made again when needed."""

    __slots__ = ("machine",)

    def __init__(self, machine: Any = None) -> None:
        self.machine = machine

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Kept, ())


def _machine(instance: Any, field: Any, compiled: Any = None) -> Any:
    """The compiled machine of ``instance``'s ``field``, made on first use. It reads the
    state from the instance at each event."""
    key = f"_fsm_machine_{field.name}"
    if compiled is None:
        compiled = machine_class(type(instance), field.name)
    kept = instance.__dict__.get(key)
    machine = None if kept is None else kept.machine
    # Made again for a proxy switch (another class) and for a shallow copy (another model).
    if machine is None or type(machine) is not compiled or machine.model is not instance:
        from statemachine.contrib.django.mixins import _Signals

        machine = compiled(instance, state_field=field.attname)
        machine.add_listener(_Signals(instance))
        instance.__dict__[key] = _Kept(machine)
    return machine


_performer: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "statemachine_fsm_performer", default=None
)


@contextlib.contextmanager
def performed_by(user: Any) -> Iterator[None]:
    """Attribute the transitions called inside the block to ``user``: the audit log records
    them as done by ``user`` (as ``by=user`` passed to the method would; a method's own
    ``by=`` wins). The admin's transition buttons use it::

        with performed_by(request.user):
            post.publish()
    """
    token = _performer.set(user)
    try:
        yield
    finally:
        _performer.reset(token)


# Keyword arguments of a method call that the event does not get: the engine's own
# (``delay``, ``send_id``, ``internal``, and ``at`` for durable timers) and the names it
# injects into callbacks.
_NOT_FOR_THE_EVENT = RESERVED_KWARGS | {"delay", "send_id", "internal", "at"}


def _move(
    instance: Any,
    bound: _Bound,
    meta: FSMMeta,
    current: Any,
    target: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """The state change. It is an event of the compiled machine, sent with the method's
    arguments, when something would see it (receivers of the machine signals, such as the
    audit log, which reads ``by=`` and ``description=``; a model send hook); otherwise the
    state is written directly, which is all that event would do. A state that no transition
    or choice names (so the machine has no such state: a row's odd value, what a
    ``RETURN_VALUE()`` without states returned) is written directly too."""
    if bound.observed() and bound.knows(current, target):
        if kwargs and not _NOT_FOR_THE_EVENT.isdisjoint(kwargs):
            kwargs = {k: v for k, v in kwargs.items() if k not in _NOT_FOR_THE_EVENT}
        user = _performer.get()
        if user is not None and "by" not in kwargs:
            kwargs = {**kwargs, "by": user}
        machine = _machine(instance, bound.field, bound.compiled)
        instance.__dict__[_MOVING] = (target,)
        try:
            if bound.field.protected:
                with unprotected(instance):
                    machine.send(bound.event_of(meta), *args, **kwargs)
            else:
                machine.send(bound.event_of(meta), *args, **kwargs)
        finally:
            del instance.__dict__[_MOVING]
    elif target is not None:
        bound.write(instance, target)
    if target is not None and bound.field.state_proxies:
        bound.field.set_proxy(instance, target)


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
    found = meta.get_transition(meta.bind(type(instance)).state(instance))
    if found is None:
        return False
    return not check_conditions or found.conditions_met(instance)


def has_transition_perm(bound_method: Any, user: Any) -> bool:
    """Can ``user`` run ``obj.method()`` now (source, conditions and permission)?"""
    meta = _meta_of(bound_method)
    instance = bound_method.__self__
    found = meta.get_transition(meta.bind(type(instance)).state(instance))
    return found is not None and found.conditions_met(instance) and found.has_perm(instance, user)


def all_transitions(model: Any, field: Any) -> Iterable[Transition]:
    for meta in _methods(model, field).values():
        yield from meta.transitions.values()


def available_transitions(instance: Any, field: Any) -> Iterable[Transition]:
    current = field.get_state(instance)
    for meta in _methods(type(instance), field).values():
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
