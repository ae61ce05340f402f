"""The class factory: a :class:`~._document.Document` becomes an ordinary
:class:`~statemachine.StateChart` subclass, built from ``State`` and ``Transition`` objects
exactly as a user would declare it, with the document's expressions and executable content
compiled into callbacks."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from statemachine._history import HistoryState
from statemachine._machine import StateChart
from statemachine._states import State
from statemachine._transitions import Transition
from statemachine.exceptions import InvalidDefinition

from . import _document as doc
from ._actions import Compiler
from ._runtime import Session, session_of

__all__ = ["DocumentModel", "build_class"]


class DocumentModel:
    """The default model of a machine built from a document: it holds the document's
    variables as attributes (and the state, in ``state``)."""

    def __init__(self) -> None:
        self.state: Any = None

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"DocumentModel({shown})"


def _all_states(states: Sequence[doc.StateDef]) -> list[doc.StateDef]:
    found: list[doc.StateDef] = []
    for s in states:
        found.append(s)
        found.extend(_all_states(s.states))
    return found


class _Builder:
    """Builds the states, transitions and callbacks of one document."""

    def __init__(self, document: doc.Document, trusted: bool, invokes: Any = None) -> None:
        self.document = document
        self.trusted = trusted
        every = _all_states(document.states)
        declared = {d.id for d in document.datamodel}
        for s in every:
            declared.update(d.id for d in s.datamodel)
        self.compiler = Compiler(trusted, declared)
        self.compiler.base_path = document.base_path
        self.invokes = invokes  # compiles <invoke> elements (see _invoke)
        self.by_id: dict[str, State] = {}
        self.defs: dict[str, doc.StateDef] = {}
        self.pending: list[tuple[State, doc.TransitionDef]] = []
        self.exit_content: dict[str, list[Callable[..., Any]]] = {}
        self.late = document.binding == "late"
        # The dict API declares a machine as Python code would: its guards are callback
        # specs, and its class has no session (see build_class).
        self.plain = document.format == "dict"

    # --- actions as callback specs --------------------------------------------------------------
    def specs(self, actions: Sequence[doc.Action], label: str) -> list[Any]:
        """Callback specs running ``actions`` in order, as one block: a callback reference
        is the method name (resolved like any named callback), structured actions in
        between are compiled callables."""
        result: list[Any] = []
        run: list[doc.Action] = []
        for action in actions:
            if isinstance(action, doc.CallbackRef):
                if run:
                    result.append(self.compiler.callback(run, label))
                    run = []
                result.append(self.compiler.callback_name(action.name, action.where))
            else:
                run.append(action)
        if run:
            result.append(self.compiler.callback(run, label))
        return result

    def blocks(self, blocks: Sequence[Sequence[doc.Action]], label: str) -> list[Any]:
        """Entry or exit content: each block of its own (an error stops that block only)."""
        if len(blocks) == 1 and any(isinstance(a, doc.CallbackRef) for a in blocks[0]):
            return self.specs(blocks[0], label)
        return [self.compiler.isolated(b, label) for b in blocks if b]

    # --- data --------------------------------------------------------------------------------
    def data_initialiser(self, items: Sequence[doc.DataItem]) -> Callable[[Any], None]:
        """Assigns the variables of ``items`` (a failing expression sets its variable to None
        and queues ``error.execution``)."""
        for item in items:
            self.compiler.variable(item.id, item.where)
        compiled = [
            (
                item.id,
                self.compiler.expression(item.expr, item.where).evaluate
                if item.expr is not None
                else None,
                item.content,
            )
            for item in items
        ]

        def initialise(session: Session, event_data: Any, given: dict[str, Any]) -> None:
            scope = session.scope(event_data)
            for name, value, content in compiled:
                if name in given:
                    scope[name] = given[name]
                    continue
                try:
                    scope[name] = value(scope) if value is not None else content
                except Exception as exc:
                    session.raise_error(exc)
                    with contextlib.suppress(Exception):  # a name that cannot be assigned
                        scope[name] = None

        return initialise  # type: ignore[return-value]

    # --- states ------------------------------------------------------------------------------
    def state(self, sdef: doc.StateDef) -> State:
        if sdef.id in self.by_id:
            raise InvalidDefinition(f"State id {sdef.id!r} is declared twice ({sdef.where}).")
        children = [self.state(c) for c in sdef.states]
        history = [self.history(h) for h in sdef.history]
        enter: list[Any] = []
        if self.late and sdef.datamodel:
            enter.append(self._late_binding(sdef))
        enter.extend(self.blocks(sdef.onentry, f"onentry {sdef.id}"))
        exit_ = self.blocks(sdef.onexit, f"onexit {sdef.id}")
        # The document's own exit content (not the methods it names) also runs when the
        # session ends (see _terminated).
        content = [x for x in exit_ if callable(x)]
        if content:
            self.exit_content[sdef.id] = content
        donedata: Any = None
        if sdef.donedata is not None:
            donedata = sdef.donedata.callback or self.donedata(sdef)
        kind = sdef.kind
        state = State(
            name=sdef.name,  # None: the id, humanized, as for a state declared in Python
            value=sdef.id if sdef.value is None else sdef.value,
            initial=sdef.initial,
            final=kind == "final",
            parallel=kind == "parallel",
            states=children,
            history=history,
            enter=enter or None,
            exit=exit_ or None,
            donedata=donedata,
        )
        state._set_id(sdef.id)
        if sdef.invokes:
            if self.invokes is None:  # pragma: no cover - the loader always passes one
                raise InvalidDefinition(f"invoke at {sdef.where} is not supported here.")
            for invoke in sdef.invokes:
                if invoke.callback is not None:  # a method, as State(invoke="name")
                    state.invoke.add(self.compiler.callback_name(invoke.callback, invoke.where))
                else:
                    state.invoke.add(self.invokes(invoke, self.compiler))
        self.by_id[sdef.id] = state
        self.defs[sdef.id] = sdef
        for t in sdef.transitions:
            self.pending.append((state, t))
        return state

    def history(self, hdef: doc.HistoryDef) -> HistoryState:
        h = HistoryState(
            name=hdef.name or hdef.id,
            value=hdef.id if hdef.value is None else hdef.value,
            type="deep" if hdef.deep else "shallow",
        )
        h._set_id(hdef.id)
        if hdef.id in self.by_id:
            raise InvalidDefinition(f"State id {hdef.id!r} is declared twice ({hdef.where}).")
        self.by_id[hdef.id] = h
        if hdef.transition is not None:
            self.pending.append((h, hdef.transition))
        return h

    def _late_binding(self, sdef: doc.StateDef) -> Callable[..., None]:
        initialise = self.data_initialiser(sdef.datamodel)
        state_id = sdef.id

        def bind_data(event_data: Any) -> None:
            session = session_of(event_data.machine)
            if state_id not in session.bound:
                session.bound.add(state_id)
                initialise(session, event_data, {})  # type: ignore[call-arg]

        bind_data.__qualname__ = bind_data.__name__ = f"data {state_id}"
        return bind_data

    def donedata(self, sdef: doc.StateDef) -> Callable[..., Any]:
        data = sdef.donedata
        assert data is not None
        value = self.compiler.data_of(data.params, [], data.content, sdef.where)

        top_level = any(sdef is s for s in self.document.states)  # ends the document itself

        def donedata(event_data: Any) -> Any:
            session = session_of(event_data.machine)
            result = value(session.scope(event_data))
            if top_level:
                session.donedata = result  # the data of done.invoke, when invoked
            return result

        return donedata

    # --- transitions -------------------------------------------------------------------------
    def target(self, ident: str, where: str) -> State:
        try:
            return self.by_id[ident]
        except KeyError:
            raise InvalidDefinition(
                f"Transition target {ident!r} at {where} is not a state of the document."
            ) from None

    def transition(self, source: State, tdef: doc.TransitionDef, initial: bool = False) -> Any:
        missing = [i for i in tdef.targets if i not in self.by_id]
        if missing and self.document.format == "scxml" and not initial:
            # SCXML leaves a transition to a state that does not exist undefined; rather
            # than refuse the whole document, that transition fails when it is selected
            # (error.execution), and loading warns.
            return self._broken_transition(source, tdef, missing)
        targets = [self.target(i, tdef.where) for i in tdef.targets]
        if self.plain:
            internal = tdef.internal
            guards = list(tdef.cond)
            unless = list(tdef.unless)
            validators = list(tdef.validators)
        else:
            # SCXML: an internal transition behaves as one only from a compound state to
            # its descendants; otherwise it is external.
            internal = (
                tdef.internal
                and bool(targets)
                and source.is_compound
                and all(source in t.ancestors() for t in targets)
            )
            guards = [self.compiler.guard(c, tdef.where) for c in tdef.cond]
            unless = [self.compiler.guard(c, tdef.where) for c in tdef.unless]
            validators = [self.compiler.callback_name(v, tdef.where) for v in tdef.validators]
        label = f"transition {tdef.where}"
        return Transition(
            source,
            targets,
            event=tdef.event,
            internal=internal,
            initial=initial,
            validators=validators or None,
            cond=guards or None,
            unless=unless or None,
            before=self.specs(tdef.before, label) or None,
            on=self._on(tdef, label, initial) or None,
            after=self.specs(tdef.after, label) or None,
        )

    def _on(self, tdef: doc.TransitionDef, label: str, initial: bool) -> list[Any]:
        """A transition's content. An ``<initial>``'s is a block of its own, as SCXML has it:
        an error stops the block (``error.execution``), the states are entered anyway."""
        if initial and tdef.on and not self.plain:
            return [self.compiler.isolated(tdef.on, label)]
        return self.specs(tdef.on, label)

    def _broken_transition(self, source: State, tdef: doc.TransitionDef, missing: list[str]) -> Any:
        import logging

        names = ", ".join(repr(m) for m in missing)
        logging.getLogger("statemachine.io").warning(
            "Transition at %s targets %s, not a state of the document: it fails when taken.",
            tdef.where,
            names,
        )

        def missing_target() -> bool:
            raise LookupError(f"the transition at {tdef.where} targets {names}, no such state")

        return Transition(source, [], event=tdef.event, cond=[missing_target])

    def wire(self) -> None:
        for source, tdef in self.pending:
            t = self.transition(source, tdef)
            source.transitions.add_transitions([t])
        for sid, sdef in self.defs.items():
            state = self.by_id[sid]
            if sdef.initial_transition is not None or sdef.initial_ids:
                self.initial_of(state, sdef)

    def initial_of(self, state: State, sdef: doc.StateDef) -> None:
        """A compound state's initial child(ren) from SCXML's ``initial="..."`` or
        ``<initial>``: direct children are marked initial; deeper or several targets make
        the compound's default transition."""
        tdef = sdef.initial_transition or doc.TransitionDef(
            targets=list(sdef.initial_ids), where=sdef.where
        )
        targets = [self.target(i, tdef.where) for i in tdef.targets]
        for child in state.states:
            child.initial = any(t is child or child in t.ancestors() for t in targets)
        if sdef.initial_transition is not None or any(t.parent is not state for t in targets):
            default = self.transition(state, tdef, initial=True)
            default.targets = targets
            state.__dict__["_default_transition"] = default


def build_class(
    document: doc.Document,
    trusted: bool,
    name: str | None = None,
    invokes: Any = None,
    module: str = "statemachine.io",
) -> type[StateChart[Any]]:
    """Build the machine class of ``document``.

    Raises:
        InvalidDefinition: an expression is refused or malformed, a target does not exist,
            an id is declared twice, or the structure is invalid.
    """
    builder = _Builder(document, trusted, invokes)
    top = [builder.state(s) for s in document.states]
    if not top:
        raise InvalidDefinition("The document declares no states.")
    builder.wire()
    initial_targets = None
    if document.initial_ids:
        wanted = [builder.target(i, "the document's initial") for i in document.initial_ids]
        roots = {id(s if s.parent is None else s.ancestors()[-1]) for s in wanted}
        if len(roots) != 1:
            raise InvalidDefinition(
                f"The document's initial {' '.join(document.initial_ids)!r} names states "
                "under several top-level states; name states of one top-level state."
            )
        for s in top:
            s.initial = id(s) in roots
        if len(wanted) > 1 or wanted[0].parent is not None:
            initial_targets = wanted
    cls_name = name or document.name or "Document"
    if builder.plain:
        # The dict API: an ordinary class, as if written in Python (its validations on).
        plain: dict[str, Any] = {s.id: s for s in top}
        plain.update({"__module__": module, "__qualname__": cls_name})
        if document.description is not None:
            plain["__doc__"] = document.description
        plain.update(document.attributes)
        plain_cls: type[StateChart[Any]] = type(cls_name, (StateChart,), plain)
        return plain_cls
    first = next((s for s in top if s.initial), top[0])
    first.enter.add(_early_binding(builder, document))
    # The first entry callback of the initial state: it must run before the others.
    specs = first.enter._specs
    specs.insert(0, specs.pop())

    namespace: dict[str, Any] = {s.id: s for s in top}
    namespace.update(
        {
            "__module__": module,
            "__qualname__": cls_name,
            "__doc__": document.description,
            "validate_disconnected_states": False,
            "validate_trap_states": False,
            "validate_final_reachability": False,
            # A session runs on its own: delayed events fire when due, without a caller.
            "delayed_events_in_background": True,
            "_io_name": document.name,
            "_initial_targets": initial_targets,
            "__init__": _init,
            "_terminated": _terminated,
            "_io_exit_content": builder.exit_content,
        }
    )
    if builder.compiler.event_hook:
        from ._invoke import event_hook

        namespace["prepare_event"] = event_hook
    namespace.update(document.attributes)
    cls: type[StateChart[Any]] = type(cls_name, (StateChart,), namespace)
    return cls


def _early_binding(builder: _Builder, document: doc.Document) -> Callable[..., None]:
    """The first entry callback of the initial state: the document's variables (all of them
    with early binding; the top-level ones with late binding), then its top-level
    scripts. Runs once per session."""
    items = list(document.datamodel)
    if not builder.late:
        for sdef in _all_states(document.states):
            items.extend(sdef.datamodel)
    initialise = builder.data_initialiser(items)
    scripts = builder.compiler.run_block(document.scripts) if document.scripts else None

    def start_session(event_data: Any) -> None:
        session = session_of(event_data.machine)
        if session.initialised:
            return
        session.initialised = True
        given = event_data.machine.__dict__.pop("_io_given", {})
        initialise(session, event_data, given)  # type: ignore[call-arg]
        if scripts is not None:
            try:
                scripts(session.scope(event_data))
            except Exception as exc:
                session.raise_error(exc)

    start_session.__qualname__ = start_session.__name__ = "datamodel"
    return start_session


def _init(self: Any, model: Any = None, *args: Any, **kwargs: Any) -> None:
    """Machines built from documents get a session (system variables) and, by default, a
    :class:`DocumentModel` for their variables."""
    parent = kwargs.pop("_io_parent", None)
    given = kwargs.pop("_io_data", None)
    self.__dict__["_io_session"] = Session(self, type(self).__dict__.get("_io_name"), parent)
    if given:
        self.__dict__["_io_given"] = dict(given)
    if model is None:
        model = DocumentModel()
    StateChart.__init__(self, model, *args, **kwargs)


def _terminated(self: Any) -> None:
    """Called by the engine when the machine terminates: as an SCXML session ends, the exit
    content the document gives the active states runs (innermost first; the configuration
    is kept, so that it shows where the machine ended; methods the document names run only
    when their state is left, as in a machine declared in Python); then an invoking parent
    hears that the session is done."""
    from statemachine._event_data import EventData

    session: Session | None = self.__dict__.get("_io_session")
    child = session.parent[2] if session is not None and session.parent is not None else None
    if child is not None and child.finished.is_set():
        return  # cancelled by the parent, which hears nothing more from it
    engine = self._get_engine()
    ed = EventData(self, None, (), {})
    content = type(self)._io_exit_content
    for state in reversed(engine.configuration()):
        ed.state = ed.source = state
        for block in content.get(state.id, ()):
            try:
                block(ed)
            except Exception as exc:  # nobody to report to any more: log it
                import logging

                logging.getLogger("statemachine.io").error(
                    "Error in an exit handler of %s at termination: %r", state.id, exc
                )
                break
    if child is not None:
        child.machine = self  # (during its constructor, not yet assigned)
        child.stop()
        child.report(session.donedata if session is not None else None, None)
