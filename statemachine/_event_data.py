"""What an event carries (:class:`TriggerData`) and what callbacks see (:class:`EventData`)."""

from __future__ import annotations

from ._orderedset import OrderedSet
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from ._events import Event
    from ._states import State
    from ._transitions import Transition

__all__ = ["EventData", "TriggerData"]


class TriggerData:
    """One queued event: its name, arguments and scheduling data.

    Ordered by ``execution_time`` (then by arrival), so delayed events sort after due ones.
    """

    __slots__ = (
        "args",
        "event",
        "execution_time",
        "from_callback",
        "future",
        "internal",
        "kwargs",
        "machine",
        "meta",
        "outcome",
        "send_id",
        "seq",
    )

    def __init__(
        self,
        machine: Any,
        event: Event | str | None,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        send_id: str | None = None,
        execution_time: float = 0.0,
        seq: int = 0,
    ) -> None:
        self.machine = machine
        self.event = event
        self.args = args
        self.kwargs = kwargs if kwargs is not None else {}
        self.send_id = send_id
        self.execution_time = execution_time
        self.seq = seq
        # Asyncio engine: a future for a caller waiting on another task's processing, and
        # the outcome, (True, result) or (False, exception), once processed.
        self.future: Any = None
        self.outcome: tuple[bool, Any] | None = None
        self.from_callback = False  # sent by a callback of the macrostep being processed
        # On the internal queue (raise_, done.state, error.execution): never refused with
        # TransitionNotAllowed, which only answers events sent from outside.
        self.internal = False
        # What a sender attached to the event for its callbacks beyond its arguments (the
        # documents of `statemachine.io` keep SCXML's origin, origintype and invokeid here).
        self.meta: Any = None

    @property
    def model(self) -> Any:
        return self.machine.model

    def __lt__(self, other: TriggerData) -> bool:
        return (self.execution_time, self.seq) < (other.execution_time, other.seq)

    def __repr__(self) -> str:
        return f"TriggerData(event={self.event!r}, args={self.args!r}, kwargs={self.kwargs!r})"


class EventData:
    """Everything a callback can ask for by parameter name while an event is processed.

    The engine reuses one instance per microstep and moves ``state``/``source``/``target``
    along as the groups run (``state`` is the exited state during exit, the entered state during
    entry, and the source otherwise).
    """

    __slots__ = (
        "_chart",
        "_event",
        "_in_on",
        "_prev",
        "_td",
        "args",
        "kwargs",
        "machine",
        "source",
        "state",
        "target",
        "transition",
    )

    def __init__(
        self,
        machine: Any,
        event: str | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        transition: Transition | None = None,
        trigger_data: TriggerData | None = None,
    ) -> None:
        self.machine = machine
        self._event = event
        self.args = args
        self.kwargs = kwargs
        self._td = trigger_data
        self.transition = transition
        self.source: State | None = transition.source if transition is not None else None
        self.target: State | None = transition.target if transition is not None else None
        self.state: State | None = self.source
        # Values of the configuration before the microstep; set by the engine.
        self._prev: tuple[Any, ...] | None = None
        # Statecharts: (configuration before, states exited, states entered) of the microstep.
        self._chart: tuple[list[State], list[State], list[State]] | None = None
        # True while the `on` group runs: the only group that receives the configurations.
        self._in_on = False

    @property
    def trigger_data(self) -> TriggerData:
        """The queued event this data was built from (made on demand for direct sends)."""
        if self._td is None:
            self._td = TriggerData(self.machine, self._event, self.args, self.kwargs)
        return self._td

    @property
    def event(self) -> Event | str | None:
        """The triggering :class:`~statemachine.Event` (a ``str`` subclass); the raw name for
        events the class does not declare."""
        name = self._event
        if name is None:
            return None
        return type(self.machine)._definition.events.get(name, name)  # type: ignore[no-any-return]

    @property
    def model(self) -> Any:
        return self.machine.model

    @property
    def event_data(self) -> EventData:
        return self

    @property
    def extended_kwargs(self) -> dict[str, Any]:
        """The user's kwargs plus every injectable name, as one dict."""
        kw = dict(self.kwargs)
        kw.update(
            event_data=self,
            event=self.event,
            source=self.source,
            target=self.target,
            state=self.state,
            model=self.model,
            machine=self.machine,
            transition=self.transition,
        )
        return kw

    @property
    def previous_configuration(self) -> OrderedSet[State]:
        """The configuration before this microstep."""
        if self._chart is not None:
            return OrderedSet(self._chart[0])
        if self._prev is None:
            return OrderedSet(self.machine.configuration)
        states_map = type(self.machine).states_map
        return OrderedSet(states_map[v] for v in self._prev if v is not None)

    @property
    def new_configuration(self) -> OrderedSet[State]:
        """The configuration this microstep leads to."""
        if self._chart is not None:
            config, exits, entries = self._chart
            gone = {id(s) for s in exits}
            kept = [s for s in config if id(s) not in gone]
            return OrderedSet(sorted([*kept, *entries], key=lambda s: s.document_order))
        if self.transition is None or self.target is None:
            return OrderedSet(self.machine.configuration)
        prev = self.previous_configuration
        if self.transition.internal and self.transition.is_self:
            return OrderedSet(prev)
        result = OrderedSet(s for s in prev if s is not self.source)
        result.add(self.target)
        return result

    def __repr__(self) -> str:
        return (
            f"EventData(event={self.event!r}, source={getattr(self.source, 'id', None)!r}, "
            f"target={getattr(self.target, 'id', None)!r})"
        )
