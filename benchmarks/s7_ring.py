"""S7: per-event cost on a 1000-state ring versus a 3-state ring of the same structure."""

from __future__ import annotations

from typing import Any

from ._timing import interleaved_per_op_ns, per_op_ns, run_variant


def _machine(n_states: int) -> Any:
    from ._machines import define, ring_namespace

    sm = define(f"Ring{n_states}", ring_namespace(n_states))()
    before = sm.model.state
    for _ in range(n_states):
        sm.send("step")
    assert sm.model.state == before, "n_states steps must bring the ring back"
    return sm


def _ring(n_states: int) -> dict[str, Any]:
    return {"send": per_op_ns("send('step')", {"send": _machine(n_states).send})}


def both() -> dict[str, Any]:
    """Both rings in this process, repeats alternating: the headline ratio."""
    rings = {f"ring{n}": _machine(n) for n in (1000, 3)}
    return interleaved_per_op_ns(
        {key: ("send('step')", {"send": sm.send}) for key, sm in rings.items()}
    )


if __name__ == "__main__":
    run_variant({"both": both, "ring1000": lambda: _ring(1000), "ring3": lambda: _ring(3)})
