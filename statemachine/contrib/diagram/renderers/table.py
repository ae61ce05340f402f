"""Transition tables: a machine's transitions as Markdown or reStructuredText text.

:class:`TransitionTableRenderer` reads only the diagram model and writes one row per
transition and target, state by state (parents before children, each state's transitions
in declaration order), under the columns ``State | Event | Guard | Target``:

* **State** is the display name of the source state;
* **Event** is the display name of the transition's events (several joined by a space);
  an eventless transition leaves it empty;
* **Guard** lists the guards joined with ``, `` (``unless`` guards negated with ``!``);
* **Target** is the display name of the target; a targetless transition leaves it empty.

Initial arrows and internal transitions are not rows. With ``highlight_active=True``, the
name of an active source state (in a table made from an instance) is set in bold,
``**Name**``, which is strong emphasis in Markdown and reST alike; it is off by default.

Every cell is one line: line breaks and runs of whitespace in names collapse to one space,
control characters are dropped and text is NFC-normalised. Characters that would break the
table or start markup are backslash-escaped. The text ends with a newline.

>>> from statemachine import State, StateChart
>>> from statemachine.contrib.diagram import extract
>>> class Door(StateChart):
...     closed = State(initial=True)
...     opened = State()
...     open = closed.to(opened, cond="unlocked")
...     close = opened.to(closed)
...     unlocked = True
>>> print(TransitionTableRenderer().render(extract(Door())), end="")
| State  | Event | Guard    | Target |
| ------ | ----- | -------- | ------ |
| Closed | Open  | unlocked | Opened |
| Opened | Close |          | Closed |
>>> print(TransitionTableRenderer(highlight_active=True).render(extract(Door()), "rst"), end="")
+------------+-------+----------+--------+
| State      | Event | Guard    | Target |
+============+=======+==========+========+
| **Closed** | Open  | unlocked | Opened |
+------------+-------+----------+--------+
| Opened     | Close |          | Closed |
+------------+-------+----------+--------+
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

from statemachine.contrib.diagram.model import DiagramGraph

__all__ = ["TransitionTableRenderer"]

_HEADER = ("State", "Event", "Guard", "Target")


class _Row(NamedTuple):
    """One table row as plain text, before any escaping."""

    state: str
    event: str
    guard: str
    target: str
    active: bool


class TransitionTableRenderer:
    """Draws a :class:`~statemachine.contrib.diagram.model.DiagramGraph` as a transition
    table."""

    def __init__(self, *, highlight_active: bool = False) -> None:
        """``highlight_active``: set active source states in bold."""
        self.highlight_active = highlight_active

    def render(self, graph: DiagramGraph, fmt: str = "md") -> str:
        """The table in reStructuredText when ``fmt`` is ``"rst"``, else in Markdown."""
        rows = _rows(graph)
        if fmt == "rst":
            return self._rst(rows)
        return self._markdown(rows)

    def _cells(self, row: _Row, escape: Callable[[str], str]) -> list[str]:
        state = escape(row.state)
        if self.highlight_active and row.active and state:
            state = f"**{state}**"
        return [state, escape(row.event), escape(row.guard), escape(row.target)]

    def _markdown(self, rows: list[_Row]) -> str:
        """A GitHub-flavoured pipe table, columns padded to the widest cell so the source
        reads as a table too. In cells, ``|`` and ``\\`` are escaped (one would end the
        cell, the other escape the next character), and so are ``*``, backticks and any
        ``_`` not inside a word (they would start emphasis or code)."""
        cells = [[_md_escape(cell) for cell in _HEADER]]
        cells.extend(self._cells(row, _md_escape) for row in rows)
        widths = _column_widths(cells)
        lines = [_line(cells[0], widths), _line(["-" * w for w in widths], widths)]
        lines.extend(_line(row, widths) for row in cells[1:])
        return "\n".join(lines) + "\n"

    def _rst(self, rows: list[_Row]) -> str:
        """A grid table (a simple table would read an empty first cell as a continuation
        line). Columns are as wide as their widest cell, counting East Asian wide and
        fullwidth characters as two columns, as docutils does. In cells, ``\\``, ``*``,
        backticks, ``|`` and any ``_`` not inside a word are escaped (inline markup), as is
        a first character that would start a block (a bullet, an enumerator, ``..``, ``:``,
        a line of one repeated punctuation character) and a trailing ``::``. A machine
        without transitions gets a one-row table holding the header."""
        cells = [list(_HEADER)]
        cells.extend(self._cells(row, _rst_escape) for row in rows)
        widths = _column_widths(cells)
        border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        # docutils rejects a head/body separator that ends the table, so a header without
        # body rows is drawn as a plain row.
        head_sep = border.replace("-", "=") if len(cells) > 1 else border
        lines = [border, _line(cells[0], widths), head_sep]
        for row in cells[1:]:
            lines.extend((_line(row, widths), border))
        return "\n".join(lines) + "\n"


def _rows(graph: DiagramGraph) -> list[_Row]:
    states = {s.id: s for s in graph.walk()}

    def name(state_id: str) -> str:
        state = states.get(state_id)
        return state.name if state is not None else state_id

    rows = []
    for t in graph.transitions:
        if t.is_initial or t.is_internal:
            continue
        source = states.get(t.source)
        active = source is not None and source.is_active
        guard = ", ".join(t.guards)
        for target in t.targets or [""]:
            rows.append(_Row(name(t.source), t.event, guard, target and name(target), active))
    return rows


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
# Characters that can start a reST block: bullets, option lists (``-a``, ``/V``), ``..``,
# field lists (``:``), ``>>>``, line blocks and ``+``/``=`` table borders. (Others, such as
# the ``!`` of a negated guard, start a plain paragraph and stay as they are.)
_BLOCK_START = set("*+-./:>|=\u2022\u2023\u2043")


def _rst_escape(text: str) -> str:
    text = _one_line(text)
    escaped = _escape_inline(text, "\\|*`")
    # A line of one repeated punctuation character reads as a transition or an adornment.
    adornment = len(text) > 1 and len(set(text)) == 1 and not text[0].isalnum()
    starts_block = text[:1] in _BLOCK_START or adornment or _ENUMERATOR.match(text)
    if text and starts_block and escaped[0] != "\\":
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
