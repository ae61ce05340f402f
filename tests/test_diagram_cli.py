"""The diagram command line: `python -m statemachine.contrib.diagram CLASS_OR_MODULE OUT`."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

from statemachine.contrib.diagram import import_sm, main, write_image
from statemachine.contrib.diagram._cli import ClassPathError, EventReplayError, run

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

# Machines whose replay (--events) goes wrong, one way each.
REPLAY = textwrap.dedent(
    """
    import asyncio

    from statemachine import State, StateChart, StateMachine


    class Vault(StateMachine):
        # A guard that needs an argument; a StateMachine raises the error.
        closed = State(initial=True)
        opened = State()
        open = closed.to(opened, cond="has_key")
        close = opened.to(closed)

        def has_key(self, key):
            return key == "secret"


    class Payment(StateChart):
        # An action that needs an argument; a StateChart catches the error as an event.
        unpaid = State(initial=True)
        paid = State(final=True)
        pay = unpaid.to(paid, on="charge")

        def charge(self, amount, currency):
            pass


    class Launcher(StateChart):
        # Handles error.execution itself.
        idle = State(initial=True)
        running = State()
        failed = State(final=True)
        start = idle.to(running, on="launch")
        crash = idle.to(running, on="explode")
        error_execution = idle.to(failed) | running.to(failed)

        def launch(self, *, speed):
            pass

        def explode(self):
            raise RuntimeError("deliberate")


    class Greeter(StateChart):
        # The initial state's entry needs an argument.
        hello = State(initial=True)
        bye = State(final=True)
        leave = hello.to(bye)

        def on_enter_hello(self, name):
            pass


    class Crashing(StateChart):
        calm = State(initial=True)
        broken = State(final=True)
        go = calm.to(broken)

        def on_enter_broken(self):
            return 1 / 0


    class Clumsy(StateChart):
        # The callback gets every argument it asks for; its own call is wrong.
        calm = State(initial=True)
        done = State(final=True)
        go = calm.to(done)

        def on_enter_done(self):
            def helper(x):
                return x

            return helper()


    class Chatty(StateChart):
        quiet = State(initial=True)
        loud = State()
        shout = quiet.to(loud)

        def on_enter_quiet(self):
            print("entering quiet")

        def on_enter_loud(self):
            print("entering loud")


    class Sleepy(StateChart):
        awake = State(initial=True)
        asleep = State()
        nap = awake.to(asleep)

        async def on_enter_asleep(self):
            await asyncio.sleep(0)
            print("zzz")


    class Base(StateChart):
        pass
    """
)

ABSTRACT = textwrap.dedent(
    """
    from statemachine import StateChart


    class Base(StateChart):
        '''An abstract base: no states.'''
    """
)


def line_of(code):
    """The line number of ``code`` in the `cli_replay` module."""
    return next(i for i, line in enumerate(REPLAY.splitlines(), 1) if line.strip() == code)


NAMES = (
    "cli_machines",
    "cli_replay",
    "cli_abstract",
    "cli_broken",
    "cli_failing",
    "cli_zero",
    "cli_noisy",
)


@pytest.fixture
def machines(tmp_path, monkeypatch):
    """Modules `cli_*` in a temporary folder, importable by name (and the current folder)."""
    (tmp_path / "cli_machines.py").write_text(MODULE + "\nMODULE_NAME = 'x'\n")
    (tmp_path / "cli_replay.py").write_text(REPLAY)
    (tmp_path / "cli_abstract.py").write_text(ABSTRACT)
    (tmp_path / "cli_broken.py").write_text("import not_installed_xyz\n")
    (tmp_path / "cli_failing.py").write_text("raise RuntimeError('cannot start')\n")
    (tmp_path / "cli_zero.py").write_text("RATIO = 1 / 0\n")
    (tmp_path / "cli_noisy.py").write_text("print('importing cli_noisy')\n" + MODULE)
    (tmp_path / "notes.txt").write_text("a regular file\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for name in NAMES:
        sys.modules.pop(name, None)
    yield tmp_path
    for name in NAMES:
        sys.modules.pop(name, None)


def command(folder, *args, env=None):
    """`python -m statemachine.contrib.diagram *args`, run from ``folder``."""
    return subprocess.run(
        [sys.executable, "-m", "statemachine.contrib.diagram", *args],
        capture_output=True,
        cwd=folder,
        env=env,
        check=False,
    )


# --- drawing ----------------------------------------------------------------------------------
def test_a_module_path_gives_its_first_machine(machines):
    """A module path picks the first machine class defined in that module."""
    assert import_sm("cli_machines").__name__ == "Door"
    assert import_sm("cli_machines.Lamp").__name__ == "Lamp"


def test_a_module_path_skips_abstract_machine_classes(machines):
    """The first machine class *with states*: an abstract base defined first is skipped."""
    (machines / "cli_based.py").write_text(ABSTRACT + MODULE)
    try:
        assert import_sm("cli_based").__name__ == "Door"
    finally:
        sys.modules.pop("cli_based", None)


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


def test_run_returns_0_after_writing(machines):
    """The entry's status is 0 once the file is written."""
    out = machines / "door.mmd"
    assert run(["cli_machines.Door", str(out)]) == 0
    assert out.read_text().startswith("stateDiagram-v2\n")


def test_runs_as_a_module(machines):
    """`python -m statemachine.contrib.diagram` is the same command."""
    done = command(machines, "cli_machines", "-", "--format", "md")
    assert done.returncode == 0, done.stderr
    assert b"Closed" in done.stdout
    assert done.stderr == b""


def test_a_machine_that_handles_its_errors_keeps_doing_so(machines, capsysbinary):
    """An error the machine handles with its own `error_execution` transition is the
    machine's business: the diagram shows where it led."""
    assert run(["cli_replay.Launcher", "-", "--format", "mermaid", "--events", "crash"]) == 0
    captured = capsysbinary.readouterr()
    assert "    failed:::active" in captured.out.decode().splitlines()
    assert captured.err == b""


def test_an_async_machine_is_replayed_too(machines, capsysbinary):
    """Coroutine callbacks run to completion before the diagram is drawn."""
    assert run(["cli_replay.Sleepy", "-", "--format", "mermaid", "--events", "nap"]) == 0
    captured = capsysbinary.readouterr()
    assert "    asleep:::active" in captured.out.decode().splitlines()
    assert captured.err == b"zzz\n"


def test_the_statemachine_logger_is_left_as_it_was(machines, capsys):
    """The replay collects what the `statemachine` logger reports, and puts the logger back
    as it found it, after a failure too."""
    logger = logging.getLogger("statemachine")
    before = (list(logger.handlers), logger.level, logger.propagate)
    assert run(["cli_replay.Crashing", "out.md", "--events", "go"]) == 2
    assert run(["cli_replay.Chatty", "out.md", "--events", "shout"]) == 0
    assert (list(logger.handlers), logger.level, logger.propagate) == before


# --- item 7: standard output is the diagram alone ----------------------------------------------
def test_with_dash_what_callbacks_print_goes_to_stderr_and_the_svg_stays_whole(machines):
    """Prints of the machine's callbacks (the initial entry's and the events') go to standard
    error; standard output is exactly one SVG document."""
    done = command(machines, "cli_replay.Chatty", "-", "--events", "shout")
    assert done.returncode == 0, done.stderr
    assert done.stderr == b"entering quiet\nentering loud\n"
    root = ET.fromstring(done.stdout)  # raises if anything else got in
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_with_dash_the_mermaid_text_is_exactly_the_diagram(machines):
    """Standard output is the very text `format()` gives for the replayed machine, and what
    the module prints while imported goes to standard error too."""
    done = command(machines, "cli_noisy.Door", "-", "--format", "mmd", "--events", "open")
    assert done.returncode == 0, done.stderr
    assert done.stderr == b"importing cli_noisy\n"
    import cli_noisy

    door = cli_noisy.Door()
    door.send("open")
    assert done.stdout.decode() == format(door, "mermaid")


def test_with_a_file_prints_stay_on_stdout(machines, capsys):
    """With an output file, standard output is free, and prints stay there."""
    assert run(["cli_replay.Chatty", "chatty.md", "--events", "shout"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "entering quiet\nentering loud\n"
    assert captured.err == ""


# --- item 6: every mistake is one line and status 2 -------------------------------------------
MISTAKES = [
    (
        ["cli_machines.Door", "missing/door.svg"],
        "error: Cannot write 'missing/door.svg': the folder 'missing' does not exist; create "
        "it first, or choose another output path.",
    ),
    (
        ["cli_machines.Door", "notes.txt/door.svg"],
        "error: Cannot write 'notes.txt/door.svg': 'notes.txt' is a file, not a folder; "
        "choose another output path.",
    ),
    (
        ["cli_machines.Door", "notes.txt/deeper/door.svg"],
        "error: Cannot write 'notes.txt/deeper/door.svg': 'notes.txt' is a file, not a folder; "
        "choose another output path.",
    ),
    (
        ["cli_machines.Door", "."],
        "error: Cannot tell the format of '.': it has no file extension. Give it one (.dot, "
        ".gv, .eps, .gif, .jpg, .jpeg, .md, .markdown, .mermaid, .mmd, .pdf, .png, .ps, .rst, "
        ".svg), or choose with --format.",
    ),
    (
        ["cli_machines.Door", ".", "--format", "svg"],
        "error: Cannot write '.': it is a folder; give a file name, such as './diagram.svg'.",
    ),
    (
        ["", "door.svg"],
        "error: The class path '' is not a dotted Python path. Give module.ClassName (such as "
        "'myapp.machines.Order'), or a module path to draw the first machine class it defines.",
    ),
    (
        ["cli_machines.", "door.svg"],
        "error: The class path 'cli_machines.' is not a dotted Python path. Give "
        "module.ClassName (such as 'myapp.machines.Order'), or a module path to draw the first "
        "machine class it defines.",
    ),
    (
        ["cli_machines.Nope", "door.svg"],
        "error: Nope is not a subclass of StateMachine. Module 'cli_machines' has no 'Nope' "
        "(its machine classes: 'Door', 'Lamp').",
    ),
    (
        ["cli_machines.MODULE_NAME", "door.svg"],
        "error: MODULE_NAME is not a subclass of StateMachine. 'cli_machines.MODULE_NAME' is a "
        "str, not a machine class (its machine classes: 'Door', 'Lamp').",
    ),
    (
        ["cli_machines.State", "door.svg"],
        "error: State is not a subclass of StateMachine. 'cli_machines.State' is a class, not "
        "a machine class (its machine classes: 'Door', 'Lamp').",
    ),
    (
        ["textwrap", "door.svg"],
        "error: Module 'textwrap' defines no StateChart or StateMachine subclass. Give "
        "module.ClassName, or a module that defines a machine class.",
    ),
    (
        ["cli_replay.Base", "door.svg"],
        "error: 'cli_replay.Base' is an abstract machine class: Base has no states. Give a "
        "subclass that declares states.",
    ),
    (
        ["cli_abstract", "door.svg"],
        "error: Module 'cli_abstract' defines no StateChart or StateMachine subclass. It "
        "defines only 'Base', which has no states (an abstract base); give module.ClassName of "
        "a machine class that declares states.",
    ),
    (
        ["no_such_module_xyz.Thing", "door.svg"],
        "error: Cannot import 'no_such_module_xyz.Thing': ModuleNotFoundError: No module named "
        "'no_such_module_xyz'. Check the spelling, and run the command where the module can be "
        "imported from (its folder, or the one holding its package, must be on sys.path).",
    ),
    (
        ["cli_broken", "door.svg"],
        "error: Cannot import 'cli_broken': ModuleNotFoundError: No module named "
        "'not_installed_xyz' (at cli_broken.py:1)",
    ),
    (
        ["cli_broken.Thing", "door.svg"],
        "error: Cannot import 'cli_broken.Thing': ModuleNotFoundError: No module named "
        "'not_installed_xyz' (at cli_broken.py:1)",
    ),
    (
        ["cli_zero", "door.svg"],
        "error: Cannot import 'cli_zero': ZeroDivisionError: division by zero (at cli_zero.py:1)",
    ),
    (
        ["cli_failing.Door", "door.svg"],
        "error: Cannot import 'cli_failing.Door': RuntimeError: cannot start (at cli_failing.py:1)",
    ),
    (
        ["cli_machines.Door", "door.weird"],
        "error: Unsupported format: 'weird'. Use 'dot', 'eps', 'gif', 'jpg', 'md', 'mermaid', "
        "'pdf', 'png', 'ps', 'rst', 'svg'. It came from the extension of 'door.weird'.",
    ),
    (
        ["cli_machines.Door", "-", "--format", "plantuml"],
        "error: Unsupported format: 'plantuml'. Use 'dot', 'eps', 'gif', 'jpg', 'md', "
        "'mermaid', 'pdf', 'png', 'ps', 'rst', 'svg'. It came from --format.",
    ),
    (
        ["cli_machines.Door", "door.svg", "--events", "open", "slam"],
        "error: Door has no event 'slam'; fix --events (its events: 'open', 'close').",
    ),
    (
        ["cli_machines.Door", "door.svg", "--events", "close"],
        "error: Event 'close' of --events cannot run: Can't Close when in Closed. There, Door "
        "accepts 'open'; fix the order of --events.",
    ),
    (
        ["cli_replay.Vault", "door.svg", "--events", "open"],
        "error: Event 'open' of --events needs the argument 'key' of Vault.has_key(), which the "
        "command line cannot give: it passes no arguments. Give 'key' a default value, or leave "
        "'open' out of --events.",
    ),
    (
        ["cli_replay.Payment", "door.svg", "--events", "pay"],
        "error: Event 'pay' of --events needs the arguments 'amount', 'currency' of "
        "Payment.charge(), which the command line cannot give: it passes no arguments. Give "
        "'amount', 'currency' a default value, or leave 'pay' out of --events.",
    ),
    (
        ["cli_replay.Launcher", "door.svg", "--events", "start"],
        "error: Event 'start' of --events needs the argument 'speed' of Launcher.launch(), "
        "which the command line cannot give: it passes no arguments. Give 'speed' a default "
        "value, or leave 'start' out of --events.",
    ),
    (
        ["cli_replay.Greeter", "door.svg", "--events", "leave"],
        "error: Creating Greeter() for --events needs the argument 'name' of "
        "Greeter.on_enter_hello(), which the command line cannot give: it passes no arguments. "
        "Give 'name' a default value, or draw without --events.",
    ),
    (
        ["cli_replay.Crashing", "door.svg", "--events", "go"],
        "error: Event 'go' of --events failed: ZeroDivisionError: division by zero "
        f"(at cli_replay.py:{line_of('return 1 / 0')})",
    ),
    (
        ["cli_replay.Clumsy", "door.svg", "--events", "go"],
        "error: Event 'go' of --events failed: TypeError: "
        "Clumsy.on_enter_done.<locals>.helper() missing 1 required positional argument: 'x' "
        f"(at cli_replay.py:{line_of('return helper()')})",
    ),
    (
        ["cli_machines.Door"],
        "error: the following arguments are required: out (see python -m "
        "statemachine.contrib.diagram --help).",
    ),
    (
        ["cli_machines.Door", "door.svg", "--events"],
        "error: argument --events: expected at least one argument (see python -m "
        "statemachine.contrib.diagram --help).",
    ),
]


@pytest.mark.parametrize(("argv", "line"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_every_mistake_is_one_line_and_status_2(machines, argv, line):
    """Run as a user would: status 2, exactly one line on standard error (no traceback) that
    names the offending value and says what to do, nothing on standard output, no file."""
    before = set(os.listdir(machines))
    done = command(machines, *argv)
    assert done.returncode == 2
    assert done.stderr.decode() == line + "\n"
    assert done.stdout == b""
    assert set(os.listdir(machines)) - before <= {"__pycache__"}


def test_an_unwritable_folder_is_one_line_and_status_2(machines):
    """A folder the user may not write into. Root writes anywhere, so as root the folder is
    a regular file's path, which nobody can write into."""
    if os.geteuid() == 0:
        out, line = (
            "notes.txt/door.svg",
            "error: Cannot write 'notes.txt/door.svg': 'notes.txt' is a file, not a folder; "
            "choose another output path.",
        )
    else:
        (machines / "locked").mkdir()
        (machines / "locked").chmod(0o555)
        out, line = (
            "locked/door.svg",
            "error: Cannot write 'locked/door.svg': the folder 'locked' is not writable; "
            "choose a path you can write to.",
        )
    done = command(machines, "cli_machines.Door", out)
    assert (done.returncode, done.stderr.decode()) == (2, line + "\n")
    assert not os.path.exists(machines / out)


def test_an_unwritable_file_found_only_when_writing_is_one_line(machines, monkeypatch, capsys):
    """A write that fails although the early check passed (a full disk, say) is reported the
    same way."""
    monkeypatch.setattr("statemachine.contrib.diagram._cli._check_output", lambda out: None)
    assert run(["cli_machines.Door", "notes.txt/door.md"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "error: Cannot write 'notes.txt/door.md': Not a directory; choose another output path.\n"
    )


def test_without_graphviz_an_image_is_one_line_and_a_text_format_works(machines):
    """Without `dot` on the PATH, an image fails with status 2 and one line that says what is
    missing and how to install it; a text format still works."""
    env = {**os.environ, "PATH": str(machines)}
    done = command(machines, "cli_machines.Door", "door.svg", env=env)
    assert done.returncode == 2
    assert done.stderr.decode().startswith(
        "error: 'dot' not found in PATH. Install Graphviz from https://graphviz.org/download/ "
        "to generate diagrams. Install it with your system's package manager"
    )
    assert done.stderr.count(b"\n") == 1
    assert not (machines / "door.svg").exists()
    done = command(machines, "cli_machines.Door", "door.md", env=env)
    assert done.returncode == 0, done.stderr
    assert (machines / "door.md").read_text().startswith("| State")


def test_nothing_is_imported_when_the_output_cannot_be_written(machines, capsys):
    """The format and the output are checked first: a module with side effects is not even
    imported."""
    assert run(["cli_noisy.Door", "missing/door.svg"]) == 2
    assert run(["cli_noisy.Door", "door.txt"]) == 2
    assert "cli_noisy" not in sys.modules
    assert "importing" not in capsys.readouterr().out


# --- main() raises ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "error", "message"),
    [
        (["cli_machines.Nope", "x.svg"], ClassPathError, "Nope is not a subclass of StateMachine"),
        (
            ["cli_machines.MODULE_NAME", "x.svg"],
            ClassPathError,
            "MODULE_NAME is not a subclass of StateMachine",
        ),
        (
            ["textwrap", "x.svg"],
            ClassPathError,
            "Module 'textwrap' defines no StateChart or StateMachine subclass.",
        ),
        (["", "x.svg"], ClassPathError, "The class path '' is not a dotted Python path."),
        (
            ["cli_replay.Base", "x.svg"],
            ClassPathError,
            "'cli_replay.Base' is an abstract machine class: Base has no states.",
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
        (["cli_zero.Door", "x.svg"], ZeroDivisionError, "division by zero"),
        (["cli_machines.Door", "x.weird"], ValueError, "Unsupported format: 'weird'. Use 'dot', "),
        (["cli_machines.Door", "x"], ValueError, "Cannot tell the format of 'x'"),
        (["cli_machines.Door", "missing/x.svg"], FileNotFoundError, "Cannot write 'missing/x.svg'"),
        (["cli_machines.Door", "notes.txt/x.svg"], NotADirectoryError, "Cannot write"),
        (["cli_machines.Door", "x.svg", "--events", "slam"], EventReplayError, "Door has no event"),
    ],
)
def test_main_raises_the_documented_errors(machines, argv, error, message):
    """`main` raises: ClassPathError (a ValueError) for a path that is no drawable machine
    class, the import error of a module that does not exist or fails to import, ValueError
    for the format, OSError for the output, EventReplayError for --events."""
    with pytest.raises(error) as caught:
        main(argv)
    assert str(caught.value).startswith(message)


def test_class_path_errors_are_value_errors_with_the_path(machines):
    """ClassPathError is a ValueError (what `main` documents), carrying the path, with how to
    fix it as a note."""
    with pytest.raises(ValueError) as caught:
        import_sm("cli_abstract")
    assert isinstance(caught.value, ClassPathError)
    assert caught.value.class_path == "cli_abstract"
    assert caught.value.__notes__ == [
        "It defines only 'Base', which has no states (an abstract base); give module.ClassName "
        "of a machine class that declares states."
    ]


def test_a_missing_argument_is_an_event_replay_error_with_its_names(machines):
    """The error names the machine, the event, the callback and the missing arguments, and
    chains the TypeError it comes from."""
    with pytest.raises(EventReplayError) as caught:
        write_image("cli_replay.Payment", "x.svg", ["pay"])
    error = caught.value
    assert (error.machine.__name__, error.event) == ("Payment", "pay")
    assert (error.callback, error.missing) == ("Payment.charge", ("amount", "currency"))
    assert isinstance(error.__cause__, TypeError)
    assert not (machines / "x.svg").exists()


def test_a_refused_event_chains_transition_not_allowed(machines):
    """A StateMachine's refusal stays reachable as the cause."""
    from statemachine.exceptions import TransitionNotAllowed

    with pytest.raises(EventReplayError) as caught:
        main(["cli_machines.Door", "x.svg", "--events", "open", "open"])
    assert caught.value.event == "open"
    assert isinstance(caught.value.__cause__, TransitionNotAllowed)


def test_a_usage_error_from_main_exits_through_argparse(machines, capsys):
    """`main` is the argparse program: a usage error prints the usage and exits with 2."""
    with pytest.raises(SystemExit) as caught:
        main(["cli_machines.Door"])
    assert caught.value.code == 2
    assert "usage: python -m statemachine.contrib.diagram" in capsys.readouterr().err
