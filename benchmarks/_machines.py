"""The machines of our library used by the scenarios (only imported by "ours" processes)."""

from __future__ import annotations

import functools
import operator
import types
from typing import Any

from statemachine import State, StateChart, StateMachine


class TrafficLight(StateMachine):
    """3-state cycle, no callbacks (S1, S4, S5)."""

    green = State(initial=True)
    yellow = State()
    red = State()

    cycle = green.to(yellow) | yellow.to(red) | red.to(green)


class CallbackTrafficLight(StateMachine):
    """3-state cycle with a guard, before, on_enter_<state> and after callbacks (S2)."""

    count = 0
    guards = 0

    green = State(initial=True)
    yellow = State()
    red = State()

    cycle = green.to(yellow, cond="ok") | yellow.to(red, cond="ok") | red.to(green, cond="ok")

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


def define(
    name: str, attrs: dict[str, Any], base: type[StateChart] = StateMachine
) -> type[StateChart]:
    """Create a machine class exactly as a ``class`` statement would (``__prepare__`` included)."""
    attrs = {"__module__": __name__, "__qualname__": name, **attrs}
    return types.new_class(name, (base,), exec_body=lambda ns: ns.update(attrs))


def big_namespace(n_states: int = 50) -> dict[str, Any]:
    """``n_states`` states and ``2 * n_states`` transitions; every state reachable, last is final.

    Events: ``next`` (s_i -> s_i+1), ``back`` (s_i -> s_i-1) and ``reset`` (three states -> s0).
    """
    states = [State(initial=i == 0, final=i == n_states - 1) for i in range(n_states)]
    forward = [states[i].to(states[i + 1]) for i in range(n_states - 1)]
    backward = [states[i].to(states[i - 1]) for i in range(1, n_states - 1)]
    resets = [states[i].to(states[0]) for i in (10, 20, 30)]
    assert len(forward) + len(backward) + len(resets) == 2 * n_states
    attrs: dict[str, Any] = {f"s{i}": state for i, state in enumerate(states)}
    attrs["next"] = functools.reduce(operator.or_, forward)
    attrs["back"] = functools.reduce(operator.or_, backward)
    attrs["reset"] = functools.reduce(operator.or_, resets)
    return attrs


def ring_namespace(n_states: int) -> dict[str, Any]:
    """A ring s0 -> s1 -> ... -> s_n-1 -> s0, all transitions on one event ``step``."""
    states = [State(initial=i == 0) for i in range(n_states)]
    attrs: dict[str, Any] = {f"s{i}": state for i, state in enumerate(states)}
    steps = (states[i].to(states[(i + 1) % n_states]) for i in range(n_states))
    attrs["step"] = functools.reduce(operator.or_, steps)
    return attrs
