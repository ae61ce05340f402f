"""Hand-written dict-lookup FSMs: the baseline every scenario is compared with.

This module must not import ``statemachine``: baseline processes measure Python alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Model:
    """Plain model object; the FSM writes the current state to ``state``, like our library."""

    def __init__(self) -> None:
        self.state: str | None = None


class TransitionNotAllowed(Exception):
    """Raised when no transition exists for the current state and event."""


class DictFSM:
    """A ``{(state, event): target}`` table, a model object and a ``send`` method."""

    transitions: dict[tuple[str, str], str] = {}
    initial = ""

    def __init__(self, model: Model | None = None) -> None:
        self.model = Model() if model is None else model
        self.model.state = self.initial

    def send(self, event: str) -> None:
        model = self.model
        try:
            target = self.transitions[model.state, event]  # type: ignore[index]
        except KeyError:
            raise TransitionNotAllowed(f"Can't {event} when in {model.state}.") from None
        model.state = target


class TrafficLight(DictFSM):
    """3-state cycle, no callbacks (S1, S4, S5)."""

    initial = "green"
    transitions = {
        ("green", "cycle"): "yellow",
        ("yellow", "cycle"): "red",
        ("red", "cycle"): "green",
    }


Row = tuple[
    str, Callable[[Any], bool], Callable[[Any], None], Callable[[Any], None], Callable[[Any], None]
]


class CallbackTrafficLight:
    """3-state cycle calling a guard, a before, an on_enter_<state> and an after per event (S2)."""

    table: dict[tuple[str, str], Row] = {}

    def __init__(self, model: Model | None = None) -> None:
        self.model = Model() if model is None else model
        self.count = 0
        self.guards = 0
        self.model.state = "green"
        self.on_enter_green()

    def send(self, event: str) -> None:
        model = self.model
        try:
            target, cond, before, enter, after = self.table[model.state, event]  # type: ignore[index]
        except KeyError:
            raise TransitionNotAllowed(f"Can't {event} when in {model.state}.") from None
        if not cond(self):
            raise TransitionNotAllowed(f"Can't {event} when in {model.state}: guard failed.")
        before(self)
        model.state = target
        enter(self)
        after(self)

    def ok(self) -> bool:
        self.guards += 1
        return True

    def before_cycle(self) -> None:
        self.count += 1

    def on_enter_green(self) -> None:
        self.count += 1

    def on_enter_yellow(self) -> None:
        self.count += 1

    def on_enter_red(self) -> None:
        self.count += 1

    def after_cycle(self) -> None:
        self.count += 1


_C = CallbackTrafficLight
_C.table = {
    ("green", "cycle"): ("yellow", _C.ok, _C.before_cycle, _C.on_enter_yellow, _C.after_cycle),
    ("yellow", "cycle"): ("red", _C.ok, _C.before_cycle, _C.on_enter_red, _C.after_cycle),
    ("red", "cycle"): ("green", _C.ok, _C.before_cycle, _C.on_enter_green, _C.after_cycle),
}


class GuardedFSM:
    """An event with several guarded transitions from each state (S12): the table gives, for
    ``(state, event)``, the ``(guard attribute, target)`` pairs in order, and ``send`` takes
    the first whose guard attribute is true, as a hand-written machine would."""

    table: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}

    def __init__(self, model: Model | None = None) -> None:
        self.model = Model() if model is None else model
        self.model.state = "a"

    def send(self, event: str) -> None:
        model = self.model
        try:
            rows = self.table[model.state, event]  # type: ignore[index]
        except KeyError:
            raise TransitionNotAllowed(f"Can't {event} when in {model.state}.") from None
        for guard, target in rows:
            if getattr(self, guard):
                model.state = target
                return
        raise TransitionNotAllowed(f"Can't {event} when in {model.state}: no guard held.")


def guarded(n_guards: int) -> type[GuardedFSM]:
    """S12's machine with ``n_guards`` guards ``g1`` ... ``gN`` (only the last one true)."""
    names = [f"g{i}" for i in range(1, n_guards + 1)]
    attrs: dict[str, object] = {name: name == names[-1] for name in names}
    attrs["table"] = {
        ("a", "go"): tuple((name, "b") for name in names),
        ("b", "go"): tuple((name, "a") for name in names),
    }
    return type(f"Guarded{n_guards}", (GuardedFSM,), attrs)
