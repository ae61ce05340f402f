"""The native format: JSON and YAML documents into the document model.

JSON and YAML are two serializations of one vocabulary (the key sets below; the JSON Schema in
``schemas/statechart.schema.json`` describes the same language, and a test keeps the two
equal). Parsing is always safe: JSON with the standard library, YAML with PyYAML's safe loader
(imported when a YAML document is read), which builds nothing but plain data. The reader then
checks every key and type, naming the path of what is wrong (``states.a.transitions[0].tagret``)
and builds a :class:`~._document.Document`.

In YAML, only ``true`` and ``false`` are booleans (as in YAML 1.2): ``on``, ``off``, ``yes``
and ``no`` stay strings, so a transition's ``on:`` key, or ``event: on``, read as written.
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from statemachine.exceptions import InvalidDefinition, with_note

from . import _document as doc
from ._actions import parse_delay

__all__ = [
    "ACTION_KEYS",
    "DATA_KEYS",
    "DOCUMENT_KEYS",
    "DONEDATA_KEYS",
    "ELIF_KEYS",
    "HISTORY_KEYS",
    "INVOKE_KEYS",
    "PARAM_KEYS",
    "STATE_KEYS",
    "TRANSITION_KEYS",
    "add_transitions",
    "document_from_dict",
    "history_default",
    "parse_native",
    "schema",
    "validate_document",
]

DOCUMENT_KEYS = frozenset(("name", "description", "datamodel", "settings", "states"))
STATE_KEYS = frozenset(
    (
        "initial",
        "final",
        "parallel",
        "enter",
        "exit",
        "transitions",
        "invoke",
        "states",
        "history",
        "donedata",
    )
)
TRANSITION_KEYS = frozenset(
    (
        "event",
        "target",
        "cond",
        "unless",
        "validators",
        "internal",
        "initial",
        "on",
        "before",
        "after",
    )
)
HISTORY_KEYS = frozenset(("type", "transitions"))
INVOKE_KEYS = frozenset(
    (
        "type",
        "typeexpr",
        "src",
        "srcexpr",
        "id",
        "idlocation",
        "autoforward",
        "namelist",
        "params",
        "content",
        "finalize",
    )
)
DATA_KEYS = frozenset(("id", "expr", "src", "content"))
PARAM_KEYS = frozenset(("name", "expr", "location"))
DONEDATA_KEYS = frozenset(("params", "content"))
ELIF_KEYS = frozenset(("cond", "then"))
# Each structured action is a mapping with one key, the action's name. ``raise``, ``log`` and
# ``script`` also take a string (the event, the expression, the code).
ACTION_KEYS: dict[str, frozenset[str]] = {
    "assign": frozenset(("location", "expr")),
    "raise": frozenset(("event",)),
    "log": frozenset(("label", "expr")),
    "if": frozenset(("cond", "then", "elif", "else")),
    "foreach": frozenset(("array", "item", "index", "do")),
    "send": frozenset(
        (
            "event",
            "eventexpr",
            "target",
            "type",
            "id",
            "idlocation",
            "delay",
            "delayexpr",
            "namelist",
            "params",
            "content",
        )
    ),
    "cancel": frozenset(("sendid", "sendidexpr")),
    "script": frozenset(),
}

# A YAML document is plain data, but anchors and aliases can make it a graph that is
# exponentially larger (or infinite) when walked as a tree: refuse it before walking it.
MAX_ITEMS = 1_000_000


def _show(path: str) -> str:
    return path or "the document"


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"a {type(value).__name__}"


def _wrong_type(path: str, expected: str, value: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"{_show(path)} must be {expected}, got {_kind_of(value)} ({value!r:.60})."
    )


def _unknown_keys(
    label: str, unknown: list[str], allowed: frozenset[str], path: str
) -> InvalidDefinition:
    # The first sentence is python-statemachine's message for the document, a state and a
    # transition; where the keys are is a note.
    error = InvalidDefinition(
        f"Unknown {label} key(s) {sorted(unknown)}; allowed keys are {sorted(allowed)}."
    )
    where = ", ".join(_child(path, k) for k in unknown)
    return with_note(error, f"At {where}: remove the key, or fix its spelling.")


class _Reader:
    """Reads one document (and the documents nested in its invocations)."""

    def __init__(self, base_path: str | None, fmt: str) -> None:
        self.base_path = base_path
        self.fmt = fmt

    # --- checks ----------------------------------------------------------------------------
    def mapping(self, value: Any, path: str, what: str = "a mapping") -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise _wrong_type(path, what, value)
        for key in value:
            if not isinstance(key, str):
                raise _wrong_type(_child(path, repr(key)), "a key that is a string", key)
        return dict(value)

    def keys(self, data: Mapping[str, Any], allowed: frozenset[str], label: str, path: str) -> None:
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise _unknown_keys(label, unknown, allowed, path)

    def string(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise _wrong_type(path, "a string", value)
        return value

    def optional(self, data: Mapping[str, Any], key: str, path: str) -> str | None:
        value = data.get(key)
        return None if value is None and key not in data else self.string(value, _child(path, key))

    def flag(self, data: Mapping[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise _wrong_type(_child(path, key), "true or false", value)
        return value

    def strings(self, value: Any, path: str) -> list[str]:
        """A string, or a list of strings."""
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise _wrong_type(path, "a string or a list of strings", value)
        return [self.string(v, f"{path}[{i}]") for i, v in enumerate(value)]

    def names(self, value: Any, path: str) -> list[str]:
        """A space-separated string of names (or a list of names)."""
        return [n for part in self.strings(value, path) for n in part.split()]

    # --- the document ----------------------------------------------------------------------
    def document(self, data: Any, path: str) -> doc.Document:
        data = self.mapping(data, path, "a mapping with a 'states' key")
        self.keys(data, DOCUMENT_KEYS, "document", path)
        states = data.get("states")
        if not isinstance(states, Mapping) or not states:
            error = InvalidDefinition(
                "Statechart definition must have a non-empty 'states' mapping."
            )
            raise with_note(error, f"At {_child(path, 'states')}: map each state id to a state.")
        document = doc.Document(
            name=self.optional(data, "name", path),
            description=self.optional(data, "description", path),
            base_path=self.base_path,
            format=self.fmt,
        )
        if "datamodel" in data:
            document.datamodel = self.datamodel(data["datamodel"], _child(path, "datamodel"))
        if "settings" in data:
            document.attributes = self.settings(data["settings"], _child(path, "settings"))
        document.states = self.states(states, _child(path, "states"))
        return document

    def settings(self, value: Any, path: str) -> dict[str, bool]:
        """The class options a document sets (see ``SETTINGS``), each true or false."""
        data = self.mapping(value, path)
        self.keys(data, frozenset(doc.SETTINGS), "settings", path)
        return {key: self.flag(data, key, path) for key in data}

    def states(self, value: Any, path: str) -> list[doc.StateDef]:
        states = self.mapping(value, path)
        return [self.state(ident, body, _child(path, ident)) for ident, body in states.items()]

    def state(self, ident: str, value: Any, path: str) -> doc.StateDef:
        data = self.mapping(value, path)
        self.keys(data, STATE_KEYS, f"state {ident!r}", path)
        final = self.flag(data, "final", path)
        parallel = self.flag(data, "parallel", path)
        if final and parallel:
            raise InvalidDefinition(f"State {ident!r} at {path} cannot be both final and parallel.")
        sdef = doc.StateDef(
            id=ident,
            kind="final" if final else "parallel" if parallel else "state",
            initial=self.flag(data, "initial", path),
            where=path,
        )
        if "states" in data:
            sdef.states = self.states(data["states"], _child(path, "states"))
        if "history" in data:
            histories = self.mapping(data["history"], _child(path, "history"))
            sdef.history = [
                self.history(h, body, _child(_child(path, "history"), h))
                for h, body in histories.items()
            ]
        if "enter" in data:
            sdef.onentry = [self.actions(data["enter"], _child(path, "enter"))]
        if "exit" in data:
            sdef.onexit = [self.actions(data["exit"], _child(path, "exit"))]
        if "transitions" in data:
            add_transitions(sdef, self.transitions(data, path))
        if "invoke" in data:
            ipath = _child(path, "invoke")
            items = data["invoke"]
            if isinstance(items, list):
                sdef.invokes = [self.invoke(v, f"{ipath}[{i}]") for i, v in enumerate(items)]
            else:
                sdef.invokes = [self.invoke(items, ipath)]
        if "donedata" in data:
            sdef.donedata = self.donedata(data["donedata"], _child(path, "donedata"))
        return sdef

    def history(self, ident: str, value: Any, path: str) -> doc.HistoryDef:
        data = self.mapping(value, path)
        self.keys(data, HISTORY_KEYS, f"history {ident!r}", path)
        kind = data.get("type", "shallow")
        if kind not in ("shallow", "deep"):
            raise _wrong_type(_child(path, "type"), "'shallow' or 'deep'", kind)
        hdef = doc.HistoryDef(id=ident, deep=kind == "deep", where=path)
        hdef.transition = history_default(hdef, self.transitions(data, path))
        return hdef

    def transitions(
        self, data: Mapping[str, Any], path: str
    ) -> list[tuple[doc.TransitionDef, bool]]:
        """The transitions of ``data["transitions"]``, each with its ``initial`` flag."""
        tpath = _child(path, "transitions")
        items = data.get("transitions", [])
        if not isinstance(items, list):
            raise _wrong_type(tpath, "a list of transitions", items)
        return [self.transition(item, f"{tpath}[{i}]") for i, item in enumerate(items)]

    def transition(self, value: Any, path: str) -> tuple[doc.TransitionDef, bool]:
        """The transition, and whether it is its state's initial one."""
        data = self.mapping(value, path)
        self.keys(data, TRANSITION_KEYS, "transition", path)
        event = self.optional(data, "event", path)
        target = self.optional(data, "target", path)
        descriptors = " ".join(event.split()) if event is not None else ""
        tdef = doc.TransitionDef(
            event=descriptors or None,
            targets=target.split() if target is not None else [],
            internal=self.flag(data, "internal", path),
            where=path,
        )
        for key in ("cond", "unless"):
            if key in data:
                exprs = self.strings(data[key], _child(path, key))
                setattr(tdef, key, exprs)
        if "validators" in data:
            tdef.validators = self.names(data["validators"], _child(path, "validators"))
        for key in ("before", "on", "after"):
            if key in data:
                setattr(tdef, key, self.actions(data[key], _child(path, key)))
        return tdef, self.flag(data, "initial", path)

    # --- data ------------------------------------------------------------------------------
    def datamodel(self, value: Any, path: str) -> list[doc.DataItem]:
        if isinstance(value, Mapping):
            items = []
            for ident, expr in self.mapping(value, path).items():
                where = _child(path, ident)
                if isinstance(expr, str):
                    items.append(doc.DataItem(id=ident, expr=expr, where=where))
                elif expr is None or isinstance(expr, (bool, int, float)):
                    # A number, true/false or null is the value itself.
                    items.append(doc.DataItem(id=ident, content=expr, where=where))
                else:
                    raise _wrong_type(where, "an expression (a string) or a number", expr)
            return items
        if not isinstance(value, list):
            raise _wrong_type(path, "a list of {id, expr} items or a mapping", value)
        return [self.data_item(v, f"{path}[{i}]") for i, v in enumerate(value)]

    def data_item(self, value: Any, path: str) -> doc.DataItem:
        data = self.mapping(value, path)
        self.keys(data, DATA_KEYS, "datamodel item", path)
        if "id" not in data:
            raise InvalidDefinition(f"The datamodel item at {path} has no 'id'.")
        item = doc.DataItem(
            id=self.string(data["id"], _child(path, "id")),
            expr=self.optional(data, "expr", path),
            where=path,
        )
        given = [k for k in ("expr", "src", "content") if k in data]
        if len(given) > 1:
            raise InvalidDefinition(
                f"The datamodel item at {path} gives {' and '.join(given)}; give one of them."
            )
        if "src" in data:
            src = self.string(data["src"], _child(path, "src"))
            item.content = _literal(self.read_src(src, _child(path, "src")))
        elif "content" in data:
            content = data["content"]
            item.content = _literal(content) if isinstance(content, str) else content
        return item

    def read_src(self, src: str, path: str) -> str:
        """The text of a file named by the document: a relative path inside the document's
        folder (the current directory for inline text). A document cannot name any file it
        likes: absolute paths, ``..`` and URLs are refused."""
        name = src[len("file:") :] if src.startswith("file:") else src
        parts = name.replace("\\", "/").split("/")
        if "://" in name or os.path.isabs(name) or ".." in parts:
            raise InvalidDefinition(
                f"{path}: {src!r} is not a relative path inside the document's folder; a "
                "document can only read files next to it."
            )
        if self.base_path is not None:
            name = os.path.join(self.base_path, name)
        try:
            with open(name, encoding="utf-8") as f:
                return f.read()
        except OSError as exc:
            raise InvalidDefinition(f"{path}: cannot read {src!r}: {exc}.") from None

    def params(self, value: Any, path: str) -> list[doc.Param]:
        """``[{name, expr | location}, ...]``, or a mapping ``{name: expr}``."""
        if isinstance(value, Mapping):
            return [
                doc.Param(name=n, expr=self.string(e, _child(path, n)), where=_child(path, n))
                for n, e in self.mapping(value, path).items()
            ]
        if not isinstance(value, list):
            raise _wrong_type(path, "a list of {name, expr} items or a mapping", value)
        params = []
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            data = self.mapping(item, where)
            self.keys(data, PARAM_KEYS, "param", where)
            if "name" not in data:
                raise InvalidDefinition(f"The param at {where} has no 'name'.")
            param = doc.Param(
                name=self.string(data["name"], _child(where, "name")),
                expr=self.optional(data, "expr", where),
                location=self.optional(data, "location", where),
                where=where,
            )
            if (param.expr is None) == (param.location is None):
                raise InvalidDefinition(
                    f"The param {param.name!r} at {where} needs either 'expr' or 'location' "
                    "(one of them)."
                )
            params.append(param)
        return params

    def content(self, value: Any, path: str, document: bool = False) -> doc.Content:
        """A ``content``: an expression (a string), or (for an invoke) a nested document."""
        if isinstance(value, str):
            return doc.Content(expr=value)
        if document and isinstance(value, Mapping):
            return doc.Content(document=self.document(value, path))
        expected = "an expression (a string) or a document (a mapping)" if document else None
        raise _wrong_type(path, expected or "an expression (a string)", value)

    def donedata(self, value: Any, path: str) -> doc.DoneData:
        data = self.mapping(value, path)
        self.keys(data, DONEDATA_KEYS, "donedata", path)
        if "params" in data and "content" in data:
            raise InvalidDefinition(f"The donedata at {path} gives params and content; give one.")
        done = doc.DoneData()
        if "params" in data:
            done.params = self.params(data["params"], _child(path, "params"))
        if "content" in data:
            done.content = self.content(data["content"], _child(path, "content"))
        return done

    def invoke(self, value: Any, path: str) -> doc.Invoke:
        if isinstance(value, str):  # a method's name, as State(invoke="name")
            if not value.strip():
                raise _wrong_type(path, "a method name or an invoke mapping", value)
            return doc.Invoke(callback=value.strip(), where=path)
        data = self.mapping(value, path)
        self.keys(data, INVOKE_KEYS, "invoke", path)
        opt = self.optional
        invoke = doc.Invoke(
            type=opt(data, "type", path),
            typeexpr=opt(data, "typeexpr", path),
            src=opt(data, "src", path),
            srcexpr=opt(data, "srcexpr", path),
            id=opt(data, "id", path),
            idlocation=opt(data, "idlocation", path),
            autoforward=self.flag(data, "autoforward", path),
            where=path,
        )
        if "namelist" in data:
            invoke.namelist = self.names(data["namelist"], _child(path, "namelist"))
        if "params" in data:
            invoke.params = self.params(data["params"], _child(path, "params"))
        if "content" in data:
            invoke.content = self.content(data["content"], _child(path, "content"), True)
        if "finalize" in data:
            invoke.finalize = self.actions(data["finalize"], _child(path, "finalize"))
        sources = [k for k in ("src", "srcexpr", "content") if k in data]
        if len(sources) != 1:
            raise InvalidDefinition(
                f"The invoke at {path} needs one of 'src', 'srcexpr' or 'content'"
                + (f", not {' and '.join(sources)}." if sources else ".")
            )
        relative = invoke.src is not None and not os.path.isabs(invoke.src)
        if relative and self.base_path is not None:
            assert invoke.src is not None
            invoke.src = os.path.join(self.base_path, invoke.src)
        return invoke

    # --- executable content ----------------------------------------------------------------
    def actions(self, value: Any, path: str) -> list[doc.Action]:
        """A single action, or a list of them."""
        if isinstance(value, list):
            return [self.action(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return [self.action(value, path)]

    def action(self, value: Any, path: str) -> doc.Action:
        if isinstance(value, str):
            if not value.strip():
                raise _wrong_type(path, "a method name or a structured action", value)
            return doc.CallbackRef(name=value.strip(), where=path)
        if not isinstance(value, Mapping):
            raise _wrong_type(path, "a method name (a string) or an action (a mapping)", value)
        data = self.mapping(value, path)
        if len(data) != 1 or next(iter(data)) not in ACTION_KEYS:
            error = InvalidDefinition(
                f"Each action must have exactly one of {sorted(ACTION_KEYS)} as its key, got "
                f"keys {sorted(data)}."
            )
            raise with_note(
                error, f"At {path}: write a method name, or one action such as {{raise: event}}."
            )
        ((name, body),) = data.items()
        read: Callable[[Any, str], doc.Action] = getattr(self, f"_{name}")
        return read(body, _child(path, name))

    def _body(self, value: Any, name: str, path: str) -> dict[str, Any]:
        data = self.mapping(value, path)
        self.keys(data, ACTION_KEYS[name], name, path)
        return data

    def _required(self, data: Mapping[str, Any], key: str, name: str, path: str) -> str:
        if key not in data:
            raise InvalidDefinition(f"The {name} action at {path} needs {key!r}.")
        return self.string(data[key], _child(path, key))

    def _assign(self, value: Any, path: str) -> doc.Action:
        data = self._body(value, "assign", path)
        return doc.Assign(
            location=self._required(data, "location", "assign", path),
            expr=self.optional(data, "expr", path),
            where=path,
        )

    def _raise(self, value: Any, path: str) -> doc.Action:
        if isinstance(value, str):
            return doc.Raise(event=value, where=path)
        data = self._body(value, "raise", path)
        return doc.Raise(event=self._required(data, "event", "raise", path), where=path)

    def _log(self, value: Any, path: str) -> doc.Action:
        if isinstance(value, str):
            return doc.Log(expr=value, where=path)
        data = self._body(value, "log", path)
        return doc.Log(
            label=self.optional(data, "label", path),
            expr=self.optional(data, "expr", path),
            where=path,
        )

    def _if(self, value: Any, path: str) -> doc.Action:
        data = self._body(value, "if", path)
        branches: list[tuple[str | None, list[doc.Action]]] = [
            (
                self._required(data, "cond", "if", path),
                self.actions(data["then"], _child(path, "then")) if "then" in data else [],
            )
        ]
        if "elif" in data:
            epath = _child(path, "elif")
            items = data["elif"]
            items = items if isinstance(items, list) else [items]
            for i, item in enumerate(items):
                where = f"{epath}[{i}]"
                branch = self.mapping(item, where)
                self.keys(branch, ELIF_KEYS, "elif", where)
                cond = self._required(branch, "cond", "elif", where)
                then = branch.get("then")
                actions = self.actions(then, _child(where, "then")) if "then" in branch else []
                branches.append((cond, actions))
        if "else" in data:
            branches.append((None, self.actions(data["else"], _child(path, "else"))))
        return doc.If(branches=branches, where=path)

    def _foreach(self, value: Any, path: str) -> doc.Action:
        data = self._body(value, "foreach", path)
        return doc.Foreach(
            array=self._required(data, "array", "foreach", path),
            item=self._required(data, "item", "foreach", path),
            index=self.optional(data, "index", path),
            actions=self.actions(data["do"], _child(path, "do")) if "do" in data else [],
            where=path,
        )

    def _send(self, value: Any, path: str) -> doc.Action:
        data = self._body(value, "send", path)
        opt = self.optional
        send = doc.Send(
            event=opt(data, "event", path),
            eventexpr=opt(data, "eventexpr", path),
            target=opt(data, "target", path),
            type=opt(data, "type", path),
            id=opt(data, "id", path),
            idlocation=opt(data, "idlocation", path),
            delayexpr=opt(data, "delayexpr", path),
            where=path,
        )
        if (send.event is None) == (send.eventexpr is None):
            raise InvalidDefinition(
                f"The send action at {path} needs 'event' or 'eventexpr' (one)."
            )
        if "delay" in data:
            send.delay = self.delay(data["delay"], _child(path, "delay"))
        if "namelist" in data:
            send.namelist = self.names(data["namelist"], _child(path, "namelist"))
        if "params" in data:
            send.params = self.params(data["params"], _child(path, "params"))
        if "content" in data:
            send.content = self.content(data["content"], _child(path, "content"))
        return send

    def delay(self, value: Any, path: str) -> str:
        """A CSS2 duration (``"1.5s"``, ``"200ms"``) or a number of milliseconds, checked now."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _wrong_type(path, "a duration ('500ms', '1.5s') or milliseconds", value)
        try:
            parse_delay(value)
        except ValueError as exc:
            raise InvalidDefinition(f"{path}: {exc}.") from None
        return value if isinstance(value, str) else f"{value}ms"

    def _cancel(self, value: Any, path: str) -> doc.Action:
        data = self._body(value, "cancel", path)
        cancel = doc.Cancel(
            sendid=self.optional(data, "sendid", path),
            sendidexpr=self.optional(data, "sendidexpr", path),
            where=path,
        )
        if (cancel.sendid is None) == (cancel.sendidexpr is None):
            raise InvalidDefinition(
                f"The cancel action at {path} needs 'sendid' or 'sendidexpr' (one)."
            )
        return cancel

    def _script(self, value: Any, path: str) -> doc.Action:
        return doc.Script(source=self.string(value, path), where=path)


def add_transitions(sdef: doc.StateDef, found: list[tuple[doc.TransitionDef, bool]]) -> None:
    """Add a state's transitions (each with its ``initial`` flag): at most one is its initial
    transition, which has neither an event nor a guard."""
    for tdef, initial in found:
        if not initial:
            sdef.transitions.append(tdef)
            continue
        if tdef.event is not None or tdef.cond or tdef.unless:
            error = InvalidDefinition("Initial transitions should not have conditions or events.")
            raise with_note(error, f"At {tdef.where}: remove its event and guards.")
        if sdef.initial_transition is not None:
            raise InvalidDefinition(
                f"State {sdef.id!r} has two initial transitions (at {tdef.where}); keep one."
            )
        sdef.initial_transition = tdef


def history_default(
    hdef: doc.HistoryDef, found: list[tuple[doc.TransitionDef, bool]]
) -> doc.TransitionDef | None:
    """The default transition of a history state: at most one, without event or guard."""
    if len(found) > 1:
        raise InvalidDefinition(
            f"History {hdef.id!r} at {hdef.where} has {len(found)} transitions; a history state "
            "has at most one, its default (the state entered while nothing is recorded)."
        )
    if not found:
        return None
    tdef, initial = found[0]
    if tdef.event is not None or tdef.cond or tdef.unless or initial:
        raise InvalidDefinition(
            f"The default transition of history {hdef.id!r} (at {tdef.where}) takes no "
            "event, condition or initial flag; give it only a target and actions."
        )
    return tdef


def _literal(text: str) -> Any:
    """Inline text as a value: a Python literal if it reads as one, else the text."""
    stripped = text.strip()
    try:
        return ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return stripped


def document_from_dict(
    data: Any, base_path: str | None, where: str = "", fmt: str = "json"
) -> doc.Document:
    """A native document (the data of a JSON or YAML text) as a document model.

    Args:
        data: the parsed document.
        base_path: the folder relative references (``src``) resolve against.
        where: the path of ``data`` in an enclosing document (for messages).
        fmt: the format it was read from (``"json"``, ``"yaml"``).

    Raises:
        InvalidDefinition: an unknown key, a value of the wrong type, a missing required
            key; the message or its note names the path of the offending key.
    """
    try:
        return _Reader(base_path, fmt).document(data, where)
    except RecursionError:
        raise InvalidDefinition(f"{_show(where)} is nested too deeply.") from None


# --- parsing ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _yaml_loader() -> Any:
    """PyYAML's safe loader, with YAML 1.2's booleans (``true``/``false`` only)."""
    try:
        import yaml
    except ImportError:
        raise ImportError(
            "Reading YAML documents needs PyYAML: pip install pyyaml (or install this "
            "package with its `yaml` extra: pip install -e '.[yaml]' from a checkout)."
        ) from None

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        """Safe, and ``on``/``off``/``yes``/``no`` are strings."""

    bool_tag = "tag:yaml.org,2002:bool"
    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != bool_tag]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver(
        bool_tag, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    return Loader


def _too_large(data: Any) -> bool:
    """Whether walking ``data`` as a tree visits more than :data:`MAX_ITEMS` values."""
    budget = MAX_ITEMS
    stack = [data]
    while stack:
        value = stack.pop()
        budget -= 1
        if budget < 0:
            return True
        if isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _parse(text: str, fmt: str) -> Any:
    if fmt == "json":
        try:
            return json.loads(text)
        except RecursionError:
            raise InvalidDefinition("The JSON document is nested too deeply.") from None
        except ValueError as exc:
            raise InvalidDefinition(f"The JSON document is not valid JSON: {exc}.") from None
    loader = _yaml_loader()
    import yaml

    try:
        data = yaml.load(text, Loader=loader)  # a SafeLoader subclass: plain data only
    except RecursionError:
        raise InvalidDefinition("The YAML document is nested too deeply.") from None
    except yaml.YAMLError as exc:
        raise InvalidDefinition(f"The YAML document is not valid YAML: {exc}") from None
    if _too_large(data):
        raise InvalidDefinition(
            f"The YAML document expands to more than {MAX_ITEMS} values (through its aliases); "
            "it is refused."
        )
    return data


def schema() -> dict[str, Any]:
    """The JSON Schema of the native format (a fresh copy)."""
    from importlib.resources import files

    resource = files("statemachine.io") / "schemas" / "statechart.schema.json"
    text = resource.read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@lru_cache(maxsize=1)
def _validator() -> Any:
    try:
        import jsonschema
    except ImportError:
        raise ImportError(
            "validate=True needs jsonschema: pip install jsonschema (or install this "
            "package with its `validate` extra: pip install -e '.[validate]' from a checkout)."
        ) from None
    return jsonschema.Draft202012Validator(schema())


def validate_document(data: Any) -> None:
    """Check ``data`` against the JSON Schema.

    Raises:
        InvalidDefinition: the first (most relevant) violation; a note gives its path.
    """
    validator = _validator()
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(data))
    if error is None:
        return
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    path = path.lstrip(".")
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = error.schema.get("properties", {})
        path = ", ".join(_child(path, k) for k in error.instance if k not in known)
    raise with_note(
        InvalidDefinition(f"Statechart document failed schema validation: {error.message}"),
        f"The first violation is at {path or 'the top of the document'}.",
    )


def parse_native(text: str, fmt: str, base_path: str | None, validate: bool) -> doc.Document:
    """A JSON or YAML document (its text) as a document model.

    Args:
        text: the document.
        fmt: ``"json"`` or ``"yaml"``.
        base_path: the folder relative references resolve against (the file's folder).
        validate: check the document against the JSON Schema first (needs ``jsonschema``).

    Raises:
        InvalidDefinition: the text does not parse, or the document is invalid.
        ImportError: YAML without PyYAML, or ``validate`` without jsonschema.
    """
    data = _parse(text, fmt)
    if validate:
        validate_document(data)
    return document_from_dict(data, base_path, fmt=fmt)
