"""The one table of output formats.

Every entry point that writes a diagram reads this table: the command line
(``python -m statemachine.contrib.diagram``: the extension of its output file, or
``--format``), ``format(sm, spec)`` and f-strings (through
:meth:`~statemachine.contrib.diagram.formatter.Formatter.render`), and Django's
``manage.py graph_statemachines``. So they all accept the same names and file extensions, and
say the same thing about a format they do not know.

Each format has a name, perhaps aliases (``mmd`` for ``mermaid``), and is either text that
this package writes itself, or an image that Graphviz's ``dot`` program draws. A file
extension is a name or an alias behind a dot: ``.mmd``, ``.gv``, ``.jpeg``.

>>> find_format("mmd").name, find_format(".gv").name, find_format("jpeg").extensions
('mermaid', 'dot', ('.jpg', '.jpeg'))
>>> find_format("plantuml") is None
True
>>> unsupported_format("x", ["png", "md", "png"])
"Unsupported format: 'x'. Use 'md', 'png'."
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "OUTPUT_FORMATS",
    "OutputFormat",
    "find_format",
    "formats_table",
    "unsupported_format",
]


@dataclass(frozen=True)
class OutputFormat:
    """One output format.

    Attributes:
        name: its name, as given to ``--format`` and ``format()``.
        aliases: other names for it, also accepted as file extensions.
        graphviz: drawn by Graphviz's ``dot`` program (needs pydot and Graphviz); else
            written by this package, as text.
        binary: the output is bytes, not text (so ``format()``, which returns a string,
            cannot give it).
        description: what the output holds.
    """

    name: str
    aliases: tuple[str, ...]
    graphviz: bool
    binary: bool
    description: str

    @property
    def names(self) -> tuple[str, ...]:
        """The name, then the aliases."""
        return (self.name, *self.aliases)

    @property
    def extensions(self) -> tuple[str, ...]:
        """The file extensions that pick this format: ``.name`` and ``.alias``."""
        return tuple(f".{name}" for name in self.names)


def _text(name: str, aliases: tuple[str, ...], description: str) -> OutputFormat:
    return OutputFormat(name, aliases, graphviz=False, binary=False, description=description)


def _image(name: str, aliases: tuple[str, ...], description: str) -> OutputFormat:
    return OutputFormat(name, aliases, graphviz=True, binary=name != "svg", description=description)


# Sorted by name. Graphviz can draw more formats (`dot -T?` lists them); these are the ones
# this package promises.
OUTPUT_FORMATS: tuple[OutputFormat, ...] = (
    _text("dot", ("gv",), "Graphviz DOT source"),
    _image("eps", (), "Encapsulated PostScript"),
    _image("gif", (), "GIF image"),
    _image("jpg", ("jpeg",), "JPEG image"),
    _text("md", ("markdown",), "Markdown transition table"),
    _text("mermaid", ("mmd",), "Mermaid `stateDiagram-v2`"),
    _image("pdf", (), "PDF document"),
    _image("png", (), "PNG image"),
    _image("ps", (), "PostScript"),
    _text("rst", (), "reStructuredText transition table"),
    _image("svg", (), "SVG image (XML text)"),
)

_BY_NAME = {name: f for f in OUTPUT_FORMATS for name in f.names}


def find_format(name_or_extension: str) -> OutputFormat | None:
    """The format called ``name_or_extension`` (a name or alias, or a file extension with
    its dot), or None. Names are lower case: callers lower a file's extension first."""
    return _BY_NAME.get(name_or_extension.removeprefix("."))


def unsupported_format(value: str, names: Iterable[str]) -> str:
    """The message for an unknown format ``value``: it lists each of ``names`` once, sorted."""
    known = ", ".join(repr(name) for name in sorted(set(names)))
    return f"Unsupported format: {value!r}. Use {known}."


def formats_table() -> str:
    """The table as Markdown (the one in ``docs/diagrams.md``; a test keeps them equal)."""
    rows = [("Format", "File extensions", "Made by", "Output")]
    for f in OUTPUT_FORMATS:
        rows.append(
            (
                f"`{f.name}`",
                ", ".join(f"`{ext}`" for ext in f.extensions),
                "Graphviz" if f.graphviz else "this package",
                f.description + (" (bytes)" if f.binary else ""),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(rows[0]), rule, *(line(r) for r in rows[1:])]) + "\n"
