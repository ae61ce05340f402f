"""A machine class declared in Python, as a document model (what :func:`statemachine.io.dump`
writes out).

The export reads the class's immutable definition: its states (nesting, parallel, final,
initial, history), its transitions (events, targets, ``internal``), their guards and
validators, and the callbacks given by name. A callback is exported as the name the class
knows it by: a string, or a function or property that is an attribute of the class (a method
decorated with ``@state.enter``, ``@event.on``...). Anything else (a lambda, a closure, a
callable object) has no name a document could hold, and raises :class:`ExportError` naming it
and where it is declared.
"""

from __future__ import annotations

from typing import Any

from statemachine._callbacks import CallbackSpec, Group
from statemachine._expressions import python_source

from . import _document as doc

__all__ = ["ExportError", "document_of"]


class ExportError(ValueError):
    """A machine class uses something a document cannot express (a lambda guard, a
    callable object as an action, an event with a default delay...)."""


def document_of(machine: Any) -> doc.Document:
    """The document model of a machine class (or of an instance's class).

    Raises:
        TypeError: ``machine`` is not a machine class or instance.
        ExportError: something in the class has no document form.
    """
    cls = machine if isinstance(machine, type) else type(machine)
    definition = getattr(cls, "_definition", None)
    if definition is None:
        raise TypeError(
            f"dump() takes a StateChart or StateMachine subclass (or an instance of one), "
            f"not {machine!r}."
        )
    return _Exporter(cls, definition).document()


def _owner_name(cls: type, func: Any) -> str | None:
    """The attribute name under which the class (or a base) holds ``func``, if any."""
    for klass in cls.__mro__:
        for key, value in vars(klass).items():
            if value is func or getattr(value, "__func__", None) is func:
                return key
    return None


class _Exporter:
    def __init__(self, cls: type, definition: Any) -> None:
        self.cls = cls
        self.definition = definition

    def document(self) -> doc.Document:
        definition = self.definition
        for event in definition.events.values():
            if getattr(event, "delay", 0) or getattr(event, "internal", False):
                raise ExportError(
                    f"Cannot export {self.cls.__name__}: event {event.id!r} has a default "
                    f"{'delay' if event.delay else 'internal flag'}, which a document cannot "
                    "hold. Pass delay= or internal= where the event is sent instead."
                )
        settings = {
            key: getattr(self.cls, key)
            for key, default in doc.SETTINGS.items()  # a document loads into a StateChart
            if getattr(self.cls, key, default) != default
        }
        return doc.Document(
            name=self.cls.__name__,
            states=[self.state(s) for s in definition.top_states],
            description=(self.cls.__doc__ or "").strip() or None,
            attributes=settings,
        )

    # --- callbacks ---------------------------------------------------------------------------
    def name_of(self, spec: CallbackSpec, where: str) -> str:
        func = spec.func
        if isinstance(func, str):
            return str(getattr(func, "id", None) or func)
        name = _owner_name(self.cls, func)
        if name is not None:
            return name
        label = getattr(func, "__qualname__", None) or repr(func)
        raise ExportError(
            f"Cannot export the {Group.NAMES[spec.group]} callback {label} of {where}: a "
            "document refers to callbacks by name. Make it a method of the class (or of the "
            "model) and give its name instead."
        )

    def refs(self, specs: Any, where: str) -> list[doc.Action]:
        ordered = sorted(specs, key=lambda s: s.priority)
        return [doc.CallbackRef(self.name_of(s, where), where=where) for s in ordered]

    def condition(self, spec: CallbackSpec, where: str) -> str:
        if spec.expression is not None:
            return python_source(spec.func)
        return self.name_of(spec, where)

    # --- states ------------------------------------------------------------------------------
    def state(self, s: Any) -> doc.StateDef:
        definition = self.definition
        where = f"state {s.id!r}"
        kind = "parallel" if s.parallel else "final" if s.final else "state"
        sdef = doc.StateDef(id=s.id, kind=kind, initial=bool(s.initial), where=where)
        sdef.states = [self.state(c) for c in s.states]
        sdef.history = [self.history(h) for h in s.history]
        enter = self.refs(definition.state_specs[(s.id, Group.ENTER)], where)
        exit_ = self.refs(definition.state_specs[(s.id, Group.EXIT)], where)
        sdef.onentry = [enter] if enter else []
        sdef.onexit = [exit_] if exit_ else []
        for spec in definition.state_specs[(s.id, Group.INVOKE)]:
            sdef.invokes.append(doc.Invoke(callback=self.name_of(spec, where), where=where))
        if s.donedata is not None:
            raise ExportError(
                f"Cannot export the donedata of {where}: a document gives done data as "
                "values (<donedata> params), not as a callback."
            )
        sdef.transitions = [
            self.transition(t) for t in definition.transitions_by_source.get(s.id, ())
        ]
        return sdef

    def history(self, h: Any) -> doc.HistoryDef:
        where = f"history state {h.id!r}"
        hdef = doc.HistoryDef(id=h.id, deep=h.type.is_deep, where=where)
        defaults = self.definition.transitions_by_source.get(h.id, ())
        if defaults:
            hdef.transition = self.transition(defaults[0])
        return hdef

    def transition(self, t: Any) -> doc.TransitionDef:
        definition = self.definition
        target = " ".join(x.id for x in t.targets) or "itself"
        events = definition.transition_events[t]
        where = f"the transition {t.source.id} -> {target}" + (
            f" on {' '.join(events)!r}" if events else ""
        )
        tdef = doc.TransitionDef(
            event=" ".join(events) or None,
            targets=[x.id for x in t.targets],
            internal=bool(t.internal),
            where=where,
        )
        for spec in definition.transition_specs[(t, Group.COND)]:
            (tdef.cond if spec.expected else tdef.unless).append(self.condition(spec, where))
        tdef.validators = [
            self.name_of(spec, where) for spec in definition.transition_specs[(t, Group.VALIDATORS)]
        ]
        tdef.before = self.refs(definition.transition_specs[(t, Group.BEFORE)], where)
        tdef.on = self.refs(definition.transition_specs[(t, Group.ON)], where)
        tdef.after = self.refs(definition.transition_specs[(t, Group.AFTER)], where)
        return tdef
