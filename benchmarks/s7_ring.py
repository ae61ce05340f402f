"""S7: per-event cost on a 1000-state ring versus a 3-state ring of the same structure."""

from __future__ import annotations

from typing import Any

from ._timing import per_op_ns, run_variant


def _ring(n_states: int) -> dict[str, Any]:
    from ._machines import define, ring_namespace

    sm = define(f"Ring{n_states}", ring_namespace(n_states))()
    before = sm.model.state
    for _ in range(n_states):
        sm.send("step")
    assert sm.model.state == before, "n_states steps must bring the ring back"
    return {"send": per_op_ns("send('step')", {"send": sm.send})}


if __name__ == "__main__":
    run_variant({"ring1000": lambda: _ring(1000), "ring3": lambda: _ring(3)})
