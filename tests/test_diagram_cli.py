"""The diagram command line: `python -m statemachine.contrib.diagram CLASS_OR_MODULE OUT`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from statemachine.contrib.diagram import import_sm, main
from statemachine.contrib.diagram._cli import run

MODULE = textwrap.dedent(
    """
    from statemachine import State, StateMachine


    class Door(StateMachine):
        closed = State(initial=True)
        opened = State()
        open = closed.to(opened)
        close = opened.to(closed)


    class Lamp(StateMachine):
        off = State(initial=True)
        on = State()
        switch = off.to(on) | on.to(off)
    """
)


@pytest.fixture
def machines(tmp_path, monkeypatch):
    """A module `cli_machines` with two machine classes, importable by name."""
    (tmp_path / "cli_machines.py").write_text(MODULE + "\nMODULE_NAME = 'x'\n")
    (tmp_path / "cli_broken.py").write_text("import not_installed_xyz\n")
    (tmp_path / "cli_failing.py").write_text("raise RuntimeError('cannot start')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    names = ("cli_machines", "cli_broken", "cli_failing")
    for name in names:
        sys.modules.pop(name, None)
    yield tmp_path
    for name in names:
        sys.modules.pop(name, None)


def test_a_module_path_gives_its_first_machine(machines):
    """A module path picks the first machine class defined in that module."""
    assert import_sm("cli_machines").__name__ == "Door"
    assert import_sm("cli_machines.Lamp").__name__ == "Lamp"


def test_writes_an_image_chosen_by_the_extension(machines):
    """`out.png` gets a real PNG drawn by Graphviz."""
    out = machines / "door.png"
    assert main(["cli_machines.Door", str(out)]) is None
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_format_overrides_the_extension_and_dash_is_stdout(machines, capsysbinary):
    """`--format dot` with `-` prints DOT source on standard output."""
    assert run(["cli_machines.Door", "-", "--format", "dot"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out.startswith("digraph Door {")
    assert "label=Opened" in out


def test_stdout_without_a_format_is_svg(machines, capsysbinary):
    """`-` alone writes SVG."""
    main(["cli_machines.Lamp", "-"])
    assert b"<svg" in capsysbinary.readouterr().out


def test_events_are_sent_before_drawing(machines, capsysbinary):
    """`--events` sends them first, so the reached state is the highlighted one."""
    main(["cli_machines.Door", "-", "--format", "dot", "--events", "open"])
    out = capsysbinary.readouterr().out.decode()
    opened = next(line for line in out.splitlines() if line.startswith("opened ["))
    assert "fillcolor=turquoise" in opened


@pytest.mark.parametrize(
    ("argv", "error", "message"),
    [
        (["cli_machines.Nope", "x.svg"], ValueError, "Nope is not a subclass of StateMachine"),
        (
            ["cli_machines.MODULE_NAME", "x.svg"],
            ValueError,
            "MODULE_NAME is not a subclass of StateMachine",
        ),
        (
            ["textwrap", "x.svg"],
            ValueError,
            "Module 'textwrap' defines no StateChart or StateMachine subclass.",
        ),
        (
            ["no_such_module_xyz.Thing", "x.svg"],
            ModuleNotFoundError,
            "No module named 'no_such_module_xyz'",
        ),
        (
            ["no_such_module_xyz", "x.svg"],
            ModuleNotFoundError,
            "No module named 'no_such_module_xyz'",
        ),
        (["cli_broken", "x.svg"], ModuleNotFoundError, "No module named 'not_installed_xyz'"),
        (["cli_broken.Thing", "x.svg"], ModuleNotFoundError, "No module named 'not_installed_xyz'"),
        (["cli_failing", "x.svg"], RuntimeError, "cannot start"),
        (["cli_failing.Door", "x.svg"], RuntimeError, "cannot start"),
    ],
    ids=[
        "no-class",
        "not-a-class",
        "no-machine",
        "no-module",
        "no-module-alone",
        "broken",
        "broken-class",
        "failing",
        "failing-class",
    ],
)
def test_main_raises_on_paths_that_name_no_machine(machines, argv, error, message):
    """`main` raises: ValueError for a path that is not a machine class or a module without
    one; a module that does not exist, or whose own imports fail, raises that import error."""
    with pytest.raises(error) as caught:
        main(argv)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cli_machines.Nope", "x.svg"], "error: Nope is not a subclass of StateMachine"),
        (
            ["textwrap", "x.svg"],
            "error: Module 'textwrap' defines no StateChart or StateMachine subclass.",
        ),
        (
            ["no_such_module_xyz.Thing", "x.svg"],
            "error: ModuleNotFoundError: No module named 'no_such_module_xyz'",
        ),
        (
            ["cli_broken", "x.svg"],
            "error: ModuleNotFoundError: No module named 'not_installed_xyz'",
        ),
        (["cli_failing", "x.svg"], "error: RuntimeError: cannot start"),
        (["cli_machines.Door", "x.weird"], "error: Unsupported format: 'weird'. Use 'svg', "),
        (["cli_machines.Door", "x.svg", "--events", "close"], "error: Can't Close when in Closed."),
    ],
    ids=["no-class", "no-machine", "no-module", "broken", "failing", "bad-format", "bad-event"],
)
def test_the_command_reports_problems_in_one_line_with_status_2(machines, capsys, argv, message):
    """The `python -m` entry turns every problem into one line on stderr and status 2."""
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_runs_as_a_module(machines):
    """`python -m statemachine.contrib.diagram` is the same command."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "statemachine.contrib.diagram",
            "cli_machines",
            "-",
            "--format",
            "md",
        ],
        capture_output=True,
        text=True,
        cwd=machines,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Closed" in done.stdout


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("cli_machines.Nope", "error: Nope is not a subclass of StateMachine"),
        ("cli_machines.MODULE_NAME", "error: MODULE_NAME is not a subclass of StateMachine"),
        ("textwrap", "error: Module 'textwrap' defines no StateChart or StateMachine subclass."),
        ("cli_broken", "error: ModuleNotFoundError: No module named 'not_installed_xyz'"),
        ("cli_failing", "error: RuntimeError: cannot start"),
    ],
    ids=["no-class", "not-a-class", "no-machine", "broken", "failing"],
)
def test_runs_as_a_module_and_fails_with_status_2(machines, path, message):
    """`python -m statemachine.contrib.diagram` exits with 2 and one line, no traceback, for a
    path that names no machine or a module that fails to import; nothing is written."""
    done = subprocess.run(
        [sys.executable, "-m", "statemachine.contrib.diagram", path, "out.svg"],
        capture_output=True,
        text=True,
        cwd=machines,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == message + "\n"
    assert done.stdout == ""
    assert not (machines / "out.svg").exists()


def test_runs_as_a_module_without_graphviz(machines):
    """Without `dot` on the PATH, an image fails with status 2 and one line that says what is
    missing and how to install it; a text format still works."""
    env = {**os.environ, "PATH": str(machines)}
    command = [sys.executable, "-m", "statemachine.contrib.diagram", "cli_machines.Door"]
    done = subprocess.run(
        [*command, "door.svg"], capture_output=True, text=True, cwd=machines, env=env, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        "error: 'dot' not found in PATH. Install Graphviz from https://graphviz.org/download/ "
        "to generate diagrams. Install it with your system's package manager"
    )
    assert done.stderr.count("\n") == 1
    assert not (machines / "door.svg").exists()
    done = subprocess.run(
        [*command, "door.md"], capture_output=True, text=True, cwd=machines, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert (machines / "door.md").read_text().startswith("| State")


def test_run_returns_0_after_writing(machines):
    """The entry's status is 0 once the file is written."""
    out = machines / "door.mmd"
    assert run(["cli_machines.Door", str(out), "--format", "mermaid"]) == 0
    assert out.read_text().startswith("stateDiagram-v2\n")
