"""Transition tables: a machine's transitions as Markdown or reStructuredText text.

Both renderers read only the diagram model (:func:`~statemachine.contrib.diagram.extract`)
and write one row per (transition, event) pair, in document order, under the columns
``State | Event | Guard | Target``:

* **State** is the display name of the source state. In a table made from an *instance*,
  the name of an active source state is set in bold, ``**Name**``, which is strong
  emphasis in Markdown and reST alike; a table made from a class has no bold.
* **Event** is the event id; an eventless transition leaves it empty, and a transition
  with several events gets one row per event.
* **Guard** lists the guards joined with ``and`` (``unless`` guards appear negated).
* **Target** lists the display names of the targets, comma-separated; a targetless
  transition leaves it empty.

Every cell is one line: line breaks and runs of whitespace in names collapse to one space,
control characters are dropped and text is NFC-normalised.
Characters that would break the table or start markup are backslash-escaped (see
:func:`markdown_table` and :func:`rst_table`). The text has no trailing newline.

>>> from statemachine import State, StateChart
>>> class Door(StateChart):
...     closed = State("Closed", initial=True)
...     opened = State("Opened")
...     open = closed.to(opened, cond="unlocked")
...     close = opened.to(closed)
...     unlocked = True
>>> print(markdown_table(Door()))
| State      | Event | Guard    | Target |
| ---------- | ----- | -------- | ------ |
| **Closed** | open  | unlocked | Opened |
| Opened     | close |          | Closed |
>>> print(rst_table(Door))
+--------+-------+----------+--------+
| State  | Event | Guard    | Target |
+========+=======+==========+========+
| Closed | open  | unlocked | Opened |
+--------+-------+----------+--------+
| Opened | close |          | Closed |
+--------+-------+----------+--------+
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

from ._model import DiagramGraph, extract

__all__ = ["markdown_table", "rst_table"]

_HEADER = ("State", "Event", "Guard", "Target")


class _Row(NamedTuple):
    """One table row as plain text, before any escaping."""

    state: str
    event: str
    guard: str
    target: str
    active: bool


def markdown_table(machine_or_class: Any) -> str:
    """The transitions as a GitHub-flavoured Markdown pipe table.

    Columns are padded to the widest cell so the source reads as a table too. In cells,
    ``|`` and ``\\`` are escaped (one would end the cell, the other escape the next
    character), and so are ``*``, backticks and any ``_`` not inside a word (they would
    start emphasis or code).

    Args:
        machine_or_class: a machine instance (its active states are bold), a machine
            class, or a :class:`DiagramGraph` already extracted from one.
    """
    rows = [[_md_escape(cell) for cell in _HEADER]]
    rows.extend(_cells(row, _md_escape) for row in _rows(_graph(machine_or_class)))
    widths = _column_widths(rows)
    lines = [_line(rows[0], widths), _line(["-" * w for w in widths], widths)]
    lines.extend(_line(row, widths) for row in rows[1:])
    return "\n".join(lines)


def rst_table(machine_or_class: Any) -> str:
    """The transitions as a reStructuredText grid table.

    A grid table (rather than a simple table) because empty cells are common here and a
    simple table reads an empty first cell as a continuation line. Columns are as wide as
    their widest cell, counting East Asian wide and fullwidth characters as two columns,
    which is how docutils measures table cells. In cells, ``\\``, ``*``, backticks, ``|``
    and any ``_`` not inside a word are escaped (inline markup), as is a first character
    that could start a block (a bullet, an enumerator, ``..``, ``:``) and a trailing ``::``;
    a cell of only backslashes starts with an escaped space (``\\ ``, rendered as nothing)
    so that it does not read as a transition line.
    A machine without transitions gets a one-row table holding the header.

    Args:
        machine_or_class: a machine instance (its active states are bold), a machine
            class, or a :class:`DiagramGraph` already extracted from one.
    """
    rows = [list(_HEADER)]
    rows.extend(_cells(row, _rst_escape) for row in _rows(_graph(machine_or_class)))
    widths = _column_widths(rows)
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    # docutils rejects a head/body separator that ends the table, so a header without
    # body rows is drawn as a plain row.
    head_sep = border.replace("-", "=") if len(rows) > 1 else border
    lines = [border, _line(rows[0], widths), head_sep]
    for row in rows[1:]:
        lines.extend((_line(row, widths), border))
    return "\n".join(lines)


def _graph(machine_or_class: Any) -> DiagramGraph:
    if isinstance(machine_or_class, DiagramGraph):
        return machine_or_class
    return extract(machine_or_class)


def _rows(graph: DiagramGraph) -> list[_Row]:
    states = {s.id: s for s in graph.walk()}

    def name(state_id: str) -> str:
        state = states.get(state_id)
        return state.name if state is not None else state_id

    rows = []
    for t in graph.transitions:
        source = states.get(t.source)
        active = source is not None and source.active
        guard = " and ".join(t.guards)
        target = ", ".join(name(s) for s in t.targets)
        for event in t.events or ("",):
            rows.append(_Row(name(t.source), event, guard, target, active))
    return rows


def _cells(row: _Row, escape: Callable[[str], str]) -> list[str]:
    state = escape(row.state)
    if row.active and state:
        state = f"**{state}**"
    return [state, escape(row.event), escape(row.guard), escape(row.target)]


def _one_line(text: str) -> str:
    # Control characters other than whitespace are dropped: they print as nothing, and
    # docutils uses NUL as its own escape marker.
    text = "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")
    # str.split() splits on every Unicode line break (\n, \r, \v, \f, \x1c-\x1e, \x85,
    # \u2028, \u2029) and on tabs, which docutils would expand and misalign.
    text = " ".join(text.split())
    # NFC composes "e" + U+0301 into "\u00e9": docutils finds grid-table borders counting a
    # combining mark as a column but cuts cells counting it as none, so a decomposed
    # accent would shift the cells to its right.
    return unicodedata.normalize("NFC", text)


# `_` starts or ends inline markup only at a word boundary; inside a word (`ads_enabled`)
# it is plain text in both CommonMark and reST, so it is left alone to keep names readable.
_LOOSE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def _escape_inline(text: str, specials: str) -> str:
    escaped = "".join(f"\\{c}" if c in specials else c for c in text)
    return _LOOSE_UNDERSCORE.sub(r"\\_", escaped)


def _md_escape(text: str) -> str:
    return _escape_inline(_one_line(text), "\\|*`")


# A paragraph that starts like this would be parsed as a list item (``A. x``, ``(1) x``).
_ENUMERATOR = re.compile(r"^\(?([0-9]+|[A-Za-z]|[IVXLCDM]+|[ivxlcdm]+|#)[.)](\s|$)")
# Characters that can start a reST block: bullets and punctuation (``..``, ``:``, ``>>>``,
# ``+``/``=`` table borders, adornment lines).
_BLOCK_START = set(string.punctuation) | set("\u2022\u2023\u2043")


def _rst_escape(text: str) -> str:
    text = _one_line(text)
    escaped = _escape_inline(text, "\\|*`")
    if text and (text[0] in _BLOCK_START or _ENUMERATOR.match(text)) and escaped[0] != "\\":
        escaped = "\\" + escaped
    elif escaped and not escaped.strip("\\"):
        # Only backslashes: a line of one repeated punctuation character reads as a
        # transition or title adornment, so start with an escaped space (rendered as nothing).
        escaped = "\\ " + escaped
    if escaped.endswith("::"):
        # A paragraph ending in `::` announces a literal block.
        escaped = escaped[:-1] + "\\:"
    return escaped


def _width(text: str) -> int:
    """Display columns of ``text``: wide and fullwidth characters take two.

    This is the rule docutils applies before parsing a table; combining characters still
    count one, as they do there.
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _column_widths(rows: list[list[str]]) -> list[int]:
    # Markdown delimiter cells need at least three dashes.
    return [max(3, *(_width(row[i]) for row in rows)) for i in range(len(_HEADER))]


def _pad(cell: str, width: int) -> str:
    return cell + " " * (width - _width(cell))


def _line(cells: list[str], widths: list[int]) -> str:
    """A row of cells between ``|`` rules; the same shape in both formats."""
    return "| " + " | ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)) + " |"
