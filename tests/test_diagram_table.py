"""Transition tables (`TransitionTableRenderer`): the diagram model as Markdown or reST text."""

from __future__ import annotations

import itertools
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statemachine import Event, State, StateChart
from statemachine.contrib.diagram import (
    DiagramGraph,
    DiagramState,
    DiagramTransition,
    StateType,
    extract,
    formatter,
)
from statemachine.contrib.diagram.renderers.table import TransitionTableRenderer


def _model(obj: object) -> DiagramGraph:
    return obj if isinstance(obj, DiagramGraph) else extract(obj)


def markdown_table(obj: object, *, highlight_active: bool = False) -> str:
    """The Markdown table of a machine, class or graph."""
    return TransitionTableRenderer(highlight_active=highlight_active).render(_model(obj), "md")


def rst_table(obj: object, *, highlight_active: bool = False) -> str:
    """The reST table of a machine, class or graph."""
    return TransitionTableRenderer(highlight_active=highlight_active).render(_model(obj), "rst")


class TrafficLight(StateChart):
    """Flat, with guards (one negated), a targetless transition and a two-event transition."""

    green = State("Green", initial=True)
    yellow = State("Yellow")
    red = State("Red")

    cycle = green.to(yellow) | yellow.to(red) | red.to(green, cond="timer_done", unless="emergency")
    report = red.to(on="log", event="report audit")

    timer_done = True
    emergency = False

    def log(self):
        pass


class Kettle(StateChart):
    """Compound, with an eventless transition and an internal self-transition."""

    off = State("Off", initial=True)

    class switched_on(State.Compound):
        heating = State("Heating", initial=True)
        boiling = State("Boiling")
        heating.to(boiling, cond="hot")
        tick = heating.to.itself(internal=True)

    switch = off.to(switched_on) | switched_on.to(off)

    hot = False


def _graph(*names: str, active: tuple[int, ...] = ()) -> DiagramGraph:
    """A flat graph whose state ``i`` has display name ``names[i]``, with no transitions."""
    states = [
        DiagramState(id=f"s{i}", name=n, type=StateType.REGULAR, is_active=i in active)
        for i, n in enumerate(names)
    ]
    return DiagramGraph("G", states, [])


def _with(graph: DiagramGraph, *transitions: DiagramTransition) -> DiagramGraph:
    return DiagramGraph(graph.name, graph.states, list(transitions))


def _one_row(name: str, *, active: bool = False) -> DiagramGraph:
    """One self-transition of a state called ``name``, on an event and a guard named ``name``."""
    return _with(
        _graph(name, active=(0,) if active else ()),
        DiagramTransition("s0", ["s0"], event=name, guards=[name]),
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _unescape(cell: str) -> str:
    # `\ ` (an escaped space, which RST renders as nothing) only ever comes from the table's
    # own escaping; every other backslash pair stands for its second character.
    return re.sub(r"\\(.)", lambda m: "" if m.group(1) == " " else m.group(1), cell)


def _md_cells(line: str) -> list[str]:
    """The cells of a Markdown table line, split on unescaped pipes."""
    tokens = re.findall(r"\\.|[^\\|]|\|", line)
    assert "".join(tokens) == line
    cells, current = [], ""
    for token in tokens:
        if token == "|":
            cells.append(current)
            current = ""
        else:
            current += token
    cells.append(current)
    assert cells[0] == ""
    assert cells[-1] == ""
    return [c.strip() for c in cells[1:-1]]


def _rst_cells(line: str, border: str) -> list[str]:
    """The cells of a grid-table line, cut at the display columns where the border has ``+``."""
    at_column, column = {}, 0
    for index, char in enumerate(line):
        at_column[column] = index
        column += _width(char)
    assert column == _width(border)
    corners = [at_column[i] for i, c in enumerate(border) if c == "+"]
    assert all(line[i] == "|" for i in corners)
    return [line[a + 1 : b].strip() for a, b in itertools.pairwise(corners)]


# --- reference machines ----------------------------------------------------------------------


def test_flat_machine_as_markdown():
    """One row per transition, state by state, labelled with the events' display names joined
    by a space; guards joined with `, `, an `unless` one negated with `!`; a targetless
    transition has an empty Target; the text ends with a newline."""
    assert markdown_table(TrafficLight) == (
        "| State  | Event        | Guard                  | Target |\n"
        "| ------ | ------------ | ---------------------- | ------ |\n"
        "| Green  | Cycle        |                        | Yellow |\n"
        "| Yellow | Cycle        |                        | Red    |\n"
        "| Red    | Cycle        | timer_done, !emergency | Green  |\n"
        "| Red    | Report Audit |                        |        |\n"
    )


def test_flat_machine_as_rst():
    """The reST table is a grid table with a header separator and one rule per row."""
    assert rst_table(TrafficLight) == (
        "+--------+--------------+------------------------+--------+\n"
        "| State  | Event        | Guard                  | Target |\n"
        "+========+==============+========================+========+\n"
        "| Green  | Cycle        |                        | Yellow |\n"
        "+--------+--------------+------------------------+--------+\n"
        "| Yellow | Cycle        |                        | Red    |\n"
        "+--------+--------------+------------------------+--------+\n"
        "| Red    | Cycle        | timer_done, !emergency | Green  |\n"
        "+--------+--------------+------------------------+--------+\n"
        "| Red    | Report Audit |                        |        |\n"
        "+--------+--------------+------------------------+--------+\n"
    )


def test_compound_machine_as_markdown():
    """Nested states use their display names and come after their parent's rows; an eventless
    row has an empty Event cell; internal transitions are not rows."""
    assert markdown_table(Kettle) == (
        "| State       | Event  | Guard | Target      |\n"
        "| ----------- | ------ | ----- | ----------- |\n"
        "| Off         | Switch |       | Switched on |\n"
        "| Switched on | Switch |       | Off         |\n"
        "| Heating     |        | hot   | Boiling     |\n"
    )


def test_compound_machine_as_rst():
    """The compound machine's reST table has the same rows as its Markdown one."""
    assert rst_table(Kettle) == (
        "+-------------+--------+-------+-------------+\n"
        "| State       | Event  | Guard | Target      |\n"
        "+=============+========+=======+=============+\n"
        "| Off         | Switch |       | Switched on |\n"
        "+-------------+--------+-------+-------------+\n"
        "| Switched on | Switch |       | Off         |\n"
        "+-------------+--------+-------+-------------+\n"
        "| Heating     |        | hot   | Boiling     |\n"
        "+-------------+--------+-------+-------------+\n"
    )


def test_rows_follow_the_states_not_the_declaration_of_the_events():
    """Rows are grouped by source state in document order, whatever order the events were
    declared in."""

    class Light(StateChart):
        green = State(initial=True)
        yellow = State()
        red = State()
        cycle = green.to(yellow) | yellow.to(red) | red.to(green)
        slow = Event(green.to(yellow), name="Slow down")

    rows = [line.split("|")[1:3] for line in markdown_table(Light).splitlines()[2:]]
    assert [(a.strip(), b.strip()) for a, b in rows] == [
        ("Green", "Cycle"),
        ("Green", "Slow down"),
        ("Yellow", "Cycle"),
        ("Red", "Cycle"),
    ]


def test_an_instance_table_equals_the_class_table_by_default():
    """Active states are not highlighted unless asked for."""
    sm = Kettle()
    sm.send("switch")
    assert markdown_table(sm) == markdown_table(Kettle)
    assert rst_table(sm) == rst_table(Kettle)


def test_highlight_active_marks_active_sources_in_bold_in_markdown():
    """With `highlight_active`, rows whose source state is active (ancestors too) show it
    in bold."""
    sm = Kettle()
    sm.send("switch")
    assert markdown_table(sm, highlight_active=True) == (
        "| State           | Event  | Guard | Target      |\n"
        "| --------------- | ------ | ----- | ----------- |\n"
        "| Off             | Switch |       | Switched on |\n"
        "| **Switched on** | Switch |       | Off         |\n"
        "| **Heating**     |        | hot   | Boiling     |\n"
    )


def test_highlight_active_marks_active_sources_in_bold_in_rst():
    """reST uses strong emphasis, ``**Name**``, for the same cells."""
    assert rst_table(TrafficLight(), highlight_active=True) == (
        "+-----------+--------------+------------------------+--------+\n"
        "| State     | Event        | Guard                  | Target |\n"
        "+===========+==============+========================+========+\n"
        "| **Green** | Cycle        |                        | Yellow |\n"
        "+-----------+--------------+------------------------+--------+\n"
        "| Yellow    | Cycle        |                        | Red    |\n"
        "+-----------+--------------+------------------------+--------+\n"
        "| Red       | Cycle        | timer_done, !emergency | Green  |\n"
        "+-----------+--------------+------------------------+--------+\n"
        "| Red       | Report Audit |                        |        |\n"
        "+-----------+--------------+------------------------+--------+\n"
    )


def test_any_format_but_rst_is_markdown():
    """`render(graph, fmt)` draws reST for "rst" and Markdown for anything else."""
    graph = extract(TrafficLight)
    renderer = TransitionTableRenderer()
    assert renderer.render(graph) == renderer.render(graph, "markdown") == markdown_table(graph)
    assert renderer.render(graph, "rst") == rst_table(graph) != markdown_table(graph)


def test_multi_target_transitions_get_one_row_per_target():
    """A transition with several targets is one row per target, in order."""
    graph = _with(_graph("Idle", "Left", "Right"), DiagramTransition("s0", ["s1", "s2"], "Go"))
    assert markdown_table(graph).splitlines()[-2:] == [
        "| Idle  | Go    |       | Left   |",
        "| Idle  | Go    |       | Right  |",
    ]


def test_initial_arrows_and_internal_transitions_are_not_rows():
    """Only the transitions drawn as arrows between states are rows."""
    graph = _with(
        _graph("Idle", "Busy"),
        DiagramTransition("s0", ["s1"], "Go", is_initial=True),
        DiagramTransition("s0", ["s0"], "Tick", is_internal=True),
        DiagramTransition("s1", ["s0"], "Back"),
    )
    assert markdown_table(graph).splitlines()[2:] == ["| Busy  | Back  |       | Idle   |"]


def test_a_machine_without_transitions_has_only_the_header():
    """Markdown keeps header and separator; reST draws the header as a plain row, since docutils
    rejects a header separator that ends the table."""
    graph = _graph("Alone")
    assert markdown_table(graph) == (
        "| State | Event | Guard | Target |\n| ----- | ----- | ----- | ------ |\n"
    )
    assert rst_table(graph) == (
        "+-------+-------+-------+--------+\n"
        "| State | Event | Guard | Target |\n"
        "+-------+-------+-------+--------+\n"
    )


def test_unknown_things_are_refused_like_extract_does():
    """Anything but a machine or a machine class is refused by `format()` with extract's
    error."""
    with pytest.raises(TypeError) as caught:
        formatter.render(42, "md")
    assert str(caught.value) == "Expected a StateChart instance or class, got <class 'int'>"
    assert caught.value.__notes__ == ["Cannot draw 42: pass a machine class or instance."]


# --- escaping --------------------------------------------------------------------------------


def test_markdown_escapes_pipes_and_backslashes():
    """`|` and `\\` are backslash-escaped, so they neither end a cell nor escape the next one."""
    row = markdown_table(_one_row("a|b\\c")).splitlines()[-1]
    assert row == "| a\\|b\\\\c | a\\|b\\\\c | a\\|b\\\\c | a\\|b\\\\c |"
    assert _md_cells(row) == ["a\\|b\\\\c"] * 4


def test_rst_escapes_inline_markup():
    """reST escapes `\\`, `|` (substitutions), `*`, backticks and a word-final `_` (references)."""
    lines = rst_table(_one_row("|x| *y* `z` go_ \\")).splitlines()
    cell = "\\|x\\| \\*y\\* \\`z\\` go\\_ \\\\"
    assert _rst_cells(lines[-2], lines[0]) == [cell] * 4


def test_underscores_inside_words_are_left_alone():
    """Identifiers like `ads_enabled` stay readable; only underscores at a word edge are escaped."""
    row = markdown_table(_one_row("ads_enabled __init__ a_")).splitlines()[-1]
    assert _md_cells(row)[0] == "ads_enabled \\_\\_init\\_\\_ a\\_"


def test_quotes_are_not_escaped():
    """Quotes are plain text in both formats."""
    name = "say 'hi' \"now\""
    assert _md_cells(markdown_table(_one_row(name)).splitlines()[-1])[0] == name
    assert name in rst_table(_one_row(name))


def test_rst_escapes_what_would_start_a_block():
    """A cell that would read as a list item, comment, field or literal-block marker is escaped."""
    names = ["- item", "1. one", "A. Einstein", ".. note:: x", ":field: y", "Name::"]
    table = rst_table(_with(_graph(*names), *(DiagramTransition(f"s{i}") for i in range(6))))
    cells = [line.split(" | ")[0][2:].rstrip() for line in table.splitlines()[3::2]]
    assert cells == [
        "\\- item",
        "\\1. one",
        "\\A. Einstein",
        "\\.. note:: x",
        "\\:field: y",
        "Name:\\:",
    ]


def test_rst_keeps_a_backslash_only_cell_from_reading_as_a_transition():
    """A cell of only backslashes starts with an escaped space, so docutils does not take the
    repeated character for a transition line."""
    lines = rst_table(_one_row("\\\\")).splitlines()
    assert _rst_cells(lines[-2], lines[0])[1:] == ["\\ \\\\\\\\"] * 3


def test_line_breaks_and_tabs_collapse_to_one_space():
    """Newlines (any Unicode line break) and tabs never break a row."""
    name = "two\nlines\r\nand\u2028more\tcols"
    md = markdown_table(_one_row(name))
    rst = rst_table(_one_row(name))
    assert len(md.splitlines()) == 3
    assert len(rst.splitlines()) == 5
    assert "two lines and more cols" in md.splitlines()[-1]
    assert "two lines and more cols" in rst.splitlines()[-2]


def test_wide_characters_take_two_columns():
    """Emoji and CJK count double, so every line of the table has the same display width."""
    graph = _with(
        _graph("🚦 light", "日本語", "été"),
        DiagramTransition("s0", ["s1"], "go"),
        DiagramTransition("s1", ["s2"], "ゆく"),
    )
    for table in (markdown_table(graph), rst_table(graph)):
        assert len({_width(line) for line in table.splitlines()}) == 1
    assert markdown_table(graph).splitlines()[2] == "| 🚦 light | go    |       | 日本語 |"


def test_decomposed_accents_are_composed():
    """Text is NFC-normalised, so `e` + combining acute is one character (docutils needs it)."""
    row = markdown_table(_one_row("cafe\u0301")).splitlines()[-1]
    assert _md_cells(row)[0] == "caf\u00e9"


def test_an_active_state_without_a_name_is_not_bolded():
    """An empty name stays empty rather than becoming `****`."""
    row = markdown_table(_one_row("", active=True), highlight_active=True).splitlines()[-1]
    assert _md_cells(row) == ["", "", "", ""]


def test_tables_parse_with_docutils():
    """docutils reads the reST table with no warnings, keeping the cells' text and the bold."""
    import docutils.core as core  # the dev extra installs docutils
    from docutils import nodes

    names = ["|x|", "go_", "- item", "A. Einstein", "Name::", "a\\b", "\\\\", "====", "🚦"]
    names += ["cafe\u0301", ".. note:: x", "`x`", "*s*", "x\ny"]
    graph = _with(
        _graph(*names, active=(0, 1)),
        *(DiagramTransition(f"s{i}", [f"s{i}"], n, [n]) for i, n in enumerate(names)),
    )
    table = rst_table(graph, highlight_active=True)
    doctree = core.publish_doctree(table, settings_overrides={"report_level": 5})
    assert not list(doctree.findall(nodes.system_message))
    rows = [[entry.astext() for entry in row.children] for row in doctree.findall(nodes.row)]
    expected = [unicodedata.normalize("NFC", " ".join(n.split())) for n in names]
    assert rows[1:] == [[n, n, n, n] for n in expected]
    assert [s.astext() for s in doctree.findall(nodes.strong)] == ["|x|", "go_"]


# --- structure over random names ---------------------------------------------------------------

_names = st.text(max_size=12)


@st.composite
def _graphs(draw: st.DrawFn) -> DiagramGraph:
    names = draw(st.lists(_names, min_size=1, max_size=5))
    ids = [f"s{i}" for i in range(len(names))]
    transitions = draw(
        st.lists(
            st.builds(
                DiagramTransition,
                source=st.sampled_from(ids),
                targets=st.lists(st.sampled_from(ids), max_size=2),
                event=_names,
                guards=st.lists(_names, max_size=2),
            ),
            max_size=6,
        )
    )
    graph = _graph(*names, active=tuple(draw(st.sets(st.integers(0, len(names) - 1)))))
    return _with(graph, *transitions)


def _expected_rows(graph: DiagramGraph) -> list[list[str]]:
    def clean(text: str) -> str:
        text = "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")
        text = " ".join(text.split())
        return unicodedata.normalize("NFC", text)

    names = {s.id: s.name for s in graph.states}
    active = graph.active
    rows = []
    for t in graph.transitions:
        state = clean(names[t.source])
        bold = t.source in active and state
        for target in t.targets or [""]:
            target_name = clean(names[target]) if target else ""
            rows.append([state, clean(t.event), clean(", ".join(t.guards)), target_name, bold])
    return rows


def _check_cells(cells: list[str], expected: list[str | bool]) -> None:
    *texts, bold = expected
    state = cells[0]
    if bold:
        assert state.startswith("**")
        assert state.endswith("**")
        state = state[2:-2]
    assert [_unescape(c) for c in (state, *cells[1:])] == texts


@given(_graphs())
def test_markdown_rows_keep_their_shape_for_any_names(graph):
    """Whatever the names, every line has four cells, the separator is well formed and every
    cell unescapes to its (one-line) text."""
    lines = markdown_table(graph, highlight_active=True).splitlines()
    expected = _expected_rows(graph)
    assert len(lines) == 2 + len(expected)
    assert _md_cells(lines[0]) == ["State", "Event", "Guard", "Target"]
    assert re.fullmatch(r"\|( -{3,} \|){4}", lines[1])
    assert len({_width(line) for line in lines}) == 1
    for line, row in zip(lines[2:], expected, strict=True):
        cells = _md_cells(line)
        assert len(cells) == 4
        _check_cells(cells, row)


@given(_graphs())
def test_rst_rows_keep_their_shape_for_any_names(graph):
    """Whatever the names, the grid lines up: rules and bars at the same columns on every line,
    a header separator after the header, and every cell unescapes to its text."""
    lines = rst_table(graph, highlight_active=True).splitlines()
    expected = _expected_rows(graph)
    border = lines[0]
    assert re.fullmatch(r"\+(-+\+){4}", border)
    assert len(lines) == 3 + 2 * len(expected)
    assert lines[2] == (border.replace("-", "=") if expected else border)
    assert lines[4::2] == [border] * len(expected)
    assert _rst_cells(lines[1], border) == ["State", "Event", "Guard", "Target"]
    for line, row in zip(lines[3::2], expected, strict=True):
        _check_cells(_rst_cells(line, border), row)
