"""The SCXML reader: W3C State Chart XML into the document model.

XML is parsed with the standard library's expat parser, hardened: a document type declaration
(and so any entity declaration or external entity) is refused, which rules out entity
expansion bombs and external entity reads. SCXML needs neither. Elements nested deeper than
``MAX_DEPTH`` are refused too (the reader and the class factory recurse over the tree).

Files a document names (``<data src>``, ``<script src>``, ``<invoke src>``) are read only
from the document's own folder unless the document is trusted; a restricted ``<script>`` is
refused before its file is opened.
"""

from __future__ import annotations

import ast
import os
import xml.etree.ElementTree as ET
from typing import Any

from statemachine.exceptions import InvalidDefinition

from . import _document as doc
from ._evaluate import compile_script

__all__ = ["local_file", "parse_scxml", "read_xml"]

NS = "{http://www.w3.org/2005/07/scxml}"
# What SCXML has no element for, written by statemachine.io.dump: callbacks named by the
# document (<py:call name="..."/>, <py:invoke name="..."/>, the py:before, py:after and
# py:validators attributes of a transition, its <py:cond expr="..."/> and <py:unless
# expr="..."/> guards) and the class options (py:<setting> attributes of <scxml>).
PY_NS = "urn:statemachine:python"
PY = "{" + PY_NS + "}"
MAX_DEPTH = 100  # elements nested in one another; statecharts need a few dozen at most


class _Refused(Exception):
    pass


class _TooDeep(Exception):
    pass


def local_file(src: str, base_path: str | None, trusted: bool) -> str:
    """The path of a local file a document names (``src``, optionally ``file:``), relative
    to the document's folder.

    Raises:
        PermissionError: the file is not a local one, or (restricted documents) the
            document has no folder (it was given as text), or the file is not a regular
            file inside that folder (symbolic links resolved).
    """
    path = src[len("file:") :] if src.startswith("file:") else src
    if "://" in path:
        raise PermissionError(f"only local files can be referenced ({src!r})")
    if base_path is not None and not os.path.isabs(path):
        path = os.path.join(base_path, path)
    if trusted:
        return path
    if base_path is None:
        raise PermissionError(
            f"{src!r} cannot be read: a restricted document reads files only from its own "
            "folder, and one given as text has none; load it from its file, or pass "
            "trusted=True"
        )
    folder = os.path.realpath(base_path)
    real = os.path.realpath(path)
    if os.path.commonpath([folder, real]) != folder or not os.path.isfile(real):
        raise PermissionError(
            f"{src!r} cannot be read: a restricted document reads only regular files inside "
            f"its own folder ({base_path!r}); pass trusted=True for documents you control"
        )
    return path


def read_xml(text: str | bytes, where: str = "the document") -> ET.Element:
    """Parse XML text, refusing DTDs, entity declarations and external entities.

    Raises:
        InvalidDefinition: the text is not well-formed XML, or declares a DTD or entities.
    """
    from xml.parsers import expat

    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    depth = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise _TooDeep
        if any("}" in key for key in attrs):  # namespaced attributes, as ElementTree names them
            attrs = {("{" + k if "}" in k else k): v for k, v in attrs.items()}
        builder.start("{" + tag if "}" in tag else tag, attrs)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end("{" + tag if "}" in tag else tag)

    def refuse(*_: Any) -> Any:
        raise _Refused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(text, True)
        return builder.close()
    except _TooDeep:
        raise InvalidDefinition(
            f"{where} nests elements more than {MAX_DEPTH} deep; flatten the document."
        ) from None
    except _Refused:
        raise InvalidDefinition(
            f"{where} declares a DTD or entities, which SCXML documents do not need and which "
            "are refused (they allow entity expansion and external entity attacks)."
        ) from None
    except expat.ExpatError as exc:
        raise InvalidDefinition(f"{where} is not well-formed XML: {exc}.") from None


def _tag(element: ET.Element) -> str:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith(NS):
        return tag[len(NS) :]
    return tag if isinstance(tag, str) else ""


def _split(value: str | None) -> list[str]:
    return value.split() if value else []


def _text_value(text: str) -> Any:
    """Inline content: a Python literal if it reads as one (``123``, ``'a'``, ``[1, 2]``),
    else the text with its whitespace normalised."""
    stripped = text.strip()
    if not stripped:
        return None
    try:
        return ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return " ".join(stripped.split())


class _Reader:
    def __init__(self, base_path: str | None, trusted: bool) -> None:
        self.base_path = base_path
        self.trusted = trusted
        self.counter = 0

    def auto_id(self, kind: str) -> str:
        self.counter += 1
        return f"__{kind}_{self.counter}"

    def where(self, element: ET.Element, context: str) -> str:
        ident = element.get("id")
        tag = _tag(element)
        return f"{context} > {tag}" + (f" {ident!r}" if ident else "")

    # --- the document ----------------------------------------------------------------------------
    def document(self, root: ET.Element) -> doc.Document:
        if _tag(root) != "scxml":
            raise InvalidDefinition(f"The root element is <{_tag(root)}>, not <scxml>.")
        document = doc.Document(
            name=root.get("name"),
            initial_ids=_split(root.get("initial")),
            binding=root.get("binding", "early"),
            base_path=self.base_path,
            format="scxml",
        )
        context = "scxml"
        document.attributes = self.settings(root)
        for child in root:
            tag = _tag(child)
            if tag in ("state", "parallel", "final"):
                document.states.append(self.state(child, context))
            elif tag == "datamodel":
                document.datamodel.extend(self.datamodel(child, context))
            elif tag == "script":
                document.scripts.append(self.script(child, context))
        if not document.initial_ids and document.states:
            document.states[0].initial = True
        return document

    def settings(self, root: ET.Element) -> dict[str, bool]:
        """The class options of ``py:<setting>="true|false"`` attributes of ``<scxml>``."""
        found: dict[str, bool] = {}
        for key, value in root.attrib.items():
            if not key.startswith(PY):
                continue
            name = key[len(PY) :]
            if name not in doc.SETTINGS or value not in ("true", "false"):
                raise InvalidDefinition(
                    f"<scxml> has py:{name}={value!r}; the py: settings are "
                    f"{', '.join(sorted(doc.SETTINGS))}, each 'true' or 'false'."
                )
            found[name] = value == "true"
        return found

    def state(self, element: ET.Element, context: str) -> doc.StateDef:
        tag = _tag(element)
        ident = element.get("id") or self.auto_id(tag)
        where = f"{context} > {tag} {ident!r}"
        sdef = doc.StateDef(id=ident, kind=tag, where=where)
        sdef.initial_ids = _split(element.get("initial"))
        for child in element:
            ctag = _tag(child)
            if ctag in ("state", "parallel", "final"):
                sdef.states.append(self.state(child, where))
            elif ctag == "history":
                sdef.history.append(self.history(child, where))
            elif ctag == "transition":
                sdef.transitions.append(self.transition(child, where))
            elif ctag == "initial":
                for t in child:
                    if _tag(t) == "transition":
                        sdef.initial_transition = self.transition(t, f"{where} > initial")
            elif ctag == "onentry":
                sdef.onentry.append(self.actions(child, f"{where} > onentry"))
            elif ctag == "onexit":
                sdef.onexit.append(self.actions(child, f"{where} > onexit"))
            elif ctag == "datamodel":
                sdef.datamodel.extend(self.datamodel(child, where))
            elif ctag == "invoke":
                sdef.invokes.append(self.invoke(child, where))
            elif ctag == PY + "invoke":
                sdef.invokes.append(
                    doc.Invoke(callback=self.name(child, where), where=f"{where} > py:invoke")
                )
            elif ctag == "donedata":
                sdef.donedata = self.donedata(child, where)
        if (
            tag == "state"
            and sdef.states
            and not sdef.initial_ids
            and sdef.initial_transition is None
        ):
            sdef.states[0].initial = True
        return sdef

    def history(self, element: ET.Element, context: str) -> doc.HistoryDef:
        ident = element.get("id") or self.auto_id("history")
        where = f"{context} > history {ident!r}"
        hdef = doc.HistoryDef(id=ident, deep=element.get("type") == "deep", where=where)
        for child in element:
            if _tag(child) == "transition":
                hdef.transition = self.transition(child, where)
        return hdef

    def transition(self, element: ET.Element, context: str) -> doc.TransitionDef:
        where = f"{context} > transition"
        event = element.get("event")
        cond = element.get("cond")
        if cond is not None and not cond.strip():
            cond = None  # an empty condition is no condition
        tdef = doc.TransitionDef(
            event=" ".join(event.split()) if event else None,
            targets=_split(element.get("target")),
            cond=[cond] if cond is not None else [],
            internal=element.get("type") == "internal",
            on=self.actions(element, where),
            where=where,
        )
        for child in element:
            ctag = _tag(child)
            if ctag in (PY + "cond", PY + "unless"):
                expr = child.get("expr")
                if not expr:
                    raise InvalidDefinition(f"<py:{ctag[len(PY) :]}> at {where} needs expr.")
                (tdef.cond if ctag == PY + "cond" else tdef.unless).append(expr)
        tdef.before = [doc.CallbackRef(n, where) for n in _split(element.get(PY + "before"))]
        tdef.after = [doc.CallbackRef(n, where) for n in _split(element.get(PY + "after"))]
        tdef.validators = _split(element.get(PY + "validators"))
        return tdef

    def name(self, element: ET.Element, where: str) -> str:
        """The ``name`` of a ``py:`` element."""
        name = (element.get("name") or "").strip()
        if not name:
            raise InvalidDefinition(f"<py:{_tag(element)[len(PY) :]}> at {where} needs a name.")
        return name

    # --- data ----------------------------------------------------------------------------------
    def datamodel(self, element: ET.Element, context: str) -> list[doc.DataItem]:
        items = []
        for data in element:
            if _tag(data) != "data":
                continue
            ident = data.get("id", "")
            where = f"{context} > data {ident!r}"
            item = doc.DataItem(id=ident, expr=data.get("expr"), where=where)
            src = data.get("src")
            if src is not None:
                item.content = _text_value(self.read_src(src, where))
            elif item.expr is None:
                item.content = self.inline(data)
            items.append(item)
        return items

    def inline(self, element: ET.Element) -> Any:
        """The inline content of ``<data>``/``<content>``: a nested element as XML (kept as
        an Element), or the text as a value."""
        children = list(element)
        if children:
            return children[0] if len(children) == 1 else children
        return _text_value(element.text or "")

    def read_src(self, src: str, where: str) -> str:
        try:
            path = local_file(src, self.base_path, self.trusted)
        except PermissionError as exc:
            raise InvalidDefinition(f"{where}: {exc}.") from None
        try:
            with open(path, encoding="utf-8") as f:
                return f.read()
        except OSError as exc:
            raise InvalidDefinition(f"{where}: cannot read {src!r}: {exc}.") from None

    def script(self, element: ET.Element, context: str) -> doc.Script:
        where = f"{context} > script"
        src = element.get("src")
        if src is not None and not self.trusted:
            # Refused anyway when compiled: do not open the file first.
            compile_script("", where, trusted=False)
        source = self.read_src(src, where) if src is not None else (element.text or "")
        return doc.Script(source=source, where=where)

    def params(self, element: ET.Element, where: str) -> list[doc.Param]:
        return [
            doc.Param(
                name=p.get("name", ""),
                expr=p.get("expr"),
                location=p.get("location"),
                where=f"{where} > param {p.get('name', '')!r}",
            )
            for p in element
            if _tag(p) == "param"
        ]

    def content(self, element: ET.Element, where: str) -> doc.Content | None:
        for child in element:
            if _tag(child) != "content":
                continue
            expr = child.get("expr")
            if expr is not None:
                return doc.Content(expr=expr)
            nested = [c for c in child if _tag(c) == "scxml"]
            if nested:
                return doc.Content(document=self.document(nested[0]))
            return doc.Content(value=self.inline(child))
        return None

    def donedata(self, element: ET.Element, context: str) -> doc.DoneData:
        where = f"{context} > donedata"
        return doc.DoneData(
            params=self.params(element, where), content=self.content(element, where)
        )

    def invoke(self, element: ET.Element, context: str) -> doc.Invoke:
        where = f"{context} > invoke"
        invoke = doc.Invoke(
            type=element.get("type"),
            typeexpr=element.get("typeexpr"),
            src=element.get("src"),
            srcexpr=element.get("srcexpr"),
            id=element.get("id"),
            idlocation=element.get("idlocation"),
            autoforward=element.get("autoforward") == "true",
            namelist=_split(element.get("namelist")),
            params=self.params(element, where),
            content=self.content(element, where),
            where=where,
        )
        for child in element:
            if _tag(child) == "finalize":
                invoke.finalize = self.actions(child, f"{where} > finalize")
        if invoke.src is not None and not invoke.src.startswith(("#", "data:")):
            try:
                invoke.src = local_file(invoke.src, self.base_path, self.trusted)
            except PermissionError as exc:
                raise InvalidDefinition(f"{where}: {exc}.") from None
        return invoke

    # --- executable content ----------------------------------------------------------------------
    def actions(self, element: ET.Element, context: str) -> list[doc.Action]:
        result: list[doc.Action] = []
        for child in element:
            action = self.action(child, context)
            if action is not None:
                result.append(action)
        return result

    def action(self, element: ET.Element, context: str) -> doc.Action | None:
        tag = _tag(element)
        where = f"{context} > {tag}"
        get = element.get
        if tag == "raise":
            return doc.Raise(event=get("event", ""), where=where)
        if tag == "assign":
            expr = get("expr")
            content = None if expr is not None else self.inline(element)
            return doc.Assign(location=get("location", ""), expr=expr, content=content, where=where)
        if tag == "log":
            return doc.Log(label=get("label"), expr=get("expr"), where=where)
        if tag == "script":
            return self.script(element, context)
        if tag == "if":
            branches: list[tuple[str | None, list[doc.Action]]] = [(get("cond", "False"), [])]
            for child in element:
                ctag = _tag(child)
                if ctag == "elseif":
                    branches.append((child.get("cond", "False"), []))
                elif ctag == "else":
                    branches.append((None, []))
                else:
                    action = self.action(child, f"{where}")
                    if action is not None:
                        branches[-1][1].append(action)
            return doc.If(branches=branches, where=where)
        if tag == "foreach":
            return doc.Foreach(
                array=get("array", ""),
                item=get("item", ""),
                index=get("index"),
                actions=self.actions(element, where),
                where=where,
            )
        if tag == "send":
            return doc.Send(
                event=get("event"),
                eventexpr=get("eventexpr"),
                target=get("target"),
                targetexpr=get("targetexpr"),
                type=get("type"),
                typeexpr=get("typeexpr"),
                id=get("id"),
                idlocation=get("idlocation"),
                delay=get("delay"),
                delayexpr=get("delayexpr"),
                namelist=_split(get("namelist")),
                params=self.params(element, where),
                content=self.content(element, where),
                where=where,
            )
        if tag == "cancel":
            return doc.Cancel(sendid=get("sendid"), sendidexpr=get("sendidexpr"), where=where)
        if tag == PY + "call":
            return doc.CallbackRef(self.name(element, context), where=f"{context} > py:call")
        return None


def parse_scxml(
    text: str | bytes, base_path: str | None = None, trusted: bool = False, where: str = ""
) -> doc.Document:
    """An SCXML document (its text) as a :class:`~._document.Document`."""
    root = read_xml(text, where or "The SCXML document")
    return _Reader(base_path, trusted).document(root)
