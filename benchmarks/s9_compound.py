"""S9: per-event cost in three nested compounds, against S8's flat StateChart.

Variants: ``nested`` (``toggle``: the two leaves of the deepest compound; ``hop``: from that
leaf to a top-level atomic sibling and back, exiting or entering all three compounds) and
``flat`` (S8's flat StateChart, the reference). Each event is timed on its own instance.
"""

from __future__ import annotations

from typing import Any

from ._timing import run_variant

BRANCH = ["outer", "middle", "inner"]
TOGGLE = [[*BRANCH, "a"], [*BRANCH, "b"]]
HOP = [[*BRANCH, "a"], ["away"]]


def nested() -> dict[str, Any]:
    """Each event on its own instance, timed with S8's flat chart in this process (repeats
    alternating): the headline ratios come from one process."""
    from ._charts import DeepChart
    from .s8_chart import with_flat_chart

    return with_flat_chart(
        {event: (DeepChart(), event, cycle) for event, cycle in (("toggle", TOGGLE), ("hop", HOP))}
    )


def flat() -> dict[str, Any]:
    from .s8_chart import flat_chart

    return flat_chart()


if __name__ == "__main__":
    run_variant({"nested": nested, "flat": flat})
