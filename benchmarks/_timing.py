"""Timing helpers used inside the scenario processes.

All timings use ``time.perf_counter_ns``. ``per_op_ns`` runs the statement in a ``timeit`` loop
(so the garbage collector is disabled while timing), calibrates the loop size so that one repeat
lasts about 40 ms (the calibration doubles as warm-up), then takes several repeats and subtracts
the cost of an empty loop of the same size. ``interleaved_per_op_ns`` does the same for several
statements, alternating their repeats; ``async_per_op_ns`` for ``await <stmt>`` inside a running
event loop.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from typing import Any

REPEATS = 7
REPEAT_NS = 40_000_000
_CALIBRATE_NS = 10_000_000


def _calibrate(timer: timeit.Timer) -> int:
    """Warm up, and return the loop size for which one repeat lasts about ``REPEAT_NS``."""
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= _CALIBRATE_NS or number >= 1 << 24:
            break
        number *= 2
    return max(1, int(number * REPEAT_NS / max(elapsed, 1)))


def _summary(samples: list[float], number: int, repeats: int) -> dict[str, Any]:
    """Best and median per-op cost of ``samples`` (loops of ``number``), empty loop subtracted."""
    empty = timeit.Timer("pass", timer=time.perf_counter_ns)
    overhead = min(empty.repeat(repeat=repeats, number=number))
    per_op = sorted(max(sample - overhead, 0) / number for sample in samples)
    return {
        "best": per_op[0],
        "median": statistics.median(per_op),
        "number": number,
        "repeats": repeats,
    }


def per_op_ns(stmt: str, namespace: dict[str, Any], *, repeats: int = REPEATS) -> dict[str, Any]:
    """Return the best and median cost of one execution of ``stmt``, in nanoseconds."""
    timer = timeit.Timer(stmt, timer=time.perf_counter_ns, globals=namespace)
    number = _calibrate(timer)  # warm-up and calibration
    return _summary(timer.repeat(repeat=repeats, number=number), number, repeats)


def interleaved_per_op_ns(
    cases: dict[str, tuple[str, dict[str, Any]]], *, repeats: int = REPEATS
) -> dict[str, dict[str, Any]]:
    """``per_op_ns`` for statements whose costs are compared with each other (S12's fit).

    ``cases`` maps a key to ``(stmt, namespace)``. Each statement is calibrated (and warmed up)
    on its own; then the repeats alternate (repeat 1 of every statement, then repeat 2, ...), so
    that a burst of load on a busy machine lands on all of them rather than on one.
    """
    timers = {
        key: timeit.Timer(stmt, timer=time.perf_counter_ns, globals=namespace)
        for key, (stmt, namespace) in cases.items()
    }
    numbers = {key: _calibrate(timer) for key, timer in timers.items()}
    samples: dict[str, list[float]] = {key: [] for key in cases}
    for _ in range(repeats):
        for key, timer in timers.items():
            samples[key].append(timer.timeit(numbers[key]))
    return {key: _summary(samples[key], numbers[key], repeats) for key in cases}


# The loop of ``async_per_op_ns``: ``timeit``'s loop, inside a coroutine, with an ``await``.
_ASYNC_LOOP = """
async def _loop(_it, _timer):
    _t0 = _timer()
    for _i in _it:
        await {stmt}
    return _timer() - _t0
"""


def _async_loop(stmt: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    scope = dict(namespace)
    exec(_ASYNC_LOOP.format(stmt=stmt), scope)  # like timeit: the statement is inlined
    loop: Callable[..., Any] = scope["_loop"]
    return loop


async def async_per_op_ns(
    stmt: str,
    namespace: dict[str, Any],
    *,
    repeats: int = REPEATS,
    paired: tuple[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``per_op_ns`` for ``await <stmt>``, timed inside the running event loop.

    Same calibration, repeats, gc rule and best/median as ``per_op_ns``. The subtracted
    overhead is an empty loop of awaits of the same size: each iteration awaits an
    already-completed ``asyncio.Future`` (the cheapest awaitable there is, implemented in C),
    so what remains is the call in ``stmt`` and awaiting what it returns.

    ``paired``, a plain ``(stmt, namespace)``, is timed as ``per_op_ns`` does, its repeats
    alternating with these (as in ``interleaved_per_op_ns``); its summary comes back under
    ``"paired"``, so a ratio of the two is taken in one process, in the same moments.
    """
    import asyncio
    import itertools

    done = asyncio.get_running_loop().create_future()
    done.set_result(None)
    timed, empty = _async_loop(stmt, namespace), _async_loop("_done", {"_done": done})

    async def run(loop: Callable[..., Any], number: int) -> int:
        enabled = gc.isenabled()
        gc.disable()
        try:
            elapsed: int = await loop(itertools.repeat(None, number), time.perf_counter_ns)
        finally:
            if enabled:
                gc.enable()
        return elapsed

    number = 1
    while True:  # warm-up and calibration
        elapsed = await run(timed, number)
        if elapsed >= _CALIBRATE_NS or number >= 1 << 24:
            break
        number *= 2
    number = max(1, int(number * REPEAT_NS / max(elapsed, 1)))
    pair = None
    if paired is not None:
        pair = timeit.Timer(paired[0], timer=time.perf_counter_ns, globals=paired[1])
        pair_number = _calibrate(pair)
        pair_samples: list[float] = []
    samples = []
    for _ in range(repeats):
        samples.append(await run(timed, number))
        if pair is not None:
            pair_samples.append(pair.timeit(pair_number))
    overhead = min([await run(empty, number) for _ in range(repeats)])
    per_op = sorted(max(sample - overhead, 0) / number for sample in samples)
    result = {
        "best": per_op[0],
        "median": statistics.median(per_op),
        "empty_await": overhead / number,
        "number": number,
        "repeats": repeats,
    }
    if pair is not None:
        result["paired"] = _summary(pair_samples, pair_number, repeats)
    return result


def once_ns(func: Callable[[], object], *, repeats: int, warmup: int) -> dict[str, Any]:
    """Time single calls of ``func`` (for operations too slow or stateful to loop)."""
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter_ns()
            func()
            samples.append(time.perf_counter_ns() - start)
        finally:
            gc.enable()
    samples.sort()
    return {"best": samples[0], "median": statistics.median(samples), "repeats": repeats}


def bytes_per_instance(factory: Callable[[], object], count: int = 2000) -> float:
    """Traced memory growth per instance while ``count`` instances are kept alive in a list."""
    import tracemalloc

    warm = [factory() for _ in range(5)]  # fill per-class caches before measuring
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        instances = [factory() for _ in range(count)]
        gc.collect()
        current = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del instances, warm
    return (current - before) / count


def run_variant(variants: dict[str, Callable[[], dict[str, Any]]]) -> None:
    """Entry point of a scenario process: run the variant named in argv, print JSON."""
    if len(sys.argv) != 2 or sys.argv[1] not in variants:
        raise SystemExit(f"usage: python -m <scenario> {{{','.join(variants)}}}")
    result = variants[sys.argv[1]]()
    print(json.dumps(result))
