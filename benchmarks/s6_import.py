"""S6: ``import statemachine`` time over a bare interpreter, and no heavy optional imports.

Runs ``python -c "import statemachine"`` and ``python -c "pass"`` (well, ``import sys``, which is
already loaded at start-up) alternately, RUNS times each after a warm-up, and subtracts the
minimum wall-clock times. The import process also reports whether ``django`` or ``pydot`` ended up
in ``sys.modules``.

Bytecode: the headline (``cached``) runs with bytecode caching on and ``PYTHONPYCACHEPREFIX``
pointing at a temporary directory, so the warm-up compiles the ``.pyc`` files there (not in the
repository) and the timed runs load them, as an installed package would. The ``inherited`` run
uses the environment as it is; with ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__`` next to
the sources, that is an import compiled from source every time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from ._timing import run_variant

RUNS = 20
WARMUP = 2
HEAVY = ("django", "pydot")
_IMPORT = (
    "import statemachine, sys\n"
    f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
    "heavy and print(','.join(heavy))"
)
_BARE = "import sys"


def _wall_ns(code: str, env: dict[str, str]) -> tuple[int, str]:
    start = time.perf_counter_ns()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return time.perf_counter_ns() - start, done.stdout.strip()


def _measure(env: dict[str, str], runs: int) -> dict[str, Any]:
    bare, imported, heavy = [], [], ""
    for i in range(WARMUP + runs):
        bare_ns, _ = _wall_ns(_BARE, env)
        import_ns, heavy = _wall_ns(_IMPORT, env)
        if i >= WARMUP:
            bare.append(bare_ns)
            imported.append(import_ns)
    return {
        "bare": {"best": min(bare), "median": statistics.median(bare), "repeats": runs},
        "import": {"best": min(imported), "median": statistics.median(imported), "repeats": runs},
        "delta": {
            "best": min(imported) - min(bare),
            "median": statistics.median(imported) - statistics.median(bare),
            "repeats": runs,
        },
        "heavy_modules": heavy.split(",") if heavy else [],
    }


def both() -> dict[str, Any]:
    inherited = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="benchmarks-pycache-") as prefix:
        cached = {
            key: value for key, value in inherited.items() if key != "PYTHONDONTWRITEBYTECODE"
        }
        cached["PYTHONPYCACHEPREFIX"] = prefix
        result = {"cached": _measure(cached, RUNS)}
    result["inherited"] = _measure(inherited, RUNS // 2)
    return result


if __name__ == "__main__":
    run_variant({"both": both})
