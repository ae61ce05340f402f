"""Machines from documents: SCXML, JSON, YAML and dicts.

>>> from statemachine.io import load
>>> Light = load('''
... <scxml xmlns="http://www.w3.org/2005/07/scxml" initial="green" name="Light">
...   <state id="green"><transition event="cycle" target="yellow"/></state>
...   <state id="yellow"><transition event="cycle" target="red"/></state>
...   <state id="red"><transition event="cycle" target="green"/></state>
... </scxml>''', format="scxml")
>>> light = Light()
>>> light.send("cycle")
>>> list(light.configuration_values)
['yellow']

Every reader turns its format into one format-free document model; one factory turns that
model into an ordinary :class:`~statemachine.StateChart` subclass. Documents are loaded with
a restricted expression evaluator unless ``trusted=True`` (see ``docs/io/security.md``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from statemachine._machine import StateChart
from statemachine.exceptions import InvalidDefinition

from . import _document as doc
from ._dict import (
    ActionProtocol,
    HistoryDefinition,
    StateDefinition,
    TransitionDict,
    create_machine_class_from_definition,
)
from ._export import ExportError, document_of
from ._factory import build_class

__all__ = [
    "ActionProtocol",
    "ExportError",
    "HistoryDefinition",
    "StateDefinition",
    "TransitionDict",
    "build_processor",
    "create_machine_class_from_definition",
    "dump",
    "load",
]

_FORMATS = {
    ".scxml": "scxml",
    ".xml": "scxml",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}


def _source(source: str | Path, format: str | None) -> tuple[str, str, str | None, str | None]:
    """``(text, format, base folder, file stem)`` of a path or of inline text."""
    is_path = isinstance(source, Path) or (
        isinstance(source, str)
        and "\n" not in source
        and not source.lstrip().startswith(("<", "{", "["))
        and (os.path.exists(source) or os.path.splitext(source)[1].lower() in _FORMATS)
    )
    if is_path:
        path = Path(source)
        fmt = format or _FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(
                f"Cannot tell the format of {str(path)!r} from its extension; pass "
                "format='scxml', 'json' or 'yaml'."
            )
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidDefinition(f"Cannot read {str(path)!r}: {exc}.") from None
        return text, fmt, str(path.resolve().parent), path.stem
    if format is None:
        raise ValueError(
            "Inline document text needs its format: pass format='scxml', 'json' or 'yaml'."
        )
    return str(source), format, None, None


def read_document(
    source: str | Path,
    *,
    format: str | None = None,
    trusted: bool = False,
    validate: bool = False,
) -> doc.Document:
    """Read a document (a path or inline text) into the format-free document model."""
    text, fmt, base, stem = _source(source, format)
    fmt = fmt.lower()
    if fmt in ("scxml", "xml"):
        from ._scxml import parse_scxml

        document = parse_scxml(text, base, trusted, where=stem or "the SCXML document")
    elif fmt in ("json", "yaml", "yml"):
        from ._native import parse_native

        document = parse_native(text, "yaml" if fmt == "yml" else fmt, base, validate)
    else:
        raise ValueError(f"Unknown format {fmt!r}; use 'scxml', 'json' or 'yaml'.")
    if document.name is None and stem is not None:
        document.name = stem
    return document


def load(
    source: str | Path,
    *,
    format: str | None = None,
    trusted: bool = False,
    validate: bool = False,
    name: str | None = None,
) -> type[StateChart[Any]]:
    """Load a machine class from a document.

    Args:
        source: a file path (the format comes from its extension: ``.scxml``/``.xml``,
            ``.json``, ``.yaml``/``.yml``) or the document's text (then ``format`` is
            required).
        format: ``"scxml"``, ``"json"`` or ``"yaml"``.
        trusted: evaluate expressions as full Python and allow scripts. Only for documents
            you control; the default restricted evaluator refuses calls, builtins and
            private attributes when the document is loaded.
        validate: check a JSON/YAML document against the JSON Schema first (needs
            ``jsonschema``, the ``[validate]`` extra).
        name: the class name (default: the document's name, else the file name).

    Returns:
        An ordinary :class:`~statemachine.StateChart` subclass.

    Raises:
        InvalidDefinition: the document is malformed, or uses something the evaluator
            refuses.
    """
    document = read_document(source, format=format, trusted=trusted, validate=validate)
    from ._invoke import compile_invoke

    cls = build_class(document, trusted, name=name, invokes=compile_invoke)
    cls._io_processor = Processor(cls, {cls.__name__: cls})  # type: ignore[attr-defined]
    return cls


class Processor:
    """What :func:`build_processor` returns (and what a loaded class keeps as
    ``_io_processor``): the root machine class and every machine class of the document, by
    name (:attr:`scs`)."""

    def __init__(
        self, root: type[StateChart[Any]] | None, scs: dict[str, type[StateChart[Any]]]
    ) -> None:
        self.root = root
        self.scs = scs

    def start(self, **kwargs: Any) -> StateChart[Any]:
        """An instance of the root machine; ``kwargs`` go to its constructor."""
        if self.root is None:
            raise InvalidDefinition("Nothing to start: no document has been loaded yet.")
        return self.root(**kwargs)


def build_processor(
    source: str | Path,
    *,
    format: str | None = None,
    trusted: bool = False,
    validate: bool = False,
    name: str | None = None,
) -> Processor:
    """Like :func:`load`, and give access to every machine class of the document."""
    cls = load(source, format=format, trusted=trusted, validate=validate, name=name)
    processor: Processor = cls._io_processor  # type: ignore[attr-defined]
    return processor


def dump(machine: Any, format: str = "scxml") -> str:
    """Write a machine class declared in Python (or an instance's class) as a document, so
    that ``load(dump(cls), format=...)`` builds a class that behaves the same.

    A document holds the structure: states (nested, parallel, final, initial, history),
    transitions (events, targets, ``internal``), guards (names and expressions), validators,
    and the callbacks given by name (or as methods of the class), in their order; the
    class options that differ from a StateChart's. Callbacks stay names: the loaded machine
    finds them on its model (or the machine), so give it a model that has them.

    >>> from statemachine import State, StateChart
    >>> class Door(StateChart):
    ...     closed = State(initial=True)
    ...     opened = State()
    ...     open = closed.to(opened, cond="unlocked")
    ...     close = opened.to(closed)
    >>> print(dump(Door, format="json"))  # doctest: +NORMALIZE_WHITESPACE
    {
      "name": "Door",
      "states": {
        "closed": {
          "initial": true,
          "transitions": [
            {
              "event": "open",
              "target": "opened",
              "cond": "unlocked"
            }
          ]
        },
        "opened": {
          "transitions": [
            {
              "event": "close",
              "target": "closed"
            }
          ]
        }
      }
    }

    Args:
        machine: a ``StateChart`` or ``StateMachine`` subclass, or an instance of one.
        format: ``"scxml"``, ``"json"`` or ``"yaml"`` (YAML needs PyYAML, the ``[yaml]``
            extra).

    Raises:
        ExportError: the class uses something a document cannot hold; the message names it
            (a lambda or another unnamed callable as a callback, donedata, an event with a
            default delay).
        TypeError: ``machine`` is not a machine class or instance.
        ValueError: an unknown format.
    """
    fmt = format.lower()
    if fmt not in ("scxml", "xml", "json", "yaml", "yml"):
        raise ValueError(f"Unknown format {format!r}; use 'scxml', 'json' or 'yaml'.")
    document = document_of(machine)
    if fmt in ("scxml", "xml"):
        from ._scxml_write import write_scxml

        return write_scxml(document)
    from ._native_write import write_json, write_yaml

    return write_json(document) if fmt == "json" else write_yaml(document)
