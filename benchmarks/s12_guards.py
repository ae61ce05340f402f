"""S12: per-event cost of one event with N guarded transitions from the same state.

For N in ``GUARD_COUNTS``, a flat StateChart whose event ``go`` has N transitions from each of
its two states, guarded by ``g1`` ... ``gN``: all False class attributes but the last, so every
event evaluates N guards and then toggles the state. One variant, ``guards``, times every N in
the same process, their repeats interleaved (the runner fits cost(N) = a + b*N and checks that
the growth is linear). The ``baseline`` variant times the same selection hand-written
(``_baseline.GuardedFSM``: the first ``(guard, target)`` pair whose guard attribute is true),
so that the cost of one more guard can be compared with Python's own.
"""

from __future__ import annotations

from typing import Any

from ._timing import interleaved_per_op_ns, run_variant

CYCLE = [["a"], ["b"]]
GUARD_COUNTS = (1, 2, 5, 10)


def _check_guard_reads(cls: Any, n_guards: int) -> None:
    """On a subclass that counts reads of the guard attributes: one event reads each once."""
    names = {f"g{i}" for i in range(1, n_guards + 1)}
    reads: list[str] = []

    class Counting(cls):  # type: ignore[misc]
        def __getattribute__(self, name: str) -> Any:
            if name in names:
                reads.append(name)
            return super().__getattribute__(name)

    sm = Counting()
    reads.clear()
    sm.send("go")
    want = [f"g{i}" for i in range(1, n_guards + 1)]
    assert reads == want, f"{n_guards} guards: expected reads {want}, got {reads}"
    assert list(sm.configuration_values) == CYCLE[1], list(sm.configuration_values)


def guards() -> dict[str, Any]:
    from statemachine import StateChart

    from ._charts import check_cycle, guards_namespace
    from ._machines import define

    machines = {}
    for n_guards in GUARD_COUNTS:
        cls = define(f"Guards{n_guards}", guards_namespace(n_guards), StateChart)
        _check_guard_reads(cls, n_guards)
        sm = machines[f"n{n_guards}"] = cls()
        check_cycle(sm, "go", CYCLE, start=True)
    result = interleaved_per_op_ns(
        {key: ("send('go')", {"send": sm.send}) for key, sm in machines.items()}
    )
    for sm in machines.values():
        check_cycle(sm, "go", CYCLE)
    return result


def baseline() -> dict[str, Any]:
    """The same selection hand-written (``_baseline.GuardedFSM``), every N in one process."""
    from ._baseline import guarded

    machines = {}
    for n_guards in GUARD_COUNTS:
        fsm = machines[f"n{n_guards}"] = guarded(n_guards)()
        for want in ("b", "a"):
            fsm.send("go")
            assert fsm.model.state == want, (n_guards, fsm.model.state)
    return interleaved_per_op_ns(
        {key: ("send('go')", {"send": fsm.send}) for key, fsm in machines.items()}
    )


if __name__ == "__main__":
    run_variant({"guards": guards, "baseline": baseline})
