"""Timing helpers used inside the scenario processes.

All timings use ``time.perf_counter_ns``. ``per_op_ns`` runs the statement in a ``timeit`` loop
(so the garbage collector is disabled while timing), calibrates the loop size so that one repeat
lasts about 40 ms (the calibration doubles as warm-up), then takes several repeats and subtracts
the cost of an empty loop of the same size.
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


def per_op_ns(stmt: str, namespace: dict[str, Any], *, repeats: int = REPEATS) -> dict[str, Any]:
    """Return the best and median cost of one execution of ``stmt``, in nanoseconds."""
    timer = timeit.Timer(stmt, timer=time.perf_counter_ns, globals=namespace)
    number = 1
    while True:  # warm-up and calibration
        elapsed = timer.timeit(number)
        if elapsed >= _CALIBRATE_NS or number >= 1 << 24:
            break
        number *= 2
    number = max(1, int(number * REPEAT_NS / max(elapsed, 1)))
    runs = timer.repeat(repeat=repeats, number=number)
    empty = timeit.Timer("pass", timer=time.perf_counter_ns)
    overhead = min(empty.repeat(repeat=repeats, number=number))
    per_op = sorted(max(run - overhead, 0) / number for run in runs)
    return {
        "best": per_op[0],
        "median": statistics.median(per_op),
        "number": number,
        "repeats": repeats,
    }


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
