"""S4: instantiation cost, 3-state machine vs the dict FSM, and 50 states vs 3 states."""

from __future__ import annotations

from typing import Any

from ._timing import per_op_ns, run_variant


def ours() -> dict[str, Any]:
    from ._machines import TrafficLight, big_namespace, define

    big = define("Big50", big_namespace(50))
    return {
        "init3": per_op_ns("cls()", {"cls": TrafficLight}),
        "init50": per_op_ns("cls()", {"cls": big}),
    }


def baseline() -> dict[str, Any]:
    from ._baseline import TrafficLight

    return {"init3": per_op_ns("cls()", {"cls": TrafficLight})}


if __name__ == "__main__":
    run_variant({"ours": ours, "baseline": baseline})
