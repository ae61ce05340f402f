"""The public machine classes: :class:`StateChart`, :class:`StateMachine` and their metaclass."""

from __future__ import annotations

from _thread import RLock  # `threading` is slow to import and not needed for a lock

from . import exceptions, registry
from ._around import HOOK, around_engine_class
from ._callbacks import RESERVED_KWARGS, Owner, call_injected
from ._definition import MachineDefinition, build_definition
from ._engine import Engine, SyncEngine, _fresh
from ._events import BoundEvent, Event
from ._orderedset import OrderedSet
from ._program import NOT_FAST, Program, owner_key
from ._states import ClassBody, State
from ._typing import TYPE_CHECKING, Generic
from .exceptions import TransitionNotAllowed
from .model import Model

__all__ = ["StateChart", "StateMachine", "StateMachineMetaclass", "TModel"]

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, ClassVar

    # PEP 696 default: `class M(StateMachine)` means `StateMachine[Any]` for type checkers,
    # so strict users need not spell the model type. (Runtime needs no typing_extensions.)
    from typing_extensions import TypeVar

    TModel = TypeVar("TModel", default=Any)
else:
    # At runtime a machine class subscript (`StateChart[Order]`) just returns the class; the
    # public `statemachine.TModel` is a real TypeVar, made on first access.
    TModel = "TModel"

_VALIDATION_FLAGS = (
    "validate_disconnected_states",
    "validate_trap_states",
    "validate_final_reachability",
)
_PRIMITIVES = (type(None), str, int, float, bool, bytes)


class StateMachineMetaclass(type):
    """Builds the class's :class:`MachineDefinition` once, at class creation.

    Also exposes the read-only class views (``states``, ``states_map``, ``initial_state``,
    ``final_states``, ``events``, ``name``, ``id``) and registers the class in
    :mod:`statemachine.registry`.
    """

    _definition: MachineDefinition
    validate_disconnected_states: bool = True
    validate_trap_states: bool = True
    validate_final_reachability: bool = True

    @classmethod
    def __prepare__(mcls, name: str, bases: tuple[type, ...], /, **kwargs: Any) -> ClassBody:
        return ClassBody(name)

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> StateMachineMetaclass:
        base_defs = [
            b._definition
            for b in bases
            if isinstance(b, StateMachineMetaclass) and hasattr(b, "_definition")
        ]
        flags = {
            f: namespace.get(f, next((getattr(b, f) for b in bases if hasattr(b, f)), True))
            for f in _VALIDATION_FLAGS
        }
        _check_listeners(namespace.get("listeners", ()))
        definition, updates = build_definition(name, namespace, base_defs, flags)
        namespace.update(updates)
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        cls._definition = definition
        from .states import States

        cls.states = States({s.id: s for s in definition.top_states})  # type: ignore[attr-defined]
        cls.states_map = definition.states_map  # type: ignore[attr-defined]
        cls.initial_state = definition.initial_state  # type: ignore[attr-defined]
        cls.final_states = list(definition.final_states)  # type: ignore[attr-defined]
        cls._programs = {}  # type: ignore[attr-defined]
        cls._class_listeners = _class_listeners(cls)  # type: ignore[attr-defined]
        cls._plain_init = _plain_init(cls)  # type: ignore[attr-defined]
        cls._recipes = {}  # type: ignore[attr-defined]
        registry.register(cls)
        doc = namespace.get("__doc__")
        if isinstance(doc, str) and "{statechart:" in doc and definition.states:
            cls.__doc__ = _expand_docstring(cls, doc)
        return cls

    def __format__(cls, spec: str) -> str:
        """``f"{Cls:mermaid}"``: the class in a diagram format (no active state)."""
        if not spec:
            return str(cls)
        return _render(cls, spec)

    @property
    def name(cls) -> str:
        """The class name."""
        return cls.__name__

    @property
    def id(cls) -> str:
        """The class name, lowercased."""
        return cls.__name__.lower()

    @property
    def events(cls) -> list[Event]:
        """Every event declared on the class, in declaration order."""
        return list(cls._definition.events.values())


def _diagram() -> Any:
    # Diagrams live in an optional layer on top of the core. It is loaded by name on the
    # first diagram request, so `import statemachine` never imports it (nor pydot).
    import importlib

    return importlib.import_module("statemachine.contrib.diagram")


def _render(obj: Any, spec: str) -> str:
    return _diagram().formatter.render(obj, spec)  # type: ignore[no-any-return]


def _expand_docstring(cls: type, doc: str) -> str:
    """Replace every ``{statechart:FMT}`` in a class docstring with the class rendered in FMT.

    A placeholder alone on its line becomes the rendered lines, each indented like the
    placeholder. One among other text is replaced in place; the rendered text's following
    lines get the indentation of the placeholder's line.
    """
    import re

    def expand(match: re.Match[str]) -> str:
        if match.group(2) is not None:  # alone on its line
            indent = match.group(1)
            return _indented(_render(cls, match.group(2)), indent, first=indent)
        start = doc.rfind("\n", 0, match.start()) + 1
        line = doc[start : match.start()]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        return _indented(_render(cls, match.group(3)), indent, first="")

    # One pass, so that rendered text is never expanded again.
    pattern = r"^([ \t]*)\{statechart:([\w.+-]+)\}[ \t]*$|\{statechart:([\w.+-]+)\}"
    return re.sub(pattern, expand, doc, flags=re.M)


def _indented(text: str, indent: str, first: str) -> str:
    """``text`` without its final newline, its first line prefixed by ``first`` and the
    others by ``indent`` (blank lines stay blank)."""
    lines = text.rstrip("\n").split("\n")
    head = first + lines[0] if lines[0] else lines[0]
    return "\n".join([head, *(indent + line if line else line for line in lines[1:])])


class _Recipe:
    """What a plain machine of a class needs (cached per model class and state field): its
    program and engine class, the model value of its quiet initial entry (or NOT_FAST), the
    definition's callback names, and whether events may be sent before the engine is built
    (see `StateChart._quiet_send`)."""

    __slots__ = ("engine_cls", "field", "names", "program", "quiet", "quiet_sends")

    def __init__(
        self,
        program: Program,
        engine_cls: type[Engine],
        quiet: Any,
        names: frozenset[str],
        field: str,
    ) -> None:
        self.program = program
        self.engine_cls = engine_cls
        self.quiet = quiet
        self.names = names
        self.field = field
        # A flat machine on the plain sync engine, with nothing that runs on every event,
        # and no event defaults (a default delay would need the engine's queue).
        self.quiet_sends = (
            engine_cls is SyncEngine
            and not program.chart
            and not program.prepare
            and not program.definition.has_event_defaults
        )


_ENGINE_BUILD = RLock()
_NO_NAMES: frozenset[str] = frozenset()


def _callback_attrs(model: Any, names: frozenset[str]) -> bool:
    """Whether the model instance has attributes of its own named like callbacks."""
    d = getattr(model, "__dict__", None)
    if not d:
        return False
    return not names.isdisjoint(d)


def _plain_init(cls: type) -> bool:
    """True when no class in the MRO before the library's own defines ``__init__``."""
    for klass in cls.__mro__:
        if klass.__module__ == __name__:  # StateChart or StateMachine
            return True
        if "__init__" in klass.__dict__:
            return False
    return True  # pragma: no cover - the MRO always reaches StateChart


def _check_listeners(entries: Iterable[Any]) -> None:
    for entry in entries:
        if isinstance(entry, _PRIMITIVES):
            raise exceptions.invalid_listener(entry)


def _class_listeners(cls: type) -> tuple[Any, ...]:
    """Class-level listeners along the MRO: parents first, unless ``listeners_inherit`` is off."""
    own = tuple(cls.__dict__.get("listeners", ()))
    if not cls.__dict__.get("listeners_inherit", getattr(cls, "listeners_inherit", True)):
        return own
    inherited: list[Any] = []
    for base in reversed(cls.__mro__[1:]):
        for entry in base.__dict__.get("listeners", ()):
            if entry not in inherited:
                inherited.append(entry)
    return (*inherited, *(e for e in own if e not in inherited))


class StateChart(Generic[TModel], metaclass=StateMachineMetaclass):
    """A statechart with SCXML semantics.

    Subclass it, declare :class:`~statemachine.State` objects as class attributes and compose
    transitions into events::

        class TrafficLight(StateChart):
            green = State(initial=True)
            yellow = State()
            red = State()
            cycle = green.to(yellow) | yellow.to(red) | red.to(green)

    Args:
        model: the object that stores the state (default: a new :class:`Model`).
        state_field: the model attribute holding the state value.
        start_value: the state to start in when the model holds no state yet.
        listeners: extra objects whose methods are callbacks, after the class-level ones.
        **kwargs: passed to class-level listener ``setup()`` and to initial-entry callbacks.
    """

    allow_event_without_transition: ClassVar[bool] = True
    enable_self_transition_entries: ClassVar[bool] = True
    atomic_configuration_update: ClassVar[bool] = False
    catch_errors_as_events: ClassVar[bool] = True
    #: A macrostep that takes more microsteps than this (an eventless loop, say) raises.
    max_microsteps: ClassVar[int] = 1000
    #: Process delayed events on a scheduler thread, so `send(..., delay=)` returns at once.
    delayed_events_in_background: ClassVar[bool] = False

    listeners: ClassVar[list[Any]] = []
    listeners_inherit: ClassVar[bool] = True
    start_configuration_values: ClassVar[list[Any]] = []
    _loop_sleep_in_ms: ClassVar[float] = 0.001

    TransitionNotAllowed = TransitionNotAllowed

    # Set by the metaclass.
    _definition: ClassVar[MachineDefinition]
    _programs: ClassVar[dict[Any, Program]]
    _class_listeners: ClassVar[tuple[Any, ...]]
    states: ClassVar[Any]
    states_map: ClassVar[dict[Any, State]]
    initial_state: ClassVar[State | None]
    final_states: ClassVar[list[State]]

    model: TModel
    #: The model attribute holding the state value (set on an instance only when not "state").
    state_field: str = "state"
    _listeners: tuple[Any, ...] | list[Any] = ()
    _runtime_listeners: tuple[Any, ...] = ()
    #: Whether no `__init__` of the user's runs before the library's (see `_program`).
    _plain_init: ClassVar[bool]
    #: (model class, state field) -> the recipe of instances whose program depends on
    #: nothing else (see `_plain` and `_Recipe`).
    _recipes: ClassVar[dict[tuple[type, str], _Recipe]]
    # A SyncEngine, or an AsyncEngine for `async def` callbacks; None until first use (see
    # `_get_engine`). A plain instance attribute: a class-level default, descriptor or
    # `__getattr__` would make its read, once per event, slower.
    _engine: Any
    # The recipe a plain machine was created from, kept until its engine is built from it.
    _recipe: _Recipe | None = None

    def __init__(
        self,
        model: TModel | None = None,
        state_field: str = "state",
        start_value: Any = None,
        listeners: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        cls = type(self)
        if not cls._definition.states:
            raise exceptions.no_states()
        own_model = model is None
        if own_model:
            model = Model()  # type: ignore[assignment]
        self.model = model  # type: ignore[assignment]
        self._engine = None
        # Instance attributes only where they differ from the class defaults (`state_field`,
        # `_listeners`, `_runtime_listeners`): a machine is two references until it is used.
        if state_field != "state":
            self.state_field = state_field
        if listeners or cls._class_listeners:
            self._listeners = self._make_listeners(listeners, kwargs)
        elif start_value is None and cls._plain_init:
            # The common case, known from an earlier instance: an initial entry that runs
            # nothing, on a model of this class with no callbacks of its own.
            recipe = cls._recipes.get((model.__class__, state_field))
            if (
                recipe is not None
                and recipe.quiet is not NOT_FAST
                and getattr(model, state_field, None) is None
                and (own_model or not _callback_attrs(model, recipe.names))
            ):
                setattr(model, state_field, _fresh(recipe.quiet))
                # Kept until the first event, which builds the engine from it (and deletes
                # it): looking the recipe up again and re-checking that this machine is
                # plain cost as much as building the engine itself.
                self._recipe = recipe
                return
        self._start(start_value, kwargs)

    # --- construction -----------------------------------------------------------------------
    def _make_listeners(self, listeners: list[Any] | None, kwargs: dict[str, Any]) -> list[Any]:
        result = []
        for entry in type(self)._class_listeners:
            if callable(entry):
                listener = entry()
                setup = getattr(listener, "setup", None)
                if setup is not None:
                    try:
                        call_injected(setup, _SetupData(self, kwargs))  # type: ignore[arg-type]
                    except TypeError as err:
                        raise exceptions.listener_setup_failed(listener, err) from err
                result.append(listener)
            else:
                result.append(entry)
        result.extend(listeners or ())
        return result

    def _owners(self) -> tuple[Any, ...]:
        """``(machine, model, *listeners)``: a listener given twice (or that is the machine
        or the model) is one owner, so its callbacks run once."""
        listeners = (*self._listeners, *self._runtime_listeners)
        if not listeners:
            return (self, self.model)
        seen = {id(self), id(self.model)}
        unique = []
        for listener in listeners:
            if id(listener) not in seen:
                seen.add(id(listener))
                unique.append(listener)
        return (self, self.model, *unique)

    def _program(self, owners: tuple[Any, ...]) -> Program:
        cls = type(self)
        definition = cls._definition
        names = definition.callback_names
        # The machine's own instance attributes can only be callbacks if some `__init__` of
        # the user's set them before ours ran (reading `__dict__` would also allocate it).
        parts = [
            (cls, _NO_NAMES) if cls._plain_init else owner_key(owners[0], names),
            *(owner_key(o, names) for o in owners[1:]),
        ]
        key = (*parts, self.state_field)
        program = cls._programs.get(key)
        if program is None:
            found = [p[1] for p in parts]
            field = self.state_field
            resolved = [
                Owner(0, cls, found[0], hidden_from=_LIBRARY_BASES),
                # `__class__`, not type(): a weakref.proxy model resolves on its referent's
                # class.
                Owner(1, owners[1].__class__, found[1] - {field}, hidden=frozenset({field})),
            ]
            resolved.extend(
                Owner(i, o.__class__, found[i]) for i, o in enumerate(owners[2:], start=2)
            )
            settings = (
                cls.allow_event_without_transition,
                cls.atomic_configuration_update,
                cls.catch_errors_as_events,
                cls.delayed_events_in_background,
            )
            program = Program(definition, resolved, cls.enable_self_transition_entries, settings)
            cls._programs[key] = program
        return program

    def _new_engine(self, owners: tuple[Any, ...]) -> Engine:
        """The engine for this machine: asyncio if any callback is a coroutine function."""
        program = self._program(owners)
        return self._engine_class(program, owners[1])(self, program, owners)

    def _plain(self, names: frozenset[str]) -> bool:
        """Whether this machine's program depends on nothing but its class, its model's
        class and its state field: no listeners, no `__init__` of the user's before ours, no
        callbacks among the model's own attributes (``names``: the definition's callback
        names). Its recipe is then cached per class."""
        return (
            type(self)._plain_init
            and not self._listeners
            and not self._runtime_listeners
            and not _callback_attrs(self.model, names)
        )

    @staticmethod
    def _engine_class(program: Program, model: Any) -> type[Engine]:
        engine_cls: type[Engine]
        if not program.is_async and any(
            h.needs_async_engine for hs in program.invoke.values() for h in hs
        ):
            raise exceptions.async_iinvoke_on_sync_engine()
        if program.is_async:
            from ._async import AsyncEngine

            engine_cls = AsyncEngine
        else:
            engine_cls = SyncEngine
        if getattr(type(model), HOOK, None) is not None:  # see statemachine._around
            engine_cls = around_engine_class(engine_cls)
        return engine_cls

    def _start(self, start_value: Any, kwargs: dict[str, Any]) -> None:
        model, field = self.model, self.state_field
        current = getattr(model, field, None)
        if current is None and not hasattr(model, field):
            # A model without the attribute gets one: the engine reads it unguarded.
            setattr(model, field, None)
        owners = self._owners()
        program = self._program(owners)
        engine_cls = self._engine_class(program, model)
        lazy = engine_cls is SyncEngine and not program.invoke
        quiet = program.initial_plan()[1] if lazy else NOT_FAST
        names = program.definition.callback_names
        recipe: _Recipe | None = None
        if self._plain(names):
            recipe = _Recipe(program, engine_cls, quiet, names, field)
            type(self)._recipes[(model.__class__, field)] = recipe
        if lazy:
            # The engine is built on first use (see `_get_engine`) when nothing has to run
            # now: an initial entry with no callbacks (one store on the model), or a
            # restored flat machine (its value checked here).
            if current is None and start_value is None:
                if quiet is not NOT_FAST:
                    setattr(model, field, _fresh(quiet))
                    if recipe is not None:
                        self._recipe = recipe
                    return
            elif current is not None and program.definition.is_flat:
                if current.__class__ is OrderedSet:
                    # A flat machine is in one state: a set of one value (as a statechart
                    # stores it) is that value; several are no state of it.
                    if len(current) != 1:
                        raise exceptions.invalid_state_value(current)
                    current = next(iter(current))
                    self._state_of(current)
                    setattr(model, field, current)
                else:
                    self._state_of(current)
                if recipe is not None:
                    self._recipe = recipe
                return
        engine: Any = engine_cls(self, program, owners)
        self._engine = engine
        if current is None and start_value is not None:
            if start_value not in type(self).states_map:
                raise exceptions.invalid_start_value(start_value)
            setattr(self.model, self.state_field, start_value)
            return
        if current is not None:
            # Restore: validate the stored value(s); entry callbacks do not run again.
            engine.sync_running()
            return
        engine.start(kwargs)

    def _get_engine(self) -> Any:
        """The engine, built now if this is its first use."""
        engine = self._engine
        if engine is None:
            # Two threads using a machine for the first time at once share one engine.
            # (Not `self.__dict__.setdefault`: reading `__dict__` turns the instance's
            # attribute storage into a real dict, and every later read gets slower.)
            with _ENGINE_BUILD:
                engine = self._engine
                if engine is None:
                    engine = self._engine = self._build_engine()
        return engine

    def _build_engine(self) -> Any:
        """The engine of a machine that did not need one until now (see `_start`)."""
        model = self.model
        # The common case: a machine created plain, with the recipe of its class.
        recipe: _Recipe | None = self._recipe
        engine: Any
        if recipe is not None:
            del self._recipe
            engine = recipe.engine_cls(self, recipe.program, (self, model))
        else:
            engine = self._new_engine(self._owners())
        value = getattr(model, engine.field, None)
        if value is not None:
            if engine.chart or value.__class__ is OrderedSet:
                engine.sync_running()
            elif recipe is None or value is not recipe.quiet:
                # A flat machine: terminated exactly when its state is a final one (at the
                # quiet initial value it never is: entering a final state is not quiet).
                engine.running = not self._state_of(value).final
        return engine

    def send(
        self,
        event: str,
        *args: Any,
        delay: float = 0,
        send_id: str | None = None,
        internal: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Send ``event`` and process it (and whatever it causes) to completion.

        Returns the results of the ``before`` and ``on`` callbacks: None if there are none,
        the value itself if there is one, a list otherwise. A call made while the machine is
        already processing (from a callback or another thread) queues the event and returns
        None (on the asyncio engine, from a callback: an already-completed awaitable of None,
        so that async callbacks can ``await self.send(...)``).

        Raises:
            TransitionNotAllowed: (StateMachine) no transition for ``event`` from here.
        """
        if kwargs and not RESERVED_KWARGS.isdisjoint(kwargs):
            kwargs = {k: v for k, v in kwargs.items() if k not in RESERVED_KWARGS}
        if self._definition.has_event_defaults:
            declared = self._definition.events.get(event)
            if declared is not None:
                delay = delay or declared.delay
                internal = internal or declared.internal
        engine = self._engine
        if engine is None:
            if not (delay or internal or send_id) and self._quiet_send(event):
                return None
            engine = self._get_engine()
        return engine.send(event, args, kwargs, delay, send_id, internal)

    def _quiet_send(self, event: str) -> bool:
        """Apply ``event`` without building the engine, when this machine has none yet and
        the event's transition from the current state runs nothing: no callback, no guard,
        no final state (one store on the model, as the engine's fast path would do). False
        when the engine is needed.

        A machine that is only ever sent such events never builds an engine: most of the
        cost of creating a machine and sending it one event was building it.
        """
        recipe = self._recipe
        if recipe is None or not recipe.quiet_sends:
            return False
        table = recipe.program.table.get(event)  # events seen before on this class only
        if table is None:
            return False
        model, field = self.model, recipe.field
        with _ENGINE_BUILD:  # the lock `_get_engine` builds under: one at a time
            if self._engine is not None:
                return False
            try:
                runs = table.get(getattr(model, field))
            except TypeError:  # an unhashable value: the engine path says what is wrong
                return False
            if runs is None:
                return False
            run = runs[0]
            if run.has_callbacks or run.enters_final:
                return False
            if run.entries:
                setattr(model, field, run.target_value)
        return True

    def raise_(
        self, event: str, *args: Any, delay: float = 0, send_id: str | None = None, **kwargs: Any
    ) -> Any:
        """Send ``event`` on the internal queue: it runs within the current macrostep."""
        return self.send(event, *args, delay=delay, send_id=send_id, internal=True, **kwargs)

    def cancel_event(self, send_id: str) -> None:
        """Remove pending (delayed) events sent with ``send_id``."""
        self._get_engine().cancel(send_id)

    def activate_initial_state(self, **kwargs: Any) -> Any:
        """Enter the initial state if the machine has no state yet (a no-op otherwise).

        On the asyncio engine inside a running loop this returns an awaitable: the machine
        enters its initial state when it is awaited (``await sm.activate_initial_state()``).
        """
        return self._get_engine().activate_initial_state(kwargs)

    # --- reading state --------------------------------------------------------------------------
    def _state_of(self, value: Any) -> State:
        try:
            return type(self).states_map[value]
        except (KeyError, TypeError):
            raise exceptions.invalid_state_value(value) from None

    def _is_active(self, state: State) -> bool:
        value = getattr(self.model, self.state_field, None)
        if value is None:
            return False
        engine = self._engine
        if engine is None:
            engine = self._get_engine()
        if engine.chart:  # ancestors may be implied by a stored leaf
            return any(s is state for s in engine.configuration())
        return bool(value == state.value)

    @property
    def configuration_values(self) -> OrderedSet[Any]:
        """The values of the active states (ancestors included, also when the model stored
        only leaves)."""
        value = getattr(self.model, self.state_field, None)
        if value is None:
            return OrderedSet()
        engine = self._get_engine()
        if engine.chart:
            return OrderedSet(s.value for s in engine.configuration())
        # A stored value that names no state raises here, as `configuration` does.
        values = value if isinstance(value, OrderedSet) else (value,)
        return OrderedSet(self._state_of(v).value for v in values)

    @property
    def configuration(self) -> OrderedSet[State]:
        """The active states."""
        return OrderedSet(self._get_engine().configuration())

    @configuration.setter
    def configuration(self, states: Iterable[State]) -> None:
        values = [s.value for s in states]
        self.current_state_value = values[0] if len(values) == 1 else (OrderedSet(values) or None)

    @property
    def current_state_value(self) -> Any:
        """The raw value on the model (a scalar for one active state)."""
        return getattr(self.model, self.state_field, None)

    @current_state_value.setter
    def current_state_value(self, value: Any) -> None:
        if value is not None and not isinstance(value, OrderedSet):
            self._state_of(value)
        setattr(self.model, self.state_field, value)

    @property
    def current_state(self) -> Any:
        """Deprecated: use :attr:`configuration` (or ``sm.<state>.is_active``)."""
        import warnings

        warnings.warn(
            "current_state is deprecated; use configuration or sm.<state>.is_active.",
            DeprecationWarning,
            stacklevel=2,
        )
        config = self.configuration
        if not config:
            raise exceptions.no_current_state()
        return config[0] if len(config) == 1 else config

    @current_state.setter
    def current_state(self, state: State) -> None:
        import warnings

        warnings.warn(
            "current_state is deprecated; use configuration.", DeprecationWarning, stacklevel=2
        )
        self.current_state_value = state.value

    @property
    def history_values(self) -> dict[str, list[State]]:
        """What each history state remembers: history id -> the states to re-enter."""
        return {k: list(v) for k, v in self._get_engine().history.items()}

    @property
    def is_terminated(self) -> bool:
        """True once a top-level final state has been entered."""
        return not self._get_engine().running

    # --- introspection ----------------------------------------------------------------------------
    @property
    def events(self) -> list[BoundEvent]:
        """Every declared event, bound to this instance."""
        return [
            getattr(self, e.id) if e.id.isidentifier() else BoundEvent(e, self)
            for e in type(self)._definition.events.values()
        ]

    @property
    def allowed_events(self) -> list[BoundEvent]:
        """Events with a transition from an active state (guards are not evaluated)."""
        active = {id(s) for s in self._get_engine().configuration()}
        definition = type(self)._definition
        result = []
        for e in definition.events.values():
            if any(id(t.source) in active for t in e.transitions):
                result.append(getattr(self, e.id) if e.id.isidentifier() else BoundEvent(e, self))
        return result

    def enabled_events(self, *args: Any, **kwargs: Any) -> Any:
        """Events that would fire now with these arguments: conditions are evaluated
        (validators are not). An event whose condition raises counts as enabled.

        Returns a list of bound events (an awaitable of it on the asyncio engine inside a
        running loop).
        """
        return self._get_engine().enabled_events(lambda: self.allowed_events, args, kwargs)

    def why_not(self, event: str, *args: Any, **kwargs: Any) -> Any:
        """Why ``event`` would not fire now with these arguments: a list of
        :class:`~statemachine.Refusal` (one per refused transition, naming the failing
        condition), empty if it would fire. Nothing runs but the conditions; validators are
        not evaluated (they may have effects).

        Returns the list (an awaitable of it on the asyncio engine inside a running loop).
        """
        engine = self._get_engine()
        return engine.run(engine._why_not(event, args, kwargs))

    # --- listeners --------------------------------------------------------------------------------
    def add_listener(self, *listeners: Any) -> StateChart[TModel]:
        """Attach more listeners at runtime; returns ``self`` for chaining.

        A listener with coroutine callbacks switches a sync machine to the asyncio engine.

        Raises:
            StateMachineError: that switch was asked for while the machine is processing
                an event (from one of its callbacks); add the listener outside callbacks.
        """
        engine = self._get_engine()
        before = self._runtime_listeners
        self._runtime_listeners = (*before, *listeners)
        owners = self._owners()
        program = self._program(owners)
        if program.is_async and not engine.is_async:
            if engine._lock.locked():
                self._runtime_listeners = before
                raise exceptions.coroutine_listener_while_processing(type(self).__name__)
            new = self._new_engine(owners)
            new.adopt(engine)
            self._engine = new
            return self
        engine.program = program
        engine.owners = owners
        return self

    @property
    def active_listeners(self) -> list[Any]:
        """Class-level, constructor and runtime listeners, in call order (each once)."""
        return list(self._owners()[2:])

    def bind_events_to(self, *targets: Any) -> None:
        """Set each event as a method on each target (skipping, with a warning, names in use)."""
        for target in targets:
            for event in type(self)._definition.events.values():
                if not event.id.isidentifier():
                    continue
                if hasattr(target, event.id):
                    import warnings

                    warnings.warn(
                        f"Attribute {event.id!r} already exists on {target!r}; "
                        "not binding the event.",
                        UserWarning,
                        stacklevel=2,
                    )
                    continue
                setattr(target, event.id, getattr(self, event.id))

    # --- dunder -----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        ids = [s.id for s in self.configuration]
        return (
            f"{type(self).__name__}(model={self.model!r}, state_field={self.state_field!r}, "
            f"configuration={ids!r})"
        )

    def __format__(self, spec: str) -> str:
        """``f"{sm:mermaid}"``, ``format(sm, "md")``: the machine in a diagram format, its
        active states highlighted; an empty spec gives ``str(sm)``, as for any object."""
        if not spec:
            return str(self)
        return _render(self, spec)

    def _graph(self) -> Any:
        """The Graphviz graph (a ``pydot.Dot``) of this machine, active states filled."""
        return _diagram().DotGraphMachine(self).get_graph()

    def _repr_svg_(self) -> str:
        """Jupyter: the diagram as SVG."""
        return _render(self, "svg")

    def _repr_html_(self) -> str:
        """Jupyter: the diagram as SVG inside a ``<div class="statemachine">``."""
        return f'<div class="statemachine">{self._repr_svg_()}</div>'

    def __getstate__(self) -> dict[str, Any]:
        state = {
            k: v
            for k, v in self.__dict__.items()
            if k not in ("_engine", "_state_views", "_recipe") and not isinstance(v, BoundEvent)
        }
        state["_running"] = self._get_engine().running
        # History records by state id: the states themselves belong to the class.
        state["_history"] = {h: [s.id for s in ss] for h, ss in self._get_engine().history.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        running = state.pop("_running", True)
        history = state.pop("_history", {})
        self.__dict__.update(state)
        owners = self._owners()
        self._engine = self._new_engine(owners)
        self._engine.running = running
        by_id = type(self)._definition.states_by_id
        self._engine.history = {h: [by_id[i] for i in ids] for h, ids in history.items()}


class _SetupData:
    """Lets ``setup(sm, **kwargs)`` receive the machine and constructor kwargs by name."""

    def __init__(self, machine: StateChart[Any], kwargs: dict[str, Any]) -> None:
        self.args = (machine,)
        self.kwargs = dict(kwargs)
        self._in_on = False
        self.machine = machine
        self.model = machine.model
        for name in (
            "event",
            "source",
            "target",
            "state",
            "transition",
            "event_data",
            "previous_configuration",
            "new_configuration",
        ):
            setattr(self, name, None)


_LIBRARY_BASES: tuple[type, ...] = (StateChart, Generic, object)


class StateMachine(StateChart[TModel]):
    """A :class:`StateChart` with the classic state machine defaults.

    Unknown or impossible events raise :class:`~statemachine.exceptions.TransitionNotAllowed`,
    internal self-transitions run no entry/exit callbacks, the configuration changes in one step
    after the ``on`` callbacks, and callback exceptions propagate to the caller.
    """

    allow_event_without_transition: ClassVar[bool] = False
    enable_self_transition_entries: ClassVar[bool] = False
    atomic_configuration_update: ClassVar[bool] = True
    catch_errors_as_events: ClassVar[bool] = False


_LIBRARY_BASES = (StateMachine, StateChart, Generic, object)
