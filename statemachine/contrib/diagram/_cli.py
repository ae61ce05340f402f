"""``python -m statemachine.contrib.diagram <class_or_module_path> <out>``: draw a machine.

The output format comes from ``--format`` (any registered text format, or a Graphviz image
format) or else from the extension of ``out``; ``-`` writes to standard output (SVG when no
format is given). ``--events`` sends those events first, so the diagram shows the reached
configuration. Problems (a path that does not import, a module without a machine, an unknown
format, Graphviz missing) exit with status 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

__all__ = ["import_sm", "main", "write_image"]

# Graphviz output formats handled by `dot -T<fmt>`; text formats come from the registry.
_IMAGE_FORMATS = ("svg", "png", "pdf", "jpg", "jpeg", "gif", "ps", "eps")


class CLIError(Exception):
    """A problem the command reports in one line, exiting with status 2."""


def import_sm(qualname: str) -> type:
    """The machine class at ``qualname``: ``package.module.Class``, or a module path, in
    which case the first machine class defined in that module.

    Raises:
        CLIError: nothing importable there, or no machine class in the module.
    """
    from statemachine import StateChart

    try:
        module = importlib.import_module(qualname)
    except ImportError:
        module = None
    if module is not None:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, StateChart)
                and value.__module__ == module.__name__
                and value._definition.states
            ):
                return value
        raise CLIError(f"module {qualname!r} defines no state machine class")
    module_name, _, class_name = qualname.rpartition(".")
    if not module_name:
        raise CLIError(f"cannot import {qualname!r}: give a module path or module.ClassName")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise CLIError(f"cannot import {module_name!r}: {err}") from None
    found = getattr(module, class_name, None)
    if not (isinstance(found, type) and issubclass(found, StateChart)):
        raise CLIError(f"{qualname!r} is not a state machine class")
    return found


def write_image(
    qualname: str, out: str, events: list[str] | None = None, fmt: str | None = None
) -> None:
    """Draw the machine at ``qualname`` into ``out`` (``-``: standard output).

    Raises:
        CLIError: see :func:`import_sm`, or an unknown format / missing Graphviz.
    """
    from statemachine.exceptions import StateMachineError

    from . import DotGraphMachine, GraphvizNotFound, PydotNotInstalled, formatter

    cls = import_sm(qualname)
    target: Any = cls
    if events:
        try:
            target = cls()
            for event in events:
                target.send(event)
        except StateMachineError as err:
            raise CLIError(f"while sending {events!r}: {err}") from None
    if fmt is None:
        ext = os.path.splitext(out)[1].lstrip(".").lower() if out != "-" else "svg"
        fmt = ext or "svg"
    try:
        if fmt in _IMAGE_FORMATS:
            data = DotGraphMachine(target).create(fmt)
        elif fmt in formatter.supported_formats():
            data = formatter.render(target, fmt).encode("utf-8")
        else:
            known = ", ".join([*_IMAGE_FORMATS, *formatter.supported_formats()])
            raise CLIError(f"unsupported format {fmt!r}; use one of: {known}")
    except (GraphvizNotFound, PydotNotInstalled) as err:
        raise CLIError(str(err)) from None
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        with open(out, "wb") as handle:
            handle.write(data)


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m statemachine.contrib.diagram",
        description="Draw a state machine class as a diagram.",
    )
    parser.add_argument("class_path", help="module.ClassName, or a module (its first machine)")
    parser.add_argument("out", help="output file; its extension picks the format; - for stdout")
    parser.add_argument("--events", nargs="+", default=None, help="events to send first")
    parser.add_argument("--format", default=None, help="output format (overrides the extension)")
    args = parser.parse_args(argv)
    try:
        write_image(args.class_path, args.out, args.events, args.format)
    except CLIError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
