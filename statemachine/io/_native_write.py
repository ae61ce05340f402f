"""The JSON/YAML writer: a document model (as :mod:`._export` makes it) as the native
vocabulary's plain data, then as JSON or YAML text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _document as doc

__all__ = ["native_data", "write_json", "write_yaml"]


def native_data(document: doc.Document) -> dict[str, Any]:
    """``document`` as the mapping a JSON/YAML document holds."""
    data: dict[str, Any] = {}
    if document.name:
        data["name"] = document.name
    if document.description:
        data["description"] = document.description
    if document.attributes:
        data["settings"] = dict(document.attributes)
    data["states"] = {s.id: _state(s) for s in document.states}
    return data


def write_json(document: doc.Document) -> str:
    import json

    return json.dumps(native_data(document), indent=2, ensure_ascii=False) + "\n"


def write_yaml(document: doc.Document) -> str:
    try:
        import yaml
    except ImportError:
        raise ImportError(
            "dump(..., format='yaml') needs PyYAML: install statemachine[yaml] "
            "(or use format='json')."
        ) from None
    text: str = yaml.safe_dump(
        native_data(document), sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    return text


def _names(actions: Sequence[doc.Action]) -> list[str]:
    names = []
    for action in actions:
        if not isinstance(action, doc.CallbackRef) or not isinstance(action.name, str):
            raise TypeError(f"only callback names can be written, not {action!r}")
        names.append(action.name)
    return names


def _state(sdef: doc.StateDef) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if sdef.initial:
        data["initial"] = True
    if sdef.kind == "final":
        data["final"] = True
    elif sdef.kind == "parallel":
        data["parallel"] = True
    if sdef.states:
        data["states"] = {c.id: _state(c) for c in sdef.states}
    if sdef.history:
        data["history"] = {h.id: _history(h) for h in sdef.history}
    for key, blocks in (("enter", sdef.onentry), ("exit", sdef.onexit)):
        names = [n for block in blocks for n in _names(block)]
        if names:
            data[key] = names
    if sdef.transitions:
        data["transitions"] = [_transition(t) for t in sdef.transitions]
    if sdef.invokes:
        data["invoke"] = [str(i.callback) for i in sdef.invokes]
    return data


def _history(hdef: doc.HistoryDef) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "deep" if hdef.deep else "shallow"}
    if hdef.transition is not None:
        data["transitions"] = [_transition(hdef.transition)]
    return data


def _transition(tdef: doc.TransitionDef) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if tdef.event:
        data["event"] = tdef.event
    if tdef.targets:
        data["target"] = " ".join(tdef.targets)
    for key, values in (
        ("cond", tdef.cond),
        ("unless", tdef.unless),
        ("validators", tdef.validators),
    ):
        if values:
            data[key] = values[0] if len(values) == 1 else list(values)
    if tdef.internal:
        data["internal"] = True
    for key, actions in (("before", tdef.before), ("on", tdef.on), ("after", tdef.after)):
        names = _names(actions)
        if names:
            data[key] = names
    return data
