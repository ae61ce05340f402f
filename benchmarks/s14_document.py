"""S14: per-event cost of a 50-state machine loaded from an SCXML document, against the same
machine declared in Python.

One variant, ``both``: the document (``_documents.RING50``: 50 states in a ring, ``next`` guarded
by ``n >= 0``, ``back`` guarded by ``visits < limit`` from 10 states, ``visits = visits + 1`` on
entering 5) is loaded with ``statemachine.io.load``, and its Python-declared twin is built from
``State``s, transitions with ``cond=`` methods and ``enter=`` methods. ``send("next")`` is timed
on both in this process, repeats alternating (the headline ratio); then the load of the
document itself, as single calls.
"""

from __future__ import annotations

from typing import Any

from ._timing import interleaved_per_op_ns, once_ns, run_variant

LOAD_REPEATS = 30
LOAD_WARMUP = 3


def both() -> dict[str, Any]:
    from statemachine.io import load

    from ._documents import RING50, RingData, check_same, check_walk, scxml, snapshot, twin

    text = scxml(RING50)
    document_cls, twin_cls = load(text, format="scxml"), twin(RING50)
    assert len(document_cls.states) == len(twin_cls.states) == RING50.n_states
    machines = {"document": document_cls(), "twin": twin_cls(RingData())}
    for sm in machines.values():
        assert snapshot(sm) == (["s0"], 0, 1), snapshot(sm)  # s0's entry ran once
    check_same(RING50, machines.values())
    result = interleaved_per_op_ns(
        {key: ("send('next')", {"send": sm.send}) for key, sm in machines.items()}
    )
    check_walk(RING50, machines.values())

    from statemachine.io import _evaluate

    def load_once() -> None:
        # Each load as the first one of a process: expressions compiled anew, not taken
        # from the cache of compiled expressions that later loads of the same text use.
        _evaluate._COMPILED.clear()
        load(text, format="scxml")

    result["load"] = once_ns(load_once, repeats=LOAD_REPEATS, warmup=LOAD_WARMUP)
    return result


if __name__ == "__main__":
    run_variant({"both": both})
