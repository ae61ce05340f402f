"""Transitions (:class:`Transition`) and the lists that compose them into events."""

from __future__ import annotations

from . import exceptions
from ._callbacks import Group, Priority, SpecListAttribute
from ._typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any, NoReturn, TypeVar

    _F = TypeVar("_F", bound=Callable[..., Any])

    from ._events import BoundEvent
    from ._machine import StateChart
    from ._states import State

__all__ = [
    "AnySource",
    "Transition",
    "TransitionList",
    "event_matches",
    "split_events",
    "take_declared",
]


_new_object = object.__new__


def split_events(event: Any) -> list[str]:
    """Normalize the ``event=`` kwarg (str, space-separated str, Event, or list) to ids."""
    if event is None:
        return []
    if isinstance(event, str):
        # An Event object is split like a string: `Event("a b")` declares `a` and `b`.
        ident = getattr(event, "id", None)
        return [e for e in str(ident or event).split() if e]
    if isinstance(event, (list, tuple)):
        return [e for item in event for e in split_events(item)]
    raise exceptions.invalid_event_spec(event)


def _unnamed_events(event: Any) -> list[Any]:
    if isinstance(event, (list, tuple)):
        return [e for item in event for e in _unnamed_events(item)]
    if isinstance(event, str) and hasattr(event, "id") and not event:
        return [event]
    return []


def event_matches(descriptor: str, event: str) -> bool:
    """SCXML event matching: ``error`` matches ``error.execution``; ``*`` matches anything."""
    if descriptor == "*" or descriptor == event:
        return True
    if descriptor.endswith(".*"):
        descriptor = descriptor[:-2]
    elif descriptor.endswith("."):
        descriptor = descriptor[:-1]
    return event == descriptor or event.startswith(descriptor + ".")


class Transition:
    """A transition from ``source`` to ``target``, with its guards and actions.

    Built by ``source.to(target, **kwargs)``; ``target`` None means a targetless transition
    (it runs its actions and changes no state).
    """

    # Callback groups, usable as decorators: ``@transition.cond``. ``unless`` guards must all
    # be falsy.
    # Events referenced before the class named them (``event=start`` where
    # ``start = Event(...)`` is declared above); resolved at class creation. Most have none.
    _event_refs: list[Any] = []  # never mutated: replaced per instance when there are some
    # Event id -> the Event object given for it (its display name, delay and internal flag
    # are kept for the event the class declares, and shown by repr()). Most transitions are
    # given none: never mutated, replaced per instance by the first one given.
    _event_objects: dict[str, Any] = {}
    # Set when a callback spec list is made (SpecListAttribute): most have none.
    _has_specs = False

    validators = SpecListAttribute(Group.VALIDATORS)
    cond = SpecListAttribute(Group.COND)
    unless = SpecListAttribute(Group.COND, unless=True)
    before = SpecListAttribute(Group.BEFORE)
    on = SpecListAttribute(Group.ON)
    after = SpecListAttribute(Group.AFTER)

    def __init__(
        self,
        source: State,
        target: State | list[State] | None = None,
        event: Any = None,
        internal: bool = False,
        initial: bool = False,
        validators: Any = None,
        cond: Any = None,
        unless: Any = None,
        on: Any = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        self.source = source
        if target is None:
            self.targets: list[State] = []
        else:
            self.targets = target if isinstance(target, list) else [target]
        self.internal = internal
        self.initial = initial
        if event is None:  # most transitions: their event is named by the class attribute
            self._events: list[str] = []
        else:
            self._events = split_events(event)
            for e in event if isinstance(event, (list, tuple)) else [event]:
                if getattr(e, "id", None):
                    for ident in split_events(e):
                        self._keep_event_object(ident, e)
            refs = _unnamed_events(event)
            if refs:
                self._event_refs = refs
        # Each test below is cheap, and most transitions have none of these.
        if validators is not None:
            self.validators.add(validators)
        if cond is not None:
            self.cond.add(cond)
        if unless is not None:
            self.unless.add(unless)
        if before is not None:
            self.before.add(before)
        if on is not None:
            self.on.add(on)
        if after is not None:
            self.after.add(after)
        if initial and (self._events or cond is not None or unless is not None):
            raise exceptions.initial_transition_with_cond()

    @property
    def target(self) -> State | None:
        """The first target (most transitions have exactly one)."""
        return self.targets[0] if self.targets else None

    @property
    def events(self) -> list[str]:
        """The ids of the events that trigger this transition."""
        return list(self._events)

    @property
    def event(self) -> str:
        """The event ids, space-separated (``""`` for an eventless transition)."""
        return " ".join(self._events)

    @property
    def is_self(self) -> bool:
        return self.target is self.source

    @property
    def is_eventless(self) -> bool:
        return not self._events

    def add_event(self, event_id: str, event: Any = None) -> None:
        """Make ``event_id`` trigger this transition (``event``: the Event object, if any)."""
        if event_id not in self._events:
            self._events.append(event_id)
        if event is not None:
            self._keep_event_object(event_id, event)

    def _keep_event_object(self, event_id: str, event: Any) -> None:
        if not self._event_objects:
            self._event_objects = {}  # this transition's own (the class's is shared)
        self._event_objects.setdefault(event_id, event)

    def match(self, event: str | None) -> bool:
        """Whether this transition is triggered by ``event`` (None: the null event)."""
        if event is None:
            return not self._events
        return any(event_matches(d, event) for d in self._events)

    def __repr__(self) -> str:
        # python-statemachine's form: state names, and the events as Event reprs.
        target = self.target.name if self.target is not None else None
        events = []
        for e in self._events:
            given = self._event_objects.get(e)
            delay, internal = (given.delay, given.internal) if given is not None else (0, False)
            events.append(f"Event({e!r}, delay={delay!r}, internal={internal!r})")
        return (
            f"Transition({self.source.name!r}, {target!r}, event=[{', '.join(events)}], "
            f"internal={self.internal!r}, initial={self.initial!r})"
        )

    def __str__(self) -> str:
        target = self.target.id if self.target is not None else ""
        return f"{self.source.id} -> {target}"


class AnySource:
    """Placeholder for ``target.from_.any()``: expanded at class creation into one transition
    from every non-final top-level state."""

    def __init__(self, target: State, kwargs: dict[str, Any]) -> None:
        self.target = target
        self.kwargs = kwargs
        self.expanded: list[Transition] = []
        self.decorators: list[tuple[str, Any]] = []

    def expand(self, sources: Iterable[State]) -> list[Transition]:
        if not self.expanded:
            self.expanded = [
                s._add_transition(self.target, dict(self.kwargs)) for s in sources if not s.final
            ]
            for t in self.expanded:
                for group, func in self.decorators:
                    getattr(t, group).add(func, Priority.DECORATOR)
        return self.expanded


class CallbackDecorators:
    """``@x.before``, ``@x.on``... for events and transition lists: each adds the decorated
    function to the callback group of every transition and returns it unchanged."""

    __slots__ = ()

    def _decorate(self, group: str, func: Any) -> Any:
        raise NotImplementedError

    def before(self, func: Any) -> Any:
        return self._decorate("before", func)

    def after(self, func: Any) -> Any:
        return self._decorate("after", func)

    def on(self, func: Any) -> Any:
        return self._decorate("on", func)

    def cond(self, func: Any) -> Any:
        return self._decorate("cond", func)

    def unless(self, func: Any) -> Any:
        return self._decorate("unless", func)

    def validators(self, func: Any) -> Any:
        return self._decorate("validators", func)


class TransitionList(CallbackDecorators):
    """An ordered list of transitions, composed with ``|``; assigning one to a class attribute
    declares an event.

    Its decorator methods (``@go.on``, ``@go.cond``...) add the function to every transition of
    the list and return it unchanged. Calling it with a function (``@a.to(b)``) declares an
    event whose ``on`` action is that function.
    """

    __slots__ = ("_items",)

    def __init__(self, transitions: Iterable[Transition | AnySource] | None = None) -> None:
        self._items: list[Transition | AnySource] = list(transitions or [])

    @staticmethod
    def _of(items: list[Transition | AnySource]) -> TransitionList:
        """A list owning ``items`` (not copied): what the builders and ``|`` make."""
        made = _new_object(TransitionList)
        made._items = items
        return made

    # --- composition --------------------------------------------------------------------------
    def __or__(self, other: Any) -> TransitionList:
        if not isinstance(other, TransitionList):
            from ._events import Event  # here: _events imports this module

            if not isinstance(other, Event):
                return NotImplemented
            other = other._transitions
        return TransitionList._of(self._items + other._items)

    def add_transitions(self, transitions: Iterable[Transition | AnySource]) -> TransitionList:
        for t in transitions:
            if isinstance(t, TransitionList):
                self._items.extend(t._items)
            else:
                self._items.append(t)
        return self

    @property
    def transitions(self) -> list[Transition]:
        return [t for t in self._items if isinstance(t, Transition)]

    def _expand(self, top_level: list[State]) -> None:
        """Replace each ``from_.any()`` placeholder with the transitions it stands for."""
        if not any(type(t) is AnySource for t in self._items):
            return  # the common case: nothing to expand
        items: list[Transition | AnySource] = []
        for t in self._items:
            items.extend(t.expand(top_level) if isinstance(t, AnySource) else [t])
        self._items = items

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.transitions)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Transition:
        return self.transitions[index]

    def __bool__(self) -> bool:
        return bool(self._items)

    def __repr__(self) -> str:
        return f"TransitionList({self._items!r})"

    @property
    def unique_events(self) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.transitions:
            for e in t.events:
                seen[e] = None
        return list(seen)

    @property
    def has_eventless_transition(self) -> bool:
        return any(t.is_eventless for t in self.transitions)

    # --- decorators --------------------------------------------------------------------------
    def _decorate(self, name: str, func: Any) -> Any:
        for t in self._items:
            if isinstance(t, AnySource):
                t.decorators.append((name, func))
            else:
                getattr(t, name).add(func, Priority.DECORATOR)
        return func

    if TYPE_CHECKING:
        # The metaclass turns a TransitionList class attribute into an Event, so on an
        # instance ``sm.go`` is a BoundEvent; this tells type checkers the same.
        @overload
        def __get__(self, instance: StateChart[Any], owner: type) -> BoundEvent: ...
        @overload
        def __get__(self, instance: object, owner: type) -> TransitionList: ...
        def __get__(self, instance: Any, owner: type) -> Any: ...

    @overload
    def __call__(self, func: _F, /) -> _F: ...
    @overload
    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``@a.to(b)`` above a function: the function becomes the ``on`` action of every
        transition of the list, and is returned unchanged. As a class attribute it declares an
        event named after it (class creation finds the list through :func:`take_declared`).

        Raises:
            TypeError: anything but a single callable argument.
        """
        if len(args) != 1 or kwargs or not callable(args[0]):
            raise exceptions.decorator_only(type(self).__name__)
        func = args[0]
        self._decorate("on", func)
        _declare(func, self)
        return func


# ``@a.to(b)`` returns the function itself, so the class namespace holds the function, not the
# list. The list waits here, keyed by the function's id (with the function, so the id stays
# its own), until class creation takes it to make the function's event. Nothing is stored on
# the user's function, and a taken entry leaves nothing behind.
_declared: dict[int, tuple[Any, TransitionList]] = {}


def _declare(func: Any, transitions: TransitionList) -> None:
    previous = _declared.get(id(func))
    if previous is not None and previous[0] is func:
        # stacked decorators: one event with the transitions of both lists
        transitions = previous[1] | transitions
    _declared[id(func)] = (func, transitions)


def take_declared(value: Any) -> TransitionList | None:
    """The transitions ``@a.to(b)`` attached to ``value``, if it was decorated so; removed
    from the waiting list (class creation takes them once)."""
    entry = _declared.get(id(value)) if _declared else None
    if entry is None or entry[0] is not value:
        return None
    del _declared[id(value)]
    return entry[1]
