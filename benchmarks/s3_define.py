"""S3: time to define a machine class with 50 states and 100 transitions.

``define`` times building the states and transitions plus class creation (what executing the
class body costs); ``class_only`` times class creation alone on a namespace built beforehand.
"""

from __future__ import annotations

import gc
import itertools
import time
from typing import Any

from ._timing import run_variant

REPEATS = 30
WARMUP = 3


def ours() -> dict[str, Any]:
    from ._machines import big_namespace, define

    names = (f"Big{i}" for i in itertools.count())
    full, class_only = [], []
    for i in range(WARMUP + REPEATS):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter_ns()
            attrs = big_namespace(50)
            built = time.perf_counter_ns()
            cls = define(next(names), attrs)
            end = time.perf_counter_ns()
        finally:
            gc.enable()
        if i >= WARMUP:
            full.append(end - start)
            class_only.append(end - built)
    assert len(cls.states) == 50
    full.sort()
    class_only.sort()
    return {
        "define": {"best": full[0], "median": full[len(full) // 2], "repeats": REPEATS},
        "class_only": {
            "best": class_only[0],
            "median": class_only[len(class_only) // 2],
            "repeats": REPEATS,
        },
    }


if __name__ == "__main__":
    run_variant({"ours": ours})
