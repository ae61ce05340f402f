"""Mermaid ``stateDiagram-v2`` text, drawn from the diagram model only.

:class:`MermaidRenderer` turns a :class:`~statemachine.contrib.diagram.model.DiagramGraph`
into text; :class:`MermaidGraphMachine` does the same for a machine class or instance and is
customised by subclassing.

>>> from statemachine import State, StateChart
>>> class Door(StateChart):
...     closed = State(initial=True)
...     opened = State()
...     broken = State(final=True)
...     open = closed.to(opened, cond="unlocked")
...     close = opened.to(closed)
...     kick = closed.to(broken) | opened.to(broken)
...     unlocked = True
>>> print(MermaidGraphMachine(Door())(), end="")
stateDiagram-v2
    direction LR
    state "Closed" as closed
    state "Opened" as opened
    state "Broken" as broken
    [*] --> closed
    broken --> [*]
    closed --> opened : Open [unlocked]
    closed --> broken : Kick
    opened --> closed : Close
    opened --> broken : Kick
<BLANKLINE>
    classDef active fill:#40E0D0,stroke:#333
    closed:::active

The layout, block by block:

* Every state is declared once, in its parent's block, as ``state "Name" as id``, even when
  the name is the id (Mermaid misreads a bare ``state id`` line followed by a block). A
  state's entry and exit actions and its internal transitions follow as ``id : <line>``
  description lines. A compound state opens a block ``state "Name" as id {`` that starts with
  ``[*] --> <initial child>``; a parallel state opens a block whose regions are separated by
  ``--`` lines. At the top level, the ``[*]`` arrow follows the declarations.
* A final state gets ``<id> --> [*]``, which Mermaid draws as an arrow to its block's end
  circle: at the top level before the transitions, in a block after them.
* History states are states named ``H`` (shallow) or ``H*`` (deep): stateDiagram-v2 has no
  history pseudostate.
* A transition between two children of one compound state is written in that state's
  block; every other transition at the top level. (Mermaid moves a state into the last block
  that mentions it, so an arrow written in a block to a state of a nested block would pull
  that state out; top-level mentions never move a state.)
* A label is the event's display name followed by the guards as ``[g1, g2]``; internal
  transitions are not drawn as arrows, and a transition with several targets is one arrow
  per target.
* Arrows into (and out of) a compound or parallel state that sits inside a parallel state
  end at its initial descendant instead: Mermaid crashes on them (mermaid-js/mermaid#4052).
* Active states (from an instance), composite ones included, follow a blank line as
  ``id:::active`` lines, children before parents, after ``classDef active``.
* Escaping: a state id that is not an ASCII identifier, or that Mermaid reads as a keyword,
  is replaced by a safe id (invalid characters become ``_``, and a ``_2``, ``_3``... suffix
  keeps ids unique); the display name still shows the original. In names and labels, quotes
  (straight and curly), ``#``, ``;``, ``:``, ``<``, ``>``, ``&``, braces, brackets, ``%``,
  backticks and control or line-breaking characters are written as Mermaid entity codes
  ``#<code point>;`` (``"`` is ``#34;``). Other characters, unicode and emoji included, are
  kept as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from statemachine.contrib.diagram.extract import extract
from statemachine.contrib.diagram.model import (
    ActionType,
    DiagramGraph,
    DiagramState,
    DiagramTransition,
    StateType,
)

__all__ = ["MermaidGraphMachine", "MermaidRenderer", "MermaidRendererConfig"]

_SAFE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# Ids Mermaid's state-diagram lexer reads as keywords (compared lowercased), and "root",
# which it uses for the top-level document.
_KEYWORDS = frozenset(
    {
        "as",
        "class",
        "classdef",
        "click",
        "default",
        "direction",
        "note",
        "root",
        "scale",
        "state",
        "statediagram",
        "style",
    }
)

# Characters written as entity codes in names and labels: those that end a quoted name or a
# label (`"`, `;`, line breaks), start a comment or an entity (`%`, `#`), separate a label
# (`:`), open a block or a guard (`{}`, `[]`), would be read as HTML (`<>&`) or as a
# markdown string (backtick), and curly quotes, which some renderers fold into `"`.
_ESCAPED = frozenset('"`#;:<>&{}[]%\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b')


def _escape(text: str) -> str:
    """`text` with every character Mermaid could misread written as ``#<code point>;``."""
    return "".join(
        f"#{ord(c)};" if c in _ESCAPED or unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c
        for c in text
    )


def _shown(name: str, state_id: str, safe: str) -> str:
    """The first of `name`, `state_id` and `safe` that is not blank: Mermaid rejects a blank
    quoted name."""
    return next((text for text in (name, state_id) if text.strip()), safe)


def _composite(state: DiagramState) -> bool:
    """Drawn as a block (a compound or parallel state with children)."""
    return bool(state.children)


def _safe_ids(states: list[DiagramState]) -> dict[str, str]:
    """A Mermaid id for every state id: the id itself where Mermaid accepts it.

    Invariant: the ids are unique and never equal the ids Mermaid makes up for start and end
    circles (``root_start``, ``root_end``, ``<composite id>_start``, ``<composite id>_end``).
    """
    natural = {s.id for s in states if _SAFE_ID.match(s.id) and s.id.lower() not in _KEYWORDS}
    reserved = {"root_start", "root_end"}
    while True:
        # Ids Mermaid accepts are kept; the others are made up so as not to take any of them.
        kept = natural - reserved
        used = reserved | kept
        mapping: dict[str, str] = {}
        for state in states:
            if state.id in kept:
                mapping[state.id] = state.id
                continue
            base = re.sub(r"[^A-Za-z0-9_]", "_", state.id)
            if not _SAFE_ID.match(base) or base.lower() in _KEYWORDS:
                base = f"s_{base}"
            candidate, n = base, 2
            while candidate in used:
                candidate, n = f"{base}_{n}", n + 1
            mapping[state.id] = candidate
            used.add(candidate)
        circles = {
            f"{mapping[s.id]}_{end}" for s in states if _composite(s) for end in ("start", "end")
        }
        if circles <= reserved:
            return mapping
        reserved |= circles


@dataclass
class MermaidRendererConfig:
    """How :class:`MermaidRenderer` draws: the layout direction (``LR``, ``TB``, ``RL`` or
    ``BT``) and the fill and border colours of active states."""

    direction: str = "LR"
    active_fill: str = "#40E0D0"
    active_stroke: str = "#333"


class MermaidRenderer:
    """Draws a :class:`~statemachine.contrib.diagram.model.DiagramGraph` as Mermaid
    ``stateDiagram-v2`` text (one statement per line, ending with a newline)."""

    indent = "    "

    def __init__(self, config: MermaidRendererConfig | None = None) -> None:
        self.config = config or MermaidRendererConfig()

    def render(self, graph: DiagramGraph) -> str:
        """The Mermaid text of ``graph``."""
        return "\n".join(_Drawing(graph, self.indent).lines(self.config)) + "\n"


class _Drawing:
    """The state of one rendering: the graph with its Mermaid ids and edge redirections."""

    def __init__(self, graph: DiagramGraph, indent: str) -> None:
        self.graph = graph
        self.indent = indent
        self.states = {s.id: s for s in graph.walk()}
        self.ids = _safe_ids(list(self.states.values()))
        self.redirect = self._redirections()
        self.scopes = self._scopes()

    def lines(self, config: MermaidRendererConfig) -> Iterator[str]:
        yield "stateDiagram-v2"
        yield f"{self.indent}direction {config.direction}"
        top = self.graph.states
        pad = self.indent
        for state in top:
            yield from self._declare(state, 1)
        yield from self._initial(top, pad)
        yield from self._finals(top, pad)
        yield from self._transitions(None, pad)
        active = [s for top_state in top for s in _post_order(top_state) if s.is_active]
        if active:
            yield ""
            yield f"{pad}classDef active fill:{config.active_fill},stroke:{config.active_stroke}"
            for state in active:
                yield f"{pad}{self.ids[state.id]}:::active"

    def _declare(self, state: DiagramState, depth: int) -> Iterator[str]:
        """The declaration of ``state``: its block, or its line and description lines."""
        pad = self.indent * depth
        safe = self.ids[state.id]
        if state.type is StateType.HISTORY_SHALLOW:
            name = "H"
        elif state.type is StateType.HISTORY_DEEP:
            name = "H*"
        else:
            name = state.name
        # Always the quoted form: Mermaid's lexer reads a bare `state id` line up to the next
        # `{`, and rejects an empty name.
        head = f'state "{_escape(_shown(name, state.id, safe))}" as {safe}'
        if not _composite(state):
            yield pad + head
            for action in state.actions:
                text = action.body
                if action.type is not ActionType.INTERNAL:
                    text = f"{action.type.value} / {text}"
                if text.strip():  # Mermaid rejects an empty description
                    yield f"{pad}{safe} : {_escape(text.strip())}"
            return
        yield f"{pad}{head} {{"
        inner = pad + self.indent
        if state.type is StateType.PARALLEL:
            for n, child in enumerate(state.children):
                if n:
                    yield f"{inner}--"
                yield from self._declare(child, depth + 1)
        else:
            yield from self._initial(state.children, inner)
            for child in state.children:
                yield from self._declare(child, depth + 1)
            yield from self._transitions(state.id, inner)
            yield from self._finals(state.children, inner)
        yield pad + "}"

    def _initial(self, children: list[DiagramState], pad: str) -> Iterator[str]:
        for child in children:
            if child.is_initial:
                yield f"{pad}[*] --> {self.ids[child.id]}"

    def _finals(self, children: list[DiagramState], pad: str) -> Iterator[str]:
        for child in children:
            if child.type is StateType.FINAL:
                yield f"{pad}{self.ids[child.id]} --> [*]"

    def _transitions(self, scope: str | None, pad: str) -> Iterator[str]:
        """The arrows written in the block of ``scope`` (``None``: the top level)."""
        for transition in self.graph.transitions:
            if transition.is_initial or transition.is_internal:
                continue
            for target in transition.targets or [transition.source]:
                if self.scopes.get((transition.source, target)) != scope:
                    continue
                source = self._endpoint(transition.source)
                label = _label(transition)
                suffix = f" : {label}" if label else ""
                yield f"{pad}{source} --> {self._endpoint(target)}{suffix}"

    def _endpoint(self, state_id: str) -> str:
        return self.ids[self.redirect.get(state_id, state_id)]

    def _scopes(self) -> dict[tuple[str, str], str | None]:
        """(source, target) -> the compound state whose block the arrow goes in: the one
        both ends are children of, when they are drawn as they are; otherwise the top level."""
        parents: dict[str, DiagramState] = {}
        for state in self.states.values():
            for child in state.children:
                parents[child.id] = state
        scopes: dict[tuple[str, str], str | None] = {}
        for t in self.graph.transitions:
            for target in t.targets or [t.source]:
                source_parent = parents.get(t.source)
                scope = None
                if (
                    source_parent is not None
                    and source_parent is parents.get(target)
                    and source_parent.type is not StateType.PARALLEL
                    and t.source not in self.redirect
                    and target not in self.redirect
                ):
                    scope = source_parent.id
                scopes[(t.source, target)] = scope
        return scopes

    def _redirections(self) -> dict[str, str]:
        """Composite states inside a parallel state, each mapped to the descendant its edges
        are drawn to (mermaid-js/mermaid#4052): the initial child, down to a plain state."""
        redirect: dict[str, str] = {}

        def visit(state: DiagramState, in_parallel: bool) -> None:
            if in_parallel and _composite(state):
                leaf = state
                while _composite(leaf):
                    candidates = [c for c in leaf.children if c.is_initial] or leaf.children
                    leaf = candidates[0]
                redirect[state.id] = leaf.id
            for child in state.children:
                visit(child, in_parallel or state.type is StateType.PARALLEL)

        for top in self.graph.states:
            visit(top, False)
        return redirect


def _label(transition: DiagramTransition) -> str:
    parts = [_escape(transition.event)] if transition.event else []
    if transition.guards:
        parts.append("[" + ", ".join(_escape(g) for g in transition.guards) + "]")
    return " ".join(parts).strip()


def _post_order(state: DiagramState) -> Iterator[DiagramState]:
    for child in state.children:
        yield from _post_order(child)
    yield state


class MermaidGraphMachine:
    """Renders a machine class, or an instance with its active states, as Mermaid text.

    Customise the look by subclassing and overriding the class attributes, which become the
    :class:`MermaidRendererConfig`.

    Attributes:
        direction: the layout direction (``LR``, ``TB``, ``RL`` or ``BT``).
        active_fill: the fill colour of active states.
        active_stroke: the border colour of active states.
    """

    direction = "LR"
    active_fill = "#40E0D0"
    active_stroke = "#333"

    def __init__(self, machine: Any) -> None:
        """``machine``: a machine class or instance (or an extracted ``DiagramGraph``)."""
        self.machine = machine

    def __call__(self) -> str:
        """The Mermaid text, as :meth:`get_mermaid`."""
        return self.get_mermaid()

    def _config(self) -> MermaidRendererConfig:
        return MermaidRendererConfig(
            direction=self.direction, active_fill=self.active_fill, active_stroke=self.active_stroke
        )

    def get_mermaid(self) -> str:
        """The ``stateDiagram-v2`` text, one statement per line, ending with a newline.

        Raises:
            TypeError: the machine is neither a machine class nor an instance of one.
        """
        graph = self.machine
        if not isinstance(graph, DiagramGraph):
            graph = extract(graph)
        return MermaidRenderer(self._config()).render(graph)
