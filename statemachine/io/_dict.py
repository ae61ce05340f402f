"""The dict API: :func:`create_machine_class_from_definition`, a machine declared as Python
dicts (callables allowed), read into the document model like any other format.

Its vocabulary is python-statemachine's: a state's transitions come from ``on`` (a mapping of
event to transition dicts) or ``transitions`` (a list, eventless unless a transition names its
``event``); guards, validators and actions are what a machine declared in Python takes (method
names, boolean expressions over names, callables). The class is an ordinary ``StateChart``
subclass: its validations run, and ``**definition`` becomes class attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypedDict

from statemachine.exceptions import no_states

from . import _document as doc
from ._native import _child, _unknown_keys, _wrong_type, add_transitions, history_default

if TYPE_CHECKING:
    from statemachine._machine import StateChart

__all__ = [
    "ActionProtocol",
    "HistoryDefinition",
    "StateDefinition",
    "TransitionDict",
    "create_machine_class_from_definition",
]


class ActionProtocol(Protocol):
    """A callable used as an action, guard, validator or donedata (arguments are injected by
    name, as for any callback)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


# (python-statemachine's alias lists Sequence[str] and Sequence[ActionProtocol]; a list may
# mix names and callables here.)
_Callbacks: TypeAlias = str | ActionProtocol | Sequence[str | ActionProtocol]


class TransitionDict(TypedDict, total=False):
    """A transition: ``target`` (space-separated ids; none: targetless), ``event`` (added to
    the event it is declared under), guards, validators and actions."""

    target: str | None
    event: str | None
    internal: bool
    initial: bool
    validators: _Callbacks
    cond: _Callbacks
    unless: _Callbacks
    on: _Callbacks
    before: _Callbacks
    after: _Callbacks


class StateDefinition(TypedDict, total=False):
    """A state: its flags, callbacks, children, history states and transitions."""

    name: str
    value: Any
    initial: bool
    final: bool
    parallel: bool
    enter: _Callbacks
    exit: _Callbacks
    donedata: ActionProtocol | None
    states: dict[str, StateDefinition]
    history: dict[str, HistoryDefinition]
    on: dict[str | None, list[TransitionDict]]
    transitions: list[TransitionDict]


class HistoryDefinition(TypedDict, total=False):
    """A history state: ``type`` (``"shallow"`` or ``"deep"``) and its default transition
    (one, in ``transitions``)."""

    name: str
    value: Any
    type: str
    on: dict[str | None, list[TransitionDict]]
    transitions: list[TransitionDict]


STATE_KEYS = frozenset(StateDefinition.__annotations__)
TRANSITION_KEYS = frozenset(TransitionDict.__annotations__)
HISTORY_KEYS = frozenset(HistoryDefinition.__annotations__)


class _Reader:
    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise _wrong_type(path, "a dict", value)
        return dict(value)

    def keys(self, data: Mapping[str, Any], allowed: frozenset[str], label: str, path: str) -> None:
        unknown = [str(k) for k in data if k not in allowed]
        if unknown:
            raise _unknown_keys(label, unknown, allowed, path)

    def flag(self, data: Mapping[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise _wrong_type(_child(path, key), "True or False", value)
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str) -> str | None:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise _wrong_type(_child(path, key), "a string", value)
        return value

    def specs(self, value: Any, path: str) -> list[Any]:
        """Callback specs: a name, a callable, or a list of them."""
        items = value if isinstance(value, (list, tuple)) else [value]
        for i, item in enumerate(items):
            if not (isinstance(item, str) or callable(item)):
                where = f"{path}[{i}]" if items is value else path
                raise _wrong_type(where, "a name or a callable", item)
        return list(items)

    def actions(self, value: Any, path: str) -> list[doc.Action]:
        return [doc.CallbackRef(name=spec, where=path) for spec in self.specs(value, path)]

    # --- states --------------------------------------------------------------------------
    def states(self, value: Any, path: str) -> list[doc.StateDef]:
        states = self.mapping(value, path)
        return [self.state(str(i), body, _child(path, str(i))) for i, body in states.items()]

    def state(self, ident: str, value: Any, path: str) -> doc.StateDef:
        data = self.mapping(value, path)
        self.keys(data, STATE_KEYS, f"state {ident!r}", path)
        final = self.flag(data, "final", path)
        parallel = self.flag(data, "parallel", path)
        sdef = doc.StateDef(
            id=ident,
            kind="final" if final else "parallel" if parallel else "state",
            name=self.text(data, "name", path),
            value=data.get("value"),
            initial=self.flag(data, "initial", path),
            where=path,
        )
        if "states" in data:
            sdef.states = self.states(data["states"], _child(path, "states"))
        if "history" in data:
            hpath = _child(path, "history")
            sdef.history = [
                self.history(str(h), body, _child(hpath, str(h)))
                for h, body in self.mapping(data["history"], hpath).items()
            ]
        if "enter" in data:
            sdef.onentry = [self.actions(data["enter"], _child(path, "enter"))]
        if "exit" in data:
            sdef.onexit = [self.actions(data["exit"], _child(path, "exit"))]
        if data.get("donedata") is not None:
            donedata = data["donedata"]
            if not (isinstance(donedata, str) or callable(donedata)):
                raise _wrong_type(_child(path, "donedata"), "a name or a callable", donedata)
            sdef.donedata = doc.DoneData(callback=donedata)
        add_transitions(sdef, self.transitions(data, path))
        return sdef

    def history(self, ident: str, value: Any, path: str) -> doc.HistoryDef:
        data = self.mapping(value, path)
        self.keys(data, HISTORY_KEYS, f"history {ident!r}", path)
        kind = data.get("type", "shallow")
        if kind not in ("shallow", "deep"):
            raise _wrong_type(_child(path, "type"), "'shallow' or 'deep'", kind)
        hdef = doc.HistoryDef(
            id=ident,
            deep=kind == "deep",
            name=self.text(data, "name", path),
            value=data.get("value"),
            where=path,
        )
        hdef.transition = history_default(hdef, self.transitions(data, path))
        return hdef

    # --- transitions ---------------------------------------------------------------------
    def transitions(
        self, data: Mapping[str, Any], path: str
    ) -> list[tuple[doc.TransitionDef, bool]]:
        """The transitions of ``on`` (by event) and of ``transitions``, in that order."""
        found = []
        if "on" in data:
            opath = _child(path, "on")
            for event, items in self.mapping(data["on"], opath).items():
                if event is not None and not isinstance(event, str):
                    raise _wrong_type(_child(opath, repr(event)), "an event name", event)
                epath = _child(opath, str(event))
                for i, item in enumerate(self.items(items, epath)):
                    found.append(self.transition(item, event, f"{epath}[{i}]"))
        if "transitions" in data:
            tpath = _child(path, "transitions")
            for i, item in enumerate(self.items(data["transitions"], tpath)):
                found.append(self.transition(item, None, f"{tpath}[{i}]"))
        return found

    def items(self, value: Any, path: str) -> list[Any]:
        if isinstance(value, Mapping):
            return [value]
        if not isinstance(value, (list, tuple)):
            raise _wrong_type(path, "a list of transition dicts", value)
        return list(value)

    def transition(
        self, value: Any, event: str | None, path: str
    ) -> tuple[doc.TransitionDef, bool]:
        data = self.mapping(value, path)
        self.keys(data, TRANSITION_KEYS, "transition", path)
        own = self.text(data, "event", path)
        target = self.text(data, "target", path)
        events = " ".join(e for e in (event, own) if e)
        tdef = doc.TransitionDef(
            event=" ".join(events.split()) or None,
            targets=target.split() if target else [],
            internal=self.flag(data, "internal", path),
            where=path,
        )
        for key in ("cond", "unless", "validators"):
            if data.get(key) is not None:
                setattr(tdef, key, self.specs(data[key], _child(path, key)))
        for key in ("before", "on", "after"):
            if data.get(key) is not None:
                setattr(tdef, key, self.actions(data[key], _child(path, key)))
        return tdef, self.flag(data, "initial", path)


def create_machine_class_from_definition(
    name: str, states: Mapping[str, StateDefinition], **definition: Any
) -> type[StateChart[Any]]:
    """Create a :class:`~statemachine.StateChart` subclass from dicts.

    >>> from statemachine.io import create_machine_class_from_definition
    >>> Door = create_machine_class_from_definition(
    ...     "Door",
    ...     states={
    ...         "closed": {"initial": True, "on": {"open": [{"target": "opened"}]}},
    ...         "opened": {"on": {"close": [{"target": "closed"}]}},
    ...     },
    ... )
    >>> door = Door()
    >>> door.send("open")
    >>> door.opened.is_active
    True

    Args:
        name: the class name.
        states: state id -> :class:`StateDefinition`: ``initial``, ``final``,
            ``parallel``, ``name``, ``value``, ``enter``/``exit`` callbacks, ``donedata``,
            nested ``states``, ``history`` states, and transitions under ``on`` (event ->
            list of :class:`TransitionDict`) or ``transitions`` (eventless, unless a
            transition names its ``event``).
        **definition: class attributes, such as ``validate_final_reachability=False`` or
            methods.

    Raises:
        InvalidDefinition: an unknown key or a value of the wrong type (the message or its
            note names its path, such as ``states.green.on.go[0]``), or anything a class
            declared in Python would be refused for.
    """
    if not isinstance(states, Mapping):
        raise _wrong_type("states", "a dict of state id -> state definition", states)
    if not states:
        raise no_states()
    from ._factory import build_class

    document = doc.Document(name=name, format="dict", attributes=dict(definition))
    document.states = _Reader().states(states, "states")
    return build_class(document, trusted=False, name=name)
