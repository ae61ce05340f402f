"""S8: per-event cost of S1's 3-state cycle on a flat ``StateChart`` without callbacks.

Variants: ``ours`` (``sm.send("cycle")`` on the StateChart, and on S1's StateMachine for an info
row), ``baseline`` (dict FSM ``send``). ``flat_chart`` is also the reference variant of S9-S11.
"""

from __future__ import annotations

from typing import Any

from ._timing import per_op_ns, run_variant

CYCLE = [["green"], ["yellow"], ["red"]]


def flat_chart() -> dict[str, Any]:
    """``send("cycle")`` on the flat StateChart, the configuration checked around the timing."""
    from ._charts import TrafficChart, check_cycle

    sm = TrafficChart()
    check_cycle(sm, "cycle", CYCLE, start=True)
    send = per_op_ns("send('cycle')", {"send": sm.send})
    check_cycle(sm, "cycle", CYCLE)
    return {"send": send}


def ours() -> dict[str, Any]:
    from ._machines import TrafficLight

    machine = TrafficLight()
    return {**flat_chart(), "machine": per_op_ns("send('cycle')", {"send": machine.send})}


def baseline() -> dict[str, Any]:
    from ._baseline import TrafficLight

    fsm = TrafficLight()
    return {"send": per_op_ns("send('cycle')", {"send": fsm.send})}


if __name__ == "__main__":
    run_variant({"ours": ours, "baseline": baseline})
