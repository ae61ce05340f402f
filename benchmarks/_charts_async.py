"""The async machine of S11, apart from ``_charts.py`` so that S8-S10 never depend on it."""

from __future__ import annotations

from statemachine import State, StateChart


class AsyncTrafficChart(StateChart):
    """S8's flat 3-state cycle plus one coroutine callback, which selects the asyncio engine.

    The callback counts its runs, so the scenario can check that it is really awaited.
    """

    yellow_entries = 0

    green = State(initial=True)
    yellow = State()
    red = State()

    cycle = green.to(yellow) | yellow.to(red) | red.to(green)

    async def on_enter_yellow(self) -> None:
        self.yellow_entries += 1


class SyncCallbackTrafficChart(StateChart):
    """The same machine with the callback as a plain method (S11's info row: what the
    asyncio engine costs over the sync one for the same work)."""

    yellow_entries = 0

    green = State(initial=True)
    yellow = State()
    red = State()

    cycle = green.to(yellow) | yellow.to(red) | red.to(green)

    def on_enter_yellow(self) -> None:
        self.yellow_entries += 1
