"""The SCXML writer: a document model (as :mod:`._export` makes it) as SCXML text.

What SCXML has no element for is written in the ``py`` namespace (:data:`PY_NS`), which
other SCXML processors ignore: a callback given by name is ``<py:call name="..."/>``, an
invocation of a named callback ``<py:invoke name="..."/>``, a transition's ``before`` and
``after`` callbacks and its validators are the ``py:before``, ``py:after`` and
``py:validators`` attributes (space-separated names), and the class options the document
carries are attributes of ``<scxml>`` (``py:allow_event_without_transition="false"``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from . import _document as doc
from ._scxml import PY as _PY
from ._scxml import PY_NS

__all__ = ["write_scxml"]

SCXML_NS = "http://www.w3.org/2005/07/scxml"


def write_scxml(document: doc.Document) -> str:
    """The SCXML text of ``document`` (UTF-8, indented, with an XML declaration)."""
    ET.register_namespace("", SCXML_NS)
    ET.register_namespace("py", PY_NS)
    root = ET.Element(_tag("scxml"), {"version": "1.0", "datamodel": "python"})
    if document.name:
        root.set("name", document.name)
    initial = _initial_attribute(document.states)
    if initial:
        root.set("initial", initial)
    for key, value in document.attributes.items():
        root.set(_PY + key, "true" if value else "false")
    for sdef in document.states:
        _state(root, sdef)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _tag(name: str) -> str:
    return "{" + SCXML_NS + "}" + name


def _initial_attribute(states: Sequence[doc.StateDef]) -> str | None:
    """``initial="..."`` where the initial state is not the first one (SCXML's default)."""
    marked = [s.id for s in states if s.initial]
    if marked and states and marked[0] != states[0].id:
        return marked[0]
    return None


def _state(parent: ET.Element, sdef: doc.StateDef) -> None:
    element = ET.SubElement(parent, _tag(sdef.kind), {"id": sdef.id})
    if sdef.kind == "state":
        initial = _initial_attribute(sdef.states)
        if initial:
            element.set("initial", initial)
    for name, blocks in (("onentry", sdef.onentry), ("onexit", sdef.onexit)):
        for block in blocks:
            _actions(ET.SubElement(element, _tag(name)), block)
    for tdef in sdef.transitions:
        _transition(element, tdef)
    for invoke in sdef.invokes:
        ET.SubElement(element, _PY + "invoke", {"name": str(invoke.callback)})
    for child in sdef.states:
        _state(element, child)
    for hdef in sdef.history:
        history = ET.SubElement(
            element, _tag("history"), {"id": hdef.id, "type": "deep" if hdef.deep else "shallow"}
        )
        if hdef.transition is not None:
            _transition(history, hdef.transition)


def _transition(parent: ET.Element, tdef: doc.TransitionDef) -> None:
    element = ET.SubElement(parent, _tag("transition"))
    if tdef.event:
        element.set("event", tdef.event)
    if tdef.targets:
        element.set("target", " ".join(tdef.targets))
    guards = len(tdef.cond) + len(tdef.unless)
    if len(tdef.cond) == 1 and guards == 1:
        element.set("cond", tdef.cond[0])
    if tdef.internal:
        element.set("type", "internal")
    for key, names in (
        ("validators", tdef.validators),
        ("before", [_ref(a) for a in tdef.before]),
        ("after", [_ref(a) for a in tdef.after]),
    ):
        if names:
            element.set(_PY + key, " ".join(names))
    if guards > 1 or tdef.unless:
        # Several guards, each as given: a bare name naming a method calls it, which a
        # combined expression would not do.
        for kind, exprs in (("cond", tdef.cond), ("unless", tdef.unless)):
            for expr in exprs:
                ET.SubElement(element, _PY + kind, {"expr": expr})
    _actions(element, tdef.on)


def _ref(action: doc.Action) -> str:
    if not isinstance(action, doc.CallbackRef) or not isinstance(action.name, str):
        raise TypeError(f"only callback names can be written, not {action!r}")  # pragma: no cover
    return action.name


def _actions(parent: ET.Element, actions: Sequence[doc.Action]) -> None:
    for action in actions:
        ET.SubElement(parent, _PY + "call", {"name": _ref(action)})
