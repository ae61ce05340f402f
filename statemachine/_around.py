"""The model's ``statemachine_around_send`` hook: one wrapper around every send from outside.

A model class that defines ``statemachine_around_send(self, machine, event, args, kwargs,
proceed)`` gets it called for each event sent to its machine from outside a macrostep
(``send()``, event methods, bound event methods). ``proceed()`` processes the event and returns
what ``send()`` would have returned; the hook returns the result it wants the caller to see.
Events sent from callbacks while the macrostep runs, internal and delayed events go straight
to the engine. The Django integration uses it for transactions, locking and saving.

The engine keeps the exceptions its callbacks raised that became ``error.execution`` events
(a ``StateChart`` catches errors as events) since the current send from outside began in
``caught``: the hook reads it after ``proceed()`` to report errors the caller would not see
otherwise.

A model with the hook may also take over delayed sends: ``statemachine_schedule_send(machine,
event, args, kwargs, delay, send_id)`` is called for each external send with a ``delay`` (or an
``at`` keyword argument), from outside or from a callback; when it returns True the model has
scheduled the event itself (the Django timers persist it) and the engine does nothing more.
``statemachine_cancel_send(machine, send_id)`` is then called by ``cancel_event(send_id)``,
after the engine dropped its own pending events with that id.

A machine whose model has no hook runs the plain engine class: the hook costs nothing then.
"""

from __future__ import annotations

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from ._engine import Engine

__all__ = ["CANCEL_HOOK", "HOOK", "SCHEDULE_HOOK", "around_engine_class"]

HOOK = "statemachine_around_send"
SCHEDULE_HOOK = "statemachine_schedule_send"
CANCEL_HOOK = "statemachine_cancel_send"

_classes: dict[type, type] = {}
_KEEP = 16  # caught errors kept per send


def around_engine_class(engine_cls: type[Engine]) -> type[Engine]:
    """``engine_cls`` with its ``send`` wrapped by the model's hook (one subclass per class)."""
    cls = _classes.get(engine_cls)
    if cls is not None:
        return cls
    send = engine_cls.send  # type: ignore[attr-defined]  # both drivers define it
    # The asyncio engine knows when a send comes from one of its callbacks even after the
    # hooked send returned (a callback that suspended goes on in a task).
    reentrant = getattr(engine_cls, "_reentrant", None)
    # ...and runs an awaitable the hook returns to a sync caller, as it runs its own.
    complete = getattr(engine_cls, "complete", None)

    def wrapped(
        self: Any,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        delay: float = 0,
        send_id: str | None = None,
        internal: bool = False,
    ) -> Any:
        if (delay or (kwargs and "at" in kwargs)) and not internal:
            schedule = getattr(self.model, SCHEDULE_HOOK, None)
            if schedule is not None and schedule(self.machine, event, args, kwargs, delay, send_id):
                return None  # the model scheduled it
        if delay or internal or self.sending or (reentrant is not None and reentrant(self)):
            return send(self, event, args, kwargs, delay, send_id, internal)

        def proceed() -> Any:
            self.sending += 1
            try:
                return send(self, event, args, kwargs, delay, send_id, internal)
            finally:
                self.sending -= 1

        self.caught.clear()  # the errors of this send only
        result = getattr(self.model, HOOK)(self.machine, event, args, kwargs, proceed)
        return result if complete is None else complete(self, result)

    def __init__(self: Any, *args: Any) -> None:
        engine_cls.__init__(self, *args)
        self.sending = 0  # sends in progress through the hook (deeper ones go straight on)
        self.caught = []  # errors caught as events during the current send

    queue_error = engine_cls._queue_error

    def _queue_error(self: Any, exc: Exception) -> None:
        if len(self.caught) < _KEEP:  # errors between sends (delayed events) are not piled up
            self.caught.append(exc)
        queue_error(self, exc)

    cancel = engine_cls.cancel

    def _cancel(self: Any, send_id: str) -> None:
        cancel(self, send_id)
        hook = getattr(self.model, CANCEL_HOOK, None)
        if hook is not None:
            hook(self.machine, send_id)

    cls = type(
        f"{engine_cls.__name__}WithHook",
        (engine_cls,),
        {
            "__slots__": ("sending", "caught"),
            "__init__": __init__,
            "send": wrapped,
            "_queue_error": _queue_error,
            "cancel": _cancel,
            "__module__": __name__,
        },
    )
    _classes[engine_cls] = cls
    return cls
