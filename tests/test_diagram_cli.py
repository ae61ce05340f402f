"""The diagram command line: `python -m statemachine.contrib.diagram CLASS_OR_MODULE OUT`."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from statemachine.contrib.diagram import import_sm, main

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
    (tmp_path / "cli_machines.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("cli_machines", None)
    yield tmp_path
    sys.modules.pop("cli_machines", None)


def test_a_module_path_gives_its_first_machine(machines):
    """A module path picks the first machine class defined in that module."""
    assert import_sm("cli_machines").__name__ == "Door"
    assert import_sm("cli_machines.Lamp").__name__ == "Lamp"


def test_writes_an_image_chosen_by_the_extension(machines):
    """`out.png` gets a real PNG drawn by Graphviz."""
    out = machines / "door.png"
    assert main(["cli_machines.Door", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_format_overrides_the_extension_and_dash_is_stdout(machines, capsysbinary):
    """`--format dot` with `-` prints DOT source on standard output."""
    assert main(["cli_machines.Door", "-", "--format", "dot"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out.startswith("digraph machine {")
    assert '"Opened"' in out


def test_stdout_without_a_format_is_svg(machines, capsysbinary):
    """`-` alone writes SVG."""
    assert main(["cli_machines.Lamp", "-"]) == 0
    assert b"<svg" in capsysbinary.readouterr().out


def test_events_are_sent_before_drawing(machines, capsysbinary):
    """`--events` sends them first, so the reached state is the highlighted one."""
    assert main(["cli_machines.Door", "-", "--format", "dot", "--events", "open"]) == 0
    out = capsysbinary.readouterr().out.decode()
    opened = next(line for line in out.splitlines() if 'label="Opened"' in line)
    assert "fillcolor=turquoise" in opened


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no_such_module_xyz.Thing", "x.svg"], "cannot import 'no_such_module_xyz'"),
        (["cli_machines.Nope", "x.svg"], "'cli_machines.Nope' is not a state machine class"),
        (["textwrap", "x.svg"], "module 'textwrap' defines no state machine class"),
        (["cli_machines.Door", "x.weird"], "unsupported format 'weird'"),
        (["cli_machines.Door", "x.svg", "--events", "close"], "while sending ['close']"),
    ],
    ids=["no-module", "no-class", "no-machine", "bad-format", "bad-event"],
)
def test_problems_exit_with_status_2_and_one_line(machines, capsys, argv, message):
    """Bad paths, formats and events end with status 2 and a one-line message on stderr."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err
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
