"""The one table of output formats, read by `format()`, and the copy of it in
`docs/diagrams.md`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from statemachine import State, StateChart
from statemachine.contrib.diagram import formatter
from statemachine.contrib.diagram._formats import OUTPUT_FORMATS, find_format, formats_table

DOCS = Path(__file__).parent.parent / "docs" / "diagrams.md"
EXTENSIONS = [ext for f in OUTPUT_FORMATS for ext in f.extensions]


class Turnstile(StateChart):
    locked = State(initial=True)
    unlocked = State()
    coin = locked.to(unlocked)
    push = unlocked.to(locked)


def is_svg(data: bytes) -> bool:
    return ET.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg"


# What a file of each format starts with (or, for SVG, parses as).
LOOKS_LIKE = {
    "dot": lambda data: data.startswith(b"digraph Turnstile {"),
    "eps": lambda data: data.startswith(b"%!PS-Adobe-") and b"EPSF" in data.split(b"\n")[0],
    "gif": lambda data: data.startswith(b"GIF8"),
    "jpg": lambda data: data.startswith(b"\xff\xd8\xff"),
    "md": lambda data: data.startswith(b"| State"),
    "mermaid": lambda data: data.startswith(b"stateDiagram-v2\n"),
    "pdf": lambda data: data.startswith(b"%PDF-"),
    "png": lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"),
    "ps": lambda data: data.startswith(b"%!PS-Adobe-"),
    "rst": lambda data: data.startswith(b"+-"),
    "svg": is_svg,
}


def docs_table() -> list[list[str]]:
    """The cells of the Markdown table in docs/diagrams.md that starts with `| Format`."""
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Format "))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_docs_show_the_table_of_the_code():
    """docs/diagrams.md holds the table the code has: same formats, extensions, makers and
    descriptions (a change to either side fails here until the other follows)."""
    code = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in formats_table().splitlines()
    ]
    assert docs_table() == code


def test_the_table_is_sorted_and_every_name_picks_one_format():
    """Rows are sorted by name; no name or alias belongs to two formats; each name or alias
    behind a dot is an extension that finds its format."""
    names = [f.name for f in OUTPUT_FORMATS]
    assert names == sorted(names)
    every = [n for f in OUTPUT_FORMATS for n in f.names]
    assert len(every) == len(set(every))
    for f in OUTPUT_FORMATS:
        for ext in f.extensions:
            assert find_format(ext) is f
    assert {".mmd", ".pdf", ".md", ".rst", ".dot", ".gv", ".svg", ".png"} <= set(EXTENSIONS)


def test_text_formats_of_the_table_are_the_formatters():
    """Each format this package writes as text is registered with the formatter, and only
    Graphviz makes bytes (SVG is Graphviz's text)."""
    for f in OUTPUT_FORMATS:
        if not f.graphviz:
            assert f.name in formatter.supported_formats()
        assert f.binary == (f.graphviz and f.name != "svg")


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS, ids=[f.name for f in OUTPUT_FORMATS])
def test_format_gives_every_text_format_and_refuses_bytes_by_name(fmt):
    """`format()` gives every non-binary format of the table under each of its names, and
    answers a binary one with how to get it (never "Unsupported")."""
    for name in fmt.names:
        if fmt.binary:
            with pytest.raises(ValueError, match=r"is a binary image and format\(\) gives text"):
                format(Turnstile, name)
        else:
            assert LOOKS_LIKE[fmt.name](format(Turnstile, name).encode())
