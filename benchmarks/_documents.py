"""The generated SCXML rings of S14-S15 and S14's Python-declared twin (only imported by "ours"
processes).

A ring of ``n_states`` states ``s0`` ... ``s<n-1>``, the same in the document and its twin:

- ``next``: ``s_i -> s_i+1`` (the last state -> ``s0``), guarded by ``n >= 0`` (always true);
- ``back``: ``s_i -> s_i-1`` (``s0`` -> the last state) from the states listed in ``back``,
  guarded by ``visits < limit`` (true while ``visits`` stays below a billion); from the
  other states ``back`` has no transition and is ignored (a ``StateChart`` allows that);
- entering a state listed in ``entry`` assigns ``visits = visits + 1`` (``s0``'s entry runs
  when the machine starts, too).

The data (``n = 0``, ``visits = 0``, ``limit = 10 ** 9``) lives on the machine's model: the
document declares it in its ``<datamodel>`` (the default ``DocumentModel`` holds it), the twin
gets it on a plain model object.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from statemachine import State, StateChart

NS = 'xmlns="http://www.w3.org/2005/07/scxml"'
LIMIT = 10**9


@dataclass(frozen=True)
class Ring:
    """The shape of a generated ring: its size, the states with ``back``, those with entry."""

    n_states: int
    back: frozenset[int]
    entry: frozenset[int]

    @classmethod
    def every(cls, n_states: int, back_step: int, entry_step: int) -> Ring:
        """``back`` from ``s1`` and every ``back_step``-th state after it (from every state
        when ``back_step`` is 1), an entry assignment on ``s0`` and every ``entry_step``-th
        state after it."""
        return cls(
            n_states,
            frozenset(i for i in range(n_states) if i % back_step == 1 % back_step),
            frozenset(range(0, n_states, entry_step)),
        )

    @property
    def n_transitions(self) -> int:
        return self.n_states + len(self.back)


# S14: 50 states, ``back`` from 10 of them (60 transitions), an assignment on entering 5.
RING50 = Ring.every(50, back_step=5, entry_step=10)
# S15: 200 states, ``back`` from every one (400 transitions), an assignment on entering 20.
RING200 = Ring.every(200, back_step=1, entry_step=10)


def scxml(ring: Ring) -> str:
    """The SCXML text of ``ring``."""
    n = ring.n_states
    lines = [
        f'<scxml {NS} version="1.0" initial="s0" name="Ring{n}">',
        "  <datamodel>",
        '    <data id="n" expr="0"/>',
        '    <data id="visits" expr="0"/>',
        f'    <data id="limit" expr="{LIMIT}"/>',
        "  </datamodel>",
    ]
    for i in range(n):
        lines.append(f'  <state id="s{i}">')
        if i in ring.entry:
            lines.append('    <onentry><assign location="visits" expr="visits + 1"/></onentry>')
        lines.append(f'    <transition event="next" cond="n &gt;= 0" target="s{(i + 1) % n}"/>')
        if i in ring.back:
            lines.append(
                f'    <transition event="back" cond="visits &lt; limit" target="s{(i - 1) % n}"/>'
            )
        lines.append("  </state>")
    lines.append("</scxml>")
    return "\n".join(lines)


class RingData:
    """The twin's model: the same variables the document declares."""

    def __init__(self) -> None:
        self.state: Any = None
        self.n = 0
        self.visits = 0
        self.limit = LIMIT


def _next_ok(self: Any) -> bool:
    return bool(self.model.n >= 0)


def _back_ok(self: Any) -> bool:
    return bool(self.model.visits < self.model.limit)


def _count_visit(self: Any) -> None:
    self.model.visits = self.model.visits + 1


def twin_namespace(ring: Ring) -> dict[str, Any]:
    """The Python declaration of ``ring``: the same states and transitions, the guards as
    methods named by ``cond=``, the assignment as an ``enter=`` method, all reading and writing
    the model."""
    n = ring.n_states
    states = [
        State(initial=i == 0, enter="count_visit" if i in ring.entry else None) for i in range(n)
    ]
    forward = [states[i].to(states[(i + 1) % n], cond="next_ok") for i in range(n)]
    backward = [states[i].to(states[(i - 1) % n], cond="back_ok") for i in sorted(ring.back)]
    attrs: dict[str, Any] = {f"s{i}": state for i, state in enumerate(states)}
    attrs["next"] = functools.reduce(operator.or_, forward)
    attrs["back"] = functools.reduce(operator.or_, backward)
    attrs["next_ok"] = _next_ok
    attrs["back_ok"] = _back_ok
    attrs["count_visit"] = _count_visit
    return attrs


def twin(ring: Ring) -> type[StateChart]:
    from ._machines import define

    return define(f"Twin{ring.n_states}", twin_namespace(ring), StateChart)


# --- the behaviour check --------------------------------------------------------------------
CHECK_EVENTS = ("next", "next", "back")  # repeated: both directions, and ignored ``back``s


def snapshot(sm: StateChart) -> tuple[list[Any], int, int]:
    """What the check compares: the configuration and the two variables."""
    return list(sm.configuration_values), sm.model.n, sm.model.visits


def _predict(ring: Ring, at: int, visits: int, event: str) -> tuple[int, int]:
    """Where the ring goes on ``event`` from state ``at`` with ``visits``."""
    if event == "next":
        target = (at + 1) % ring.n_states
    elif event == "back" and at in ring.back and visits < LIMIT:
        target = (at - 1) % ring.n_states
    else:
        return at, visits
    return target, visits + (target in ring.entry)


def check_walk(ring: Ring, machines: Collection[StateChart]) -> None:
    """Send ``n_states`` rounds of ``CHECK_EVENTS`` to every machine, asserting after
    each event its configuration and data against the ring's definition, predicted from the
    machine's own starting point (after a timed loop, the machines are wherever it left them).
    """
    for sm in machines:
        name = type(sm).__name__
        config, n, visits = snapshot(sm)
        assert len(config) == 1, f"{name}: unexpected {config}"
        assert n == 0, f"{name}: n changed to {n}"
        at = int(str(config[0]).removeprefix("s"))
        for _ in range(ring.n_states):
            for event in CHECK_EVENTS:
                sm.send(event)
                at, visits = _predict(ring, at, visits, event)
                want, got = ([f"s{at}"], 0, visits), snapshot(sm)
                assert got == want, f"{name}: after {event!r} expected {want}, got {got}"


def check_same(ring: Ring, machines: Collection[StateChart]) -> None:
    """From the same start, the machines agree with each other (and with the ring's
    definition) after every event of the same sequence."""
    first = [snapshot(sm) for sm in machines]
    assert all(s == first[0] for s in first), f"different starts: {first}"
    for _ in range(ring.n_states):
        for event in CHECK_EVENTS:
            after = []
            for sm in machines:
                sm.send(event)
                after.append(snapshot(sm))
            assert all(s == after[0] for s in after), f"after {event!r}: {after}"
    check_walk(ring, machines)
