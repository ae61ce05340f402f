"""Callback declarations, signature-based argument injection, and resolution.

Three layers, each computed once and reused:

* :class:`CallbackSpec` is what a declaration says ("call ``'is_ready'``", "call this function"),
  with its group and priority. Specs live on states and transitions.
* :class:`Signature` is computed once per function and knows how to bind the event's arguments
  to the parameters the function declares.
* :func:`resolve` turns a spec into zero or more :data:`Bound` entries for one set of owner
  types (machine, model, listeners). The engine calls them and never looks names up while an
  event runs.

A :data:`Bound` is a pair ``(func, slot)``:

* ``slot`` is an int: ``func`` is a method that takes no arguments besides ``self``, called as
  ``func(owners[slot])``. This is the common case and costs a single call.
* ``slot`` is None: ``func`` is a *caller*, ``func(owners, event_data) -> Any``, that binds
  whatever arguments the callback declares.
"""

from __future__ import annotations

from operator import attrgetter

from ._typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any, TypeAlias

    from ._event_data import EventData
    from ._expressions import Expression

    Caller: TypeAlias = Callable[[tuple[Any, ...], EventData], Any]
    Bound: TypeAlias = tuple[Callable[..., Any], int | None]

# Plain functions (what ``def`` and ``lambda`` make); avoids importing ``inspect`` just for
# ``inspect.isfunction``.
FunctionType = type(lambda: None)


def to_caller(bound: Bound) -> Caller:
    """The general ``(owners, event_data)`` form of a bound callback."""
    func, slot = bound
    if slot is None:
        return func

    def call_slot(owners: tuple[Any, ...], ed: EventData) -> Any:
        return func(owners[slot])

    call_slot.__wrapped__ = func  # type: ignore[attr-defined]
    return call_slot


async def awaited(value: Any) -> Any:
    """``value``, awaited if it is awaitable (for combining async and sync callbacks)."""
    if hasattr(value, "__await__"):
        return await value
    return value


def all_of(callers: list[Caller], is_async: bool) -> Caller:
    """One caller that is true when every caller is (short-circuit, in order)."""
    if not is_async:
        return lambda owners, ed: all(c(owners, ed) for c in callers)

    async def all_async(owners: tuple[Any, ...], ed: EventData) -> bool:
        for c in callers:
            if not await awaited(c(owners, ed)):
                return False
        return True

    return all_async


def bound_key(bound: Bound) -> Any:
    """What a bound callback calls, for telling two bindings of one callable apart from two
    callables: the function (or attribute name, or event) and the owner it is called on."""
    func, slot = bound
    key = getattr(func, "_key", None)
    if key is not None:
        return key
    # By identity: callables need not be hashable (the bound callers keep them alive).
    return (id(getattr(func, "__wrapped__", func)), slot)


def call_bound(bound: Bound, owners: tuple[Any, ...], ed: EventData) -> Any:
    """Call one bound callback (outside the engine's hot loops)."""
    func, slot = bound
    return func(owners, ed) if slot is None else func(owners[slot])


class Priority:
    """Order of callbacks inside one group; lower runs first, ties keep declaration order.

    (Plain ints rather than an ``IntEnum``: :mod:`enum` is slow to import.)
    """

    GENERIC = 0
    INLINE = 10
    DECORATOR = 20
    NAMING = 30
    AFTER = 40


class Group:
    """The callback groups of one microstep, in the order they run."""

    PREPARE = 0
    VALIDATORS = 1
    COND = 2
    BEFORE = 3
    EXIT = 4
    ON = 5
    ENTER = 6
    INVOKE = 7
    AFTER = 8

    NAMES = ("prepare", "validators", "cond", "before", "exit", "on", "enter", "invoke", "after")


# Names that the engine can inject into any callback, read from EventData attributes.
INJECTABLE = frozenset(
    (
        "event",
        "source",
        "target",
        "state",
        "model",
        "machine",
        "transition",
        "event_data",
        "previous_configuration",
        "new_configuration",
    )
)
# Injected only into `on` callbacks, the group that runs between the two configurations.
ON_ONLY = frozenset(("previous_configuration", "new_configuration"))
# Names users may not pass through send(**kwargs): they would shadow injected values.
RESERVED_KWARGS = frozenset(
    ("event_data", "machine", "event", "model", "transition", "state", "source", "target")
)


def _invocable(func: Any, group: int) -> bool:
    """An invoke handler that is not callable: an IInvoke instance or an invoke group."""
    if group != Group.INVOKE:
        return False
    from ._invoke import InvokeGroup

    return isinstance(func, InvokeGroup) or callable(getattr(func, "run", None))


class CallbackSpec:
    """One declared callback: a name or a callable, for one group, at one priority.

    Attributes:
        func: a method/attribute name, a callable, or a ``property``.
        group: the :class:`Group` it belongs to.
        priority: the :class:`Priority` that orders it inside the group.
        expected: for conditions, the truth value the guard must have (False for ``unless``).
        required: False for naming-convention names, which may resolve to nothing.
        expression: for string conditions, the parsed boolean expression.
    """

    __slots__ = ("expected", "expression", "func", "group", "priority", "required")

    def __init__(
        self,
        func: Any,
        group: int,
        priority: int = Priority.INLINE,
        *,
        expected: bool = True,
        required: bool = True,
    ) -> None:
        if type(func) is str:
            func = func.strip()
        elif isinstance(func, str):
            pass  # an Event: kept as the object, it may get its id only at class creation
        elif not callable(func) and not isinstance(func, property) and not _invocable(func, group):
            from .exceptions import callback_not_callable

            raise callback_not_callable(func, Group.NAMES[group])
        self.func = func
        self.group = group
        self.priority = priority
        self.expected = expected
        self.required = required
        self.expression: Expression | None = None
        if isinstance(func, str) and group is Group.COND:
            from ._expressions import parse_condition

            self.expression = parse_condition(func)

    def __repr__(self) -> str:
        return f"CallbackSpec({self.label!r}, {Group.NAMES[self.group]}, priority={self.priority})"

    @property
    def label(self) -> str:
        """A readable name of the callback, for errors and diagrams."""
        f = self.func
        if isinstance(f, str):
            return str(getattr(f, "id", None) or f)
        if isinstance(f, property) and f.fget is not None:
            return f.fget.__name__
        return getattr(f, "__name__", repr(f))


class CallbackSpecList:
    """The specs of one group on one state or transition; also usable as a decorator.

    ``@state.enter`` and ``@go.on`` register the decorated function and return it unchanged,
    so it stays a method of the machine class.
    """

    __slots__ = ("_specs", "group", "unless")

    def __init__(self, group: int, *, unless: bool = False) -> None:
        self.group = group
        self.unless = unless
        self._specs: list[CallbackSpec] = []

    def add(self, funcs: Any, priority: int = Priority.INLINE) -> None:
        """Add one spec per item of ``funcs`` (a name, a callable, or a list of them)."""
        if funcs is None:
            return
        items = funcs if isinstance(funcs, (list, tuple)) else [funcs]
        for f in items:
            self._specs.append(CallbackSpec(f, self.group, priority, expected=not self.unless))

    def __call__(self, func: Any) -> Any:
        self.add(func, Priority.DECORATOR)
        return func

    def __iter__(self) -> Iterator[CallbackSpec]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __bool__(self) -> bool:
        return bool(self._specs)

    def __repr__(self) -> str:
        return f"CallbackSpecList({Group.NAMES[self.group]}, {[s.label for s in self._specs]!r})"


class SpecListAttribute:
    """A :class:`CallbackSpecList` attribute of states and transitions, created on first use.

    Most states and transitions declare no callback of most groups; creating the lists lazily
    keeps class definitions fast. Read the declared specs from the object's ``__dict__`` (see
    ``_definition.declared_transition_specs``), which never creates a list.
    """

    def __init__(self, group: int, *, unless: bool = False) -> None:
        self.group = group
        self.unless = unless
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> SpecListAttribute: ...
    @overload
    def __get__(self, instance: object, owner: type) -> CallbackSpecList: ...
    def __get__(self, instance: object, owner: type) -> SpecListAttribute | CallbackSpecList:
        if instance is None:
            return self
        # An InstanceState is a view: its callbacks are those of the state it shows.
        target = instance.__dict__.get("_state", instance)
        specs: CallbackSpecList = target.__dict__.get(self.name)
        if specs is None:
            specs = target.__dict__[self.name] = CallbackSpecList(self.group, unless=self.unless)
            target._has_specs = True
        return specs


# --- signatures and injection ----------------------------------------------------------------


class Signature:
    """How to call one function with the arguments of an event.

    Positional ``send`` arguments fill the leading positional parameters; a keyword argument of
    the same name wins; remaining parameters are injected by name (see :data:`INJECTABLE`).
    Parameters nobody provides are left unbound, so a required one raises ``TypeError``.
    """

    __slots__ = (
        "injected",
        "injected_on",
        "named",
        "no_args",
        "only_event_data",
        "positional",
        "posonly",
        "var_kw",
        "var_pos",
    )

    def __init__(self, func: Callable[..., Any], skip_first: bool) -> None:
        import inspect  # only when a callback is first resolved, never at import

        try:
            params = list(inspect.signature(func).parameters.values())
        except (TypeError, ValueError):  # builtins without a signature: pass everything
            params = []
            self.var_pos = self.var_kw = True
        else:
            self.var_pos = any(p.kind is p.VAR_POSITIONAL for p in params)
            self.var_kw = any(p.kind is p.VAR_KEYWORD for p in params)
        if (
            skip_first
            and params
            and params[0].kind
            in (
                inspect.Parameter.POSITIONAL_ONLY,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
            )
        ):
            params = params[1:]
        kinds_pos = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        self.positional = tuple(p.name for p in params if p.kind in kinds_pos)
        self.posonly = tuple(p.name for p in params if p.kind is p.POSITIONAL_ONLY)
        self.named = tuple(
            p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )
        self.injected = tuple(n for n in self.named if n in INJECTABLE and n not in ON_ONLY)
        self.injected_on = tuple(n for n in self.named if n in ON_ONLY)
        self.no_args = not self.named and not self.var_pos and not self.var_kw
        # Only ``event_data`` (which send() cannot override): called as ``func(ed)``.
        self.only_event_data = (
            self.named == ("event_data",) and not self.var_pos and not self.var_kw
        )

    def bind(self, ed: EventData) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Return the ``(args, kwargs)`` to call the function with, for this event.

        A parameter named like a keyword argument of the event, or like an injectable value,
        receives that value; the event's positional arguments fill the remaining positional
        parameters in order, and any left over go to ``*args``.
        """
        args = ed.args
        user_kw = ed.kwargs
        in_on = ed._in_on
        if not args and not user_kw and not self.var_kw:
            kw = {n: getattr(ed, n) for n in self.injected}
            if in_on:
                for n in self.injected_on:
                    kw[n] = getattr(ed, n)
            return (), kw
        kw = {}
        used = 0
        for name in self.named:
            if name in user_kw:
                kw[name] = user_kw[name]
            elif name in INJECTABLE and (in_on or name not in ON_ONLY):
                kw[name] = getattr(ed, name)
            elif used < len(args) and name in self.positional:
                kw[name] = args[used]
                used += 1
        extra: tuple[Any, ...] = tuple(args[used:]) if self.var_pos else ()
        if self.var_kw:
            for name, value in user_kw.items():
                kw.setdefault(name, value)
            for name in INJECTABLE:
                if name not in kw and (in_on or name not in ON_ONLY):
                    kw[name] = getattr(ed, name)
        if self.posonly or extra:
            # Positional-only parameters, and everything before *args, go positionally.
            names = self.positional if extra else self.posonly
            lead = tuple(kw.pop(name) for name in names if name in kw)
            return lead + extra, kw
        return (), kw


_signatures: dict[tuple[Any, bool], Signature] = {}


def signature_of(func: Callable[..., Any], skip_first: bool = False) -> Signature:
    """The cached :class:`Signature` of ``func`` (bound methods share their function's)."""
    key = (func, skip_first)
    try:
        return _signatures[key]
    except KeyError:
        pass
    except TypeError:  # unhashable callable
        return Signature(func, skip_first)
    sig = _signatures[key] = Signature(func, skip_first)
    return sig


def call_injected(func: Callable[..., Any], ed: EventData) -> Any:
    """Call any callable with the arguments it declares (used for dynamic attributes)."""
    target = getattr(func, "__func__", None)
    sig = signature_of(target, True) if target is not None else signature_of(func)
    if sig.no_args:
        return func()
    if sig.only_event_data:
        return func(ed)
    a, kw = sig.bind(ed)
    return func(*a, **kw)


# A free function whose only parameter names an owner: the owner's slot (see Machine._owners).
_OWNER_PARAMETERS: dict[tuple[str, ...], int] = {("machine",): 0, ("model",): 1}


def make_function_caller(func: Callable[..., Any], slot: int | None) -> Bound:
    """Bind a plain function; ``slot`` is the owner passed as ``self`` (None: none)."""
    sig = signature_of(func, skip_first=slot is not None)
    if slot is None:
        if sig.no_args:

            def call_plain(owners: tuple[Any, ...], ed: EventData) -> Any:
                return func()

            call_plain.__wrapped__ = func  # type: ignore[attr-defined]
            return (call_plain, None)
        owner = _OWNER_PARAMETERS.get(sig.named) if not sig.var_pos and not sig.var_kw else None
        if owner is not None:
            # `def check(machine)` / `def check(model)`: called with that owner directly,
            # like a method, so the event needs no EventData for it.
            return (func, owner)
        if sig.only_event_data:

            def call_with_event_data(owners: tuple[Any, ...], ed: EventData) -> Any:
                return func(ed)

            call_with_event_data.__wrapped__ = func  # type: ignore[attr-defined]
            return (call_with_event_data, None)

        def call_free(owners: tuple[Any, ...], ed: EventData) -> Any:
            a, kw = sig.bind(ed)
            return func(*a, **kw)

        call_free.__wrapped__ = func  # type: ignore[attr-defined]
        return (call_free, None)
    if sig.no_args:
        return (func, slot)
    if sig.only_event_data:  # `def before_transition(self, event_data)`: a listener's usual

        def call_method_with_event_data(owners: tuple[Any, ...], ed: EventData) -> Any:
            return func(owners[slot], ed)

        call_method_with_event_data.__wrapped__ = func  # type: ignore[attr-defined]
        call_method_with_event_data._key = (id(func), slot)  # type: ignore[attr-defined]
        return (call_method_with_event_data, None)

    def call_method(owners: tuple[Any, ...], ed: EventData) -> Any:
        a, kw = sig.bind(ed)
        return func(owners[slot], *a, **kw)

    call_method.__wrapped__ = func  # type: ignore[attr-defined]
    call_method._key = (id(func), slot)  # type: ignore[attr-defined]  # same as (func, slot)
    return (call_method, None)


def is_coroutine_bound(bound: Bound) -> bool:
    """Whether calling ``bound`` returns a coroutine (it wraps an ``async def``)."""
    import inspect

    func = bound[0]
    target = getattr(func, "__wrapped__", func)
    if inspect.iscoroutinefunction(target):
        return True
    call = getattr(target, "__call__", None)  # noqa: B004 - callable objects, not callable()
    return call is not None and inspect.iscoroutinefunction(call)


def make_attribute_caller(name: str, slot: int) -> Bound:
    """Bind ``owner.name``, read at each call; a callable value is then called."""

    def call_attr(owners: tuple[Any, ...], ed: EventData) -> Any:
        value = getattr(owners[slot], name)
        if callable(value):
            return call_injected(value, ed)
        return value

    call_attr._key = ("attribute", name, slot)  # type: ignore[attr-defined]
    return (call_attr, None)


# --- resolution --------------------------------------------------------------------------------


class Owner:
    """What resolution knows about one object that callbacks may live on.

    Attributes:
        slot: the index of the object in the runtime ``owners`` tuple.
        cls: the object's type; names are looked up on it once.
        instance_names: names found in the instance ``__dict__`` (read dynamically).
        hidden: names never resolved on this owner (library attributes, the state field).
        hidden_from: for the machine, the library base class whose attributes are hidden.
    """

    __slots__ = ("cls", "hidden", "hidden_from", "instance_names", "slot")

    def __init__(
        self,
        slot: int,
        cls: type,
        instance_names: frozenset[str],
        hidden: frozenset[str] = frozenset(),
        hidden_from: tuple[type, ...] = (),
    ) -> None:
        self.slot = slot
        self.cls = cls
        self.instance_names = instance_names
        self.hidden = hidden
        self.hidden_from = hidden_from

    def lookup(self, name: str) -> Bound | None:
        """Return a caller for ``name`` on this owner, or None if it has no such attribute."""
        if name in self.hidden:
            return None
        if name in self.instance_names:
            return make_attribute_caller(name, self.slot)
        for klass in self.cls.__mro__:
            if name in klass.__dict__:
                if klass in self.hidden_from:
                    return None
                return self._from_class_attr(name, klass.__dict__[name])
        return None

    def _from_class_attr(self, name: str, attr: Any) -> Bound | None:
        from ._events import Event
        from ._states import State

        if isinstance(attr, Event):
            event_id = str(attr.id or name)
            return make_event_trigger(event_id)
        if isinstance(attr, State):
            return None
        if type(attr) is FunctionType:
            return make_function_caller(attr, self.slot)
        if isinstance(attr, staticmethod):
            return make_function_caller(attr.__func__, None)
        if not callable(attr) and not hasattr(type(attr), "__get__"):
            # A plain value on the class (`ready = False`): read it, from the instance if it
            # sets its own. No EventData is needed, so guards like this cost one read.
            return (attrgetter(name), self.slot)
        return make_attribute_caller(name, self.slot)


def make_event_trigger(event_id: str) -> Bound:
    """Bind sending ``event_id`` to the machine with the current event's arguments."""

    def trigger(owners: tuple[Any, ...], ed: EventData) -> Any:
        return owners[0].send(event_id, *ed.args, **ed.kwargs)

    trigger._key = ("event", event_id)  # type: ignore[attr-defined]
    return (trigger, None)


def resolve(spec: CallbackSpec, owners: Iterable[Owner]) -> list[Bound]:
    """What to call for ``spec``: every owner that has the name, or the callable itself.

    Returns an empty list when a name resolves nowhere; the caller decides whether that is an
    error (explicit names) or fine (naming conventions).
    """
    func = spec.func
    if isinstance(func, property):
        # The owner whose class holds this very property (under whatever name) reads it;
        # failing that, the getter's name is looked up like any name.
        owners = list(owners)
        found = [
            make_attribute_caller(name, o.slot)
            for o in owners
            if (name := _attribute_holding(o.cls, func)) is not None
        ]
        if found:
            return found
        func = func.fget.__name__ if func.fget is not None else ""
    if type(func) is not str and isinstance(func, str) and hasattr(func, "_transitions"):
        # An Event object (named by the class statement): sending it.
        event_id = str(getattr(func, "id", "") or func)
        return [make_event_trigger(event_id)] if event_id else []
    if isinstance(func, str):
        return [c for o in owners if (c := o.lookup(func)) is not None]
    if isinstance(func, FunctionType):
        # A function defined in the class body (decorators, inline references), or in the body
        # of a compound state declared there (hoisted onto the machine), is a method of the
        # machine; otherwise of whichever owner type holds it under its own name.
        # Lambdas are always free functions: they take only what they declare.
        prefix = func.__qualname__.rpartition(".")[0]
        for o in owners:
            if (
                o.slot == 0
                and func.__name__ != "<lambda>"
                and any(_written_in(prefix, k) for k in o.cls.__mro__)
            ):
                return [make_function_caller(func, 0)]
        for o in owners:
            if o.cls.__dict__.get(func.__name__) is func or any(
                k.__dict__.get(func.__name__) is func for k in o.cls.__mro__[1:]
            ):
                return [make_function_caller(func, o.slot)]
        return [make_function_caller(func, None)]
    if callable(func):
        return [_make_callable_caller(func)]
    from .exceptions import not_a_callback

    raise not_a_callback(func)


def _attribute_holding(cls: type, value: object) -> str | None:
    """The name under which ``cls`` (or a base) holds ``value`` itself, if it does."""
    for klass in cls.__mro__:
        for name, attr in vars(klass).items():
            if attr is value:
                return name
    return None


def _written_in(prefix: str, cls: type) -> bool:
    """Whether a function whose qualname is ``<prefix>.<name>`` was written in the body of
    ``cls``, or of a class nested in it (a compound state), not inside a function there."""
    name = cls.__qualname__
    return prefix == name or (
        prefix.startswith(name + ".") and "<locals>" not in prefix[len(name) :]
    )


def _make_callable_caller(func: Callable[..., Any]) -> Bound:
    from ._events import Event

    if isinstance(func, Event):
        return make_event_trigger(str(func.id))

    def call_callable(owners: tuple[Any, ...], ed: EventData) -> Any:
        return call_injected(func, ed)

    call_callable.__wrapped__ = func  # type: ignore[attr-defined]
    return (call_callable, None)
