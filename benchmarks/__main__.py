"""Run the benchmark scenarios, each variant in a fresh interpreter, and print a table.

Usage (from the repository root)::

    python -m benchmarks [--scenario S1 [--scenario S2 ...]] [--json] [--check]
    python -m benchmarks --peers [LIB,...] [--peer-scenario send ...] [--json | --markdown]

The exit status is 0 unless ``--check`` is given and a target is missed (or a scenario crashed).
``--peers`` runs the scenarios of ``_peers.py`` on our library and on the libraries users
would pick instead (installed in a separate venv); it exits with 2 if that venv cannot be set
up or a process imported the wrong library.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import _peers
from ._report import error_line as _error_line
from ._report import fmt as _fmt
from ._report import merge
from .s12_guards import GUARD_COUNTS

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 180
ROUNDS = 3
METHOD = (
    "each variant runs in a fresh `python -m benchmarks.<scenario> <variant>` process, "
    "{rounds} rounds interleaved for timed scenarios; timings use time.perf_counter_ns after a "
    "warm-up and report the BEST (minimum) over repeats and rounds (per-event and per-instance: "
    "7 timeit repeats of ~40 ms each, gc off, empty-loop cost subtracted; S11: the same with "
    "a loop of awaits inside the running event loop; S3: 30 single "
    "definitions; S13: 15 single calls; S14 (load) and S15: 30 single loads; S6: min of 20 "
    "process runs each); ratio = ours / baseline"
)

Results = dict[str, dict[str, Any]]


@dataclass
class Row:
    """One line of the table. ``passed`` is None for informational rows."""

    scenario: str
    name: str
    ours: float | str | None
    baseline: float | str | None
    unit: str  # "ns" or "B"
    ratio: float | None
    target: str
    passed: bool | None
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """A scenario module, its variants, and how to turn their results into rows.

    ``timed`` scenarios run ``--rounds`` times (variants interleaved, each time in a fresh
    process), and the best of the rounds is kept: the spread between processes on a busy machine
    is larger than within one process.
    """

    key: str
    module: str
    variants: tuple[str, ...]
    rows: Callable[[Results], list[Row]]
    timed: bool = True


def _ratio_row(
    key: str, name: str, ours: float, baseline: float, limit: float | None, note: str = ""
) -> Row:
    ratio = ours / baseline if baseline else float("inf")
    return Row(
        scenario=key,
        name=name,
        ours=ours,
        baseline=baseline,
        unit="ns",
        ratio=ratio,
        target=f"<= {limit:g}x" if limit is not None else "info",
        passed=None if limit is None else ratio <= limit,
        note=note,
    )


def _s1(r: Results) -> list[Row]:
    base = r["baseline"]["send"]["best"]
    return [
        _ratio_row("S1", "send('cycle'), 3-state cycle", r["ours"]["send"]["best"], base, 10),
        _ratio_row(
            "S1", "cycle() method (vs baseline send)", r["ours"]["method"]["best"], base, None
        ),
    ]


def _s2(r: Results) -> list[Row]:
    ours, base = r["ours"]["send"]["best"], r["baseline"]["send"]["best"]
    return [_ratio_row("S2", "send('cycle'), guard + before/enter/after", ours, base, 8)]


def _s3(r: Results) -> list[Row]:
    limit_ns = 500_000
    rows = []
    for field, name, target in (
        ("define", "define 50 states/100 transitions", "<= 0.5 ms"),
        ("class_only", "  of which class creation only", "info"),
    ):
        ours = r["ours"][field]["best"]
        passed = ours <= limit_ns if target != "info" else None
        rows.append(Row("S3", name, ours, "-", "ns", None, target, passed))
    return rows


def _s4(r: Results) -> list[Row]:
    init3, init50 = r["ours"]["init3"]["best"], r["ours"]["init50"]["best"]
    return [
        _ratio_row("S4", "instantiate 3-state machine", init3, r["baseline"]["init3"]["best"], 8),
        _ratio_row(
            "S4",
            "instantiate 50 states (baseline: dict FSM)",
            init50,
            r["baseline"]["init3"]["best"],
            8,
        ),
        _ratio_row(
            "S4",
            "instantiate 50 states (baseline: ours 3)",
            init50,
            init3,
            1.3,
        ),
    ]


def _s5(r: Results) -> list[Row]:
    base = r["baseline"]["mem3"]
    rows = []
    for field, name in (
        ("mem3", "bytes/instance, 3 states"),
        ("mem50", "bytes/instance, 50 states"),
    ):
        ours = r["ours"][field]
        rows.append(Row("S5", name, ours, base, "B", ours / base, "<= 300 B", ours <= 300))
    return rows


def _s6(r: Results) -> list[Row]:
    cached, inherited = r["both"]["cached"], r["both"]["inherited"]
    delta, heavy = cached["delta"]["best"], cached["heavy_modules"] + inherited["heavy_modules"]
    return [
        Row(
            "S6",
            "import statemachine (baseline: bare start)",
            delta,
            cached["bare"]["best"],
            "ns",
            None,
            "<= 15 ms",
            delta <= 15_000_000,
            f"median delta {_fmt(cached['delta']['median'], 'ns')}; .pyc cached",
        ),
        Row(
            "S6",
            "  same, environment as inherited",
            inherited["delta"]["best"],
            inherited["bare"]["best"],
            "ns",
            None,
            "info",
            None,
            "no .pyc if PYTHONDONTWRITEBYTECODE is set and no __pycache__ exists",
        ),
        Row(
            "S6",
            "django/pydot not imported",
            ",".join(sorted(set(heavy))) or "none",
            "-",
            "",
            None,
            "none",
            not heavy,
        ),
    ]


def _s7(r: Results) -> list[Row]:
    paired = r["both"]
    ring1000, ring3 = paired["ring1000"]["best"], paired["ring3"]["best"]
    apart = r["ring1000"]["send"]["best"], r["ring3"]["send"]["best"]
    note = "both rings timed in the same process, repeats alternating"
    return [
        _ratio_row("S7", "send('step'), 1000-ring (baseline: 3-ring)", ring1000, ring3, 1.2, note),
        _ratio_row("S7", "  same, each ring in its own processes", *apart, None),
    ]


def _s8(r: Results) -> list[Row]:
    chart = r["ours"]["send"]["best"]
    return [
        _ratio_row(
            "S8", "send('cycle'), flat StateChart", chart, r["baseline"]["send"]["best"], 12
        ),
        _ratio_row(
            "S8", "  same (baseline: S1 StateMachine)", chart, r["ours"]["machine"]["best"], None
        ),
    ]


_PAIRED = "baseline: S8's flat chart timed in the same process, repeats alternating"


def _s9(r: Results) -> list[Row]:
    nested = r["nested"]
    flat, apart = nested["flat"]["best"], r["flat"]["send"]["best"]
    toggle, hop = nested["toggle"]["best"], nested["hop"]["best"]
    return [
        _ratio_row("S9", "toggle 2 leaves at depth 3 (vs S8 ours)", toggle, flat, 2, _PAIRED),
        _ratio_row("S9", "leaf <-> top-level sibling (vs S8 ours)", hop, flat, 2),
        _ratio_row("S9", "  toggle (baseline: S8 ours, its own processes)", toggle, apart, None),
    ]


def _s10(r: Results) -> list[Row]:
    par = r["parallel"]
    flat, apart = par["flat"]["best"], r["flat"]["send"]["best"]
    flip, toggle = par["flip"]["best"], par["toggle"]["best"]
    return [
        _ratio_row("S10", "event of 1 region of 2 (vs S8 ours)", flip, flat, 2, _PAIRED),
        _ratio_row("S10", "event of both regions (vs S8 ours)", toggle, flat, 3),
        _ratio_row("S10", "  both (baseline: S8 ours, its own processes)", toggle, apart, None),
    ]


def _s11(r: Results) -> list[Row]:
    send = r["async"]["send"]
    note = (
        f"empty loop of awaits subtracted: {_fmt(send['empty_await'], 'ns')}/iteration; {_PAIRED}"
    )
    return [
        _ratio_row(
            "S11",
            "await send('cycle'), 1 async cb (vs S8 ours)",
            send["best"],
            send["paired"]["best"],
            3,
            note,
        ),
        _ratio_row(
            "S11",
            "  same (baseline: S8 ours, its own processes)",
            send["best"],
            r["flat"]["send"]["best"],
            None,
        ),
        _ratio_row(
            "S11",
            "  same (baseline: same machine, sync callback)",
            send["best"],
            r["same_sync"]["send"]["best"],
            None,
        ),
    ]


LINEAR_TOLERANCE = 0.25
GUARD_COST_LIMIT = 1.2
SLOPE_RESOLUTION = 0.03  # of cost(1): two slopes closer than this are the same slope


def _s12(r: Results) -> list[Row]:
    """Per-N rows against the least-squares line, its slope, and the two linearity checks.

    See "S12" in benchmarks/README.md for the definition of "grows linearly".
    """
    cost = {n: r["guards"][f"n{n}"]["best"] for n in GUARD_COUNTS}
    b, a = statistics.linear_regression(list(cost), list(cost.values()))
    fit = {n: a + b * n for n in GUARD_COUNTS}
    rows = [
        Row(
            "S12",
            f"send('go'), {n} guard{'s' if n > 1 else ''} (baseline: fit a+b*N)",
            cost[n],
            fit[n],
            "ns",
            cost[n] / fit[n],
            "info",
            None,
        )
        for n in GUARD_COUNTS
    ]
    worst = max(abs(cost[n] - fit[n]) / fit[n] for n in GUARD_COUNTS)
    low, high = GUARD_COUNTS[0], GUARD_COUNTS[-1]
    growth = cost[high] / cost[low]
    outer = (cost[high] - cost[low]) / (high - low)
    inner_low, inner_high = GUARD_COUNTS[1], GUARD_COUNTS[-2]
    inner = (cost[inner_high] - cost[inner_low]) / (inner_high - inner_low)
    slope_ratio = outer / inner if inner > 0 else float("inf")
    base_cost = {n: r["baseline"][f"n{n}"]["best"] for n in GUARD_COUNTS}
    base_b, _ = statistics.linear_regression(list(base_cost), list(base_cost.values()))
    rows += [
        Row(
            "S12",
            "per extra guard (baseline: dict FSM's)",
            b,
            base_b,
            "ns",
            b / base_b if base_b > 0 else float("inf"),
            f"<= {GUARD_COST_LIMIT:g}x",
            base_b > 0 and b / base_b <= GUARD_COST_LIMIT,
            "slopes of the least-squares lines over N = " + ", ".join(str(n) for n in GUARD_COUNTS),
        ),
        Row(
            "S12",
            "  per extra guard b (baseline: fixed a)",
            b,
            a,
            "ns",
            None,
            "info",
            None,
            f"fit cost(N) = {_fmt(a, 'ns')} + {_fmt(b, 'ns')} * N",
        ),
        Row(
            "S12",
            "linear: worst deviation from the fit",
            f"{worst:.1%}",
            "-",
            "",
            None,
            f"<= {LINEAR_TOLERANCE:.0%}",
            b > 0 and worst <= LINEAR_TOLERANCE,
        ),
        Row(
            "S12",
            f"slope {low}..{high} (baseline: slope {inner_low}..{inner_high})",
            outer,
            inner,
            "ns",
            slope_ratio,
            f"1 +- {LINEAR_TOLERANCE:g}x",
            growth <= high / low
            and (
                abs(slope_ratio - 1) <= LINEAR_TOLERANCE
                # Slopes a few ns apart: below the timer's resolution at this cost.
                or abs(outer - inner) <= SLOPE_RESOLUTION * cost[low]
            ),
            f"cost({high})/cost({low}) = {growth:.2f}x (linear: <= {high / low:g}x)",
        ),
    ]
    return rows


def _s13(r: Results) -> list[Row]:
    limit_ns = 100_000_000
    rows = []
    for field, name, target in (
        ("dot", "DOT source, 200 states/400 transitions", "<= 100 ms"),
        ("extract", "  of which the model (extract) only", "info"),
    ):
        timing = r["ours"][field]
        passed = timing["best"] <= limit_ns if target != "info" else None
        note = f"median {_fmt(timing['median'], 'ns')}"
        if field == "dot":
            note += "; the machine is never instantiated (its __init__ raises)"
        rows.append(Row("S13", name, timing["best"], "-", "ns", None, target, passed, note))
    return rows


def _per_second(ns: float) -> str:
    return f"{1e9 / ns:,.0f}/s" if ns else "-"


def _s14(r: Results) -> list[Row]:
    both = r["both"]
    document, twin, load = both["document"]["best"], both["twin"]["best"], both["load"]
    return [
        _ratio_row(
            "S14",
            "send('next'), 50-state SCXML doc (vs Python twin)",
            document,
            twin,
            1.5,
            "both machines timed in the same process, repeats alternating",
        ),
        Row(
            "S14",
            "  document, per event (baseline: events/s)",
            document,
            _per_second(document),
            "ns",
            None,
            "info",
            None,
        ),
        Row(
            "S14",
            "  Python twin, per event (baseline: events/s)",
            twin,
            _per_second(twin),
            "ns",
            None,
            "info",
            None,
        ),
        Row(
            "S14",
            "  load the 50-state document",
            load["best"],
            "-",
            "ns",
            None,
            "info",
            None,
            f"median {_fmt(load['median'], 'ns')}",
        ),
    ]


def _s15(r: Results) -> list[Row]:
    limit_ns = 50_000_000
    load = r["ours"]["load"]
    return [
        Row(
            "S15",
            "load a 200-state SCXML doc (400 transitions)",
            load["best"],
            "-",
            "ns",
            None,
            "<= 50 ms",
            load["best"] <= limit_ns,
            f"median {_fmt(load['median'], 'ns')}",
        )
    ]


def _s16(r: Results) -> list[Row]:
    ours, base = r["ours"]["many"], r["baseline"]["many"]
    return [
        _ratio_row(
            "S16",
            "10,000 plain models: create + 1 event each",
            ours["best"],
            base["best"],
            6,
            f"per instance {_fmt(ours['per_instance'], 'ns')} vs "
            f"{_fmt(base['per_instance'], 'ns')}",
        )
    ]


def _s17(r: Results) -> list[Row]:
    load, send, flat = r["ours"]["load"], r["ours"]["send"], r["ours"]["flat"]["best"]
    rows_n = 10_000
    plain_per_row = send["plain"]["best"] / rows_n + flat
    return [
        _ratio_row(
            "S17",
            "load 10,000 rows, machine model (vs plain model)",
            load["tracked"]["best"],
            load["plain"]["best"],
            1.15,
            "list(queryset) on SQLite; the machine is built on first use",
        ),
        _ratio_row(
            "S17",
            "send + save per row (vs plain save + S1 dispatch)",
            send["tracked"]["best"] / rows_n,
            plain_per_row,
            2,
            f"plain save {_fmt(send['plain']['best'] / rows_n, 'ns')} + "
            f"flat dispatch {_fmt(flat, 'ns')}",
        ),
    ]


SCENARIOS = {
    s.key: s
    for s in (
        Scenario("S1", "benchmarks.s1_send", ("ours", "baseline"), _s1),
        Scenario("S2", "benchmarks.s2_callbacks", ("ours", "baseline"), _s2),
        Scenario("S3", "benchmarks.s3_define", ("ours",), _s3),
        Scenario("S4", "benchmarks.s4_init", ("ours", "baseline"), _s4),
        Scenario("S5", "benchmarks.s5_memory", ("ours", "baseline"), _s5, timed=False),
        Scenario("S6", "benchmarks.s6_import", ("both",), _s6, timed=False),
        Scenario("S7", "benchmarks.s7_ring", ("both", "ring1000", "ring3"), _s7),
        Scenario("S8", "benchmarks.s8_chart", ("ours", "baseline"), _s8),
        Scenario("S9", "benchmarks.s9_compound", ("nested", "flat"), _s9),
        Scenario("S10", "benchmarks.s10_parallel", ("parallel", "flat"), _s10),
        Scenario("S11", "benchmarks.s11_async", ("async", "flat", "same_sync"), _s11),
        Scenario("S12", "benchmarks.s12_guards", ("guards", "baseline"), _s12),
        Scenario("S13", "benchmarks.s13_diagram", ("ours",), _s13),
        Scenario("S14", "benchmarks.s14_document", ("both",), _s14),
        Scenario("S15", "benchmarks.s15_load", ("ours",), _s15),
        Scenario("S16", "benchmarks.s16_many", ("ours", "baseline"), _s16),
        Scenario("S17", "benchmarks.s17_django", ("ours",), _s17, timed=False),
    )
}


def _run_variant(module: str, variant: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", module, variant],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=TIMEOUT_S,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {variant}: {_error_line(done.stderr, done.returncode)}")
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"{module} {variant}: no output")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run_scenario(scenario: Scenario, rounds: int) -> tuple[list[Row], Results]:
    per_variant: dict[str, list[dict[str, Any]]] = {v: [] for v in scenario.variants}
    try:
        for _ in range(rounds if scenario.timed else 1):
            for variant in scenario.variants:
                start = time.perf_counter()
                per_variant[variant].append(_run_variant(scenario.module, variant))
                elapsed = time.perf_counter() - start
                print(f"  {scenario.key} {variant}: {elapsed:.1f} s", file=sys.stderr)
        results = {variant: merge(runs) for variant, runs in per_variant.items()}
        return scenario.rows(results), results
    except (
        RuntimeError,
        subprocess.TimeoutExpired,
        KeyError,
        ValueError,
        ZeroDivisionError,
        statistics.StatisticsError,
    ) as exc:
        print(f"  {scenario.key}: ERROR {exc}", file=sys.stderr)
        error = Row(scenario.key, "ERROR", None, None, "", None, "-", False, str(exc))
        return [error], {}


def format_table(rows: list[Row]) -> str:
    header = ("scenario", "", "ours", "baseline", "ratio", "target", "result")
    lines = [
        (
            row.scenario,
            row.name,
            _fmt(row.ours, row.unit),
            _fmt(row.baseline, row.unit),
            "-" if row.ratio is None else f"{row.ratio:.2f}x",
            row.target,
            "info" if row.passed is None else ("PASS" if row.passed else "FAIL"),
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    right = {2, 3, 4}

    def render(cells: tuple[str, ...]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out = [render(header), render(tuple("-" * w for w in widths))]
    out += [render(cells) for cells in lines]
    notes = [f"{row.scenario} {row.name.strip()}: {row.note}" for row in rows if row.note]
    if notes:
        out += ["", *notes]
    return "\n".join(out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        type=str.upper,
        help="run only this scenario (repeatable); default: all",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help=f"fresh-process rounds per timed scenario, best kept (default {ROUNDS})",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    parser.add_argument("--check", action="store_true", help="exit non-zero if a target is missed")
    peers = parser.add_argument_group("peers (see benchmarks/README.md)")
    peers.add_argument(
        "--peers",
        nargs="?",
        const="all",
        metavar="LIB[,LIB]",
        help="compare with python-statemachine, transitions and django-fsm-2 (or the ones "
        "named), installed at pinned versions into a separate venv, never into this one",
    )
    peers.add_argument(
        "--peers-venv",
        type=Path,
        metavar="PATH",
        help=f"the peers venv, created on first use (default {_peers.default_venv()})",
    )
    peers.add_argument(
        "--peer-scenario",
        action="append",
        choices=list(_peers.SCENARIOS),
        help="with --peers: run only this scenario (repeatable); default: all",
    )
    peers.add_argument(
        "--markdown", action="store_true", help="with --peers: print the table as Markdown"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.peers is None:
        if args.peers_venv or args.peer_scenario or args.markdown:
            parser.error("--peers-venv, --peer-scenario and --markdown go with --peers")
    else:
        if args.scenario or args.check:
            parser.error(
                "--scenario and --check are for the S1-S15 scenarios; with --peers, select "
                "scenarios with --peer-scenario (the peers have no targets)"
            )
        if args.json and args.markdown:
            parser.error("choose one of --json and --markdown")
        try:
            peers = _peers.parse_peers(args.peers)
        except ValueError as exc:
            parser.error(str(exc))
        return _peers.main_peers(
            peers, args.peer_scenario, args.rounds, args.peers_venv, args.json, args.markdown
        )

    start = time.perf_counter()
    rows: list[Row] = []
    raw: dict[str, Results] = {}
    for key in args.scenario or list(SCENARIOS):  # in declaration order: S1, S2, ... S16
        print(f"running {key} ...", file=sys.stderr)
        scenario_rows, raw[key] = run_scenario(SCENARIOS[key], max(1, args.rounds))
        rows += scenario_rows
    elapsed = time.perf_counter() - start
    failed = [row for row in rows if row.passed is False]

    if args.json:
        report = {
            "python": platform.python_version(),
            "method": METHOD.format(rounds=args.rounds),
            "elapsed_s": round(elapsed, 2),
            "passed": not failed,
            "rows": [asdict(row) for row in rows],
            "raw": raw,
        }
        print(json.dumps(report, indent=2))
    else:
        print(f"Python {platform.python_version()} ({sys.executable})")
        print(f"Method: {METHOD.format(rounds=args.rounds)}.")
        print()
        print(format_table(rows))
        print()
        verdict = "all targets met" if not failed else f"{len(failed)} target(s) missed"
        print(f"{verdict}; total {elapsed:.1f} s")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
