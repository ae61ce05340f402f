"""What machines loaded from documents need at run time: sessions, the scope expressions run
in, the ``_event`` system variable, and the delivery of events between sessions.

A *session* is one running machine built from a document (SCXML's term). It owns the system
variables (``_sessionid``, ``_name``, ``_ioprocessors``), knows its parent when it was
invoked, and its invoked children. The document's variables live on the machine's model.
"""

from __future__ import annotations

import itertools
import logging
import threading
import weakref
from collections.abc import Iterator, MutableMapping
from typing import Any

__all__ = [
    "SCXML_PROCESSOR",
    "EventData",
    "EventView",
    "Scope",
    "Session",
    "SessionError",
    "post",
    "session_of",
]

SCXML_PROCESSOR = "http://www.w3.org/TR/scxml/#SCXMLEventProcessor"
PROCESSOR_ALIASES = frozenset((SCXML_PROCESSOR, "scxml"))
logger = logging.getLogger("statemachine.io")

_ids = itertools.count(1)
_sessions: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
_sessions_lock = threading.Lock()


class SessionError(Exception):
    """An error SCXML reports as ``error.communication`` (a target that cannot be reached),
    as opposed to ``error.execution``."""


class EventData(dict):  # type: ignore[type-arg]
    """The data of an event (``_event.data``): a dict whose keys also read as attributes
    (``_event.data.amount``, ``_event.data.get('amount')``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class EventView:
    """The ``_event`` system variable: the event being processed."""

    __slots__ = ("data", "invokeid", "name", "origin", "origintype", "raw", "sendid", "type")

    def __init__(self, event_data: Any) -> None:
        name = event_data.event
        td = event_data.trigger_data
        meta = td.meta or {}
        self.name = str(name) if name is not None else ""
        if str(self.name).startswith(("error.", "done.")) and not meta:
            self.type = "platform"
        elif td.internal:
            self.type = "internal"
        else:
            self.type = "external"
        error = event_data.kwargs.get("error") if self.type == "platform" else None
        # An error raised by a <send> carries that send's id.
        self.sendid = td.send_id or getattr(error, "sendid", None)
        self.origin = meta.get("origin")
        self.origintype = meta.get("origintype")
        self.invokeid = meta.get("invokeid")
        if "data" in meta:
            data = meta["data"]
            if type(data) is dict:
                data = EventData(data)
        elif self.name.startswith("done.invoke.") and set(event_data.kwargs) == {"data"}:
            data = event_data.kwargs["data"]  # what the invoked session finished with
            if type(data) is dict:
                data = EventData(data)
            self.invokeid = self.invokeid or self.name[len("done.invoke.") :]
        elif event_data.args and not event_data.kwargs:
            data = event_data.args[0] if len(event_data.args) == 1 else list(event_data.args)
        elif event_data.kwargs:
            data = EventData(event_data.kwargs)
        else:
            data = None
        self.data = data
        self.raw = meta.get("raw")

    def __repr__(self) -> str:
        return f"_event(name={self.name!r}, type={self.type!r}, data={self.data!r})"


class Session:
    """The runtime side of one machine built from a document."""

    def __init__(self, machine: Any, name: str | None, parent: Any = None) -> None:
        self.sessionid = f"{next(_ids)}.{id(self):x}"
        self.name = name
        self.machine_ref = weakref.ref(machine)
        # How to send an event to the session that invoked this one, and this one's id in
        # it: (deliver(event, data, meta), invokeid), or None.
        self.parent = parent
        self.children: dict[str, Any] = {}
        self.bound: set[str] = set()  # states whose (late-bound) data is initialised
        self.initialised = False
        self.last_event: EventView | None = None
        self.donedata: Any = None  # the data of the top-level final state entered
        location = f"#_scxml_{self.sessionid}"
        processor = EventData(location=location)  # both processor["location"] and .location
        self.ioprocessors = {SCXML_PROCESSOR: processor, "scxml": processor}
        self.timers: dict[str, list[threading.Timer]] = {}
        # The event loop the machine was created in, if any: events from other threads (an
        # invoked child's, a timer's) reach a machine on the asyncio engine through it.
        self.loop: Any = None
        try:
            import asyncio

            self.loop = asyncio.get_running_loop()
        except RuntimeError:
            pass
        self.sendids = itertools.count(1)
        with _sessions_lock:
            _sessions[self.sessionid] = machine

    @property
    def machine(self) -> Any:
        machine = self.machine_ref()
        if machine is None:  # pragma: no cover - the machine owns its session
            raise SessionError("the session's machine is gone")
        return machine

    def scope(self, event_data: Any) -> Scope:
        return Scope(self, event_data)

    def raise_error(
        self, exc: BaseException, kind: str = "error.execution", sendid: str | None = None
    ) -> None:
        """Queue ``error.execution`` (or ``error.communication``) for ``exc`` on the internal
        queue, as SCXML asks when executable content fails without stopping the machine;
        ``sendid``: the id of the ``<send>`` that failed."""
        post(self.machine, kind, {"error": exc}, None, send_id=sendid, internal=True)

    @staticmethod
    def lookup(sessionid: str) -> Any:
        with _sessions_lock:
            return _sessions.get(sessionid)

    def new_sendid(self) -> str:
        return f"send.{self.sessionid}.{next(self.sendids)}"


def post(
    machine: Any,
    event: str,
    kwargs: dict[str, Any],
    meta: dict[str, Any] | None,
    *,
    delay: float = 0,
    send_id: str | None = None,
    internal: bool = False,
) -> None:
    """Queue an event (with its SCXML metadata) on ``machine``, from any thread: a machine on
    the asyncio engine gets it on its own event loop (the loop it was started in)."""
    engine = machine._get_engine()
    session = machine.__dict__.get("_io_session")
    loop = session.loop if session is not None else None
    if engine.is_async and loop is not None and not loop.is_closed():
        import asyncio

        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is not loop:

            async def on_loop() -> None:
                result = engine.post(event, (), kwargs, delay, send_id, internal, meta)
                if hasattr(result, "__await__"):
                    await result

            asyncio.run_coroutine_threadsafe(on_loop(), loop)
            return
    result = engine.post(event, (), kwargs, delay, send_id, internal, meta)
    if hasattr(result, "cr_frame"):  # the processing, as a coroutine of the running loop
        import asyncio

        task = asyncio.ensure_future(result)
        _RUNNING.add(task)  # (the loop keeps weak references to its tasks only)
        task.add_done_callback(_RUNNING.discard)


_RUNNING: set[Any] = set()


def session_of(machine: Any) -> Session:
    session: Session = machine.__dict__["_io_session"]
    return session


_CONSTANTS = {"true": True, "false": False, "null": None}


class Scope(MutableMapping[str, Any]):
    """Where expressions and scripts read and write names: the system variables, then the
    machine model's attributes (the document's variables). Assigning a system variable, or
    the model's state field, is an error.

    Names starting with ``__`` never reach the model: they are Python's own and the
    restricted evaluator's helpers, which a model answering every name (``__getattr__``)
    must not be able to replace.
    """

    __slots__ = ("_event", "event_data", "model", "session")

    def __init__(self, session: Session, event_data: Any) -> None:
        self.session = session
        self.event_data = event_data
        self.model = session.machine.model
        self._event: EventView | None = None

    def __getitem__(self, name: str) -> Any:
        if name.startswith("_"):
            session = self.session
            if name == "_event":
                return self.event()
            if name == "_sessionid":
                return session.sessionid
            if name == "_name":
                return session.name
            if name == "_ioprocessors":
                return session.ioprocessors
            if name.startswith("__"):
                raise KeyError(name)
        elif name == "In":
            return self.active
        try:
            return getattr(self.model, name)
        except AttributeError:
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            raise KeyError(name) from None

    def __setitem__(self, name: str, value: Any) -> None:
        if name in ("_event", "_sessionid", "_name", "_ioprocessors"):
            raise ValueError(f"the system variable {name!r} cannot be assigned")
        machine = self.session.machine
        if name == machine.state_field:
            # Writing it would move the machine to another state without a transition (no
            # exit or entry content runs).
            raise ValueError(
                f"{name!r} is the state field of the machine's model, not a variable of the "
                "document; rename the variable"
            )
        setattr(self.model, name, value)

    def __delitem__(self, name: str) -> None:
        delattr(self.model, name)

    def __contains__(self, name: object) -> bool:
        try:
            self[name]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(vars(self.model))

    def __len__(self) -> int:
        return len(vars(self.model))

    def event(self) -> EventView | None:
        if self._event is None and self.event_data is not None:
            if self.event_data.event in (None, "__initial__"):
                # Eventless transitions (and the initial entry, before any event) see the
                # last event processed, if any.
                return self.session.last_event
            self._event = EventView(self.event_data)
            self.session.last_event = self._event
        return self._event

    def active(self, *state_ids: str) -> bool:
        """``In('a', 'b')``: every one of these states is active."""
        active = {s.id for s in self.session.machine.configuration}
        return all(i in active for i in state_ids)
