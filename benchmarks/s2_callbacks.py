"""S2: per-event cost of the 3-state cycle with a guard and before/on_enter/after callbacks.

Each event runs the guard and 3 trivial callbacks (before, on_enter_<state>, after), each
bumping a counter; the baseline dict FSM calls the same methods.
"""

from __future__ import annotations

from typing import Any

from ._timing import per_op_ns, run_variant


def _check(machine: Any) -> None:
    """Three events must run the guard 3 times and the 3 counting callbacks 9 times."""
    count, guards = machine.count, machine.guards
    for _ in range(3):
        machine.send("cycle")
    assert (machine.guards - guards, machine.count - count) == (3, 9), (
        f"expected 3 guard calls and 9 callbacks, got {machine.guards - guards}, "
        f"{machine.count - count}"
    )


def ours() -> dict[str, Any]:
    from ._machines import CallbackTrafficLight

    sm = CallbackTrafficLight()
    _check(sm)
    return {"send": per_op_ns("send('cycle')", {"send": sm.send})}


def baseline() -> dict[str, Any]:
    from ._baseline import CallbackTrafficLight

    fsm = CallbackTrafficLight()
    _check(fsm)
    return {"send": per_op_ns("send('cycle')", {"send": fsm.send})}


if __name__ == "__main__":
    run_variant({"ours": ours, "baseline": baseline})
