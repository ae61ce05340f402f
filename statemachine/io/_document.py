"""The format-free document model: what every reader produces and the class factory reads.

Plain dataclasses, no behaviour. A reader (SCXML, JSON/YAML, dict) turns its format into a
:class:`Document`; :mod:`statemachine.io._factory` turns a document into an ordinary
:class:`~statemachine.StateChart` subclass. Expressions are kept as source text here; the
factory compiles them (and the evaluator checks them) once, at load.

``where`` fields say where an element came from (``"state 's1' > onentry > assign"``,
``"states.s1.transitions[0].cond"``), for error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SETTINGS",
    "Action",
    "Assign",
    "CallbackRef",
    "Cancel",
    "Content",
    "DataItem",
    "Document",
    "DoneData",
    "Foreach",
    "HistoryDef",
    "If",
    "Invoke",
    "Log",
    "Param",
    "Raise",
    "Script",
    "Send",
    "StateDef",
    "TransitionDef",
]


# The class options a document may set (``settings`` in JSON/YAML, ``py:`` attributes of
# ``<scxml>``), with their values in a StateChart, which is what a document loads into.
SETTINGS: dict[str, bool] = {
    "allow_event_without_transition": True,
    "enable_self_transition_entries": True,
    "atomic_configuration_update": False,
    "catch_errors_as_events": True,
}


@dataclass
class DataItem:
    """A datamodel variable: ``id`` initialised from ``expr``, inline ``content`` or ``src``."""

    id: str
    expr: str | None = None
    content: Any = None
    src: str | None = None
    where: str = ""


@dataclass
class Param:
    """A ``<param>``: a name given the value of ``expr`` or of the variable ``location``."""

    name: str
    expr: str | None = None
    location: str | None = None
    where: str = ""


@dataclass
class Content:
    """A ``<content>``: a value from ``expr``, a literal ``value``, or a nested ``document``
    (the machine an ``<invoke>`` runs)."""

    expr: str | None = None
    value: Any = None
    document: Document | None = None


class Action:
    """Executable content (one item of an ``onentry``, a transition body, ...)."""

    where: str


@dataclass
class CallbackRef(Action):
    """A method of the machine, model or listeners, named in the document (native formats);
    the dict API also gives callables."""

    name: str | Callable[..., Any]
    where: str = ""


@dataclass
class Raise(Action):
    event: str
    where: str = ""


@dataclass
class Assign(Action):
    location: str
    expr: str | None = None
    content: Any = None
    where: str = ""


@dataclass
class Log(Action):
    label: str | None = None
    expr: str | None = None
    where: str = ""


@dataclass
class If(Action):
    """``branches``: ``(cond, actions)`` pairs in order; the ``else`` branch has cond None."""

    branches: list[tuple[str | None, list[Action]]]
    where: str = ""


@dataclass
class Foreach(Action):
    array: str
    item: str
    index: str | None = None
    actions: list[Action] = field(default_factory=list)
    where: str = ""


@dataclass
class Send(Action):
    event: str | None = None
    eventexpr: str | None = None
    target: str | None = None
    targetexpr: str | None = None
    type: str | None = None
    typeexpr: str | None = None
    id: str | None = None
    idlocation: str | None = None
    delay: str | None = None
    delayexpr: str | None = None
    namelist: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    content: Content | None = None
    where: str = ""


@dataclass
class Cancel(Action):
    sendid: str | None = None
    sendidexpr: str | None = None
    where: str = ""


@dataclass
class Script(Action):
    source: str
    where: str = ""


@dataclass
class DoneData:
    """The data of a final state's ``done.state`` event: ``params`` or ``content`` (or, from
    the dict API, a ``callback``: a callable or a method name returning the data)."""

    params: list[Param] = field(default_factory=list)
    content: Content | None = None
    callback: str | Callable[..., Any] | None = None


@dataclass
class Invoke:
    """An ``<invoke>``: a child machine (from ``src`` or inline ``content``) run while the
    state is active; or (``callback``) a method named by the document, run as a machine
    declared in Python runs ``State(invoke="name")``."""

    type: str | None = None
    typeexpr: str | None = None
    src: str | None = None
    srcexpr: str | None = None
    id: str | None = None
    idlocation: str | None = None
    autoforward: bool = False
    namelist: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    content: Content | None = None
    finalize: list[Action] = field(default_factory=list)
    callback: str | None = None
    where: str = ""


@dataclass
class TransitionDef:
    """A transition. ``event`` is the space-separated descriptors (None: eventless);
    ``targets`` empty: targetless; ``cond`` / ``unless``: expressions, all must hold / fail.

    From the dict API (``Document.format == "dict"``), ``cond``, ``unless`` and
    ``validators`` are callback specs as a machine declared in Python takes them (names,
    boolean expressions over names, callables), and ``internal`` is taken as given."""

    event: str | None = None
    targets: list[str] = field(default_factory=list)
    cond: list[Any] = field(default_factory=list)
    unless: list[Any] = field(default_factory=list)
    internal: bool = False
    before: list[Action] = field(default_factory=list)
    on: list[Action] = field(default_factory=list)
    after: list[Action] = field(default_factory=list)
    validators: list[Any] = field(default_factory=list)
    where: str = ""


@dataclass
class HistoryDef:
    id: str
    deep: bool = False
    transition: TransitionDef | None = None  # the default, used while nothing is recorded
    name: str | None = None  # the display name (default: the id)
    value: Any = None  # the value (default: the id)
    where: str = ""


@dataclass
class StateDef:
    """A state. ``kind``: ``"state"``, ``"parallel"`` or ``"final"``. Entry and exit
    content is a list of blocks (each SCXML ``<onentry>`` is a block of its own: an error
    stops its block only)."""

    id: str
    kind: str = "state"
    name: str | None = None  # the display name (default: the id, humanized)
    value: Any = None  # the value stored on the model (default: the id)
    initial: bool = False  # native formats: this state is its parent's initial one
    initial_ids: list[str] = field(default_factory=list)  # SCXML `initial="a b"`
    initial_transition: TransitionDef | None = None  # SCXML `<initial>`
    states: list[StateDef] = field(default_factory=list)
    history: list[HistoryDef] = field(default_factory=list)
    transitions: list[TransitionDef] = field(default_factory=list)
    onentry: list[list[Action]] = field(default_factory=list)
    onexit: list[list[Action]] = field(default_factory=list)
    invokes: list[Invoke] = field(default_factory=list)
    datamodel: list[DataItem] = field(default_factory=list)
    donedata: DoneData | None = None
    where: str = ""


@dataclass
class Document:
    """A whole machine: its top-level states, datamodel and options."""

    name: str | None = None
    states: list[StateDef] = field(default_factory=list)
    initial_ids: list[str] = field(default_factory=list)
    datamodel: list[DataItem] = field(default_factory=list)
    binding: str = "early"
    scripts: list[Script] = field(default_factory=list)
    description: str | None = None
    base_path: str | None = None  # the folder relative references resolve against
    format: str = ""
    # Class attributes: the dict API's, or the SETTINGS a document sets.
    attributes: dict[str, Any] = field(default_factory=dict)
