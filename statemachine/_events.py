"""Events: :class:`Event` declarations and :class:`BoundEvent`, their callable instance view."""

from __future__ import annotations

from . import exceptions
from ._callbacks import RESERVED_KWARGS
from ._transitions import CallbackDecorators, Transition, TransitionList, event_matches
from ._typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from typing import Any

    from ._machine import StateChart

__all__ = ["BoundEvent", "Event", "expand_event_names"]


def expand_event_names(attr: str) -> list[str]:
    """Event ids for an attribute name, with the SCXML naming conventions.

    ``done_state_x`` also registers ``done.state.x``; ``done_invoke_x`` also ``done.invoke.x``;
    ``error_x_y`` also ``error.x.y``.
    """
    for prefix, dotted in (("done_state_", "done.state."), ("done_invoke_", "done.invoke.")):
        if attr.startswith(prefix) and len(attr) > len(prefix):
            return [attr, dotted + attr[len(prefix) :]]
    if attr.startswith("error_") and len(attr) > len("error_"):
        return [attr, attr.replace("_", ".")]
    return [attr]


class Event(CallbackDecorators, str):
    """An event: a named trigger for a list of transitions. It *is* its id (a ``str``).

    Args:
        transitions: the transitions it triggers (``a.to(b) | b.to(c)``); a ``str`` here is
            taken as the id.
        id: the programmatic id; defaults to the class attribute name.
        name: display name; defaults to the humanized id.
        delay: default delay in milliseconds for every send of this event.
        internal: send it on the internal queue by default.
    """

    id: str
    _name: Any
    _transitions: TransitionList
    delay: float
    internal: bool

    def __new__(
        cls,
        transitions: str | Transition | TransitionList | None = None,
        id: str | None = None,
        name: Any = None,
        delay: float = 0,
        internal: bool = False,
    ) -> Event:
        if isinstance(transitions, str):
            if id is not None:
                raise exceptions.event_id_twice(str(transitions), id)
            id, transitions = str(transitions), None
        if id is not None and not isinstance(id, str):
            raise exceptions.event_non_str_id(id)
        self = super().__new__(cls, id or "")
        self.id = id or ""
        self._name = name
        if isinstance(transitions, Transition):
            transitions = TransitionList([transitions])
        self._transitions = transitions if transitions is not None else TransitionList()
        self.delay = delay
        self.internal = internal
        return self

    @property
    def name(self) -> str:
        from ._states import humanize_id

        return str(self._name) if self._name else humanize_id(self.id)

    @property
    def transitions(self) -> TransitionList:
        return self._transitions

    def _renamed(self, event_id: str) -> Event:
        """A copy with ``event_id`` as id, used when the class attribute name becomes the id."""
        return Event(
            self._transitions,
            id=event_id,
            name=self._name,
            delay=self.delay,
            internal=self.internal,
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.id!r}, delay={self.delay!r}, internal={self.internal!r})"
        )

    def __reduce__(self) -> Any:
        return (str, (str(self),))

    def match(self, event: str) -> bool:
        """Whether this event's id, read as an SCXML event descriptor, matches ``event``:
        ``"error"`` (or ``"error."``, ``"error.*"``) matches ``"error.execution"``, ``"*"``
        matches any event."""
        return event_matches(self.id, event)

    def is_same_event(self, *_: Any, event: Any = None, **__: Any) -> bool:
        return event is not None and str(event) == self.id

    # --- decorators: add callbacks to every transition of the event --------------------------
    def _decorate(self, group: str, func: Any) -> Any:
        if not self._transitions:
            raise exceptions.callback_on_empty_event(func)
        # Through the list: `from_.any()` placeholders keep it for the transitions they
        # expand into at class creation.
        return self._transitions._decorate(group, func)

    # --- descriptor: ``sm.go`` is a callable BoundEvent ---------------------------------------
    @overload
    def __get__(self, instance: None, owner: type) -> Event: ...
    @overload
    def __get__(self, instance: StateChart[Any], owner: type) -> BoundEvent: ...
    @overload
    def __get__(self, instance: object, owner: type) -> Event: ...
    def __get__(self, instance: Any, owner: type) -> Event:
        if instance is None:
            return self
        bound = BoundEvent(self, instance)
        # Non-data descriptor: caching in the instance dict makes later lookups free.
        instance.__dict__[self.id] = bound
        return bound


class BoundEvent(Event):
    """An event bound to one machine instance; calling it sends the event."""

    _machine: StateChart[Any]

    def __new__(cls, event: Event, machine: StateChart[Any]) -> BoundEvent:
        self = str.__new__(cls, event.id)
        self.id = event.id
        self._name = event._name
        self._transitions = event._transitions
        self.delay = event.delay
        self.internal = event.internal
        self._machine = machine
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Send this event with ``args`` and ``kwargs``; returns what :meth:`send` returns."""
        if kwargs or self.delay or self.internal:
            if not RESERVED_KWARGS.isdisjoint(kwargs):  # e.g. `event=`: dropped, as in send()
                kwargs = {k: v for k, v in kwargs.items() if k not in RESERVED_KWARGS}
            return self._machine.send(self.id, *args, **kwargs)
        machine = self._machine
        engine = machine._engine
        if engine is None:
            if machine._quiet_send(self.id):
                return None
            engine = machine._get_engine()
        return engine.send(self.id, args, {})

    def __reduce__(self) -> Any:
        return (str, (str(self),))
