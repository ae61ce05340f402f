"""``<invoke>`` in documents: a child machine, from ``src`` or inline content, run as a session
of its own while the invoking state is active.

The child is created when the invocation starts (at the end of the macrostep that entered the
state, in the parent's own processing): its initial macrostep runs then, and what it sends to
``#_parent`` is queued on the parent. The parent reaches it as ``#_<invokeid>``. The handler
then waits for the child to finish; the engine sends ``done.invoke.<invokeid>`` with the
child's final data. Leaving the state cancels the child.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from statemachine.exceptions import InvalidDefinition

from . import _document as doc
from ._runtime import post, session_of

__all__ = ["Child", "compile_invoke", "event_hook"]

_TYPES = frozenset(
    (
        "scxml",
        "http://www.w3.org/TR/scxml/",
        "http://www.w3.org/TR/scxml",
        "http://www.w3.org/TR/scxml/#SCXMLEventProcessor",
    )
)


class Child:
    """An invoked session, as its parent sees it."""

    def __init__(self, invokeid: str, autoforward: bool, finalize: Any, report: Any) -> None:
        self.invokeid = invokeid
        self.autoforward = autoforward
        self.finalize = finalize
        self.machine: Any = None
        self.finished = threading.Event()
        # report(data, error): ends the invocation, queueing done.invoke on the parent now,
        # behind what the child sent while finishing.
        self.report = report

    def deliver(self, event: str, kwargs: dict[str, Any], meta: dict[str, Any]) -> None:
        machine = self.machine
        if machine is None or self.finished.is_set():
            return
        post(machine, event, kwargs, meta)

    def stop(self) -> None:
        """The child session is over (it terminated, or its parent cancelled it): it stops
        processing, and its pending events, delayed sends and invocations are dropped."""
        if self.finished.is_set():
            return
        self.finished.set()
        machine = self.machine
        if machine is None:
            return
        engine = machine._get_engine()
        if engine.running:  # cancelled: no exit handlers (see _factory._terminated)
            engine._stop()
        if engine._invoker is not None:
            engine._invoker.cancel_all()
        session = machine.__dict__.get("_io_session")
        if session is not None:
            for timers in session.timers.values():
                for timer in timers:
                    timer.cancel()
            session.timers.clear()
            for child in list(session.children.values()):
                child.stop()


def _deliver_to(parent: Any) -> Callable[[str, dict[str, Any], dict[str, Any]], None]:
    def deliver(event: str, kwargs: dict[str, Any], meta: dict[str, Any]) -> None:
        post(parent, event, kwargs, meta)

    return deliver


def compile_invoke(invoke: doc.Invoke, compiler: Any) -> Any:
    """The invoke handler (an ``IInvoke`` class) of one ``<invoke>`` element."""
    from ._factory import build_class

    where = invoke.where
    child_cls: Any = None
    if invoke.content is not None and invoke.content.document is not None:
        child_cls = build_class(invoke.content.document, compiler.trusted, invokes=compile_invoke)
    elif invoke.src is not None:
        from . import read_document

        try:
            child_doc = read_document(invoke.src, trusted=compiler.trusted)
        except ValueError as exc:
            raise InvalidDefinition(f"{where}: {exc}") from None
        child_cls = build_class(child_doc, compiler.trusted, invokes=compile_invoke)
    type_expr = compiler.expression(invoke.typeexpr, where) if invoke.typeexpr else None
    src_expr = compiler.expression(invoke.srcexpr, where) if invoke.srcexpr else None
    content_expr = (
        compiler.expression(invoke.content.expr, where)
        if invoke.content is not None and invoke.content.expr is not None
        else None
    )
    if child_cls is None and src_expr is None and content_expr is None:
        raise InvalidDefinition(f"{where}: an invoke needs src, srcexpr or content.")
    data = compiler.data_of(invoke.params, invoke.namelist, None, where)
    store_id = compiler._location(invoke.idlocation, where)[1] if invoke.idlocation else None
    finalize = compiler.run_block(invoke.finalize) if invoke.finalize else None
    fixed_type = invoke.type
    fixed_id = invoke.id
    autoforward = invoke.autoforward
    trusted = compiler.trusted
    base_path = compiler.base_path
    if autoforward or finalize is not None:
        compiler.event_hook = True

    class DocumentInvocation:
        """Runs one child session."""

        def __init__(self) -> None:
            self.child: Child | None = None
            self.session: Any = None

        def prepare(self, ctx: Any, event_data: Any, report: Any) -> None:
            parent = ctx.machine
            session = session_of(parent)
            scope = session.scope(event_data)
            kind = type_expr.evaluate(scope) if type_expr is not None else fixed_type
            if kind is not None and str(kind) not in _TYPES:
                raise ValueError(f"unsupported invoke type {kind!r}")
            cls = child_cls
            if cls is None:
                if src_expr is not None:
                    from . import load
                    from ._scxml import local_file

                    src = str(src_expr.evaluate(scope))
                    cls = load(local_file(src, base_path, trusted), trusted=trusted)
                else:
                    assert content_expr is not None
                    cls = _class_from_content(content_expr.evaluate(scope), trusted, base_path)
            invokeid = fixed_id or ctx.invokeid
            ctx.invokeid = invokeid
            if store_id is not None:
                store_id(scope, invokeid)
            given = data(scope)
            child = Child(invokeid, autoforward, finalize, report)
            self.child, self.session = child, session
            session.children[invokeid] = child
            child.machine = cls(
                _io_parent=(_deliver_to(parent), invokeid, child),
                _io_data=given if isinstance(given, dict) else {},
            )
            if child.machine.is_terminated:
                child.finished.set()

        def run(self, ctx: Any) -> Any:
            child = self.child
            assert child is not None
            while not child.finished.wait(0.05):
                if ctx.cancelled.is_set():
                    return None
            if ctx.cancelled.is_set():
                return None
            # The child stays known (its events still to come run its <finalize>) until
            # its done.invoke event is processed (see event_hook).
            return session_of(child.machine).donedata

        def on_cancel(self) -> None:
            child = self.child
            if child is not None:
                child.stop()
                self.session.children.pop(child.invokeid, None)

    DocumentInvocation.__name__ = DocumentInvocation.__qualname__ = f"invoke {where}"
    return DocumentInvocation


def event_hook(self: Any, event_data: Any) -> dict[str, Any]:
    """``prepare_event`` of machines whose invocations forward events or finalize them:
    an event from a child runs that child's ``<finalize>`` first; an external event is
    forwarded to the children invoked with ``autoforward``."""
    if event_data.event is None:
        return {}
    session = session_of(self)
    if not session.children:
        return {}
    name = str(event_data.event)
    if name.startswith("done.invoke."):  # nothing more comes from that child
        session.children.pop(name[len("done.invoke.") :], None)
        return {}
    td = event_data.trigger_data
    meta = td.meta or {}
    invokeid = meta.get("invokeid")
    child = session.children.get(invokeid) if invokeid else None
    if child is not None and child.finalize is not None:
        child.finalize(session.scope(event_data))
    if not td.internal:
        for other in list(session.children.values()):
            if other.autoforward:
                other.deliver(str(event_data.event), dict(event_data.kwargs), dict(meta))
    return {}


def _class_from_content(value: Any, trusted: bool, base_path: str | None) -> Any:
    """The machine class of an invoke's ``<content expr=...>``: SCXML text, an ``<scxml>``
    element (inline XML content assigned to a variable), or a native document (a mapping)."""
    from collections.abc import Mapping
    from xml.etree.ElementTree import Element

    from ._factory import build_class
    from ._scxml import _Reader

    if isinstance(value, Mapping):
        from ._native import document_from_dict

        native = document_from_dict(value, base_path)
        return build_class(native, trusted, invokes=compile_invoke)
    if isinstance(value, Element):
        document = _Reader(base_path, trusted).document(value)
        return build_class(document, trusted, invokes=compile_invoke)
    from . import load

    return load(str(value), format="scxml", trusted=trusted)
