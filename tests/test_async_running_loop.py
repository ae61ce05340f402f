"""``_async._get_running_loop``: asyncio's answer, without its per-call ``os.getpid()``."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from statemachine import _async


def test_it_finds_the_running_loop_each_time_and_none_outside():
    async def inside():
        loop = asyncio.get_running_loop()
        return loop, _async._get_running_loop(), _async._get_running_loop()

    loop, first, second = asyncio.run(inside())
    assert first is loop
    assert second is loop  # the second answer comes from the remembered loop
    assert _async._get_running_loop() is None  # that loop stopped: none is running here


def test_a_loop_running_in_another_thread_is_not_this_threads():
    started, stop = threading.Event(), threading.Event()
    loops: dict[str, object] = {}

    async def hold():
        loops["theirs"] = asyncio.get_running_loop()
        loops["seen there"] = _async._get_running_loop()
        started.set()
        while not stop.is_set():
            await asyncio.sleep(0.001)

    worker = threading.Thread(target=asyncio.run, args=(hold(),))
    worker.start()
    try:
        assert started.wait(10)
        assert loops["seen there"] is loops["theirs"]
        assert _async._get_running_loop() is None  # running, but not in this thread

        async def mine():
            return asyncio.get_running_loop(), _async._get_running_loop()

        own, seen = asyncio.run(mine())
        assert seen is own
    finally:
        stop.set()
        worker.join(10)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_forgets_the_parents_loop():
    async def fork_inside():
        assert _async._get_running_loop() is asyncio.get_running_loop()
        pid = os.fork()
        if pid == 0:  # the child: its copy of the loop is not running here
            os._exit(0 if _async._last_loop is None else 1)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)

    assert asyncio.run(fork_inside()) == 0


def test_a_loop_that_is_not_asyncios_own_is_asked_each_time(monkeypatch):
    """Only BaseEventLoop is known to hold `_thread_id`; any other loop is not remembered."""
    sentinel = object()
    monkeypatch.setattr(_async, "_last_loop", None)
    monkeypatch.setattr(_async, "_asyncio_running_loop", lambda: sentinel)
    assert _async._get_running_loop() is sentinel
    assert _async._last_loop is None
