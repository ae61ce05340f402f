"""Peer scenarios on django-fsm-2: a Django model with an ``FSMField`` and ``@transition``
methods, never saved (no database: Django is configured with no apps and no databases).

Written from django-fsm-2's documentation. A ``@transition`` method is the event; one method
with several stacked ``@transition`` decorators (one per source state) is how one event leaves
several states. django-fsm-2 has no per-state entry callbacks, so the callbacks scenario uses
what it offers: ``conditions`` (the guard), the method's body (runs before the state changes)
and receivers of its ``post_transition`` signal for the entry and "after" callbacks. One
method cannot hold two transitions from the same source, so the guards scenario puts its N
guards in one transition's ``conditions`` (all must hold): the same N guard calls per event as
the other libraries' N guarded transitions, but an AND rather than a first-match.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from benchmarks._timing import bytes_per_instance, per_op_ns

from ._common import (
    CYCLE,
    INSTANCES,
    N_GUARDS,
    check_cycle,
    check_toggle,
    check_trace,
    define_edges,
    define_walk,
    main,
    timed_batches,
    timed_definitions,
)

WHO = "django-fsm-2"
APP_LABEL = "peerbench"  # not an installed app: the models are never saved or migrated


def setup_django() -> None:
    """Minimal settings: no apps, no database (the instances are never saved)."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(INSTALLED_APPS=[], DATABASES={}, USE_TZ=True)
    django.setup()


def _model(name: str, attrs: dict[str, Any]) -> Any:
    """A Django model class, as a ``class`` statement in an app's models.py would create it."""
    from django.db import models

    meta = type("Meta", (), {"app_label": APP_LABEL})
    return type(name, (models.Model,), {"__module__": __name__, "Meta": meta, **attrs})


def _event(
    state: Any, edges: list[tuple[str, str]], package: str = "django_fsm", **options: Any
) -> Any:
    """One ``@transition`` per (source, target), stacked on one method (the event)."""
    transition = importlib.import_module(package).transition

    def method(self: Any) -> None:
        """The transition's side effects would go here."""

    for source, target in edges:
        method = transition(field=state, source=source, target=target, **options)(method)
    return method


_CYCLE_EDGES = list(zip(CYCLE, CYCLE[1:] + CYCLE[:1], strict=True))


@functools.cache
def light_model(package: str = "django_fsm") -> Any:
    """``state = FSMField(default="green")`` and ``cycle()``: green -> yellow -> red -> green.

    ``package`` is where ``FSMField`` and ``transition`` come from: django-fsm-2's
    ``django_fsm``, or ours, ``statemachine.contrib.django.fsm`` (the ``fsm`` scenario of
    ``with_statemachine``: the same model with its import line changed)."""
    state = importlib.import_module(package).FSMField(default="green")
    name = "Light" if package == "django_fsm" else "CompatLight"
    return _model(name, {"state": state, "cycle": _event(state, _CYCLE_EDGES, package)})


def _checks(obj: Any, start: bool = False) -> None:
    check_cycle(WHO, lambda event: getattr(obj, event)(), lambda: obj.state, start=start)


def send() -> dict[str, Any]:
    light = light_model()()
    _checks(light, start=True)
    result = per_op_ns("cycle()", {"cycle": light.cycle})
    _checks(light)
    return {"send": result}


def fsm() -> dict[str, Any]:
    """The ``fsm`` row: a ``@transition`` method call, here on django-fsm-2 itself (the
    ``send`` scenario's model and figure)."""
    return send()


def _entered(sender: Any, instance: Any, target: str, **kwargs: Any) -> None:
    getattr(instance, f"on_enter_{target}")()


def _after(sender: Any, instance: Any, name: str, **kwargs: Any) -> None:
    getattr(instance, f"after_{name}")()


def callbacks() -> dict[str, Any]:
    """Guard ``ok`` in ``conditions``, the body as ``before``, and two ``post_transition``
    receivers (for this model only) calling ``on_enter_<target>`` and ``after_<event>``."""
    from django_fsm import FSMField, transition
    from django_fsm.signals import post_transition

    def ok(self: Any) -> bool:
        self.guards += 1
        return True

    def cycle(self: Any) -> None:
        self.count += 1  # before the state changes: S2's before_cycle

    def bump(self: Any) -> None:
        self.count += 1

    state = FSMField(default="green")
    for source, target in _CYCLE_EDGES:
        cycle = transition(field=state, source=source, target=target, conditions=[ok])(cycle)
    model = _model(
        "CallbackLight",
        {
            "state": state,
            "count": 0,
            "guards": 0,
            "ok": ok,
            "cycle": cycle,
            "after_cycle": bump,
            **{f"on_enter_{name}": bump for name in CYCLE},
        },
    )
    post_transition.connect(_entered, sender=model)
    post_transition.connect(_after, sender=model)

    def check(obj: Any) -> None:
        count, guards = obj.count, obj.guards
        _checks(obj)
        got = (obj.guards - guards, obj.count - count)
        assert got == (3, 9), f"{WHO}: expected 3 guard calls and 9 callbacks, got {got}"

    obj = model()
    check(obj)
    result = per_op_ns("cycle()", {"cycle": obj.cycle})
    check(obj)
    return {"send": result}


def _guard_model(name: str, log: list[str] | None = None) -> Any:
    """``go`` toggles a <-> b, each transition with ``conditions=[g1, ..., gN]`` (all True)."""
    from django_fsm import FSMField

    conditions = [_guard(f"g{i}", log) for i in range(1, N_GUARDS + 1)]
    state = FSMField(default="a")
    go = _event(state, [("a", "b"), ("b", "a")], conditions=conditions)
    return _model(name, {"state": state, "go": go})


def _guard(name: str, log: list[str] | None) -> Any:
    if log is None:
        return lambda instance: True

    def counted(instance: Any) -> bool:
        log.append(name)
        return True

    return counted


def guards() -> dict[str, Any]:
    log: list[str] = []
    counted = _guard_model("CountedGuards", log)()
    log.clear()
    counted.go()
    want = [f"g{i}" for i in range(1, N_GUARDS + 1)]
    assert log == want, f"{WHO}: one event should call the guards {want}, called {log}"
    obj = _guard_model("Guards")()
    check_toggle(WHO, lambda event: getattr(obj, event)(), lambda: obj.state, start=True)
    result = per_op_ns("go()", {"go": obj.go})
    check_toggle(WHO, lambda event: getattr(obj, event)(), lambda: obj.state)
    return {"send": result}


def init() -> dict[str, Any]:
    """An unsaved model instance: ``Light()``."""
    model = light_model()
    _checks(model(), start=True)
    return {"init": per_op_ns("cls()", {"cls": model})}


def memory() -> dict[str, Any]:
    model = light_model()
    _checks(model(), start=True)
    return {"bytes": bytes_per_instance(model)}


def define() -> dict[str, Any]:
    """A model class with an ``FSMField`` and 3 methods holding the 100 transitions."""
    from django_fsm import FSMField

    def build(i: int) -> Any:
        state = FSMField(default="s0")
        events = {event: _event(state, edges) for event, edges in define_edges().items()}
        return _model(f"Big{i}", {"state": state, **events})

    summary, model = timed_definitions(build)
    obj = model()  # type: ignore[operator]
    events, states = define_walk()
    check_trace(WHO, lambda event: getattr(obj, event)(), lambda: obj.state, events, states)
    return {"define": summary}


def many() -> dict[str, Any]:
    """INSTANCES unsaved ``Light()`` instances (the model is the machine), one ``cycle()`` each."""
    model = light_model()

    def batch() -> list[Any]:
        objs = [model() for _ in range(INSTANCES)]
        for obj in objs:
            obj.cycle()
        return objs

    def check(objs: list[Any]) -> None:
        states = {obj.state for obj in objs}
        assert states == {CYCLE[1]}, f"{WHO}: expected every instance in 'yellow', got {states}"

    return {"batch": timed_batches(batch, check)}


SCENARIOS = {
    "send": send,
    "callbacks": callbacks,
    "guards": guards,
    "init": init,
    "memory": memory,
    "define": define,
    "many": many,
    "fsm": fsm,
}

if __name__ == "__main__":
    main("django_fsm", SCENARIOS, setup=setup_django)
