"""The ``StateChart`` machines of S8-S10 and S12 (only imported by "ours" processes).

The async machine of S11 lives in ``_charts_async.py``, so that a problem with the asyncio
engine cannot break these scenarios.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

from statemachine import State, StateChart


class TrafficChart(StateChart):
    """S1's 3-state cycle on a ``StateChart``, no callbacks (S8, and the reference of S9-S11)."""

    green = State(initial=True)
    yellow = State()
    red = State()

    cycle = green.to(yellow) | yellow.to(red) | red.to(green)


class DeepChart(StateChart):
    """Three nested compounds (``outer > middle > inner``) with two atomic leaves (S9).

    ``toggle`` switches the two deepest leaves (declared at depth 3, inside ``inner``); ``hop``
    leaves the whole branch for the top-level atomic ``away`` and comes back to ``inner.a``.
    """

    class outer(State.Compound, initial=True):
        class middle(State.Compound, initial=True):
            class inner(State.Compound, initial=True):
                a = State(initial=True)
                b = State()

                toggle = a.to(b) | b.to(a)

    away = State()

    hop = outer.middle.inner.a.to(away) | away.to(outer.middle.inner.a)


class ParallelChart(StateChart):
    """A top-level parallel state with two compound regions of two states each (S10).

    ``flip`` is handled by the ``left`` region only; ``toggle`` is declared in both regions (one
    event; each region contributes one transition to the same microstep).
    """

    class both(State.Parallel, initial=True):
        class left(State.Compound):
            l1 = State(initial=True)
            l2 = State()

            flip = l1.to(l2) | l2.to(l1)
            toggle = l1.to(l2) | l2.to(l1)

        class right(State.Compound):
            r1 = State(initial=True)
            r2 = State()

            toggle = r1.to(r2) | r2.to(r1)


def guards_namespace(n_guards: int) -> dict[str, Any]:
    """Two states and one event ``go`` with ``n_guards`` guarded transitions from each (S12).

    The transitions from ``a`` (and likewise from ``b``) carry ``cond="g1"`` ... ``"gN"`` in
    that order; ``g1`` ... ``gN-1`` are False class attributes and ``gN`` is True, so every
    event evaluates all N guards and the last transition toggles ``a`` <-> ``b``.
    """
    a, b = State(initial=True), State()
    names = [f"g{i}" for i in range(1, n_guards + 1)]
    attrs: dict[str, Any] = {"a": a, "b": b}
    attrs.update({name: name == names[-1] for name in names})
    transitions = [a.to(b, cond=name) for name in names] + [b.to(a, cond=name) for name in names]
    attrs["go"] = functools.reduce(operator.or_, transitions)
    return attrs


def configuration(sm: StateChart) -> list[Any]:
    """The values of the active states, ancestors included, in document order."""
    return list(sm.configuration_values)


def check_cycle(sm: StateChart, event: str, cycle: list[list[Any]], start: bool = False) -> None:
    """Assert that ``event`` walks ``sm`` around ``cycle`` (a closed list of configurations).

    With ``start``, the machine must be at ``cycle[0]``; otherwise anywhere on the cycle (after
    a timed loop of unknown length). Sends ``len(cycle)`` events, so it ends where it began.
    """
    name = type(sm).__name__
    current = configuration(sm)
    assert current in (cycle[:1] if start else cycle), f"{name}: unexpected {current}"
    index = cycle.index(current)
    for step in range(1, len(cycle) + 1):
        sm.send(event)
        want, got = cycle[(index + step) % len(cycle)], configuration(sm)
        assert got == want, f"{name}: after {event!r} expected {want}, got {got}"
