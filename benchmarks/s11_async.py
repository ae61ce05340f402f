"""S11: per-event cost of the flat cycle on the asyncio engine, against the sync flat StateChart.

Variants: ``async`` (S8's machine plus one ``async def on_enter_yellow``, created and driven
inside a running event loop: ``await sm.activate_initial_state()``, then ``await
sm.send("cycle")`` timed by ``async_per_op_ns`` inside the loop) and ``flat`` (S8's sync flat
StateChart, the reference).

Without an asyncio engine, ``send`` and ``activate_initial_state`` return None inside the loop:
the ``async`` process then exits with an error, which the runner reports as a crash.
"""

from __future__ import annotations

import inspect
from typing import Any

from ._timing import async_per_op_ns, run_variant

CYCLE = [["green"], ["yellow"], ["red"]]


def _awaitable(value: Any, call: str) -> Any:
    if not inspect.isawaitable(value):
        raise RuntimeError(
            f"no asyncio engine: inside a running loop, {call} returned {value!r}, not an awaitable"
        )
    return value


async def _check_cycle(sm: Any) -> None:
    """Three events walk the cycle back to its start and run the coroutine callback once."""
    entries = sm.yellow_entries
    index = CYCLE.index(list(sm.configuration_values))
    for step in range(1, len(CYCLE) + 1):
        await _awaitable(sm.send("cycle"), "send('cycle')")
        want, got = CYCLE[(index + step) % len(CYCLE)], list(sm.configuration_values)
        assert got == want, f"after 'cycle' expected {want}, got {got}"
    assert sm.yellow_entries == entries + 1, (
        f"on_enter_yellow ran {sm.yellow_entries - entries} times in one cycle, expected once"
    )


async def _run_async() -> dict[str, Any]:
    from ._charts import TrafficChart, check_cycle
    from ._charts_async import AsyncTrafficChart

    sm = AsyncTrafficChart()
    await _awaitable(sm.activate_initial_state(), "activate_initial_state()")
    assert list(sm.configuration_values) == CYCLE[0], list(sm.configuration_values)
    await _check_cycle(sm)
    # S8's flat chart, timed in this process with its repeats alternating with ours: the
    # headline ratio does not depend on how fast the machine was in another process.
    flat_sm = TrafficChart()
    check_cycle(flat_sm, "cycle", CYCLE, start=True)
    send = await async_per_op_ns(
        "send('cycle')", {"send": sm.send}, paired=("send('cycle')", {"send": flat_sm.send})
    )
    check_cycle(flat_sm, "cycle", CYCLE)
    await _check_cycle(sm)
    return {"send": send}


def run_async() -> dict[str, Any]:
    import asyncio

    return asyncio.run(_run_async())


def flat() -> dict[str, Any]:
    from .s8_chart import flat_chart

    return flat_chart()


def same_sync() -> dict[str, Any]:
    """The async machine's twin with a plain-method callback, on the sync engine."""
    from ._charts_async import SyncCallbackTrafficChart
    from ._timing import per_op_ns

    sm = SyncCallbackTrafficChart()
    entries = sm.yellow_entries
    for _ in range(3):
        sm.send("cycle")
    assert sm.yellow_entries == entries + 1, "the sync twin's callback must run once a cycle"
    return {"send": per_op_ns("send('cycle')", {"send": sm.send})}


if __name__ == "__main__":
    run_variant({"async": run_async, "flat": flat, "same_sync": same_sync})
