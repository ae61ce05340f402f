"""``python -m statemachine.contrib.diagram <class_or_module_path> <out>``: draw a machine.

The output format comes from ``--format`` or else from the extension of ``out``, both read
in the one table of output formats (:mod:`statemachine.contrib.diagram._formats`), to which
the formats registered with ``formatter.register_format()`` add; ``-`` writes to standard
output (SVG when no format is given). ``--events`` creates the machine and sends those
events first, so the diagram shows the configuration they reach.

Problems, in the order they are looked for (nothing is imported, run or written once one is
found)::

    ValueError           the format is unknown, or cannot be told from ``out``
    OSError              ``out`` cannot be written (its folder is missing, is a file, ...)
    ValueError           the path names no machine class (ClassPathError)
    (the module's own)   the module fails while it is imported
    StateMachineError
    └── EventReplayError an event of ``--events`` cannot be replayed: the machine has no
                         such event, refuses it, or a callback failed or needs an argument
    StateMachineError    Graphviz is missing or failed (GraphvizError)
    ImportError          pydot is missing (PydotNotInstalled)

:func:`main` raises them. The ``python -m`` entry, :func:`run`, turns each into one line on
standard error (the message, how to fix it, no traceback) and exit status 2.

With ``-``, whatever is printed while the machine is imported, created and driven through
``--events`` goes to standard error, so that standard output carries the diagram alone.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import re
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from statemachine.exceptions import StateMachineError

from ._formats import OUTPUT_FORMATS, find_format, unsupported_format
from ._notes import add_note

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

__all__ = ["ClassPathError", "EventReplayError", "import_sm", "main", "run", "write_image"]

_PROG = "python -m statemachine.contrib.diagram"
_LIBRARY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ClassPathError(ValueError):
    """A class path that names no drawable machine class.

    Attributes:
        class_path: the path given.
    """

    def __init__(self, class_path: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.class_path = class_path
        if hint:
            add_note(self, hint)


class EventReplayError(StateMachineError):
    """An event given with ``--events`` could not be replayed; the error that stopped it, if
    any, is the ``__cause__``.

    Attributes:
        machine: the machine class.
        event: the event, or None when creating the machine failed.
        callback: the callable that needs arguments (``Order.on_pay``), or None.
        missing: the names of the arguments it needs (empty unless ``callback`` is set).
    """

    def __init__(
        self,
        machine: type,
        event: str | None,
        message: str,
        callback: str | None = None,
        missing: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.machine = machine
        self.event = event
        self.callback = callback
        self.missing = missing


# --- the class path ---------------------------------------------------------------------------
def import_sm(qualname: str) -> type:
    """The machine class at ``qualname``: ``package.module.Class``, or a module path, in
    which case the first machine class with states defined in that module.

    Raises:
        ClassPathError: (a ValueError) ``qualname`` is empty or not a dotted path, names
            something that is not a machine class, an abstract machine class (no states), or
            a module that defines no machine class with states.
        ImportError: the module does not exist. A module that exists but fails while being
            imported raises its own error.
    """
    from statemachine import StateChart

    if not qualname or not all(part.isidentifier() for part in qualname.split(".")):
        raise ClassPathError(
            qualname,
            f"The class path {qualname!r} is not a dotted Python path.",
            "Give module.ClassName (such as 'myapp.machines.Order'), or a module path to "
            "draw the first machine class it defines.",
        )
    try:
        module = importlib.import_module(qualname)
    except ModuleNotFoundError as err:
        if not _names_missing_module(err, qualname):
            raise  # the module exists; something it imports does not
        module = None
    if module is not None:
        machines = _machine_classes(module)
        drawable = [m for m in machines if m._definition.states]
        if drawable:
            return drawable[0]
        if machines:
            abstract = ", ".join(repr(m.__name__) for m in machines)
            hint = (
                f"It defines only {abstract}, which has no states (an abstract base); give "
                "module.ClassName of a machine class that declares states."
            )
        else:
            hint = "Give module.ClassName, or a module that defines a machine class."
        raise ClassPathError(
            qualname, f"Module {qualname!r} defines no StateChart or StateMachine subclass.", hint
        )
    module_name, _, class_name = qualname.rpartition(".")
    if not module_name:
        raise ModuleNotFoundError(f"No module named {qualname!r}", name=qualname)
    module = importlib.import_module(module_name)
    found = getattr(module, class_name, None)
    if not (isinstance(found, type) and issubclass(found, StateChart)):
        names = ", ".join(repr(m.__name__) for m in _machine_classes(module))
        if not hasattr(module, class_name):
            hint = f"Module {module_name!r} has no {class_name!r}"
        else:
            what = "a class" if isinstance(found, type) else f"a {type(found).__name__}"
            hint = f"{qualname!r} is {what}, not a machine class"
        hint += f" (its machine classes: {names})." if names else " (it defines no machine)."
        # The first sentence is the reference's, word for word.
        raise ClassPathError(qualname, f"{class_name} is not a subclass of StateMachine", hint)
    if not found._definition.states:
        raise ClassPathError(
            qualname,
            f"{qualname!r} is an abstract machine class: {class_name} has no states.",
            "Give a subclass that declares states.",
        )
    return found


def _machine_classes(module: Any) -> list[type[Any]]:
    """The machine classes defined in ``module`` (not imported into it), in order."""
    from statemachine import StateChart

    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, StateChart)
        and value.__module__ == module.__name__
    ]


def _names_missing_module(err: ModuleNotFoundError, qualname: str) -> bool:
    """Whether ``err`` says that ``qualname`` itself (or a package above it) is missing."""
    missing = err.name or ""
    return qualname == missing or qualname.startswith(f"{missing}.")


# --- the format and the output file -----------------------------------------------------------
def _choose_format(out: str, fmt: str | None) -> tuple[bool, str]:
    """``(drawn by Graphviz, format name)`` for ``--format fmt`` or the extension of ``out``.

    Raises:
        ValueError: the format is unknown, or ``out`` has no extension (and no ``fmt``).
    """
    from .formatter import formatter

    if fmt is None:
        if out == "-":
            return True, "svg"
        ext = os.path.splitext(out)[1].lower()
        if not ext:
            raise ValueError(
                f"Cannot tell the format of {out!r}: it has no file extension. Give it one "
                f"({', '.join(e for f in OUTPUT_FORMATS for e in f.extensions)}), or choose "
                "with --format."
            )
        name, source = ext[1:], f"the extension of {out!r}"
    else:
        name, source = fmt, "--format"
    if name in formatter.supported_formats():  # text formats, user-registered ones included
        return False, name
    known = find_format(name)
    if known is None:
        error = ValueError(
            unsupported_format(
                name, [*(f.name for f in OUTPUT_FORMATS), *formatter.primary_formats()]
            )
        )
        add_note(error, f"It came from {source}.")
        raise error
    return known.graphviz, known.name


def _check_output(out: str) -> None:
    """Fail early, before anything is imported or drawn, when ``out`` cannot be written.

    Raises:
        OSError: ``out`` is a folder, its folder is missing or is a file, or it is not
            writable.
    """
    if out == "-":
        return
    if os.path.isdir(out):
        example = os.path.join(out, "diagram.svg")
        raise IsADirectoryError(
            f"Cannot write {out!r}: it is a folder; give a file name, such as {example!r}."
        )
    folder = os.path.dirname(out) or "."
    if not os.path.isdir(folder):
        existing = folder
        while existing and not os.path.exists(existing):
            existing = os.path.dirname(existing)
        if existing and not os.path.isdir(existing):
            raise NotADirectoryError(
                f"Cannot write {out!r}: {existing!r} is a file, not a folder; choose another "
                "output path."
            )
        raise FileNotFoundError(
            f"Cannot write {out!r}: the folder {folder!r} does not exist; create it first, or "
            "choose another output path."
        )
    target = out if os.path.exists(out) else folder
    if not os.access(target, os.W_OK):
        what = "the file" if target == out else "the folder"
        raise PermissionError(
            f"Cannot write {out!r}: {what} {target!r} is not writable; choose a path you can "
            "write to."
        )


def _write(out: str, data: bytes, stdout: Any) -> None:
    if out == "-":
        buffer = getattr(stdout, "buffer", None)
        if buffer is None:  # a text stream standing in for stdout (no bytes underneath)
            stdout.write(data.decode("utf-8"))
        else:
            buffer.write(data)
        stdout.flush()
        return
    try:
        with open(out, "wb") as handle:
            handle.write(data)
    except OSError as err:  # what the early check could not foresee (a full disk, ...)
        reason = err.strerror or str(err)
        raise type(err)(f"Cannot write {out!r}: {reason}; choose another output path.") from err


# --- replaying --events -----------------------------------------------------------------------
_MISSING = re.compile(
    r"^(?P<func>[\w.<>]+)\(\) missing \d+ required (?:positional|keyword-only) "
    r"arguments?: (?P<names>.+)$"
)


def _missing_arguments(err: BaseException) -> tuple[str, tuple[str, ...]] | None:
    """``(callable, argument names)`` when ``err`` is the TypeError of the library calling a
    callback without arguments it requires; None for anything else (a TypeError raised
    inside the callback is the callback's own)."""
    if not isinstance(err, TypeError):
        return None
    match = _MISSING.match(str(err))
    tb = err.__traceback__
    if match is None or tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    if not _in_library(tb.tb_frame.f_code.co_filename):
        return None  # the callback was entered: the error is its own
    return match["func"], tuple(re.findall(r"'([^']*)'", match["names"]))


def _in_library(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_LIBRARY + os.sep)


class _CaughtErrors:
    """A listener noting the errors that a machine catches as ``error.execution`` events and
    handles with a transition of its own (those it leaves unhandled are logged)."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    def before_transition(self, event: str, error: Any = None) -> None:
        if isinstance(error, BaseException):
            self.errors.append(error)


class _LoggedErrors(logging.Handler):
    """Collects what the ``statemachine`` logger reports (the errors a machine caught as
    events and left unhandled), instead of printing tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _collecting_logged_errors() -> Iterator[_LoggedErrors]:
    logger = logging.getLogger("statemachine")
    handler = _LoggedErrors()
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.level, logger.propagate = saved


def _replay(cls: type[Any], events: list[str]) -> Any:
    """A new instance of ``cls`` that has processed ``events``.

    Raises:
        EventReplayError: see :class:`EventReplayError`.
    """
    from statemachine._transitions import event_matches
    from statemachine.exceptions import TransitionNotAllowed

    descriptors = {d for ids in cls._definition.transition_events.values() for d in ids}
    for event in events:
        if not any(event_matches(d, event) for d in descriptors):
            ids = ", ".join(repr(e.id) for e in cls.events) or "none"
            raise EventReplayError(
                cls,
                event,
                f"{cls.__name__} has no event {event!r}; fix --events (its events: {ids}).",
            )
    caught = _CaughtErrors()
    with _collecting_logged_errors() as logged:
        try:
            machine = cls()
        except Exception as err:
            raise _replay_error(cls, None, err) from err
        _raise_caught(cls, None, [], logged)
        machine.add_listener(caught)
        for event in events:
            try:
                machine.send(event)
            except TransitionNotAllowed as err:
                allowed = ", ".join(repr(e.id) for e in machine.allowed_events) or "no event"
                raise EventReplayError(
                    cls,
                    event,
                    f"Event {event!r} of --events cannot run: {err} There, {cls.__name__} "
                    f"accepts {allowed}; fix the order of --events.",
                ) from err
            except Exception as err:
                raise _replay_error(cls, event, err) from err
            _raise_caught(cls, event, caught.errors, logged)
    return machine


def _raise_caught(
    cls: type[Any], event: str | None, handled: list[BaseException], logged: _LoggedErrors
) -> None:
    """Raise for an error the machine caught as an event while replaying ``event``: one it
    left unhandled (logged), or one it handled that comes from a missing argument (the
    machine's own error handling is kept for the others)."""
    for error in handled:
        if _missing_arguments(error) is not None:
            raise _replay_error(cls, event, error) from error
    for record in logged.records:
        logged_error = record.exc_info[1] if record.exc_info else None
        if logged_error is not None:
            raise _replay_error(cls, event, logged_error) from logged_error
        raise EventReplayError(cls, event, f"{_doing(cls, event)} failed: {record.getMessage()}")
    handled.clear()  # handled by the machine: its own business, not the next event's


def _doing(cls: type[Any], event: str | None) -> str:
    if event is None:
        return f"Creating {cls.__name__}() for --events"
    return f"Event {event!r} of --events"


def _replay_error(cls: type[Any], event: str | None, err: BaseException) -> EventReplayError:
    missing = _missing_arguments(err)
    if missing is not None:
        func, names = missing
        listed = ", ".join(repr(n) for n in names)
        plural = "s" if len(names) > 1 else ""
        leave_out = f"leave {event!r} out of --events" if event else "draw without --events"
        return EventReplayError(
            cls,
            event,
            f"{_doing(cls, event)} needs the argument{plural} {listed} of {func}(), which the "
            f"command line cannot give: it passes no arguments. Give {listed} a default "
            f"value, or {leave_out}.",
            callback=func,
            missing=names,
        )
    return EventReplayError(
        cls,
        event,
        f"{_doing(cls, event)} failed: {type(err).__name__}: {_sentences(err)}{_where(err)}",
    )


def _where(err: BaseException) -> str:
    """`` (at file:line)`` of the innermost frame of ``err`` in the user's code, if any."""
    found = None
    tb: TracebackType | None = err.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith("<") and not _in_library(filename):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return ""
    filename, line = found
    relative = os.path.relpath(filename)
    if not relative.startswith(os.pardir):
        filename = relative
    return f" (at {filename}:{line})"


# --- the command ------------------------------------------------------------------------------
def write_image(
    qualname: str, out: str, events: list[str] | None = None, fmt: str | None = None
) -> None:
    """Draw the machine at ``qualname`` into ``out`` (``-``: standard output).

    Raises:
        ValueError: an unknown format; or see :func:`import_sm`.
        OSError: ``out`` cannot be written.
        ImportError: see :func:`import_sm`; or pydot is missing (``PydotNotInstalled``).
        EventReplayError: an event of ``events`` cannot be replayed.
        GraphvizError: Graphviz is missing or failed.
    """
    _draw(qualname, out, events, fmt, wrap_imports=False)


class _ImportFailure(Exception):
    """The module at a class path failed while it was imported (for :func:`run`)."""

    def __init__(self, qualname: str, error: BaseException) -> None:
        super().__init__(qualname)
        self.qualname = qualname
        self.error = error


def _draw(
    qualname: str, out: str, events: list[str] | None, fmt: str | None, wrap_imports: bool
) -> None:
    from .formatter import formatter
    from .renderers.dot import DotGraphMachine

    graphviz, name = _choose_format(out, fmt)
    _check_output(out)
    stdout = sys.stdout
    # With `-`, standard output is the diagram's alone: what the user's code prints while
    # it is imported and run goes to standard error.
    quiet = contextlib.redirect_stdout(sys.stderr) if out == "-" else contextlib.nullcontext()
    with quiet:
        try:
            cls = import_sm(qualname)
        except ClassPathError:
            raise
        except Exception as err:  # the user's module may raise anything while importing
            if wrap_imports:
                raise _ImportFailure(qualname, err) from err
            raise
        target = _replay(cls, events) if events else cls
        if graphviz:
            data = DotGraphMachine(target).create(name)
        else:
            data = formatter.render(target, name).encode("utf-8")
    _write(out, data, stdout)


def _formats_help() -> str:
    described = ", ".join(
        f.name if not f.aliases else f"{f.name} ({', '.join(f.extensions)})" for f in OUTPUT_FORMATS
    )
    return (
        f"Formats (the extension of OUT, or --format): {described}; and the formats "
        "registered with statemachine.contrib.diagram.formatter.register_format()."
    )


class _UsageError(Exception):
    """A command-line usage error, for :func:`run` to report in one line."""


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parse(argv: list[str] | None, one_line: bool = False) -> argparse.Namespace:
    parser = (_OneLineParser if one_line else argparse.ArgumentParser)(
        prog=_PROG,
        description="Draw a state machine class as a diagram.",
        epilog=_formats_help(),
    )
    parser.add_argument("class_path", help="module.ClassName, or a module (its first machine)")
    parser.add_argument("out", help="output file; its extension picks the format; - for stdout")
    parser.add_argument("--events", nargs="+", default=None, help="events to send first")
    parser.add_argument("--format", default=None, help="output format (overrides the extension)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """The command line, raising on a problem (see :func:`write_image`; a usage error exits
    through argparse)."""
    args = _parse(argv)
    write_image(args.class_path, args.out, args.events, args.format)


def run(argv: list[str] | None = None) -> int:
    """The ``python -m`` entry: :func:`main`, with every problem reported in one line on
    standard error; returns the exit status (0, or 2 after a problem)."""
    try:
        args = _parse(argv, one_line=True)
    except _UsageError as err:
        return _fail(f"{err} (see {_PROG} --help).")
    try:
        _draw(args.class_path, args.out, args.events, args.format, wrap_imports=True)
    except _ImportFailure as failure:
        return _fail(_import_failed(failure.qualname, failure.error))
    except (ValueError, ImportError, OSError, StateMachineError) as err:
        return _fail(_sentences(err))
    return 0


def _import_failed(qualname: str, err: BaseException) -> str:
    message = f"Cannot import {qualname!r}: {type(err).__name__}: {_sentences(err)}"
    if isinstance(err, ModuleNotFoundError) and _names_missing_module(err, qualname):
        return (
            f"{message}. Check the spelling, and run the command where the module can be "
            "imported from (its folder, or the one holding its package, must be on sys.path)."
        )
    return message + _where(err)


def _sentences(err: BaseException) -> str:
    """The message of ``err`` and its notes (how to fix it), as sentences on one line."""
    text = ""
    for part in (str(err), *getattr(err, "__notes__", ())):
        part = " ".join(part.split())
        if not part:
            continue
        if text and text[-1] not in ".!?:;":
            text += "."
        text = f"{text} {part}" if text else part
    return text


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
