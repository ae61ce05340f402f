"""Graphviz diagrams rendered for real: the SVG and PNG that `dot` draws from `DotGraphMachine`,
`format(sm, "svg")`, the Jupyter reprs and the DOT source, plus the errors raised when pydot or
Graphviz is missing.

The SVG checks read what Graphviz drew: each node is a ``<g class="node">`` whose ``<text>``
lines are its label (the display name first), each compound or parallel state a
``<g class="cluster">``.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import types
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pydot  # the dev extra installs it; .ci/run installs Graphviz
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_diagram_model import Player

from statemachine import Event, State, StateChart
from statemachine.contrib.diagram import (
    DotGraphMachine,
    GraphvizError,
    GraphvizNotFound,
    PydotNotInstalled,
    StateType,
    extract,
)
from statemachine.exceptions import StateMachineError

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
OUTLINES = {f"{SVG}ellipse", f"{SVG}polygon", f"{SVG}path"}
ACTIVE = "turquoise"


def needs_graphviz(test):
    """Marks tests that render with Graphviz's `dot` (installed by .ci/run: never skipped)."""
    return test


# --- reading the SVG ----------------------------------------------------------------------------
def parse(svg: str | bytes) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    """The ``<g class="node">`` (``kind="node"``), ``"cluster"`` or ``"edge"`` groups."""
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == kind]


def lines(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}text")]


def nodes_by_label(root: ET.Element) -> dict[str, ET.Element]:
    """Labelled nodes (initial points have no text) by their first label line."""
    return {lines(g)[0]: g for g in groups(root, "node") if lines(g)}


def clusters_by_label(root: ET.Element) -> dict[str, ET.Element]:
    """Labelled clusters (the invisible ones grouping a level's plain states have no text) by
    their first label line, the parallel glyph dropped."""
    return {lines(g)[0].removesuffix(" \u2637"): g for g in groups(root, "cluster") if lines(g)}


def squeeze(text: str) -> str:
    """Whitespace runs (no-break spaces included) as one space, none at the ends."""
    return " ".join(text.split())


def outlines(group: ET.Element) -> list[ET.Element]:
    return [e for e in group if e.tag in OUTLINES]


def dot_to_svg(source: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["dot", "-Tsvg"], input=source.encode("utf-8"), capture_output=True, timeout=60
    )


def configured_player() -> Player:
    sm = Player()
    sm.send("configure")  # settings, audio.loud and video.hd active
    return sm


# --- SVG ----------------------------------------------------------------------------------------
@needs_graphviz
def test_every_state_is_drawn_with_its_display_name():
    """Atomic and final states are nodes labelled with their display name, compound and
    parallel states clusters labelled with theirs, history states `H` / `H*` circles."""
    root = parse(DotGraphMachine(Player).create("svg"))
    nodes, clusters = nodes_by_label(root), clusters_by_label(root)
    model = extract(Player)
    for state in model.walk():
        if state.is_compound:
            assert state.name in clusters, state.id
        elif state.type in (StateType.REGULAR, StateType.FINAL):
            assert state.name in nodes, state.id
    for label in ("H", "H*"):
        (circle,) = outlines(nodes[label])
        assert circle.tag == f"{SVG}ellipse"
        assert circle.get("rx") == circle.get("ry")
    history = [s for s in model.walk() if s.type.name.startswith("HISTORY")]
    labelled = [g for g in groups(root, "node") if lines(g) in (["H"], ["H*"])]
    assert len(labelled) == len(history) == 2


@needs_graphviz
def test_entry_and_exit_actions_are_label_lines():
    """A state's entry and exit actions are drawn under its name."""
    nodes = nodes_by_label(parse(DotGraphMachine(Player).create("svg")))
    assert lines(nodes["Ad"]) == ["Ad", "exit / log_ad"]
    assert lines(nodes["Stopped"]) == ["Stopped", "entry / on_enter_stopped"]


@needs_graphviz
def test_one_cluster_per_compound_and_parallel_state():
    """Each compound and parallel state is one labelled cluster; the regions of a parallel
    state are dashed, and its label ends with the parallel glyph."""
    root = parse(DotGraphMachine(Player).create("svg"))
    containers = {s.name: s.is_parallel_area for s in extract(Player).walk() if s.is_compound}
    clusters = clusters_by_label(root)
    assert len(clusters) == len(containers) == 4
    assert set(clusters) == set(containers)
    for name, region in containers.items():
        (border,) = outlines(clusters[name])
        dashed = border.get("stroke-dasharray") is not None
        assert dashed is region, name
    assert [squeeze(line) for line in lines(clusters["Settings"])] == ["Settings", "\u2637"]


@needs_graphviz
def test_final_states_have_a_double_border():
    """A final state is drawn with two outlines, any other state with one."""
    nodes = nodes_by_label(parse(DotGraphMachine(Player).create("svg")))
    # (A state with actions also has the rule under its name, a polygon.)
    assert [e.tag for e in outlines(nodes["Stopped"])].count(f"{SVG}path") == 2
    for name in ("Track", "Ad", "Loud", "Quiet", "Hd"):
        assert [e.tag for e in outlines(nodes[name])].count(f"{SVG}path") == 1, name


def _fills(root: ET.Element) -> dict[str, set[str]]:
    return {
        label: {e.get("fill", "") for e in outlines(g)} for label, g in nodes_by_label(root).items()
    }


@needs_graphviz
@pytest.mark.parametrize(
    "render",
    [
        pytest.param(lambda sm: DotGraphMachine(sm).create("svg"), id="create"),
        pytest.param(lambda sm: format(sm, "svg"), id="format"),
        pytest.param(lambda sm: f"{sm:svg}", id="f-string"),
        pytest.param(lambda sm: sm._repr_svg_(), id="repr_svg"),
    ],
)
def test_active_states_are_filled_and_the_others_are_not(render):
    """In an instance's diagram exactly the active leaves are filled with the active colour,
    the other states white."""
    root = parse(render(configured_player()))
    fills = _fills(root)
    filled = {label for label, colours in fills.items() if ACTIVE in colours}
    assert filled == {"Loud", "Hd"}
    for label in set(fills) - filled:
        assert fills[label] <= {"none", "black", "white"}, label


@needs_graphviz
def test_a_class_diagram_fills_nothing():
    """A class has no active state: no node is filled."""
    svg = format(Player, "svg")
    assert ACTIVE not in svg
    assert all(ACTIVE not in colours for colours in _fills(parse(svg)).values())


@needs_graphviz
def test_edges_show_events_and_guards():
    """Edges carry the events' display names, then the guards in brackets (`unless` ones
    negated with `!`); internal transitions are not edges."""
    root = parse(DotGraphMachine(Player).create("svg"))
    labels = {" ".join(lines(g)) for g in groups(root, "edge")} - {""}
    assert labels == {
        "Stop",
        "Configure",
        "Back",
        "Resume",
        "Turn down",
        "Interrupt [ads_enabled, !premium]",
        "[In('settings') and ads_enabled]",
    }


# --- PNG ----------------------------------------------------------------------------------------
@needs_graphviz
def test_png_has_the_signature_and_a_sane_size():
    """`create("png")` gives a PNG: the 8-byte signature, then an IHDR chunk whose width and
    height are those of a drawing of a dozen states."""
    data = DotGraphMachine(configured_player()).create("png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert (length, chunk) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    assert 200 <= width <= 5000
    assert 100 <= height <= 5000
    assert data.endswith(b"IEND\xaeB`\x82")


# --- the pydot graph and the Jupyter reprs ------------------------------------------------------
@needs_graphviz
def test_graph_returns_a_pydot_dot_that_renders():
    """`sm._graph()` is a `pydot.Dot` (write_svg, set_dpi, ...), active states filled."""
    graph = configured_player()._graph()
    assert isinstance(graph, pydot.Dot)
    assert "turquoise" in graph.to_string()
    graph.set_dpi(50)
    root = parse(graph.create_svg())
    assert {"Loud", "Hd"} <= set(nodes_by_label(root))


@needs_graphviz
def test_repr_html_wraps_the_svg_in_a_div():
    """Jupyter's HTML repr is `<div class="statemachine">` around the SVG repr."""
    sm = configured_player()
    html = sm._repr_html_()
    prefix, suffix = '<div class="statemachine">', "</div>"
    assert html.startswith(prefix)
    assert html.endswith(suffix)
    inner = html[len(prefix) : -len(suffix)]
    assert inner == sm._repr_svg_()
    assert "Loud" in nodes_by_label(parse(inner))


# --- DOT source ---------------------------------------------------------------------------------
@needs_graphviz
@pytest.mark.parametrize("obj", [Player, configured_player()], ids=["class", "instance"])
def test_dot_source_is_accepted_by_graphviz(obj):
    """`f"{Cls:dot}"` (and an instance's) is DOT that `dot -Tsvg` renders with exit status 0,
    without warnings about cluster clipping (`lhead`/`ltail` containing the other end)."""
    source = f"{obj:dot}"
    assert source.startswith("digraph")
    done = dot_to_svg(source)
    assert done.returncode == 0, done.stderr.decode()
    assert b"cluster" not in done.stderr, done.stderr.decode()
    parse(done.stdout)


@needs_graphviz
def test_edges_between_a_compound_and_its_own_children_render_cleanly():
    """Transitions from a compound to its child, from a child to its parent, and a loop on a
    compound are drawn without clipping at a cluster that holds both ends."""

    class Nested(StateChart):
        class outer(State.Compound, initial=True):
            inner = State(initial=True)
            other = State()
            hop = inner.to(other)

        down = outer.to(outer.other)
        up = outer.inner.to(outer)
        again = outer.to.itself()

    source = format(Nested, "dot")
    done = dot_to_svg(source)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Warning" not in done.stderr, done.stderr.decode()


def test_building_a_graph_never_instantiates_the_machine():
    """A class is drawn from its definition: its `__init__` is never run."""

    class Fragile(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise AssertionError("instantiated")

    assert "digraph" in format(Fragile, "dot")


# --- missing dependencies -----------------------------------------------------------------------
def test_missing_pydot_is_the_references_module_not_found_error_with_a_hint(monkeypatch):
    """Without pydot, building a graph raises PydotNotInstalled, a ModuleNotFoundError with
    Python's own message; a note tells how to install the `diagrams` extra."""
    monkeypatch.setitem(sys.modules, "pydot", None)
    builders = [
        lambda: DotGraphMachine(Player).get_graph(),
        lambda: DotGraphMachine(Player)(),
        lambda: configured_player()._graph(),
        lambda: format(Player, "dot"),
    ]
    for build in builders:
        with pytest.raises(PydotNotInstalled) as info:
            build()
        assert isinstance(info.value, ModuleNotFoundError)
        assert str(info.value) == "No module named 'pydot'"
        assert info.value.name == "pydot"
        (note,) = info.value.__notes__
        assert "pip install pydot" in note
        assert "pip install -e '.[diagrams]'" in note


def test_missing_dot_program_raises_graphviz_not_found(monkeypatch):
    """Without Graphviz's `dot` on the PATH, rendering raises GraphvizNotFoundError (a
    FileNotFoundError and a StateMachineError) with the reference's message; a note says how
    to install it."""
    monkeypatch.setenv("PATH", "")
    sm = configured_player()
    renderers = [
        lambda: DotGraphMachine(sm).create("svg"),
        lambda: DotGraphMachine(Player).create("png"),
        lambda: format(sm, "svg"),
        lambda: sm._repr_svg_(),
        lambda: sm._repr_html_(),
    ]
    for render in renderers:
        with pytest.raises(GraphvizNotFound) as info:
            render()
        assert isinstance(info.value, FileNotFoundError)
        assert isinstance(info.value, StateMachineError)
        assert str(info.value) == (
            "'dot' not found in PATH. Install Graphviz from https://graphviz.org/download/ "
            "to generate diagrams."
        )
        (note,) = info.value.__notes__
        assert "apt-get install graphviz" in note


def test_graphviz_failures_carry_its_message():
    """An unknown image format makes `dot` fail: GraphvizError names the command and the exit
    status and repeats what Graphviz said."""
    with pytest.raises(GraphvizError) as info:
        DotGraphMachine(Player).create("nope")
    assert not isinstance(info.value, GraphvizNotFound)
    first, *rest = str(info.value).split("\n")
    assert first == "dot -Tnope failed with exit code 1."
    assert "nope" in " ".join(rest)


def test_the_text_dot_format_needs_no_graphviz(monkeypatch):
    """The 'dot' text format only needs pydot, not the `dot` program."""
    monkeypatch.setenv("PATH", "")
    assert format(Player, "dot").startswith("digraph Player {")


@needs_graphviz
def test_non_ascii_names_render_whatever_the_locale():
    """The DOT input is handed to Graphviz as UTF-8 even when the locale is ASCII."""
    code = (
        "import sys\n"
        "from statemachine import State, StateChart\n"
        "from statemachine.contrib.diagram import DotGraphMachine\n"
        "class M(StateChart):\n"
        "    a = State(name='caf\\u00e9 \\u201cq\\u201d \\U0001f389', initial=True)\n"
        "sys.stdout.buffer.write(DotGraphMachine(M).create('svg'))\n"
    )
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    env["PYTHONCOERCECLOCALE"] = "0"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=env, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert "caf\u00e9 \u201cq\u201d \U0001f389" in nodes_by_label(parse(done.stdout))


@needs_graphviz
def test_entity_like_names_are_drawn_literally():
    """Graphviz decodes `&amp;`, `&#65;` and the like in labels: a name that contains one is
    still drawn as written."""

    class Entities(StateChart):
        a = State(name="Tom &amp; Jerry", initial=True)
        b = State(name="&#65; &lt;b&gt; & co")
        go = a.to(b)

    nodes = nodes_by_label(parse(DotGraphMachine(Entities).create("svg")))
    assert {"Tom &amp; Jerry", "&#65; &lt;b&gt; & co"} <= set(nodes)


# --- customisation ------------------------------------------------------------------------------
@needs_graphviz
def test_subclass_attributes_customise_the_drawing():
    """Class attributes of a DotGraphMachine subclass change the drawing."""

    class Custom(DotGraphMachine):
        state_active_fillcolor = "orange"
        state_active_penwidth = 3
        font_name = "Courier"
        graph_rankdir = "TB"

    sm = configured_player()
    root = parse(Custom(sm).create("svg"))
    fills = _fills(root)
    assert {label for label, colours in fills.items() if "orange" in colours} == {"Loud", "Hd"}
    assert all(ACTIVE not in colours for colours in fills.values())
    loud = outlines(nodes_by_label(root)["Loud"])[0]
    assert loud.get("stroke-width") == "3"
    fonts = {t.get("font-family", "") for t in root.iter(f"{SVG}text")}
    assert fonts
    assert all(f.startswith("Courier") for f in fonts)
    assert "rankdir=TB" in Custom(sm).get_graph().to_string()


# --- any names ----------------------------------------------------------------------------------
AWKWARD = [
    " ",
    "  ",
    '"',
    "'",
    "\u201c",
    "\u201d",
    "\u2018",
    "\u2019",
    "<",
    ">",
    "&",
    "&amp;",
    "<b>",
    "{",
    "}",
    "[",
    "]",
    "|",
    "\\",
    "\\n",
    "\\l",
    "\\N",
    "\\G",
    "\n",
    "\r\n",
    "\t",
    ";",
    "=",
    "->",
    "--",
    "#",
    "%",
    "é",
    "ß",
    "漢字",
    "€",
    "🎉",
    "👩\u200d💻",
    "🇧🇷",
]
labels = st.lists(
    st.one_of(
        st.sampled_from(AWKWARD),
        st.characters(categories=["L", "N", "P", "S", "Zs"]),
    ),
    min_size=1,
    max_size=8,
).map("".join)
identifier_tails = (
    st.text(st.characters(categories=["L", "Nd"]), max_size=6)
    .map(lambda s: unicodedata.normalize("NFKC", s))
    .filter(lambda s: ("x" + s).isidentifier())
)


@st.composite
def awkward_charts(draw: Any) -> type[StateChart]:
    """A chart with a compound and 1-3 other states, every name, event name, event id, guard
    and action drawn at random (ids are identifiers; names anything)."""
    n_top = draw(st.integers(1, 3))
    names = draw(st.lists(labels, min_size=n_top + 3, max_size=n_top + 3))
    tails = draw(st.lists(identifier_tails, min_size=n_top + 2, max_size=n_top + 2, unique=True))
    kid1 = State(name=names[0], initial=True, enter=f"act_{tails[0]}")
    kid2 = State(name=names[1], final=draw(st.booleans()))
    comp = State(name=names[2], states=[kid1, kid2], initial=True)
    tops = [State(name=n) for n in names[3:]]
    ns: dict[str, Any] = {"comp": comp, "kid1": kid1, "kid2": kid2}
    ns.update({f"top{i}": s for i, s in enumerate(tops)})
    ns[f"act_{tails[0]}"] = lambda self: None
    ns[f"ev_{tails[0]}"] = Event(kid1.to(kid2), name=names[0])
    ring = [comp, *tops]
    for i, tail in enumerate(tails[1:]):
        source, target = ring[i], ring[(i + 1) % len(ring)]
        event = Event(source.to(target, cond=f"g_{tail}"), name=names[i + 2])
        ns[f"ev_{tail}"] = event
        ns[f"g_{tail}"] = True
    ns["validate_disconnected_states"] = False
    name = draw(labels)
    return types.new_class(name, (StateChart,), exec_body=lambda body: body.update(ns))


@needs_graphviz
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(awkward_charts())
def test_any_names_give_dot_that_graphviz_accepts(chart):
    """Whatever the display names, event names and ids, guard and action names, the DOT source
    is accepted by `dot -Tsvg`, the SVG is well-formed XML and every state's name is drawn."""
    source = DotGraphMachine(chart()).get_graph().to_string()
    done = dot_to_svg(source)
    assert done.returncode == 0, (source, done.stderr.decode(errors="replace"))
    root = parse(done.stdout)
    texts = [line for g in groups(root, "node") + groups(root, "cluster") for line in lines(g)]
    drawn = [squeeze(t) for t in texts]  # Graphviz writes a run of spaces as " \xa0"
    for state in extract(chart).walk():
        # Labels of states with actions, and of clusters, are HTML-like: one line, and the
        # characters XML cannot hold replaced.
        if state.is_compound or state.actions:
            shown = [re.sub("[\x00-\x08\x0e-\x1b\ud800-\udfff\ufffe\uffff]", "\ufffd", state.name)]
        else:
            shown = state.name.replace("\r\n", "\n").split("\n")
        for line in shown:
            assert any(squeeze(line) in t for t in drawn), (state.name, texts)


def test_internal_transitions_with_actions_are_listed_inside_their_state():
    """An internal transition with actions is a line `Event / actions` of its state's node,
    never a loop edge; one without actions is not drawn."""
    from statemachine import State, StateMachine

    class Editor(StateMachine):
        editing = State(initial=True)
        saved = State()
        type_key = editing.to.itself(internal=True, on="insert")
        blink = editing.to.itself(internal=True)
        save = editing.to(saved)
        edit = saved.to(editing)

        def insert(self):
            pass

    source = DotGraphMachine(Editor)().to_string()
    assert not any(
        "->" in line and ("Type key" in line or "Blink" in line) for line in source.splitlines()
    )
    root = parse(DotGraphMachine(Editor).create("svg"))
    assert lines(nodes_by_label(root)["Editing"]) == ["Editing", "Type key / insert"]
    assert "Blink" not in source


# --- edges into and out of clusters ---------------------------------------------------------------
class Studio(StateChart):
    """Edges into and out of a parallel state, into and out of one of its regions, and from
    the parallel state to a state inside it."""

    idle = State(initial=True)

    class recording(State.Parallel):
        class mic(State.Compound):
            muted = State(initial=True)
            live = State()
            unmute = muted.to(live)

        class cam(State.Compound):
            off = State(initial=True)
            on = State()
            switch_on = off.to(on)

    start = idle.to(recording)
    stop = recording.to(idle)
    tune = idle.to(recording.mic)
    drop = recording.cam.to(idle)
    reset = recording.to(recording.mic.muted)


def _label_words(edge: Any) -> list[str]:
    """The words of an edge's label, without its markup or quotes."""
    return re.sub(r"<[^>]*>|\"", " ", edge.get("label") or "").split()


def _edges(graph: Any) -> dict[str, tuple[str, str, str | None, str | None]]:
    """{first word of the label: (tail, head, lhead, ltail)} of the labelled edges of a pydot
    graph."""
    found = {}
    for edge in graph.get_edges():
        label = _label_words(edge)
        if label:
            found[label[0]] = (
                edge.get_source(),
                edge.get_destination(),
                edge.get("lhead"),
                edge.get("ltail"),
            )
    return found


def _subgraph(graph: Any, name: str) -> Any:
    """The subgraph called ``name`` at any depth of ``graph``."""
    for sub in graph.get_subgraphs():
        if sub.get_name() == name:
            return sub
        found = _subgraph(sub, name)
        if found is not None:
            return found
    return None


def _node_names(graph: Any) -> set[str]:
    """The nodes of ``graph`` and of all its subgraphs."""
    names = {n.get_name() for n in graph.get_nodes()}
    for sub in graph.get_subgraphs():
        names |= _node_names(sub)
    return names


def test_edges_at_a_cluster_end_at_its_anchor_and_are_clipped_at_its_border():
    """An edge into or out of a compound or parallel state runs from or to an invisible
    anchor node inside its cluster, and `lhead` / `ltail` clip it at the cluster's border,
    unless the other end lies inside that cluster."""
    graph = DotGraphMachine(Studio)()
    assert _edges(graph) == {
        # `recording` has edges both in and out: one anchor for each way.
        "Start": ("idle", "recording_anchor_in", '"cluster_recording"', None),
        "Stop": ("recording_anchor_out", "idle", None, '"cluster_recording"'),
        # A region's edges, one way each: a single anchor.
        "Tune": ("idle", "mic_anchor", '"cluster_mic"', None),
        "Drop": ("cam_anchor", "idle", None, '"cluster_cam"'),
        # The target is inside `recording`: no clipping at its border.
        "Reset": ("recording_anchor_out", "muted", None, None),
        "Unmute": ("muted", "live", None, None),
        "Switch": ("off", "on", None, None),
    }
    for cluster, anchors in [
        ("cluster_recording", {"recording_anchor_in", "recording_anchor_out"}),
        ("cluster_mic", {"mic_anchor"}),
        ("cluster_cam", {"cam_anchor"}),
    ]:
        assert anchors <= _node_names(_subgraph(graph, cluster)), cluster
    assert "idle" not in _node_names(_subgraph(graph, "cluster_recording"))


def test_edges_of_a_compound_state_use_its_anchors():
    """A compound (non-parallel) state gets the same treatment: one anchor when its edges go
    one way, `_in` and `_out` anchors when they go both ways."""
    graph = DotGraphMachine(Player)()
    edges = _edges(graph)
    assert edges["Stop"] == ("playing_anchor", "stopped", None, '"cluster_playing"')
    assert edges["Configure"] == (
        "playing_anchor",
        "settings_anchor_in",
        '"cluster_settings"',
        '"cluster_playing"',
    )
    assert edges["Back"] == ("settings_anchor_out", "h", None, '"cluster_settings"')
    # The machine's initial point enters `playing` through its anchor too.
    (initial,) = [e for e in graph.get_edges() if e.get_source() == "__initial"]
    assert (initial.get_destination(), initial.get("lhead")) == (
        "playing_anchor",
        '"cluster_playing"',
    )


def test_edges_are_written_at_the_top_level_of_the_graph():
    """Transitions are edges of the graph itself, never of a cluster (an edge inside a cluster
    would pull its far end into it); clusters hold only their initial arrows."""
    graph = DotGraphMachine(Studio)()
    assert set(_edges(graph)) == {"Start", "Stop", "Tune", "Drop", "Reset", "Unmute", "Switch"}

    def labelled_edges(sub: Any) -> list[Any]:
        inner = [e for e in sub.get_edges() if _label_words(e)]
        return inner + [e for s in sub.get_subgraphs() for e in labelled_edges(s)]

    assert [e for s in graph.get_subgraphs() for e in labelled_edges(s)] == []


@needs_graphviz
def test_clipped_edges_render_without_warnings():
    """Graphviz draws the anchors' edges without a warning (a warning says `lhead` or `ltail`
    names a cluster that holds the other end, or that a node sits in two clusters)."""
    done = dot_to_svg(format(Studio, "dot"))
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""
    assert {"Recording", "Mic", "Cam"} <= set(clusters_by_label(parse(done.stdout)))


@needs_graphviz
def test_a_bracket_right_after_markup_is_accepted_by_graphviz():
    """A name that is `]` (Graphviz's lexer rejects `]` just after a tag in an HTML-like
    label) is drawn: square brackets go out as character references. Found by Hypothesis."""
    from statemachine import State, StateChart

    class Chart(StateChart):
        class comp(State.Compound, name="]"):
            kid = State("[", enter="act")
            other = State()
            hop = kid.to(other)

        top = State()
        leave = comp.to(top)
        back = top.to(comp)

        def act(self):
            pass

    done = dot_to_svg(DotGraphMachine(Chart()).get_graph().to_string())
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    texts = [t for g in groups(parse(done.stdout), "cluster") for t in lines(g)]
    assert "]" in texts
