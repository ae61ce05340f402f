"""The one table of output formats, read by the command line and `format()` (Django's
`graph_statemachines` is checked against it in `tests/django_tests/test_graph_command.py`),
and the copy of it in `docs/diagrams.md`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from statemachine import State, StateChart
from statemachine.contrib.diagram import formatter, main
from statemachine.contrib.diagram._cli import run
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


def quoted_names(message: str) -> list[str]:
    """The names listed after "Use" in an unknown-format message."""
    listed = message.split(". Use ", 1)[1].split(".", 1)[0]
    return re.findall(r"'([^']*)'", listed)


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


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_the_command_line_writes_every_extension_of_the_table(tmp_path, ext):
    """`main([...Class, out.EXT])` writes a file of the format the table gives that
    extension, drawn by Graphviz where the table says so."""
    out = tmp_path / f"turnstile{ext}"
    main([f"{__name__}.Turnstile", str(out)])
    fmt = find_format(ext)
    assert fmt is not None
    assert LOOKS_LIKE[fmt.name](out.read_bytes())


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_the_command_line_takes_upper_case_extensions(tmp_path, ext):
    """`OUT.PNG` is `OUT.png`."""
    out = tmp_path / f"turnstile{ext.upper()}"
    main([f"{__name__}.Turnstile", str(out)])
    fmt = find_format(ext)
    assert fmt is not None
    assert LOOKS_LIKE[fmt.name](out.read_bytes())


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


def test_unknown_format_messages_list_each_format_once_sorted(capsys):
    """The command line (run and main) and format() list each format once, sorted, by its
    name; aliases are accepted but not listed."""
    assert run([f"{__name__}.Turnstile", "-", "--format", "nope"]) == 2
    line = capsys.readouterr().err
    with pytest.raises(ValueError) as from_main:
        main([f"{__name__}.Turnstile", "x.nope"])
    with pytest.raises(ValueError) as from_format:
        format(Turnstile, "nope")
    table = sorted(f.name for f in OUTPUT_FORMATS)
    for message, expected in [
        (line, table),
        (str(from_main.value), table),
        (str(from_format.value), ["dot", "md", "mermaid", "rst", "svg"]),
    ]:
        assert quoted_names(message) == expected


def test_a_registered_format_joins_the_command_line_and_its_message(tmp_path, capsys):
    """A format registered with formatter.register_format() is written by the command line
    under its names, and listed once (by its first name) when a format is unknown."""

    @formatter.register_format("states", "st")
    def states(obj):
        return " ".join(s.id for s in obj.states) + "\n"

    try:
        out = tmp_path / "turnstile.st"
        main([f"{__name__}.Turnstile", str(out)])
        assert out.read_text() == "locked unlocked\n"
        assert run([f"{__name__}.Turnstile", "x.nope"]) == 2
        names = quoted_names(capsys.readouterr().err)
        assert names == sorted({*(f.name for f in OUTPUT_FORMATS), "states"})
    finally:
        for name in ("states", "st"):
            formatter._formats.pop(name)
            formatter._primary_of.pop(name)
