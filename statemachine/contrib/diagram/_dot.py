"""Graphviz diagrams through pydot (the ``diagrams`` extra), read from the diagram model.

Compound states are clusters with their initial point, parallel states dashed clusters,
history states ``H`` / ``H*`` circles, final states double-bordered; guards appear as
``[cond]`` on the edges and the active states are filled. pydot is imported when a graph is
built, never at import time.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any, cast

from ._model import DiagramGraph, DiagramState, DiagramTransition, StateType, extract

if TYPE_CHECKING:
    import pydot
    from pydot import Dot

__all__ = ["DotGraphMachine", "GraphvizNotFound", "PydotNotInstalled", "quote"]


class PydotNotInstalled(ImportError):
    """pydot, needed for Graphviz diagrams, is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "Graphviz diagrams need pydot, which is not installed. Install the `diagrams` "
            "extra: pip install 'statemachine-kit[diagrams]' (text formats such as 'mermaid' "
            "and 'md' work without it)."
        )


class GraphvizNotFound(RuntimeError):
    """Graphviz's ``dot`` program, needed to render images, is not on the PATH."""

    def __init__(self) -> None:
        super().__init__(
            "Rendering an image needs Graphviz's `dot` program, which was not found on the "
            "PATH. Install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew "
            "install graphviz), or use the 'dot' text format, which needs no binary."
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


class DotGraphMachine:
    """Builds the Graphviz graph (a ``pydot.Dot``) of a machine class or instance.

    Customise it by subclassing and overriding the class attributes.

    >>> from statemachine import State, StateChart
    >>> class Door(StateChart):
    ...     closed = State(initial=True)
    ...     opened = State()
    ...     open = closed.to(opened)
    ...     close = opened.to(closed)
    >>> graph = DotGraphMachine(Door())()
    >>> "Closed" in graph.to_string()
    True
    """

    graph_rankdir = "LR"
    font_name = "Helvetica"
    state_font_size = "10"
    state_active_penwidth = 2
    state_active_fillcolor = "turquoise"
    transition_font_size = "9"

    def __init__(self, machine_or_class: Any) -> None:
        self.model: DiagramGraph = (
            machine_or_class
            if isinstance(machine_or_class, DiagramGraph)
            else extract(machine_or_class)
        )
        self._node_ids: dict[str, str] = {}
        self._by_id = {s.id: s for s in self.model.walk()}
        # Atomic state id -> its internal self-transitions, listed inside its node.
        self._inside: dict[str, list[DiagramTransition]] = {}
        for t in self.model.transitions:
            source = self._by_id.get(t.source)
            plain = source is not None and source.type in (StateType.ATOMIC, StateType.FINAL)
            if t.internal and t.is_self and plain:
                self._inside.setdefault(t.source, []).append(t)

    def __call__(self) -> pydot.Dot:
        return self.get_graph()

    # --- building ---------------------------------------------------------------------------
    def get_graph(self) -> pydot.Dot:
        """The whole diagram as a ``pydot.Dot``."""
        pydot = _pydot()
        graph = pydot.Dot(
            "machine",
            graph_type="digraph",
            label=quote(self.model.name),
            fontname=quote(self.font_name),
            fontsize=self.state_font_size,
            rankdir=self.graph_rankdir,
            compound="true",
        )
        for i, state in enumerate(self.model.walk()):
            self._node_ids[state.id] = f"s{i}"
        top_initial = next((s for s in self.model.states if s.initial), None)
        if top_initial is not None:
            graph.add_node(self._point(pydot, "__initial"))
            graph.add_edge(self._edge(pydot, "__initial", top_initial, label=None))
        for state in self.model.states:
            self._add_state(pydot, graph, state)
        for transition in self.model.transitions:
            for edge in self._transition_edges(pydot, transition):
                graph.add_edge(edge)
        return cast("Dot", graph)

    def _add_state(self, pydot: Any, parent: Any, state: DiagramState) -> None:
        if state.type in (StateType.COMPOUND, StateType.PARALLEL):
            cluster = pydot.Cluster(
                self._node_ids[state.id],
                label=quote(state.name),
                fontname=quote(self.font_name),
                fontsize=self.state_font_size,
                style="dashed" if state.type is StateType.PARALLEL else "rounded",
                penwidth=self.state_active_penwidth if state.active else 1,
            )
            anchor = self._anchor(state)
            if state.type is StateType.COMPOUND:
                cluster.add_node(self._point(pydot, anchor))
                first = next((c for c in state.children if c.initial), None)
                if first is not None:
                    cluster.add_edge(self._edge(pydot, anchor, first, label=None))
            else:
                cluster.add_node(pydot.Node(anchor, shape="point", style="invis", width="0"))
            for child in state.children:
                self._add_state(pydot, cluster, child)
            parent.add_subgraph(cluster)
            return
        parent.add_node(self._node(pydot, state))

    def _node(self, pydot: Any, state: DiagramState) -> Any:
        attrs: dict[str, Any] = {
            "fontname": quote(self.font_name),
            "fontsize": self.state_font_size,
        }
        if state.type in (StateType.HISTORY_SHALLOW, StateType.HISTORY_DEEP):
            label = "H*" if state.type is StateType.HISTORY_DEEP else "H"
            attrs.update(shape="circle", label=quote(label), width="0.3")
        else:
            lines = [state.name]
            lines += [f"entry / {a}" for a in state.entry]
            lines += [f"exit / {a}" for a in state.exit]
            # Internal transitions of an atomic state are listed inside it, not drawn.
            lines += [_edge_label(t) or "(internal)" for t in self._inside.get(state.id, ())]
            attrs.update(shape="rectangle", style="rounded", label=quote("\n".join(lines)))
            if state.type is StateType.FINAL:
                attrs["peripheries"] = 2
        if state.active:
            attrs["style"] = quote("rounded,filled")
            attrs["fillcolor"] = self.state_active_fillcolor
            attrs["penwidth"] = self.state_active_penwidth
        return pydot.Node(self._node_ids[state.id], **attrs)

    def _point(self, pydot: Any, name: str) -> Any:
        return pydot.Node(name, shape="point", width="0.1", label=quote(""))

    def _anchor(self, state: DiagramState) -> str:
        return f"{self._node_ids[state.id]}_anchor"

    def _endpoint(self, state_id: str) -> tuple[str, dict[str, str]]:
        """The node an edge attaches to, and the cluster attribute when it is a cluster."""
        state = self._by_id[state_id]
        if state.type in (StateType.COMPOUND, StateType.PARALLEL):
            return self._anchor(state), {"cluster": f"cluster_{self._node_ids[state_id]}"}
        return self._node_ids[state_id], {}

    def _within(self, state_id: str, ancestor_id: str) -> bool:
        """Whether ``state_id`` is ``ancestor_id`` or one of its descendants."""
        return any(s.id == state_id for s in self._by_id[ancestor_id].walk())

    def _edge(self, pydot: Any, source: str, target: DiagramState, label: str | None) -> Any:
        name, extra = self._endpoint(target.id)
        attrs: dict[str, Any] = {}
        if "cluster" in extra:
            attrs["lhead"] = extra["cluster"]
        if label:
            attrs["label"] = quote(label)
        return pydot.Edge(source, name, **attrs)

    def _transition_edges(self, pydot: Any, transition: DiagramTransition) -> list[Any]:
        if transition in self._inside.get(transition.source, ()):
            return []
        label = _edge_label(transition)
        source, source_extra = self._endpoint(transition.source)
        targets = transition.targets or (transition.source,)  # targetless: a loop
        edges = []
        for target_id in targets:
            target, target_extra = self._endpoint(target_id)
            attrs: dict[str, Any] = {
                "label": quote(label),
                "fontname": quote(self.font_name),
                "fontsize": self.transition_font_size,
            }
            # Clip at a cluster's border only when the other end lies outside that cluster
            # (Graphviz ignores, with a warning, an lhead/ltail that contains the other end).
            if "cluster" in source_extra and not self._within(target_id, transition.source):
                attrs["ltail"] = source_extra["cluster"]
            if "cluster" in target_extra and not self._within(transition.source, target_id):
                attrs["lhead"] = target_extra["cluster"]
            if transition.internal or not transition.targets:
                attrs["style"] = "dashed"
            edges.append(pydot.Edge(source, target, **attrs))
        return edges

    # --- rendering ------------------------------------------------------------------------
    def create(self, fmt: str = "svg") -> bytes:
        """The diagram rendered by Graphviz (``fmt``: svg, png, pdf, ...).

        Raises:
            GraphvizNotFound: Graphviz's ``dot`` program is not installed.
        """
        return render(self.get_graph(), fmt)


def render(graph: Any, fmt: str) -> bytes:
    """A pydot graph rendered by Graphviz in format ``fmt`` (svg, png, pdf, ...).

    Raises:
        GraphvizNotFound: Graphviz's ``dot`` program is not installed.
    """
    if shutil.which("dot") is None:
        raise GraphvizNotFound()
    try:
        # Graphviz reads UTF-8; without an explicit encoding pydot writes its input file in
        # the locale's encoding, which fails (or garbles) non-ASCII names elsewhere.
        data = graph.create(format=fmt, encoding="utf-8")
    except FileNotFoundError:  # `dot` vanished between the check and the call
        raise GraphvizNotFound() from None
    return cast(bytes, data)  # pydot annotates create() as returning str


def _edge_label(transition: DiagramTransition) -> str:
    label = " ".join(transition.events)
    if transition.guards:
        label = f"{label} [{' and '.join(transition.guards)}]".strip()
    return label
