"""``python -m benchmarks --peers``: the scenarios users compare, on the libraries they would
pick instead of ours, side by side.

The peers (python-statemachine, transitions, django-fsm-2 with Django) are installed, at pinned
versions, into a virtual environment of their own (``default_venv()``, or ``--peers-venv``),
outside the repository and outside the project's environment, created with ``python -m venv``
on first use and reused while it holds those versions. Nothing is ever installed into the
interpreter running this module.

Every (library, scenario) runs in a fresh process that prints one JSON line (see
``benchmarks/peers``). Ours runs with this interpreter from the repository root. A peer runs
with the peers venv's Python, with ``-E -s``, from a temporary copy of the process code: our
library and python-statemachine share the import name ``statemachine``, so the repository must
not be on a peer's ``sys.path``. Each process checks which library it imported
(``--expect``); a mismatch stops the run (``PeerIdentityError``).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._report import error_line, fmt, merge
from .peers._common import IDENTITY_EXIT, INSTANCES, N_GUARDS

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
TIMEOUT_S = 300
# Copied next to ``peers/`` for the peer processes: all they import from ``benchmarks``.
STAGED_FILES = ("__init__.py", "_timing.py", "_machines.py", "_charts.py")


@dataclass(frozen=True)
class Library:
    """One column of the table: the process module that drives it and what it must import."""

    name: str  # "ours" or the peer's distribution name
    module: str  # the process module, run with ``python -m``
    version: str = ""  # the pinned version (peers only)

    @property
    def expect(self) -> str:
        """What the process must find: ``ours``, or ``<distribution>==<version>``."""
        return "ours" if self.name == "ours" else f"{self.name}=={self.version}"


OURS = Library("ours", "benchmarks.peers.with_statemachine")
PEERS = {
    lib.name: lib
    for lib in (
        Library("python-statemachine", "benchmarks.peers.with_statemachine", "3.2.2"),
        Library("transitions", "benchmarks.peers.with_transitions", "0.9.3"),
        Library("django-fsm-2", "benchmarks.peers.with_django_fsm", "4.2.4"),
    )
}
# Installed alongside the peers, pinned as well: django-fsm-2 runs on Django.
EXTRA_PINS = {"Django": "5.2.19"}

ALL_LIBRARIES = ("ours", *PEERS)
STATEMACHINE_API = ("ours", "python-statemachine")


def pins() -> dict[str, str]:
    """Every distribution the peers venv must hold, with its exact version."""
    return {**{lib.name: lib.version for lib in PEERS.values()}, **EXTRA_PINS}


def requirements() -> list[str]:
    return [f"{name}=={version}" for name, version in pins().items()]


Notes = Callable[[dict[str, Any]], list[str]]


@dataclass(frozen=True)
class PeerScenario:
    """A scenario run on several libraries: ``field`` names its figure in each result
    (a timing summary, whose ``best`` is kept, or a number)."""

    key: str
    title: str
    like: str  # the main scenario it follows ("S1"), or "-"
    unit: str  # "ns" or "B"
    field: str
    libraries: tuple[str, ...] = ALL_LIBRARIES
    rounds: bool = True  # False: one round (memory; batches long enough to average out noise)
    notes: Notes | None = None


def _memory_notes(results: dict[str, Any]) -> list[str]:
    shared = results.get("transitions", {}).get("bytes_add_model")
    if shared is None:
        return []
    return [f"transitions: {fmt(shared, 'B')} per model added to one shared Machine"]


def _many_notes(results: dict[str, Any]) -> list[str]:
    shared = results.get("transitions", {}).get("batch_shared")
    if shared is None:
        return []
    return [
        f"transitions: {figure(shared['best'], 'ns')} with one Machine for all {INSTANCES:,} "
        "models (Machine(model=[...]); each add_model scans the list of models)"
    ]


def _guards_notes(results: dict[str, Any]) -> list[str]:
    if "django-fsm-2" not in results:
        return []
    return [
        f"django-fsm-2: one transition with {N_GUARDS} conditions, all True (one method "
        "cannot hold two transitions from the same state); the others: "
        f"{N_GUARDS} guarded transitions, the first {N_GUARDS - 1} False"
    ]


FSM_TARGET = 2.0  # ours (statemachine.contrib.django.fsm) at most 2x django-fsm-2


def _fsm_notes(results: dict[str, Any]) -> list[str]:
    ours = results.get("ours", {}).get("send")
    theirs = results.get("django-fsm-2", {}).get("send")
    if not (ours and theirs):
        return []
    ratio = ours["best"] / theirs["best"]
    verdict = "met" if ratio <= FSM_TARGET else "MISSED"
    notes = [
        "ours: the same model with `from statemachine.contrib.django.fsm import ...`; "
        f"target ours <= {FSM_TARGET:g}x django-fsm-2: {ratio:.2f}x, {verdict}"
    ]
    observed = results["ours"].get("send_observed")
    if observed:
        notes.append(
            f"ours with a receiver of statemachine.contrib.django.signals (the audit log "
            f"connects one; the call is then an event of the compiled machine): "
            f"{figure(observed['best'], 'ns')}"
        )
    return notes


SCENARIOS = {
    s.key: s
    for s in (
        PeerScenario("send", "1 event, 3-state cycle", "S1", "ns", "send"),
        PeerScenario(
            "callbacks", "1 event, guard + before/enter/after callbacks", "S2", "ns", "send"
        ),
        PeerScenario(
            "guards",
            f"1 event reading {N_GUARDS} guards",
            "S12",
            "ns",
            "send",
            notes=_guards_notes,
        ),
        PeerScenario("init", "instantiate the 3-state machine", "S4", "ns", "init"),
        PeerScenario(
            "memory",
            "bytes per instance, 3 states",
            "S5",
            "B",
            "bytes",
            rounds=False,
            notes=_memory_notes,
        ),
        PeerScenario("define", "define 50 states / 100 transitions", "S3", "ns", "define"),
        PeerScenario(
            "many",
            f"{INSTANCES:,} plain models, 1 event each",
            "-",
            "ns",
            "batch",
            rounds=False,
            notes=_many_notes,
        ),
        PeerScenario(
            "compound",
            "compound: leave 3 nested states and back",
            "S9",
            "ns",
            "send",
            STATEMACHINE_API,
        ),
        PeerScenario(
            "parallel",
            "parallel: 1 event, 1 transition per region",
            "S10",
            "ns",
            "send",
            STATEMACHINE_API,
        ),
        PeerScenario(
            "fsm",
            "django-fsm API: 1 @transition call, 3-state cycle",
            "-",
            "ns",
            "send",
            ("ours", "django-fsm-2"),
            notes=_fsm_notes,
        ),
    )
}

METHOD = (
    "each (library, scenario) in a fresh process, {rounds} rounds with the libraries "
    "interleaved (memory and the {instances:,}-model batch: 1 round), best kept; ours with the "
    "project's Python, each peer with the peers venv's Python outside the repository; "
    "per event and per instance: timeit, 7 repeats of ~40 ms, gc off, empty loop subtracted; "
    "define: best of 30 single definitions after 3 warm-ups; batch: best of 3-7 single "
    "batches after 1 warm-up; memory: tracemalloc over 2000 live instances; "
    "(Nx) = the peer's figure / ours, above 1x ours is faster or smaller"
)


# The one line above the Markdown table (the README's): the rest is in benchmarks/README.md.
SHORT_METHOD = (
    "`python -m benchmarks --peers`: each library and scenario in fresh processes, best of "
    "{rounds} rounds; per event/instance: timeit, best of 7 repeats, gc off "
    "(benchmarks/README.md); (Nx) = the peer's figure / ours, above 1x ours is faster or smaller"
)


class PeersError(Exception):
    """Something that stops ``--peers``: where the venv is, installing the peers, a process."""


class PeerIdentityError(PeersError):
    """A process imported another library than the one it was run for."""


# --- the peers venv


def default_venv() -> Path:
    """``$XDG_CACHE_HOME/statemachine-benchmarks/peers-venv`` (``~/.cache`` by default)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "statemachine-benchmarks" / "peers-venv"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def check_venv_location(venv: Path, root: Path = ROOT, prefix: str = sys.prefix) -> Path:
    """The resolved ``venv`` path, if it is outside the repository and the project's venv."""
    resolved = venv.expanduser().resolve()
    fix = f"pass --peers-venv with a path outside both (default: {str(default_venv())!r})"
    if resolved.is_relative_to(root.resolve()):
        raise PeersError(
            f"the peers venv {str(venv)!r} is inside the repository {str(root)!r}: it must "
            f"stay out of git and out of the project's venv; {fix}"
        )
    own = Path(prefix).resolve()
    if resolved.is_relative_to(own) or own.is_relative_to(resolved):
        raise PeersError(
            f"the peers venv {str(venv)!r} overlaps the environment running the benchmarks "
            f"({str(prefix)!r}): the peers are never installed there; {fix}"
        )
    return resolved


_PROBE = """\
import importlib.metadata, json, platform, sys
versions = {}
for name in json.loads(sys.argv[1]):
    try:
        versions[name] = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        versions[name] = None
print(json.dumps({"python": platform.python_version(), "prefix": sys.prefix, "versions": versions}))
"""


def probe(python: Path | str, names: Sequence[str]) -> dict[str, Any]:
    """Ask ``python`` (isolated: ``-I``) its version, prefix and the versions of ``names``."""
    done = subprocess.run(
        [str(python), "-I", "-c", _PROBE, json.dumps(list(names))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise PeersError(f"{str(python)!r} failed: {error_line(done.stderr, done.returncode)}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def pip_install_command(venv: Path) -> list[str]:
    """pip of the peers venv (never this interpreter's), installing the pinned versions."""
    return [
        str(venv_python(venv)),
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
        *requirements(),
    ]


@contextlib.contextmanager
def _locked(venv: Path) -> Iterator[None]:
    """An exclusive lock on ``<venv>.lock``, so that two runs never build the venv at once."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        yield
        return
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run_step(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise PeersError(f"{what} failed (exit status {done.returncode}):\n{tail}")


def ensure_peers_venv(
    venv: Path,
    *,
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
    probe: Callable[[Path | str, Sequence[str]], dict[str, Any]] = probe,
    run_step: Callable[[list[str], str], None] = _run_step,
) -> dict[str, Any]:
    """Create the peers venv if needed, install the pinned versions unless it has them.

    Returns what the venv's interpreter reports (``python``, ``prefix``, ``versions``).
    Raises ``PeersError`` if the path is inside the repository or the running environment,
    is not a venv, or runs another Python version than this one (figures would not compare).
    """
    venv = check_venv_location(venv)
    python = venv_python(venv)
    with _locked(venv):
        if venv.exists() and not (venv / "pyvenv.cfg").exists():
            raise PeersError(
                f"{str(venv)!r} exists but is not a virtual environment (no pyvenv.cfg): "
                "delete it or pass another --peers-venv"
            )
        if not venv.exists():
            log(f"creating the peers venv {venv}")
            run_step([sys.executable, "-m", "venv", str(venv)], f"python -m venv {venv}")
        found = probe(python, list(pins()))
        if Path(found["prefix"]).resolve() == Path(sys.prefix).resolve():
            raise PeersError(
                f"{str(python)!r} is the interpreter running the benchmarks ({sys.prefix!r}); "
                "the peers are never installed there: pass another --peers-venv"
            )
        if found["python"] != platform.python_version():
            raise PeersError(
                f"the peers venv {str(venv)!r} runs Python {found['python']}, the benchmarks "
                f"Python {platform.python_version()}: the figures would not compare; delete "
                f"it (rm -rf {venv}) and run again to recreate it"
            )
        if found["versions"] != pins():
            log(f"installing {' '.join(requirements())} into {venv}")
            run_step(pip_install_command(venv), "pip install into the peers venv")
            found = probe(python, list(pins()))
            if found["versions"] != pins():
                raise PeersError(
                    f"the peers venv {str(venv)!r} holds {found['versions']} after pip "
                    f"install, not {pins()}: delete it (rm -rf {venv}) and run again"
                )
    return found


# --- running the processes


def stage_peer_code(dest: Path) -> Path:
    """Copy what the peer processes import into ``dest/benchmarks``; return ``dest``."""
    package = dest / "benchmarks"
    (package / "peers").mkdir(parents=True)
    for name in STAGED_FILES:
        shutil.copy2(HERE / name, package / name)
    for source in sorted((HERE / "peers").glob("*.py")):
        shutil.copy2(source, package / "peers" / source.name)
    return dest


@dataclass(frozen=True)
class Interpreter:
    """How to start a library's processes: which Python, from where, isolated or not."""

    python: str
    cwd: Path
    isolated: bool  # -E -s, and no DJANGO_SETTINGS_MODULE: nothing from the environment


def process_command(library: Library, scenario: str, interpreter: Interpreter) -> list[str]:
    flags = ["-E", "-s"] if interpreter.isolated else []
    return [
        interpreter.python,
        *flags,
        "-m",
        library.module,
        scenario,
        "--expect",
        library.expect,
        "--project-root",
        str(ROOT),
    ]


def run_process(library: Library, scenario: str, interpreter: Interpreter) -> dict[str, Any]:
    """Run one (library, scenario) process; return its ``{"library", "result"}`` line."""
    env = dict(os.environ)
    if interpreter.isolated:
        env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        process_command(library, scenario, interpreter),
        capture_output=True,
        text=True,
        cwd=interpreter.cwd,
        env=env,
        timeout=TIMEOUT_S,
    )
    where = f"{library.name} {scenario}"
    if done.returncode == IDENTITY_EXIT:
        raise PeerIdentityError(f"{where}: {error_line(done.stderr, done.returncode)}")
    if done.returncode != 0:
        raise RuntimeError(f"{where}: {error_line(done.stderr, done.returncode)}")
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"{where}: no output")
    payload: dict[str, Any] = json.loads(lines[-1])
    if payload.get("library", {}).get("name") != library.name:
        raise PeerIdentityError(f"{where}: the process reports {payload.get('library')!r}")
    return payload


@dataclass
class PeerRow:
    """One scenario: each library's figure (None: not run or failed), notes and errors."""

    key: str
    name: str
    like: str
    unit: str
    values: dict[str, float | None]
    notes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def ratio(self, library: str) -> float | None:
        """The library's figure over ours (above 1: ours is faster or smaller)."""
        ours, theirs = self.values.get("ours"), self.values.get(library)
        if ours is None or theirs is None or library == "ours":
            return None
        return theirs / ours if ours else float("inf")


Runner = Callable[[Library, str], dict[str, Any]]


def run_scenario(
    scenario: PeerScenario, libraries: Sequence[Library], rounds: int, runner: Runner
) -> tuple[PeerRow, dict[str, Any], dict[str, dict[str, str]]]:
    """Run ``scenario`` on ``libraries``, ``rounds`` times interleaved; keep each one's best.

    A library whose process fails gets no figure (and an error); the others still run. A
    ``PeerIdentityError`` stops everything.
    """
    runs: dict[str, list[dict[str, Any]]] = {lib.name: [] for lib in libraries}
    errors: dict[str, str] = {}
    identities: dict[str, dict[str, str]] = {}
    for _ in range(rounds if scenario.rounds else 1):
        for lib in libraries:
            if lib.name in errors:
                continue
            start = time.perf_counter()
            try:
                payload = runner(lib, scenario.key)
            except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
                errors[lib.name] = str(exc)
                print(f"  {scenario.key} {lib.name}: ERROR {exc}", file=sys.stderr)
                continue
            identities[lib.name] = payload["library"]
            runs[lib.name].append(payload["result"])
            elapsed = time.perf_counter() - start
            print(f"  {scenario.key} {lib.name}: {elapsed:.1f} s", file=sys.stderr)
    results = {name: merge(found) for name, found in runs.items() if found and name not in errors}
    values: dict[str, float | None] = {}
    for lib in libraries:
        figure = results.get(lib.name, {}).get(scenario.field)
        values[lib.name] = figure["best"] if isinstance(figure, dict) else figure
    notes = scenario.notes(results) if scenario.notes else []
    row = PeerRow(scenario.key, scenario.title, scenario.like, scenario.unit, values, notes, errors)
    return row, results, identities


# --- the report


def cpu_model(cpuinfo: str) -> str | None:
    """The processor's name from the text of ``/proc/cpuinfo`` (None if it has none)."""
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in ("model name", "Model", "Hardware", "cpu model") and value:
            return " ".join(value.split())
    return None


def machine_description() -> dict[str, Any]:
    cpu = None
    with contextlib.suppress(OSError):
        cpu = cpu_model(Path("/proc/cpuinfo").read_text())
    return {
        "cpu": cpu or platform.processor() or "unknown CPU",
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.machine()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }


def machine_line(machine: dict[str, Any]) -> str:
    return f"{machine['cpu']}, {machine['cores']} cores, {machine['system']}, {machine['python']}"


def ratio_text(ratio: float) -> str:
    if ratio >= 10:
        return f"{ratio:.0f}x"
    if ratio >= 1:
        return f"{ratio:.1f}x"
    return f"{ratio:.2f}x"


def figure(value: float | None, unit: str) -> str:
    """``fmt``, plus seconds for times of a second or more (the 10,000-model batches)."""
    if unit == "ns" and value is not None and value >= 1_000_000_000:
        return f"{value / 1_000_000_000:.2f} s"
    return fmt(value, unit)


def cell(row: PeerRow, library: str) -> str:
    """``1.23 us``, with ``(4.5x)`` after a peer's figure; ``n/a`` where it does not run."""
    if library in row.errors:
        return "ERROR"
    if library not in row.values:
        return "n/a"
    value = row.values[library]
    text = figure(value, row.unit)
    ratio = row.ratio(library)
    return text if ratio is None else f"{text} ({ratio_text(ratio)})"


def column_title(library: str, versions: dict[str, str]) -> str:
    version = versions.get(library)
    return f"{library} {version}" if version and library != "ours" else library


def format_table(
    rows: Sequence[PeerRow], libraries: Sequence[str], versions: dict[str, str]
) -> str:
    header = ("scenario", "", *(column_title(lib, versions) for lib in libraries))
    lines = [(row.like, row.name, *(cell(row, lib) for lib in libraries)) for row in rows]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]

    def render(cells: Sequence[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        parts = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in pairs]
        return "  ".join(parts).rstrip()

    out = [render(header), render(["-" * w for w in widths]), *map(render, lines)]
    notes = [f"{row.key}: {note}" for row in rows for note in row.notes]
    notes += [f"{row.key} {lib}: {error}" for row in rows for lib, error in row.errors.items()]
    return "\n".join(out + (["", *notes] if notes else []))


def format_markdown(
    rows: Sequence[PeerRow], libraries: Sequence[str], versions: dict[str, str], heading: str
) -> str:
    """The README's table: one line with the method, machine and date, then the table."""
    titles = [column_title(lib, versions) for lib in libraries]
    out = [heading, "", "| scenario | " + " | ".join(titles) + " |"]
    out.append("|---|" + "---:|" * len(titles))
    out += [
        f"| {row.name} | " + " | ".join(cell(row, lib) for lib in libraries) + " |" for row in rows
    ]
    notes = [f"{row.key}: {note}" for row in rows for note in row.notes]
    if notes:
        out += ["", *(f"- {note}" for note in notes)]
    return "\n".join(out)


def parse_peers(spec: str) -> list[str]:
    """``all`` or comma-separated peer names -> the peers to run, in the table's order."""
    if spec == "all":
        return list(PEERS)
    names = [name.strip() for name in spec.split(",") if name.strip()]
    unknown = [name for name in names if name not in PEERS]
    if unknown or not names:
        raise ValueError(
            f"unknown peer(s) {unknown or spec!r} in --peers; choose among {', '.join(PEERS)} "
            "(comma-separated), or give --peers alone for all of them"
        )
    return [name for name in PEERS if name in names]


def main_peers(
    peers: Sequence[str],
    scenarios: Sequence[str] | None,
    rounds: int,
    venv: Path | None,
    as_json: bool,
    markdown: bool,
) -> int:
    """Run the peer scenarios and print the table (or JSON, or Markdown). Exit status 2 if the
    venv cannot be set up or a process imported the wrong library, else 0."""
    start = time.perf_counter()
    venv = venv or default_venv()
    try:
        found = ensure_peers_venv(venv)
    except (PeersError, subprocess.TimeoutExpired) as exc:
        print(f"--peers: {exc}", file=sys.stderr)
        return 2
    venv = check_venv_location(venv)
    libraries = [OURS, *(PEERS[name] for name in peers)]
    names = [lib.name for lib in libraries]
    rows: list[PeerRow] = []
    raw: dict[str, Any] = {}
    identities: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="statemachine-peers-") as tmp:
        ours = Interpreter(sys.executable, ROOT, isolated=False)
        theirs = Interpreter(str(venv_python(venv)), stage_peer_code(Path(tmp)), isolated=True)

        def runner(lib: Library, scenario: str) -> dict[str, Any]:
            return run_process(lib, scenario, ours if lib is OURS else theirs)

        try:
            for key in scenarios or list(SCENARIOS):
                scenario = SCENARIOS[key]
                print(f"running {key} ...", file=sys.stderr)
                selected = [lib for lib in libraries if lib.name in scenario.libraries]
                row, raw[key], seen = run_scenario(scenario, selected, max(1, rounds), runner)
                rows.append(row)
                identities.update(seen)
        except PeerIdentityError as exc:
            print(f"--peers: PeerIdentityError: {exc}", file=sys.stderr)
            return 2
    versions = {name: found["versions"][name] for name in pins()}
    versions["ours"] = identities.get("ours", {}).get("version", "?")
    machine = machine_description()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    method = METHOD.format(rounds=rounds, instances=INSTANCES)
    if as_json:
        report = {
            "date": date,
            "machine": machine,
            "method": method,
            "peers_venv": str(venv),
            "versions": versions,
            "libraries": identities,
            "elapsed_s": round(time.perf_counter() - start, 2),
            "rows": [
                {
                    "key": row.key,
                    "name": row.name,
                    "like": row.like,
                    "unit": row.unit,
                    "values": row.values,
                    "ratios": {lib: row.ratio(lib) for lib in names[1:] if lib in row.values},
                    "notes": row.notes,
                    "errors": row.errors,
                }
                for row in rows
            ],
            "raw": raw,
        }
        print(json.dumps(report, indent=2))
    elif markdown:
        short = SHORT_METHOD.format(rounds=rounds)
        heading = f"Method: {short}. Machine: {machine_line(machine)}. Date: {date}."
        print(format_markdown(rows, names, versions, heading))
    else:
        print(f"Machine: {machine_line(machine)}")
        print(f"Date: {date}")
        peers_text = ", ".join(f"{name} {version}" for name, version in pins().items())
        print(f"Peers: {peers_text} (venv {venv})")
        print(f"Ours: statemachine {versions['ours']} ({ROOT})")
        print(f"Method: {method}.")
        print()
        print(format_table(rows, names, versions))
        print()
        print(f"total {time.perf_counter() - start:.1f} s")
    return 0
