"""The diagram package's errors: Graphviz missing or failing, pydot missing, and the notes
(hints on how to fix a problem) attached to them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from statemachine.contrib.diagram import _notes


def test_notes_are_added_after_earlier_ones():
    """A note goes to ``__notes__`` after any earlier one; the message is unchanged (Python
    3.10, which has no ``add_note``, is covered by the core helper's tests)."""
    error = ValueError("bad")
    _notes.add_note(error, "first hint")
    _notes.add_note(error, "second hint")
    assert error.__notes__ == ["first hint", "second hint"]
    assert str(error) == "bad"


def test_a_program_that_is_not_installed_is_named_in_the_error():
    """``run_graphviz`` with a program missing from the PATH raises GraphvizNotFoundError
    naming that program, with a note on installing Graphviz."""
    from statemachine.contrib.diagram.graphviz import GraphvizNotFoundError, run_graphviz

    with pytest.raises(GraphvizNotFoundError) as info:
        run_graphviz("digraph { a -> b }", "svg", prog="no-such-graphviz-program")
    assert str(info.value) == (
        "'no-such-graphviz-program' not found in PATH. Install Graphviz from "
        "https://graphviz.org/download/ to generate diagrams."
    )
    assert len(info.value.__notes__) == 1


def test_graphviz_reports_bad_source_with_its_own_words():
    """Source that ``dot`` rejects raises GraphvizError (not the not-found one) with the exit
    status and Graphviz's message."""
    from statemachine.contrib.diagram.graphviz import (
        GraphvizError,
        GraphvizNotFoundError,
        run_graphviz,
    )

    with pytest.raises(GraphvizError) as info:
        run_graphviz("digraph { a -> }", "svg")
    assert not isinstance(info.value, GraphvizNotFoundError)
    first, *rest = str(info.value).splitlines()
    assert first == "dot -Tsvg failed with exit code 1."
    assert "syntax error" in " ".join(rest)


SCRIPT = """
from statemachine import State, StateChart
from statemachine.contrib.diagram import DotGraphMachine

class Door(StateChart):
    closed = State(initial=True)
    opened = State(final=True)
    open = closed.to(opened)

print(DotGraphMachine(Door)().to_string().splitlines()[0])  # DOT source needs no program
DotGraphMachine(Door).create("svg")
"""


def test_without_dot_on_the_path_rendering_fails_clearly(tmp_path):
    """In a process whose PATH has no ``dot``, DOT source is still produced, and rendering an
    image stops with GraphvizNotFoundError saying what is missing and where to get it (and, as
    a note where Python shows notes, how to install it)."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == "digraph Door {\n"
    tail = done.stderr.rstrip("\n").splitlines()
    error = (
        "statemachine.contrib.diagram.graphviz.GraphvizNotFoundError: 'dot' not found in PATH. "
        "Install Graphviz from https://graphviz.org/download/ to generate diagrams."
    )
    if sys.version_info >= (3, 11):  # tracebacks show the notes
        assert tail[-2] == error
        assert tail[-1].startswith("Install it with your system's package manager")
    else:
        assert tail[-1] == error


def test_pydot_missing_is_caught_as_a_module_not_found_error(monkeypatch):
    """Code that guards an optional import with ``except ModuleNotFoundError`` (or
    ``ImportError``) catches PydotNotInstalled, which names the missing module."""
    from statemachine import State, StateChart
    from statemachine.contrib.diagram import PydotNotInstalled

    class Door(StateChart):
        closed = State(initial=True)
        opened = State(final=True)
        open = closed.to(opened)

    monkeypatch.setitem(sys.modules, "pydot", None)  # `import pydot` fails
    try:
        format(Door, "dot")
    except ModuleNotFoundError as err:
        caught: ModuleNotFoundError = err
    else:
        pytest.fail("format(..., 'dot') drew without pydot")
    assert type(caught) is PydotNotInstalled
    assert caught.name == "pydot"
    # Text formats do not need it.
    assert format(Door, "md").startswith("| State")
