"""What every peer process shares: the identity check, the entry point and the scenarios' shape.

Every process first checks that the library it imported is the one the runner asked for
(``--expect``): ``ours`` must come from the project's tree; a peer must be the installed
distribution of the pinned version, and its module file one of that distribution's files. Our
library and python-statemachine are both imported as ``statemachine``, so a process run with the
wrong interpreter or ``sys.path`` would otherwise time one library under the other's name. On a
mismatch the process prints ``PeerIdentityError: ...`` and exits with ``IDENTITY_EXIT``; the
runner stops the whole run.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

IDENTITY_EXIT = 3

CYCLE = ("green", "yellow", "red")  # the 3-state cycle: one event "cycle" goes round it
N_GUARDS = 10  # guards read by one event of the "guards" scenario
N_STATES = 50  # states of the "define" scenario (and 2 * N_STATES transitions)
RESETS = (10, 20, 30)  # the states with a "reset" transition to s0
INSTANCES = 10_000  # objects of the "many" scenario
DEFINE_REPEATS, DEFINE_WARMUP = 30, 3
BATCH_REPEATS, BATCH_MIN, BATCH_BUDGET_NS = 7, 3, 3_000_000_000


class Doc:
    """A plain model object: no fields; the library writes the state to ``doc.state``."""


def identify(module_name: str, expect: str, project_root: Path) -> dict[str, str]:
    """Import ``module_name`` and check that it is the library ``expect`` names.

    ``expect`` is ``"ours"`` (the module must come from ``project_root``) or
    ``"<distribution>==<version>"`` (the module must be that installed distribution's, outside
    ``project_root``). Returns the library's name, version and module file; on a mismatch,
    exits the process with ``IDENTITY_EXIT`` after printing why and how to fix it.
    """
    module = importlib.import_module(module_name)
    path = Path(module.__file__ or "").resolve()
    root = project_root.resolve()
    in_project = path.is_relative_to(root)
    if expect == "ours":
        if not in_project:
            _refuse(
                f"expected this project's library under the name {module_name!r} (from "
                f"{str(root)!r}), but 'import {module_name}' gave {str(path)!r}; run ours with "
                "the project's Python from the repository root"
            )
        return {
            "name": "ours",
            "version": str(getattr(module, "__version__", "?")),
            "file": str(path),
        }
    dist_name, _, version = expect.partition("==")
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        _refuse(
            f"expected {dist_name} {version} under the name {module_name!r}, but {dist_name!r} "
            f"is not installed for {sys.executable!r} ('import {module_name}' gave {str(path)!r}); "
            "run peers with the peers venv's Python (python -m benchmarks --peers installs it)"
        )
    if dist.version != version:
        _refuse(
            f"expected {dist_name} {version}, found {dist.version!r} for {sys.executable!r}; "
            "run python -m benchmarks --peers to reinstall the pinned versions"
        )
    files = {Path(str(dist.locate_file(file))).resolve() for file in dist.files or ()}
    if in_project or path not in files:
        _refuse(
            f"expected {dist_name} {version} under the name {module_name!r}, but "
            f"'import {module_name}' gave {str(path)!r}, which is not a file of that distribution"
            f"{' (it is this project)' if in_project else ''}; run peers from a folder outside "
            "the repository, without it on sys.path (PYTHONPATH, -E -s)"
        )
    return {"name": dist_name, "version": version, "file": str(path)}


def _refuse(message: str) -> None:
    print(f"PeerIdentityError: {message}", file=sys.stderr)
    raise SystemExit(IDENTITY_EXIT)


def main(
    module_name: str,
    scenarios: dict[str, Callable[[], dict[str, Any]]],
    setup: Callable[[], None] | None = None,
    argv: Sequence[str] | None = None,
) -> None:
    """Entry point of a peer process: check the library, run one scenario, print one JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=list(scenarios))
    parser.add_argument("--expect", required=True, help='"ours" or "<distribution>==<version>"')
    parser.add_argument("--project-root", required=True, type=Path)
    args = parser.parse_args(argv)
    if setup is not None:
        setup()
    library = identify(module_name, args.expect, args.project_root)
    result = scenarios[args.scenario]()
    print(json.dumps({"library": library, "result": result}))


# --- checks: every machine must do what ours does before (and after) it is timed


def check_trace(
    who: str,
    send: Callable[[str], object],
    state: Callable[[], object],
    events: Sequence[str],
    expected: Sequence[object],
) -> None:
    """Send ``events`` one by one and compare the state after each with ``expected``."""
    for step, (event, want) in enumerate(zip(events, expected, strict=True), 1):
        send(event)
        got = state()
        assert got == want, f"{who}: after event {step} ({event!r}) expected {want!r}, got {got!r}"


def check_cycle(
    who: str, send: Callable[[str], object], state: Callable[[], object], start: bool = False
) -> None:
    """Three ``cycle`` events go once round ``CYCLE`` (from green with ``start``, else anywhere)."""
    current = state()
    allowed = CYCLE[:1] if start else CYCLE
    assert current in allowed, f"{who}: expected a state in {allowed!r}, got {current!r}"
    index = CYCLE.index(current)
    expected = [CYCLE[(index + step) % 3] for step in (1, 2, 3)]
    check_trace(who, send, state, ["cycle"] * 3, expected)


def check_toggle(
    who: str, send: Callable[[str], object], state: Callable[[], object], start: bool = False
) -> None:
    """Two ``go`` events toggle a -> b -> a (from a with ``start``, else from either)."""
    current = state()
    assert current in (("a",) if start else ("a", "b")), f"{who}: unexpected state {current!r}"
    other = "b" if current == "a" else "a"
    check_trace(who, send, state, ["go", "go"], [other, current])


def define_walk() -> tuple[list[str], list[str]]:
    """Events through the ``define`` scenario's machine, and the state after each.

    Forward 12, back 1, forward 9 (to s20), reset (to s0), then forward to the last state. The
    expected states follow from the definition: ``next`` s_i -> s_i+1, ``back`` s_i -> s_i-1
    (from s1 to s_N-2), ``reset`` s10/s20/s30 -> s0.
    """
    events = ["next"] * 12 + ["back"] + ["next"] * 9 + ["reset"] + ["next"] * (N_STATES - 1)
    position, states = 0, []
    for event in events:
        if event == "next":
            position += 1
        elif event == "back":
            position -= 1
        else:
            assert position in RESETS, position
            position = 0
        states.append(f"s{position}")
    assert states[-1] == f"s{N_STATES - 1}"
    return events, states


def define_edges() -> dict[str, list[tuple[str, str]]]:
    """The ``define`` scenario's transitions by event: 49 + 48 + 3 = 2 * N_STATES."""
    last = N_STATES - 1
    edges = {
        "next": [(f"s{i}", f"s{i + 1}") for i in range(last)],
        "back": [(f"s{i}", f"s{i - 1}") for i in range(1, last)],
        "reset": [(f"s{i}", "s0") for i in RESETS],
    }
    assert sum(map(len, edges.values())) == 2 * N_STATES
    return edges


def timed_definitions(build: Callable[[int], object]) -> tuple[dict[str, Any], object]:
    """S3's method: best of ``DEFINE_REPEATS`` single ``build(i)`` calls after the warm-ups."""
    import gc
    import statistics
    import time

    samples, built = [], None
    for i in range(DEFINE_WARMUP + DEFINE_REPEATS):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter_ns()
            built = build(i)
            elapsed = time.perf_counter_ns() - start
        finally:
            gc.enable()
        if i >= DEFINE_WARMUP:
            samples.append(elapsed)
    samples.sort()
    summary = {"best": samples[0], "median": statistics.median(samples), "repeats": DEFINE_REPEATS}
    return summary, built


def timed_batches(batch: Callable[[], Any], check: Callable[[Any], None]) -> dict[str, Any]:
    """Best of single ``batch()`` calls, each after a ``gc.collect()``, with the gc off.

    One warm-up, then up to ``BATCH_REPEATS`` timed calls: at least ``BATCH_MIN``, and no more
    once ``BATCH_BUDGET_NS`` of them are spent (a slow library's batch takes seconds). What
    every call returns (the warm-up's too) goes through ``check``, outside the timing.
    """
    import gc
    import statistics
    import time

    check(batch())
    samples: list[int] = []
    while len(samples) < BATCH_REPEATS and (
        len(samples) < BATCH_MIN or sum(samples) < BATCH_BUDGET_NS
    ):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter_ns()
            result = batch()
            samples.append(time.perf_counter_ns() - start)
        finally:
            gc.enable()
        check(result)
        del result
    samples.sort()
    return {"best": samples[0], "median": statistics.median(samples), "repeats": len(samples)}
