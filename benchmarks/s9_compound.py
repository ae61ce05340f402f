"""S9: per-event cost in three nested compounds, against S8's flat StateChart.

Variants: ``nested`` (``toggle``: the two leaves of the deepest compound; ``hop``: from that
leaf to a top-level atomic sibling and back, exiting or entering all three compounds) and
``flat`` (S8's flat StateChart, the reference). Each event is timed on its own instance.
"""

from __future__ import annotations

from typing import Any

from ._timing import per_op_ns, run_variant

BRANCH = ["outer", "middle", "inner"]
TOGGLE = [[*BRANCH, "a"], [*BRANCH, "b"]]
HOP = [[*BRANCH, "a"], ["away"]]


def nested() -> dict[str, Any]:
    from ._charts import DeepChart, check_cycle

    result = {}
    for event, cycle in (("toggle", TOGGLE), ("hop", HOP)):
        sm = DeepChart()
        check_cycle(sm, event, cycle, start=True)
        result[event] = per_op_ns(f"send({event!r})", {"send": sm.send})
        check_cycle(sm, event, cycle)
    return result


def flat() -> dict[str, Any]:
    from .s8_chart import flat_chart

    return flat_chart()


if __name__ == "__main__":
    run_variant({"nested": nested, "flat": flat})
