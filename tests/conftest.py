"""Shared fixtures.

``engine`` runs a test once per engine. Tests create machines with ``engine.machine(Cls, ...)``
and send events with ``engine.send(sm, "event", ...)``; the fixture hides whether that means
calling the sync engine or awaiting the asyncio one inside a real event loop.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

# The Django project the integration tests run against: its modules are not tests.
collect_ignore = ["django_project", "timers_worker"]  # projects run by tests, not tests


class SyncDriver:
    """Machines on the sync engine, called directly."""

    name = "sync"

    def machine(self, cls: type, *args: Any, **kwargs: Any) -> Any:
        return cls(*args, **kwargs)

    def send(self, sm: Any, event: str, *args: Any, **kwargs: Any) -> Any:
        return sm.send(event, *args, **kwargs)

    def call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a machine method (``sm.go``, ``sm.enabled_events``) and return its result."""
        return func(*args, **kwargs)

    def close(self) -> None:
        pass


class _AsyncProbe:
    """A listener with one coroutine callback: its presence selects the asyncio engine."""

    async def after_transition(self) -> None:
        await asyncio.sleep(0)


class AsyncDriver:
    """Machines on the asyncio engine, created and driven inside one real event loop."""

    name = "async"

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def _run(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        async def go() -> Any:
            result = func(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result

        return self.loop.run_until_complete(go())

    def machine(self, cls: type, *args: Any, listeners: Any = None, **kwargs: Any) -> Any:
        async def make() -> Any:
            sm = cls(*args, listeners=[*(listeners or ()), _AsyncProbe()], **kwargs)
            await sm.activate_initial_state()
            return sm

        return self.loop.run_until_complete(make())

    def send(self, sm: Any, event: str, *args: Any, **kwargs: Any) -> Any:
        return self._run(sm.send, event, *args, **kwargs)

    def call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        return self._run(func, *args, **kwargs)

    def close(self) -> None:
        self.loop.close()


ENGINES = {"sync": SyncDriver, "async": AsyncDriver}


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> Any:
    """The engine to run a runtime test on (each test runs once per engine)."""
    driver = ENGINES[request.param]()
    yield driver
    driver.close()
