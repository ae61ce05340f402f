"""Graphviz diagrams through pydot (the ``diagrams`` extra), drawn from the diagram model.

:class:`DotRenderer` turns a :class:`~statemachine.contrib.diagram.model.DiagramGraph` into a
``pydot.Dot``; :class:`DotGraphMachine` does the same for a machine class or instance and is
customised by subclassing. pydot is imported when a graph is built, never at import time.

The graph is named after the machine class and its node ids are the state ids:

* atomic states are rounded boxes (a double border for final states, filled when active),
  with a compartment listing their entry and exit actions and their internal transitions;
* a compound state is a cluster ``cluster_<id>`` labelled with its name in bold and its
  actions, holding its initial point; a parallel state's label ends with ``☷`` and its
  regions are dashed clusters;
* history states are ``H`` / ``H*`` circles;
* an edge into or out of a cluster ends at an invisible anchor node inside it (``<id>_anchor``,
  or ``<id>_anchor_in`` and ``<id>_anchor_out`` when edges go both ways) and is clipped at
  the cluster's border with ``lhead`` / ``ltail``;
* an edge label is the event's display name, with the guards below it as ``[g1, g2]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any, cast

from statemachine.contrib.diagram._notes import add_note
from statemachine.contrib.diagram.extract import extract
from statemachine.contrib.diagram.graphviz import run_graphviz
from statemachine.contrib.diagram.model import (
    ActionType,
    DiagramAction,
    DiagramGraph,
    DiagramState,
    DiagramTransition,
    StateType,
)

if TYPE_CHECKING:
    import pydot

__all__ = ["DotGraphMachine", "DotRenderer", "DotRendererConfig", "PydotNotInstalled", "quote"]

# The label glyph of a parallel state (U+2637, "trigram for earth"), as an HTML entity.
PARALLEL_GLYPH = "&#9783;"


class PydotNotInstalled(ModuleNotFoundError):
    """pydot, needed for Graphviz diagrams, is not installed."""

    def __init__(self) -> None:
        super().__init__("No module named 'pydot'", name="pydot")
        add_note(
            self,
            "Graphviz diagrams need pydot: pip install pydot (or install this package with "
            "its `diagrams` extra: pip install -e '.[diagrams]' from a checkout). Text "
            "formats such as 'mermaid' and 'md' work without it.",
        )


def _pydot() -> Any:
    try:
        import pydot
    except ImportError:
        raise PydotNotInstalled() from None
    return pydot


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as ``\\n``, and
    ``&`` as ``&amp;`` (Graphviz decodes entities such as ``&amp;`` or ``&#65;`` in labels).

    >>> print(quote('Tom "&amp;" Jerry'))
    "Tom \\"&amp;amp;\\" Jerry"
    """
    escaped = text.replace("&", "&amp;")
    escaped = escaped.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{escaped}"'


# DOT keywords: pydot leaves some of them unquoted as node names (`node`, `graph`), where
# Graphviz would read them as statements.
_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _value(text: str) -> str:
    """``text`` as a DOT id: bare when it is a plain identifier, else quoted."""
    if _PLAIN.match(text) and text.lower() not in _KEYWORDS:
        return text
    return quote(text)


# Characters XML (and so an HTML-like label) cannot hold, even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1b\ud800-\udfff\ufffe\uffff]")


def _html(text: str) -> str:
    """``text`` for an HTML-like label: markup escaped, line breaks and tabs as spaces (an
    HTML-like label drops them), characters XML cannot hold as U+FFFD, and backslashes
    doubled (Graphviz would read ``\\G`` and the like as the graph's name), and square
    brackets as character references (Graphviz's lexer rejects ``]`` just before a closing
    tag, as in ``<b>]</b>``)."""
    text = _NOT_XML.sub("\ufffd", re.sub(r"[^\S ]", " ", text))
    escaped = escape(text, quote=False).replace("\\", "\\\\")
    return escaped.replace("[", "&#91;").replace("]", "&#93;")


@dataclass
class DotRendererConfig:
    """How :class:`DotRenderer` draws: fonts, sizes, colours, and extra Graphviz attributes
    (``graph_attrs``, ``node_attrs``, ``edge_attrs``) added to the graph-wide defaults."""

    graph_rankdir: str = "LR"
    font_name: str = "Helvetica"
    state_font_size: str = "12"
    state_active_penwidth: int = 2
    state_active_fillcolor: str = "turquoise"
    transition_font_size: str = "10"
    graph_attrs: dict[str, str] = field(default_factory=dict)
    node_attrs: dict[str, str] = field(default_factory=dict)
    edge_attrs: dict[str, str] = field(default_factory=dict)


class DotRenderer:
    """Draws a :class:`~statemachine.contrib.diagram.model.DiagramGraph` as a ``pydot.Dot``.

    >>> from statemachine.contrib.diagram.model import DiagramGraph, DiagramState, StateType
    >>> from statemachine.contrib.diagram.model import DiagramTransition
    >>> graph = DiagramGraph(
    ...     "Door",
    ...     states=[DiagramState("closed", "Closed", StateType.REGULAR, is_initial=True),
    ...             DiagramState("opened", "Opened", StateType.REGULAR)],
    ...     transitions=[DiagramTransition("closed", ["opened"], event="Open")])
    >>> dot = DotRenderer().render(graph)
    >>> dot.get_name(), [e.get_destination() for e in dot.get_edges()]
    ('Door', ['closed', 'opened'])
    """

    def __init__(self, config: DotRendererConfig | None = None) -> None:
        self.config = config or DotRendererConfig()

    def render(self, graph: DiagramGraph) -> pydot.Dot:
        """The whole diagram as a ``pydot.Dot`` named after the machine."""
        lib = _pydot()
        c = self.config
        dot = lib.Dot(
            _value(graph.name),
            graph_type="digraph",
            label=_value(graph.name),
            rankdir=c.graph_rankdir,
            fontname=_value(c.font_name),
            fontsize=c.state_font_size,
            penwidth="2.0",
            splines="true",
            ordering="out",
            compound="true",
            nodesep="0.3",
            ranksep="0.3",
            forcelabels="true",
            **c.graph_attrs,
        )
        dot.set_node_defaults(
            fontname=_value(c.font_name), fontsize=c.state_font_size, penwidth="2.0", **c.node_attrs
        )
        dot.set_edge_defaults(
            fontname=_value(c.font_name),
            fontsize=c.transition_font_size,
            labeldistance="1.5",
            **c.edge_attrs,
        )
        self._draw(lib, graph, dot)
        return cast("pydot.Dot", dot)

    # --- the parts ----------------------------------------------------------------------------
    def _node_id(self, state_id: str) -> str:
        """The Graphviz id of a state's node (and the suffix of its cluster's name), before
        quoting."""
        return state_id

    def _scope_id(self, owner: DiagramState | None) -> str:
        """The suffix of the names of one level's initial point and atomic group: the owner's
        node id; empty at the top level."""
        return self._node_id(owner.id) if owner else ""

    def _draw(self, pydot: Any, graph: DiagramGraph, parent: Any) -> None:
        """Add every state of ``graph`` and every edge to ``parent`` (a graph or cluster)."""
        self._graph = graph
        self._states = {s.id: s for s in graph.walk()}
        self._scope(pydot, parent, graph.states, owner=None)
        # Edges go at the top: an edge written inside a cluster would pull its other end
        # into that cluster.
        for transition in graph.transitions:
            if transition.is_initial or transition.is_internal:
                continue
            for target in transition.targets or [transition.source]:
                parent.add_edge(self._edge(pydot, transition, target))

    def _scope(
        self, pydot: Any, parent: Any, children: list[DiagramState], owner: DiagramState | None
    ) -> None:
        """The states of one level: clusters for compound children, the others in an
        invisible cluster that keeps them together, the level's initial point and arrow,
        and the owner's anchors."""
        scope = self._scope_id(owner)
        for child in children:
            if child.is_compound:
                parent.add_subgraph(self._cluster(pydot, child))
        atomic = [c for c in children if not c.is_compound]
        group = pydot.Cluster(
            f"__atomic_{scope}" if scope else "__atomic",
            label='""',
            peripheries="0",
            margin="0",
            cluster="true",
        )
        initial = next((c for c in children if c.is_initial), None)
        if owner is not None and owner.type is StateType.PARALLEL:
            initial = None
        if initial is not None:
            point = pydot.Node(
                f"__initial_{scope}" if scope else "__initial",
                label='""',
                shape="circle",
                style="filled",
                fillcolor="black",
                color="black",
                fixedsize="true",
                width="0.15",
                height="0.15",
                penwidth="0",
            )
            if atomic and not initial.is_compound and owner is not None:
                group.add_node(point)
            else:
                holder = pydot.Subgraph(
                    f"{point.get_name()}_sg", label='""', peripheries="0", margin="0"
                )
                holder.add_node(point)
                parent.add_subgraph(holder)
            arrow = {"label": '""', "minlen": "1", "weight": "100"}
            head = _value(self._node_id(initial.id))
            if initial.is_compound:
                head = self._anchor(initial, "in")
                arrow["lhead"] = quote(f"cluster_{self._node_id(initial.id)}")
            parent.add_edge(pydot.Edge(_value(point.get_name()), head, **arrow))
        for child in atomic:
            group.add_node(self._node(pydot, child))
        anchors = [self._anchor_node(pydot, name) for name in self._anchors(owner)]
        if atomic:
            for anchor in anchors:
                group.add_node(anchor)
            parent.add_subgraph(group)
        else:
            for anchor in anchors:
                parent.add_node(anchor)

    def _cluster(self, pydot: Any, state: DiagramState) -> Any:
        c = self.config
        label = f"<b>{_html(state.name)}</b>"
        if state.type is StateType.PARALLEL:
            label += f" {PARALLEL_GLYPH}"
        for action in state.actions:
            text = _html(_action_text(action))
            label += f'<br/><font point-size="{c.transition_font_size}">{text}</font>'
        cluster = pydot.Cluster(
            self._node_id(state.id),
            label=f"<{label}>",
            style=quote("rounded, dashed" if state.is_parallel_area else "rounded, solid"),
            cluster="true",
            penwidth="2.0",
            fontname=_value(c.font_name),
            fontsize=c.state_font_size,
            margin="4",
        )
        self._scope(pydot, cluster, state.children, owner=state)
        return cluster

    def _node(self, pydot: Any, state: DiagramState) -> Any:
        c = self.config
        name = _value(self._node_id(state.id))
        if state.type in (StateType.HISTORY_SHALLOW, StateType.HISTORY_DEEP):
            return pydot.Node(
                name,
                label=quote("H*" if state.type is StateType.HISTORY_DEEP else "H"),
                shape="circle",
                style="filled",
                fillcolor="white",
                fontname=_value(c.font_name),
                fontsize=quote("8pt"),
                fixedsize="true",
                width="0.3",
                height="0.3",
            )
        attrs: dict[str, Any] = {
            "label": _value(state.name),
            "shape": "rectangle",
            "style": quote("rounded, filled"),
            "fontname": _value(c.font_name),
            "fontsize": c.state_font_size,
            "fillcolor": c.state_active_fillcolor if state.is_active else "white",
            "penwidth": c.state_active_penwidth if state.is_active else 2,
        }
        if state.actions:
            attrs["label"] = self._compartments(state)
            attrs["margin"] = "0"
        attrs["peripheries"] = 2 if state.type is StateType.FINAL else 1
        return pydot.Node(name, **attrs)

    def _compartments(self, state: DiagramState) -> str:
        """An HTML-like label: the name, a rule, and one line per action."""
        c = self.config
        actions = "<br/>".join(
            f'<font point-size="{c.transition_font_size}">{_html(_action_text(a))}</font>'
            for a in state.actions
        )
        return (
            '<<table border="0" cellborder="0" cellspacing="0" cellpadding="0">'
            f'<tr><td cellpadding="4"><font point-size="{c.state_font_size}">'
            f"{_html(state.name)}</font></td></tr><hr/>"
            f'<tr><td align="left" cellpadding="6">{actions}</td></tr></table>>'
        )

    def _anchors(self, state: DiagramState | None) -> list[str]:
        if state is None:
            return []
        if state.id in self._graph.bidirectional_compound_ids:
            return [self._anchor(state, "in"), self._anchor(state, "out")]
        return [self._anchor(state, "in")]

    def _anchor(self, state: DiagramState, direction: str) -> str:
        """The invisible node an edge into (``in``) or out of (``out``) a cluster ends at."""
        base = f"{self._node_id(state.id)}_anchor"
        if state.id in self._graph.bidirectional_compound_ids:
            return _value(f"{base}_{direction}")
        return _value(base)

    @staticmethod
    def _anchor_node(pydot: Any, name: str) -> Any:
        return pydot.Node(
            name, shape="point", style="invis", width="0", height="0", fixedsize="true"
        )

    def _within(self, state_id: str, ancestor_id: str) -> bool:
        """Whether ``state_id`` is ``ancestor_id`` or one of its descendants."""
        return any(s.id == state_id for s in self._states[ancestor_id].walk())

    def _edge(self, pydot: Any, transition: DiagramTransition, target_id: str) -> Any:
        source = self._states.get(transition.source)
        target = self._states.get(target_id)
        tail = _value(self._node_id(transition.source))
        head = _value(self._node_id(target_id))
        attrs: dict[str, Any] = {"label": self._edge_label(transition), "minlen": "1"}
        # Clip at a cluster's border only when the other end lies outside that cluster
        # (Graphviz ignores, with a warning, an lhead/ltail that contains the other end).
        if source is not None and source.is_compound:
            tail = self._anchor(source, "out")
            attrs["minlen"] = "2"
            if not self._within(target_id, source.id):
                attrs["ltail"] = quote(f"cluster_{self._node_id(source.id)}")
        if target is not None and target.is_compound:
            head = self._anchor(target, "in")
            attrs["minlen"] = "2"
            if not self._within(transition.source, target.id):
                attrs["lhead"] = quote(f"cluster_{self._node_id(target.id)}")
        if not transition.targets:
            attrs["style"] = "dashed"
        return pydot.Edge(tail, head, **attrs)

    def _edge_label(self, transition: DiagramTransition) -> str:
        lines = [_html(transition.event)] if transition.event else []
        if transition.guards:
            lines.append(_html(f"[{', '.join(transition.guards)}]"))
        if not lines:
            return '""'
        text = "<br/>".join(lines)
        return (
            '<<table border="0" cellborder="0" cellspacing="0" cellpadding="2"><tr><td>'
            f'<font point-size="{self.config.transition_font_size}">{text}</font>'
            "</td></tr></table>>"
        )


def _action_text(action: DiagramAction) -> str:
    if action.type is ActionType.INTERNAL:
        return action.body
    return f"{action.type.value} / {action.body}"


class DotGraphMachine:
    """Builds the Graphviz graph (a ``pydot.Dot``) of a machine class or instance.

    Customise it by subclassing and overriding the class attributes, which become the
    :class:`DotRendererConfig`.

    >>> from statemachine import State, StateChart
    >>> class Door(StateChart):
    ...     closed = State(initial=True)
    ...     opened = State()
    ...     open = closed.to(opened)
    ...     close = opened.to(closed)
    >>> graph = DotGraphMachine(Door())()
    >>> (closed,) = graph.get_subgraph("cluster___atomic")[0].get_node("closed")
    >>> graph.get_name(), closed.get("fillcolor")
    ('Door', 'turquoise')
    """

    graph_rankdir = "LR"
    font_name = "Helvetica"
    state_font_size = "10"
    state_active_penwidth = 2
    state_active_fillcolor = "turquoise"
    transition_font_size = "9"

    def __init__(self, machine: Any) -> None:
        """``machine``: a machine class or instance (or an extracted ``DiagramGraph``)."""
        self.machine = machine

    def __call__(self) -> pydot.Dot:
        return self.get_graph()

    def _config(self) -> DotRendererConfig:
        return DotRendererConfig(
            graph_rankdir=self.graph_rankdir,
            font_name=self.font_name,
            state_font_size=self.state_font_size,
            state_active_penwidth=self.state_active_penwidth,
            state_active_fillcolor=self.state_active_fillcolor,
            transition_font_size=self.transition_font_size,
        )

    def get_graph(self) -> pydot.Dot:
        """The whole diagram as a ``pydot.Dot``.

        Raises:
            TypeError: the machine is neither a machine class nor an instance of one.
            PydotNotInstalled: pydot is not installed.
        """
        graph = self.machine
        if not isinstance(graph, DiagramGraph):
            graph = extract(graph)
        return DotRenderer(self._config()).render(graph)

    def create(self, fmt: str = "svg") -> bytes:
        """The diagram rendered by Graphviz (``fmt``: svg, png, pdf, ...).

        Raises:
            GraphvizNotFoundError: Graphviz's ``dot`` program is not installed.
            GraphvizError: Graphviz failed (an unknown format, for one).
        """
        return run_graphviz(self.get_graph().to_string(), fmt)
