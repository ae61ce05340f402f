"""S1: per-event cost of a 3-state cycle without callbacks.

Variants: ``ours`` (``sm.send("cycle")`` and ``sm.cycle()``), ``baseline`` (dict FSM ``send``).
"""

from __future__ import annotations

from typing import Any

from ._timing import per_op_ns, run_variant


def ours() -> dict[str, Any]:
    from ._machines import TrafficLight

    sm = TrafficLight()
    send = per_op_ns("send('cycle')", {"send": sm.send})
    method = per_op_ns("cycle()", {"cycle": sm.cycle})
    before = sm.model.state
    sm.send("cycle")
    sm.cycle()
    sm.send("cycle")
    assert sm.model.state == before, "three events must bring the cycle back"
    return {"send": send, "method": method}


def baseline() -> dict[str, Any]:
    from ._baseline import TrafficLight

    fsm = TrafficLight()
    return {"send": per_op_ns("send('cycle')", {"send": fsm.send})}


if __name__ == "__main__":
    run_variant({"ours": ours, "baseline": baseline})
