"""S15: time to load a 200-state SCXML document (400 transitions) into a machine class.

One variant, ``ours``: ``statemachine.io.load(text, format="scxml")`` of ``_documents.RING200``
(a ring of 200 states, ``next`` guarded from each, ``back`` guarded from each, an assignment on
entering 20 of them), timed as single calls: parsing, checking and compiling the expressions
and the executable content, building the states, transitions and the class. Before and after
timing, the class loaded has 200 states and 400 transitions, and an instance runs the ring.
"""

from __future__ import annotations

from typing import Any

from ._timing import once_ns, run_variant

REPEATS = 30
WARMUP = 3


def _check(text: str) -> None:
    from statemachine.io import load

    from ._documents import RING200, check_walk, snapshot

    cls = load(text, format="scxml")
    assert len(cls.states) == RING200.n_states, len(cls.states)
    transitions = sum(len(state.transitions) for state in cls.states)
    assert transitions == RING200.n_transitions == 400, transitions
    sm = cls()
    assert snapshot(sm) == (["s0"], 0, 1), snapshot(sm)
    check_walk(RING200, [sm])


def ours() -> dict[str, Any]:
    from statemachine.io import load

    from ._documents import RING200, scxml

    text = scxml(RING200)

    from statemachine.io import _evaluate

    def load_once() -> None:
        # Each load as the first one of a process: expressions compiled anew, not taken
        # from the cache of compiled expressions that later loads of the same text use.
        _evaluate._COMPILED.clear()
        load(text, format="scxml")

    _check(text)
    result = {"load": once_ns(load_once, repeats=REPEATS, warmup=WARMUP)}
    _check(text)
    return result


if __name__ == "__main__":
    run_variant({"ours": ours})
