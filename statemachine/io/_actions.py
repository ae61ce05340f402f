"""Executable content compiled into callables, once, at load.

Each action of the document model becomes a function of a :class:`~._runtime.Scope`; a list
of them runs in order and stops at the first error (SCXML's "block"). The factory hands
blocks to the machine as ordinary callbacks, taking ``event_data`` by injection.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from types import MethodType
from typing import Any

from statemachine.exceptions import InvalidDefinition

from . import _document as doc
from ._evaluate import (
    SYSTEM_VARIABLES,
    Expression,
    check_location,
    compile_expression,
    compile_script,
)
from ._runtime import (
    PROCESSOR_ALIASES,
    SCXML_PROCESSOR,
    Scope,
    SessionError,
    post,
    session_of,
)

__all__ = ["Compiler", "Run", "parse_delay"]

Run = Callable[[Scope], Any]
logger = logging.getLogger("statemachine.io")

_DELAY = re.compile(r"^\s*(\d*\.?\d+)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, None: 1}


def _model_method(model: Any, name: str, value: Any) -> bool:
    """``value``, what ``name`` reads on ``model``, is a method of the model: bound to it
    (or to its class), or the very callable its class holds under that name (a static
    method). A callable the document stored in a variable (a bound method of some other
    object) is not."""
    if isinstance(value, MethodType):
        return value.__self__ is model or value.__self__ is type(model)
    return getattr(type(model), name, None) is value


def parse_delay(value: Any) -> float:
    """A delay in milliseconds, from a number (milliseconds) or a CSS2 duration (``'1.5s'``,
    ``'200ms'``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"delay {value!r} is negative")
        return float(value)
    match = _DELAY.match(str(value))
    if match is None:
        raise ValueError(f"delay {value!r} is not a duration such as '500ms' or '1.5s'")
    return float(match.group(1)) * _UNITS[match.group(2)]


class Compiler:
    """Compiles the expressions and executable content of one document.

    Attributes:
        trusted: full Python instead of the restricted evaluator.
        declared: every variable the document declares (assignments to other names are
            errors, as SCXML requires).
    """

    def __init__(self, trusted: bool, declared: set[str]) -> None:
        self.trusted = trusted
        self.declared = declared
        # Some invocation forwards events or finalizes them: the class needs the hook.
        self.event_hook = False
        self.base_path: str | None = None  # where the document's relative references start

    # --- expressions ------------------------------------------------------------------------
    def expression(self, source: str, where: str) -> Expression:
        return compile_expression(source, where, self.trusted)

    def guard(self, source: str, where: str) -> Callable[..., Any]:
        """A condition as a machine callback: true or false, raising on error (the machine
        turns that into ``error.execution``, the condition false)."""
        expr = self.expression(source, where)
        if expr.on_model is not None:
            # It reads the model only: called with the model, like a method of it.
            return expr.on_model
        name = expr.name
        trusted = self.trusted

        def condition(event_data: Any) -> Any:
            scope = session_of(event_data.machine).scope(event_data)
            if name is not None and name not in SYSTEM_VARIABLES:
                try:
                    value = scope[name]
                except KeyError:
                    value = expr.evaluate(scope)  # a builtin (trusted), or NameError
                if callable(value):
                    # A guard naming a method of the model is called with the event's
                    # arguments, like a guard of a machine declared in Python.
                    if not trusted and not _model_method(scope.model, name, value):
                        raise TypeError(
                            f"the condition {name!r} holds {value!r}, which is not a method "
                            "of the model; restricted documents call only the model's own "
                            "methods"
                        )
                    from statemachine._callbacks import call_injected

                    return call_injected(value, event_data)
                return value
            return expr.evaluate(scope)

        condition.__qualname__ = condition.__name__ = f"cond {expr.source}"
        return condition

    def variable(self, name: str, where: str) -> None:
        """Check the name of a variable the document declares (``<data id>``).

        Raises:
            InvalidDefinition: restricted mode, and the name is not a plain name, or starts
                with ``_`` (it would overwrite a private attribute of the model).
        """
        if not self.trusted and len(check_location(name, where, False)) != 1:
            raise InvalidDefinition(f"Variable {name!r} at {where} is not a plain name.")

    def callback_name(self, name: Any, where: str) -> Any:
        """Check a method the document names (a callback or a validator, native formats; the
        dict API may give a callable instead, which is kept).

        Raises:
            InvalidDefinition: restricted mode, and the name starts with ``_``.
        """
        if not self.trusted and isinstance(name, str) and name.startswith("_"):
            raise InvalidDefinition(
                f"Callback {name!r} at {where} starts with '_': restricted documents name "
                "only public methods; pass trusted=True only for documents you control."
            )
        return name

    # --- executable content --------------------------------------------------------------------
    def run_block(self, actions: Sequence[doc.Action]) -> Run:
        """One function running ``actions`` in order (an error stops the rest)."""
        runs = [self.action(a) for a in actions]

        def block(scope: Scope) -> None:
            for run in runs:
                run(scope)

        return block

    def callback(self, actions: Sequence[doc.Action], label: str) -> Callable[..., Any]:
        """A machine callback running ``actions`` (errors propagate to the machine)."""
        run = self.run_block(actions)

        def action(event_data: Any) -> None:
            run(session_of(event_data.machine).scope(event_data))

        action.__qualname__ = action.__name__ = label
        return action

    def isolated(self, actions: Sequence[doc.Action], label: str) -> Callable[..., Any]:
        """A machine callback running ``actions`` as a block of its own: an error stops this
        block only and is queued as ``error.execution`` (SCXML's ``<onentry>`` and
        ``<onexit>`` elements, each of which is a block)."""
        run = self.run_block(actions)

        def block(event_data: Any) -> None:
            session = session_of(event_data.machine)
            try:
                run(session.scope(event_data))
            except Exception as exc:
                from statemachine.exceptions import InvalidDefinition as Fatal

                if isinstance(exc, Fatal):
                    raise
                session.raise_error(exc)

        block.__qualname__ = block.__name__ = label
        return block

    def action(self, action: doc.Action) -> Run:
        compile_one = getattr(self, f"_{type(action).__name__.lower()}", None)
        if compile_one is None:  # pragma: no cover - every model class has one
            raise InvalidDefinition(f"Unsupported action {action!r}.")
        run: Run = compile_one(action)
        return run

    def _callbackref(self, action: doc.CallbackRef) -> Run:
        from statemachine._callbacks import call_injected

        if callable(action.name):
            function = action.name

            def call_function(scope: Scope) -> None:
                call_injected(function, scope.event_data)

            return call_function
        name = self.callback_name(action.name, action.where)

        def call(scope: Scope) -> None:
            machine = scope.session.machine
            for owner in (machine.model, machine):
                method = getattr(owner, name, None)
                if method is not None:
                    call_injected(method, scope.event_data)
                    return
            raise AttributeError(f"{name!r} is neither a method of the model nor the machine")

        return call

    def _raise(self, action: doc.Raise) -> Run:
        event = action.event

        def raise_event(scope: Scope) -> None:
            scope.session.machine.raise_(event)

        return raise_event

    def _parts(self, location: str, where: str) -> list[str] | None:
        """The parts of a location; None for a malformed one in a trusted document (SCXML
        reports it when the action runs, as ``error.execution``)."""
        try:
            return check_location(location, where, self.trusted)
        except InvalidDefinition:
            if not self.trusted:
                raise
            return None

    def _location(self, location: str, where: str) -> tuple[list[str], Callable[..., None]]:
        checked = self._parts(location, where)
        if checked is None:

            def invalid(scope: Scope, value: Any) -> None:
                raise ValueError(f"{location!r} is not a valid location")

            return [], invalid
        parts = checked
        declared = self.declared

        def assign(scope: Scope, value: Any) -> None:
            root = parts[0]
            if root in SYSTEM_VARIABLES:
                raise ValueError(f"the system variable {root!r} cannot be assigned")
            if len(parts) == 1:
                if root not in declared and not hasattr(scope.model, root):
                    raise NameError(f"{location!r} is not a declared variable")
                scope[root] = value
                return
            target = scope[root]
            for part in parts[1:-1]:
                target = target[part] if isinstance(target, dict) else getattr(target, part)
            last = parts[-1]
            if isinstance(target, dict):
                target[last] = value
            else:
                if not hasattr(target, last):
                    raise NameError(f"{location!r} is not a valid location")
                setattr(target, last, value)

        return parts, assign

    def _value(self, expr: str | None, content: Any, where: str) -> Callable[[Scope], Any]:
        if expr is not None:
            compiled = self.expression(expr, where)
            return compiled.evaluate
        if isinstance(content, doc.Content):
            return self._content(content, where)
        return lambda scope: content

    def _content(self, content: doc.Content, where: str) -> Callable[[Scope], Any]:
        if content.expr is not None:
            return self.expression(content.expr, where).evaluate
        value = content.value
        return lambda scope: value

    def _assign(self, action: doc.Assign) -> Run:
        _, assign = self._location(action.location, action.where)
        value = self._value(action.expr, action.content, action.where)

        def run(scope: Scope) -> None:
            assign(scope, value(scope))

        return run

    def _log(self, action: doc.Log) -> Run:
        label = action.label
        value = (
            self.expression(action.expr, action.where).evaluate if action.expr is not None else None
        )

        def log(scope: Scope) -> None:
            shown = value(scope) if value is not None else ""
            if label:
                logger.info("%s: %s", label, shown)
            else:
                logger.info("%s", shown)

        return log

    def _if(self, action: doc.If) -> Run:
        branches = [
            (
                self.expression(cond, action.where).evaluate if cond is not None else None,
                self.run_block(actions),
            )
            for cond, actions in action.branches
        ]

        def run(scope: Scope) -> None:
            for test, block in branches:
                if test is not None:
                    try:
                        ok = bool(test(scope))
                    except Exception as exc:
                        # SCXML: a condition that cannot be evaluated is false, and
                        # error.execution is raised.
                        scope.session.raise_error(exc)
                        ok = False
                    if not ok:
                        continue
                block(scope)
                return

        return run

    def _foreach(self, action: doc.Foreach) -> Run:
        array = self.expression(action.array, action.where).evaluate
        item = self._parts(action.item, action.where)
        index = self._parts(action.index, action.where) if action.index else []
        valid = item is not None and len(item) == 1 and index is not None and len(index) <= 1
        if not valid and not self.trusted:
            raise InvalidDefinition(
                f"foreach at {action.where} needs plain variable names for item and index."
            )
        block = self.run_block(action.actions)
        item_name = item[0] if valid and item else ""
        index_name = index[0] if valid and index else None

        def run(scope: Scope) -> None:
            if not valid:
                raise ValueError(f"foreach item {action.item!r} is not a valid variable name")
            values = array(scope)
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                raise TypeError(f"foreach needs a collection, got {values!r}")
            for i, value in enumerate(list(values)):
                scope[item_name] = value
                if index_name is not None:
                    scope[index_name] = i
                block(scope)

        return run

    def _script(self, action: doc.Script) -> Run:
        script = compile_script(action.source, action.where, self.trusted)
        return script.run

    def _cancel(self, action: doc.Cancel) -> Run:
        if action.sendidexpr is not None:
            sendid = self.expression(action.sendidexpr, action.where).evaluate
        else:
            fixed = action.sendid
            sendid = lambda scope: fixed  # noqa: E731

        def cancel(scope: Scope) -> None:
            send_id = str(sendid(scope))
            session = scope.session
            session.machine.cancel_event(send_id)
            for timer in session.timers.pop(send_id, ()):
                timer.cancel()

        return cancel

    def data_of(
        self,
        params: Sequence[doc.Param],
        namelist: Sequence[str],
        content: doc.Content | None,
        where: str,
    ) -> Callable[[Scope], Any]:
        """The data of an event or of a done.state: params and namelist as a dict, or the
        value of the content."""
        if content is not None:
            return self._content(content, where)
        values = [
            (
                p.name,
                self.expression(p.expr, p.where or where).evaluate
                if p.expr is not None
                else self.expression(p.location or p.name, p.where or where).evaluate,
            )
            for p in params
        ]
        names = [(n, self.expression(n, where).evaluate) for n in namelist]

        def data(scope: Scope) -> Any:
            result: dict[str, Any] = {}
            for name, value in names:
                result[name] = value(scope)
            for name, value in values:
                result[name] = value(scope)
            return result

        return data

    def _send(self, action: doc.Send) -> Run:
        where = action.where

        def fixed_or(expr: str | None, value: Any) -> Callable[[Scope], Any]:
            if expr is not None:
                return self.expression(expr, where).evaluate
            return lambda scope: value

        event = fixed_or(action.eventexpr, action.event)
        target = fixed_or(action.targetexpr, action.target)
        kind = fixed_or(action.typeexpr, action.type)
        delay = fixed_or(action.delayexpr, action.delay)
        data = self.data_of(action.params, action.namelist, action.content, where)
        if action.idlocation is not None:
            _, store_id = self._location(action.idlocation, where)
        else:
            store_id = None
        fixed_id = action.id
        has_content = action.content is not None

        def send(scope: Scope) -> None:
            session = scope.session
            send_id = fixed_id
            if send_id is None and store_id is not None:
                send_id = session.new_sendid()
                store_id(scope, send_id)
            name = event(scope)
            processor = kind(scope)
            to = target(scope)
            wait = delay(scope)
            ms = parse_delay(wait) if wait not in (None, "") else 0.0
            payload = data(scope)
            if processor is not None and str(processor) not in PROCESSOR_ALIASES:
                raise ValueError(f"unsupported send type {processor!r}")
            if name is None:
                raise ValueError("send has no event")
            meta: dict[str, Any] = {
                "origin": f"#_scxml_{session.sessionid}",
                # The W3C suite (python datamodel) expects the processor's full URI when
                # <send> names no type, and its short name when it names one.
                "origintype": SCXML_PROCESSOR if processor is None else "scxml",
            }
            if has_content or payload:
                meta["data"] = payload
            kwargs = payload if isinstance(payload, dict) and not has_content else {}
            try:
                deliver(session, str(name), to, kwargs, meta, ms, send_id)
            except SessionError as exc:
                session.raise_error(exc, "error.communication", send_id)
            except Exception as exc:
                exc.sendid = send_id  # type: ignore[attr-defined]  # read by _event.sendid
                raise

        return send


def deliver(
    session: Any,
    event: str,
    target: Any,
    kwargs: dict[str, Any],
    meta: dict[str, Any],
    delay: float,
    send_id: str | None,
) -> None:
    """Send ``event`` from ``session`` to ``target`` (SCXML's ``<send target=...>``)."""
    machine = session.machine
    if target is None or target == "":
        post(machine, event, kwargs, meta, delay=delay, send_id=send_id)
        return
    target = str(target)
    if target == "#_internal":
        if delay:
            raise ValueError("an event sent to #_internal cannot be delayed")
        post(machine, event, kwargs, meta, send_id=send_id, internal=True)
        return
    if target == "#_parent":
        if session.parent is None:
            raise SessionError("this session has no parent")
        parent_deliver, invokeid, _ = session.parent
        meta = {**meta, "invokeid": invokeid}
        _later(session, delay, send_id, lambda: parent_deliver(event, kwargs, meta))
        return
    if target.startswith("#_scxml_"):
        other = session.lookup(target[len("#_scxml_") :])
        if other is None:
            raise SessionError(f"no session {target!r}")
        _later(
            session,
            delay,
            send_id,
            lambda: post(other, event, kwargs, meta),
        )
        return
    if target.startswith("#_"):
        child = session.children.get(target[2:])
        if child is None:
            raise SessionError(f"no invoked session {target!r}")
        _later(session, delay, send_id, lambda: child.deliver(event, kwargs, meta))
        return
    raise ValueError(f"unsupported send target {target!r}")


def _later(session: Any, delay: float, send_id: str | None, send: Callable[[], Any]) -> None:
    if not delay:
        send()
        return
    import threading

    # Kept (by send id, when there is one) so that <cancel> and the end of the session stop it.
    key = send_id if send_id is not None else ""
    timers = session.timers.setdefault(key, [])

    def fire() -> None:
        if timer in timers:
            timers.remove(timer)
        send()

    timer = threading.Timer(delay / 1000, fire)
    timer.daemon = True
    timers.append(timer)
    timer.start()
