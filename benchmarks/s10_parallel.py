"""S10: per-event cost in a 2-region parallel state, against S8's flat StateChart.

Variants: ``parallel`` (``flip``: an event only the left region handles; ``toggle``: one event
both regions handle, one transition each in the same microstep) and ``flat`` (S8's flat
StateChart, the reference). Each event is timed on its own instance.
"""

from __future__ import annotations

from typing import Any

from ._timing import run_variant


def _config(left: str, right: str) -> list[str]:
    return ["both", "left", left, "right", right]


FLIP = [_config("l1", "r1"), _config("l2", "r1")]
TOGGLE = [_config("l1", "r1"), _config("l2", "r2")]  # both regions move on every event


class _Steps:
    """A listener that logs the states exited and entered, in order."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []

    def on_exit_state(self, state: Any) -> None:
        self.log.append(("exit", state.id))

    def on_enter_state(self, state: Any) -> None:
        self.log.append(("enter", state.id))


def _check_one_microstep() -> None:
    """``toggle`` must exit l1 and r1 before entering l2 and r2: one microstep, not two."""
    from ._charts import ParallelChart

    steps = _Steps()
    sm = ParallelChart(listeners=[steps])
    steps.log.clear()
    sm.send("toggle")
    kinds = [kind for kind, _ in steps.log]
    exits = {state for kind, state in steps.log if kind == "exit"}
    entries = {state for kind, state in steps.log if kind == "enter"}
    assert (kinds, exits, entries) == (["exit"] * 2 + ["enter"] * 2, {"l1", "r1"}, {"l2", "r2"}), (
        f"toggle should be one microstep with one transition per region, got {steps.log}"
    )


def parallel() -> dict[str, Any]:
    """Each event on its own instance, timed with S8's flat chart in this process (repeats
    alternating): the headline ratios come from one process."""
    from ._charts import ParallelChart
    from .s8_chart import with_flat_chart

    _check_one_microstep()
    return with_flat_chart(
        {
            event: (ParallelChart(), event, cycle)
            for event, cycle in (("flip", FLIP), ("toggle", TOGGLE))
        }
    )


def flat() -> dict[str, Any]:
    from .s8_chart import flat_chart

    return flat_chart()


if __name__ == "__main__":
    run_variant({"parallel": parallel, "flat": flat})
