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


def with_flat_chart(cases: dict[str, tuple[Any, str, list[list[str]]]]) -> dict[str, Any]:
    """Time ``send(event)`` on each case's machine and on S8's flat chart in this process,
    repeats alternating (``interleaved_per_op_ns``), configurations checked around the
    timing. ``cases`` maps a key to ``(machine, event, cycle)``; the flat chart comes back
    under ``"flat"``. A ratio against it does not depend on how fast another process ran."""
    from ._charts import TrafficChart, check_cycle
    from ._timing import interleaved_per_op_ns

    flat_sm = TrafficChart()
    everything = {**cases, "flat": (flat_sm, "cycle", CYCLE)}
    for sm, event, cycle in everything.values():
        check_cycle(sm, event, cycle, start=True)
    result = interleaved_per_op_ns(
        {
            key: (f"send({event!r})", {"send": sm.send})
            for key, (sm, event, _cycle) in everything.items()
        }
    )
    for sm, event, cycle in everything.values():
        check_cycle(sm, event, cycle)
    return result


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
