"""``python -m benchmarks --peers``: the parts that run without the network.

The peers venv is never built here (that needs PyPI): its logic runs against stubbed probes and
installers, and the identity check against our own library and fake distributions.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from benchmarks import __main__ as bench_main
from benchmarks import _peers
from benchmarks._peers import (
    OURS,
    PEERS,
    Interpreter,
    Library,
    PeerIdentityError,
    PeerRow,
    PeerScenario,
    PeersError,
)
from benchmarks.peers._common import IDENTITY_EXIT, identify

ROOT = Path(__file__).resolve().parent.parent
PSM = PEERS["python-statemachine"]


def fake_distribution(where: Path, name: str, version: str, files: list[str]) -> None:
    """A ``<name>-<version>.dist-info`` in ``where`` whose RECORD lists ``files``."""
    info = where / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "RECORD").write_text("".join(f"{file},,\n" for file in files))


# --- the identity check inside the processes


def test_process_refuses_our_library_when_a_peer_is_expected() -> None:
    """Run with the project's Python, ``import statemachine`` is ours: the process refuses."""
    done = subprocess.run(
        [sys.executable, "-m", PSM.module, "send", "--expect", PSM.expect, "--project-root", ROOT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == IDENTITY_EXIT, done.stderr
    assert "PeerIdentityError: expected python-statemachine 3.2.2" in done.stderr
    assert str(ROOT / "statemachine" / "__init__.py") in done.stderr
    assert done.stdout == ""  # nothing timed, no result


def test_runner_stops_when_the_peer_interpreter_imports_our_library(tmp_path: Path) -> None:
    """The peer runner (isolated, from a staged copy) with an interpreter that has our
    library installed instead of python-statemachine raises PeerIdentityError."""
    interpreter = Interpreter(sys.executable, _peers.stage_peer_code(tmp_path), isolated=True)
    with pytest.raises(PeerIdentityError, match=r"python-statemachine send: PeerIdentityError"):
        _peers.run_process(PSM, "send", interpreter)


def test_identity_refuses_the_pinned_version_with_another_module_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """python-statemachine 3.2.2 metadata is found, but ``statemachine`` is this project's."""
    fake_distribution(tmp_path, "python-statemachine", "3.2.2", ["statemachine/__init__.py"])
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SystemExit) as exited:
        identify("statemachine", "python-statemachine==3.2.2", ROOT)
    assert exited.value.code == IDENTITY_EXIT
    err = capsys.readouterr().err
    assert "not a file of that distribution (it is this project)" in err
    assert repr(str(ROOT / "statemachine" / "__init__.py")) in err


def test_identity_refuses_another_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_distribution(tmp_path, "python-statemachine", "3.1.0", ["statemachine/__init__.py"])
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SystemExit):
        identify("statemachine", "python-statemachine==3.2.2", ROOT)
    assert "expected python-statemachine 3.2.2, found '3.1.0'" in capsys.readouterr().err


@pytest.fixture
def fake_peer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An installed-looking package ``peerlib_fake`` (distribution peerlib-fake 1.0)."""
    (tmp_path / "peerlib_fake").mkdir()
    (tmp_path / "peerlib_fake" / "__init__.py").write_text("")
    fake_distribution(tmp_path, "peerlib-fake", "1.0", ["peerlib_fake/__init__.py"])
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("peerlib_fake", None)


def test_identity_accepts_the_distribution_own_module(fake_peer: Path) -> None:
    found = identify("peerlib_fake", "peerlib-fake==1.0", ROOT)
    assert found == {
        "name": "peerlib-fake",
        "version": "1.0",
        "file": str((fake_peer / "peerlib_fake" / "__init__.py").resolve()),
    }


def test_identity_for_ours_refuses_a_module_outside_the_project(
    fake_peer: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        identify("peerlib_fake", "ours", ROOT)
    assert "expected this project's library under the name 'peerlib_fake'" in (
        capsys.readouterr().err
    )


def test_identity_for_ours_accepts_the_project_tree() -> None:
    found = identify("statemachine", "ours", ROOT)
    assert found["name"] == "ours"
    assert found["file"] == str(ROOT / "statemachine" / "__init__.py")


# --- the peers venv: separate from the project's, pinned, reused


def test_the_project_interpreter_has_none_of_the_peers() -> None:
    """Nothing from --peers lands in the project's environment."""
    found = _peers.probe(sys.executable, ["python-statemachine", "transitions", "django-fsm-2"])
    assert found["versions"] == dict.fromkeys(
        ("python-statemachine", "transitions", "django-fsm-2")
    )


def test_pip_installs_the_pins_with_the_peers_venv_python(tmp_path: Path) -> None:
    command = _peers.pip_install_command(tmp_path / "venv")
    assert command[:4] == [str(_peers.venv_python(tmp_path / "venv")), "-m", "pip", "install"]
    assert command[0] != sys.executable
    assert not Path(command[0]).is_relative_to(Path(sys.prefix))
    pinned = [arg for arg in command if "==" in arg]
    assert pinned == [f"{name}=={version}" for name, version in _peers.pins().items()]
    assert {"python-statemachine", "transitions", "django-fsm-2", "Django"} <= set(_peers.pins())
    assert _peers.pins()["python-statemachine"].startswith("3.2.")


def test_venv_inside_the_repository_is_refused() -> None:
    with pytest.raises(PeersError, match=r"inside the repository .*pass --peers-venv"):
        _peers.check_venv_location(ROOT / ".venv")
    with pytest.raises(PeersError, match="inside the repository"):
        _peers.check_venv_location(ROOT / "benchmarks" / "peers-venv")


def test_venv_overlapping_the_running_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PeersError, match="overlaps the environment running the benchmarks"):
        _peers.check_venv_location(tmp_path / "env" / "peers", prefix=str(tmp_path / "env"))
    with pytest.raises(PeersError, match="overlaps"):
        _peers.check_venv_location(tmp_path, prefix=str(tmp_path / "env"))
    assert _peers.check_venv_location(tmp_path / "peers") == (tmp_path / "peers").resolve()


class FakeVenv:
    """Stubs for ``ensure_peers_venv``: a probe answering from ``self.versions``, and a
    step runner that records commands (and "installs" the pins on pip install)."""

    def __init__(self, versions: Mapping[str, str | None], python: str | None = None) -> None:
        import platform

        self.versions: Mapping[str, str | None] = versions
        self.python = python or platform.python_version()
        self.commands: list[list[str]] = []
        self.install_works = True

    def probe(self, python: Path | str, names: Any) -> dict[str, Any]:
        prefix = str(Path(python).parent.parent)
        return {"python": self.python, "prefix": prefix, "versions": dict(self.versions)}

    def run_step(self, command: list[str], what: str) -> None:
        self.commands.append(command)
        if "pip" in command and self.install_works:
            self.versions = _peers.pins()
        if command[1:3] == ["-m", "venv"]:
            Path(command[3]).mkdir(parents=True)
            (Path(command[3]) / "pyvenv.cfg").write_text("")


def ensure(venv: Path, fake: FakeVenv) -> dict[str, Any]:
    return _peers.ensure_peers_venv(
        venv, log=lambda line: None, probe=fake.probe, run_step=fake.run_step
    )


def a_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "peers-venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return venv


def test_venv_with_the_pinned_versions_is_reused(tmp_path: Path) -> None:
    fake = FakeVenv(_peers.pins())
    found = ensure(a_venv(tmp_path), fake)
    assert fake.commands == []
    assert found["versions"] == _peers.pins()


def test_venv_missing_a_version_gets_pip_install_into_it(tmp_path: Path) -> None:
    venv = a_venv(tmp_path)
    fake = FakeVenv({**_peers.pins(), "transitions": "0.8.0"})
    ensure(venv, fake)
    assert fake.commands == [_peers.pip_install_command(venv.resolve())]


def test_missing_venv_is_created_with_python_m_venv(tmp_path: Path) -> None:
    venv = tmp_path / "cache" / "peers-venv"
    fake = FakeVenv(dict.fromkeys(_peers.pins()))
    ensure(venv, fake)
    assert fake.commands[0] == [sys.executable, "-m", "venv", str(venv.resolve())]
    assert fake.commands[1] == _peers.pip_install_command(venv.resolve())


def test_venv_still_wrong_after_install_is_an_error(tmp_path: Path) -> None:
    fake = FakeVenv(dict.fromkeys(_peers.pins()))
    fake.install_works = False
    with pytest.raises(PeersError, match=r"after pip install.*delete it \(rm -rf"):
        ensure(a_venv(tmp_path), fake)


def test_venv_on_another_python_version_is_an_error(tmp_path: Path) -> None:
    fake = FakeVenv(_peers.pins(), python="2.7.18")
    with pytest.raises(PeersError, match=r"runs Python 2\.7\.18.*would not compare"):
        ensure(a_venv(tmp_path), fake)
    assert fake.commands == []


def test_a_folder_that_is_not_a_venv_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "peers-venv"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep")
    fake = FakeVenv(_peers.pins())
    with pytest.raises(PeersError, match="is not a virtual environment"):
        ensure(folder, fake)
    assert fake.commands == []
    assert (folder / "precious.txt").read_text() == "keep"


def test_main_peers_reports_a_bad_venv_location(capsys: pytest.CaptureFixture[str]) -> None:
    status = _peers.main_peers(["transitions"], None, 1, ROOT / ".venv", False, False)
    assert status == 2
    assert "--peers: the peers venv" in capsys.readouterr().err


# --- the processes: ours runs for real (the peers need their venv)


def test_ours_process_runs_from_the_repository() -> None:
    payload = _peers.run_process(OURS, "send", Interpreter(sys.executable, ROOT, False))
    assert payload["library"]["name"] == "ours"
    assert payload["result"]["send"]["best"] > 0


def test_ours_fsm_process_times_the_django_fsm_api_on_our_library() -> None:
    """The ``fsm`` row's process: with_django_fsm's model with our import line, timed with and
    without a receiver of our machine signals (each checked before it is timed)."""
    payload = _peers.run_process(OURS, "fsm", Interpreter(sys.executable, ROOT, False))
    assert payload["result"]["send"]["best"] > 0
    assert payload["result"]["send_observed"]["best"] > 0


@pytest.mark.parametrize(("ours", "verdict"), [(6_000, "3.00x, MISSED"), (1_000, "0.50x, met")])
def test_the_fsm_row_says_whether_the_2x_target_is_met(ours: int, verdict: str) -> None:
    results = {
        "ours": {"send": {"best": ours}, "send_observed": {"best": 9_000}},
        "django-fsm-2": {"send": {"best": 2_000}},
    }
    first, second = _peers._fsm_notes(results)
    assert first.endswith(f"target ours <= 2x django-fsm-2: {verdict}")
    assert second.endswith("the call is then an event of the compiled machine): 9.00 us")
    assert _peers._fsm_notes({"ours": results["ours"]}) == []  # no peer figure: no verdict


def test_staged_process_code_runs_alone(tmp_path: Path) -> None:
    """The staged copy has everything a process imports (S9's chart, the timing helpers), and
    the process uses it, not the repository's ``benchmarks``."""
    staged = Interpreter(sys.executable, _peers.stage_peer_code(tmp_path), isolated=True)
    payload = _peers.run_process(OURS, "compound", staged)
    assert payload["result"]["send"]["best"] > 0
    (tmp_path / "benchmarks" / "_charts.py").unlink()
    with pytest.raises(RuntimeError, match=r"No module named 'benchmarks\._charts'"):
        _peers.run_process(OURS, "compound", staged)


def test_process_modules_import_only_staged_files() -> None:
    """``benchmarks.peers`` imports from ``benchmarks`` only what ``stage_peer_code`` copies."""
    allowed = {f"benchmarks.{Path(name).stem}" for name in _peers.STAGED_FILES} | {"benchmarks"}
    for source in (ROOT / "benchmarks" / "peers").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("benchmarks") and not node.module.startswith(
                    "benchmarks.peers"
                ):
                    assert node.module in allowed, f"{source.name} imports {node.module}"
            elif isinstance(node, ast.ImportFrom) and node.level > 1:
                raise AssertionError(f"{source.name}: use absolute imports of benchmarks.*")


def test_process_with_an_unknown_scenario_fails_before_importing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", OURS.module, "nope", "--expect", "ours", "--project-root", ROOT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert "invalid choice: 'nope'" in done.stderr


# --- running a scenario: rounds, best, failures


def test_run_scenario_interleaves_rounds_and_keeps_the_best() -> None:
    calls: list[tuple[str, str]] = []
    figures = {"ours": iter([300.0, 100.0]), "transitions": iter([900.0, 1200.0])}

    def runner(lib: Library, key: str) -> dict[str, Any]:
        calls.append((lib.name, key))
        best = next(figures[lib.name])
        return {"library": {"name": lib.name}, "result": {"send": {"best": best, "median": best}}}

    scenario = PeerScenario("send", "1 event", "S1", "ns", "send")
    row, results, _ = _peers.run_scenario(scenario, [OURS, PEERS["transitions"]], 2, runner)
    assert calls == [("ours", "send"), ("transitions", "send")] * 2
    assert row.values == {"ours": 100.0, "transitions": 900.0}
    assert row.ratio("transitions") == 9.0
    assert results["ours"]["send"]["median"] == 200.0


def test_run_scenario_records_a_failing_library_and_runs_the_others() -> None:
    def runner(lib: Library, key: str) -> dict[str, Any]:
        if lib.name == "django-fsm-2":
            raise RuntimeError("django-fsm-2 send: AssertionError: boom")
        return {"library": {"name": lib.name}, "result": {"bytes": 10.0}}

    scenario = PeerScenario("memory", "bytes", "S5", "B", "bytes", rounds=False)
    libraries = [OURS, PEERS["django-fsm-2"], PEERS["transitions"]]
    row, _, _ = _peers.run_scenario(scenario, libraries, 3, runner)
    assert row.values == {"ours": 10.0, "django-fsm-2": None, "transitions": 10.0}
    assert row.errors == {"django-fsm-2": "django-fsm-2 send: AssertionError: boom"}
    assert _peers.cell(row, "django-fsm-2") == "ERROR"


def test_run_scenario_stops_on_an_identity_error() -> None:
    def runner(lib: Library, key: str) -> dict[str, Any]:
        raise PeerIdentityError("python-statemachine send: PeerIdentityError: ours")

    scenario = PeerScenario("send", "1 event", "S1", "ns", "send")
    with pytest.raises(PeerIdentityError):
        _peers.run_scenario(scenario, [OURS, PSM], 1, runner)


# --- the report


def rows() -> list[PeerRow]:
    return [
        PeerRow(
            "send",
            "1 event, 3-state cycle",
            "S1",
            "ns",
            {"ours": 1_000.0, "python-statemachine": 120_000.0, "transitions": 4_000.0},
        ),
        PeerRow(
            "memory",
            "bytes per instance",
            "S5",
            "B",
            {"ours": 1000.0, "python-statemachine": 2500.0, "transitions": 500.0},
            notes=["transitions: 2000 B per model added to one shared Machine"],
        ),
        PeerRow("compound", "compound", "S9", "ns", {"ours": 2_000.0, "python-statemachine": None}),
    ]


VERSIONS = {"ours": "0.1.0", "python-statemachine": "3.2.2", "transitions": "0.9.3"}


def test_ratio_is_the_peer_over_ours() -> None:
    send, memory, compound = rows()
    assert send.ratio("python-statemachine") == 120.0
    assert memory.ratio("transitions") == 0.5
    assert send.ratio("ours") is None
    assert compound.ratio("python-statemachine") is None  # no figure: no ratio
    assert compound.ratio("transitions") is None  # not run


def test_text_table_shows_figures_ratios_and_versions() -> None:
    text = _peers.format_table(rows(), ["ours", "python-statemachine", "transitions"], VERSIONS)
    lines = text.splitlines()
    header = ["scenario", "ours", "python-statemachine", "3.2.2", "transitions", "0.9.3"]
    assert lines[0].split() == header
    assert lines[2].split("  ")[0] == "S1"
    assert "1.00 us" in lines[2]
    assert "120.00 us (120x)" in lines[2]
    assert "4.00 us (4.0x)" in lines[2]
    assert "500 B (0.50x)" in lines[3]
    assert lines[4].rstrip().endswith("n/a")
    assert "memory: transitions: 2000 B per model added to one shared Machine" in lines


def test_markdown_table_has_a_heading_line_and_right_aligned_figures() -> None:
    text = _peers.format_markdown(
        rows(), ["ours", "python-statemachine", "transitions"], VERSIONS, "Method: m. Date: d."
    )
    lines = text.splitlines()
    assert lines[0] == "Method: m. Date: d."
    assert lines[2] == "| scenario | ours | python-statemachine 3.2.2 | transitions 0.9.3 |"
    assert lines[3] == "|---|---:|---:|---:|"
    assert lines[4] == "| 1 event, 3-state cycle | 1.00 us | 120.00 us (120x) | 4.00 us (4.0x) |"
    assert lines[6] == "| compound | 2.00 us | - | n/a |"
    assert lines[-1] == "- memory: transitions: 2000 B per model added to one shared Machine"


def test_batch_times_of_a_second_or_more_read_in_seconds() -> None:
    assert _peers.figure(11_337_662_000.0, "ns") == "11.34 s"
    assert _peers.figure(84_524_000.0, "ns") == "84.524 ms"
    assert _peers.figure(2_000_000_000.0, "B") == "2000000000 B"
    assert _peers.figure(None, "ns") == "-"


@pytest.mark.parametrize(
    ("ratio", "text"), [(181.4, "181x"), (14.2, "14x"), (6.64, "6.6x"), (0.824, "0.82x")]
)
def test_ratio_text(ratio: float, text: str) -> None:
    assert _peers.ratio_text(ratio) == text


def test_cpu_model_from_proc_cpuinfo() -> None:
    cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD  EPYC 7B13\n"
    assert _peers.cpu_model(cpuinfo) == "AMD EPYC 7B13"
    assert _peers.cpu_model("processor\t: 0\n") is None


# --- the command line


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--peers", "--check"], "--scenario and --check are for the S1-S15 scenarios"),
        (["--peers", "--scenario", "S1"], "with --peers, select scenarios with --peer-scenario"),
        (["--peers=nope"], "unknown peer(s) ['nope'] in --peers"),
        (["--peers", "--json", "--markdown"], "choose one of --json and --markdown"),
        (["--markdown"], "--peers-venv, --peer-scenario and --markdown go with --peers"),
        (["--peer-scenario", "send"], "go with --peers"),
        (["--peers", "--peer-scenario", "S1"], "invalid choice: 'S1'"),
    ],
)
def test_bad_peer_arguments_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        bench_main.main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_peers_argument_selects_peers_in_table_order() -> None:
    assert _peers.parse_peers("all") == ["python-statemachine", "transitions", "django-fsm-2"]
    assert _peers.parse_peers("django-fsm-2, transitions") == ["transitions", "django-fsm-2"]
    args = bench_main.build_parser().parse_args(["--peers", "--rounds", "1"])
    assert (args.peers, args.rounds) == ("all", 1)
    assert bench_main.build_parser().parse_args([]).peers is None


def test_main_passes_peer_options_through(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Any, ...]] = []

    def main_peers(*args: Any) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(_peers, "main_peers", main_peers)
    argv = ["--peers=transitions", "--peer-scenario", "send", "--peers-venv", "/tmp/pv", "--json"]
    assert bench_main.main(argv) == 0
    assert seen == [(["transitions"], ["send"], 3, Path("/tmp/pv"), True, False)]


def test_without_peers_the_scenarios_run_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    # Without --check the exit status does not depend on the timings, and neither does this
    # test: it checks the report, not whether this machine met the targets just now.
    assert bench_main.main(["--scenario", "S1", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "S1        send('cycle'), 3-state cycle" in out
    assert re.search(r"^(all targets met|\d+ target\(s\) missed)", out, re.M), out
