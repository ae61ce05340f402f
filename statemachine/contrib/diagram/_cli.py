"""``python -m statemachine.contrib.diagram <class_or_module_path> <out>``: draw a machine.

The output format comes from ``--format`` (any registered text format, or a Graphviz image
format) or else from the extension of ``out``; ``-`` writes to standard output (SVG when no
format is given). ``--events`` sends those events first, so the diagram shows the reached
configuration.

:func:`main` raises on a problem (``ValueError`` for a path that names no machine or an
unknown format; the module's own error when it fails to import). The ``python -m`` entry,
:func:`run`, turns problems into a one-line message and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

from ._notes import one_line

__all__ = ["import_sm", "main", "run", "write_image"]

# Graphviz output formats handled by `dot -T<fmt>`; text formats come from the registry.
_IMAGE_FORMATS = ("svg", "png", "pdf", "jpg", "jpeg", "gif", "ps", "eps")


def import_sm(qualname: str) -> type:
    """The machine class at ``qualname``: ``package.module.Class``, or a module path, in
    which case the first machine class defined in that module.

    Raises:
        ValueError: ``qualname`` names something that is not a machine class, or a module
            that defines none.
        ImportError: the module does not exist. A module that exists but fails while being
            imported raises its own error.
    """
    from statemachine import StateChart

    try:
        module = importlib.import_module(qualname)
    except ModuleNotFoundError as err:
        if not _names_missing_module(err, qualname):
            raise  # the module exists; something it imports does not
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
        raise ValueError(f"Module {qualname!r} defines no StateChart or StateMachine subclass.")
    module_name, _, class_name = qualname.rpartition(".")
    if not module_name:
        raise ModuleNotFoundError(f"No module named {qualname!r}", name=qualname)
    found = getattr(importlib.import_module(module_name), class_name, None)
    if not (isinstance(found, type) and issubclass(found, StateChart)):
        raise ValueError(f"{class_name} is not a subclass of StateMachine")
    return found


def _names_missing_module(err: ModuleNotFoundError, qualname: str) -> bool:
    """Whether ``err`` says that ``qualname`` itself (or a package above it) is missing."""
    missing = err.name or ""
    return qualname == missing or qualname.startswith(f"{missing}.")


def write_image(
    qualname: str, out: str, events: list[str] | None = None, fmt: str | None = None
) -> None:
    """Draw the machine at ``qualname`` into ``out`` (``-``: standard output).

    Raises:
        ValueError: see :func:`import_sm`; or an unknown format.
        ImportError: see :func:`import_sm`; or pydot is missing (``PydotNotInstalled``).
        GraphvizError: Graphviz is missing or failed.
    """
    _draw(import_sm(qualname), out, events, fmt)


def _draw(cls: type, out: str, events: list[str] | None, fmt: str | None) -> None:
    from .formatter import formatter
    from .renderers.dot import DotGraphMachine

    target: Any = cls
    if events:
        target = cls()
        for event in events:
            target.send(event)
    if fmt is None:
        ext = os.path.splitext(out)[1].lstrip(".").lower() if out != "-" else "svg"
        fmt = ext or "svg"
    if fmt in _IMAGE_FORMATS:
        data = DotGraphMachine(target).create(fmt)
    elif fmt in formatter.supported_formats():
        data = formatter.render(target, fmt).encode("utf-8")
    else:
        known = ", ".join(repr(f) for f in (*_IMAGE_FORMATS, *formatter.supported_formats()))
        raise ValueError(f"Unsupported format: {fmt!r}. Use {known}.")
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        with open(out, "wb") as handle:
            handle.write(data)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m statemachine.contrib.diagram",
        description="Draw a state machine class as a diagram.",
    )
    parser.add_argument("class_path", help="module.ClassName, or a module (its first machine)")
    parser.add_argument("out", help="output file; its extension picks the format; - for stdout")
    parser.add_argument("--events", nargs="+", default=None, help="events to send first")
    parser.add_argument("--format", default=None, help="output format (overrides the extension)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """The command line, raising on a problem (see :func:`write_image`)."""
    args = _parse(argv)
    write_image(args.class_path, args.out, args.events, args.format)


def run(argv: list[str] | None = None) -> int:
    """The ``python -m`` entry: :func:`main`, with problems reported in one line on standard
    error; returns the exit status (0, or 2 after a problem)."""
    from statemachine.exceptions import StateMachineError

    args = _parse(argv)
    try:
        cls = import_sm(args.class_path)
    except Exception as err:  # the user's module may raise anything while importing
        return _fail(err)
    try:
        _draw(cls, args.out, args.events, args.format)
    except (ValueError, ImportError, OSError, StateMachineError) as err:
        return _fail(err)
    return 0


def _fail(err: BaseException) -> int:
    from statemachine.exceptions import StateMachineError

    message = one_line(err)
    if not isinstance(err, (ValueError, StateMachineError)):
        message = f"{type(err).__name__}: {message}"
    print(f"error: {message}", file=sys.stderr)
    return 2
