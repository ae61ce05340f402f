"""Mermaid ``stateDiagram-v2`` text of a machine, rendered from the diagram model only.

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
    [*] --> closed
    state "Closed" as closed
    state "Opened" as opened
    state "Broken" as broken
    broken --> [*]
    closed --> opened : open [unlocked]
    closed --> broken : kick
    opened --> closed : close
    opened --> broken : kick
    classDef active fill:#40E0D0,stroke:#333
    class closed active

How the model maps to Mermaid (the choices, since Mermaid has no statechart vocabulary):

* Every state is declared once, in its parent's block, as ``state "Name" as id``, even when
  the name is the id: Mermaid misreads a bare ``state id`` line followed by a block. A blank
  name shows the id (or, when the id is blank too, the safe id). Compound states open a block
  ``state "Name" as id {`` that starts with ``[*] --> <initial child>``; parallel states open
  a block whose regions are separated by ``--`` lines.
* Final states are ordinary states followed by ``<id> --> [*]`` in their own block, which
  Mermaid draws as an edge to the block's end circle.
* History states are ordinary states named ``H`` (shallow) or ``H*`` (deep): stateDiagram-v2
  has no history pseudostate.
* Every transition is written after all the declarations, at the top level. Mermaid moves a
  state into the last block that mentions it, so a transition written inside a block would
  pull states declared in its sub-blocks out of them; top-level mentions never move a state.
* A label is ``<events> [<guards>]``: several events are joined by a space (as they are
  declared, ``event="a b"``), several guards by `` and `` (then a guard containing `` or ``
  gets parentheses). An eventless transition shows only its guards, or no label at all.
* Internal and targetless transitions are drawn as self loops on their source, like external
  self-transitions (Mermaid has no dashed or compartment notation for them). A transition with
  several targets is drawn as one edge per target.
* Edges into (and out of) a compound or parallel state that sits inside a parallel state end
  at its initial descendant instead: Mermaid crashes on them (mermaid-js/mermaid#4052).
* Active states (from an instance) get ``classDef active`` and a ``class <ids> active``
  line. Only states drawn as plain boxes get the class (the active leaves already show the
  whole configuration), so composite blocks are not filled.
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
from collections.abc import Iterable, Iterator
from typing import Any

from ._model import DiagramGraph, DiagramState, DiagramTransition, StateType, extract

__all__ = ["MermaidGraphMachine"]

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
    return state.type in (StateType.COMPOUND, StateType.PARALLEL) and bool(state.children)


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


class MermaidGraphMachine:
    """Renders a machine class, or an instance with its active states, as Mermaid text.

    Customise the look by subclassing and overriding the class attributes.

    Attributes:
        direction: the layout direction (``LR``, ``TB``, ``RL`` or ``BT``).
        active_fill: the fill colour of active states.
        active_stroke: the border colour of active states.
        indent: the indentation of one nesting level.
    """

    direction = "LR"
    active_fill = "#40E0D0"
    active_stroke = "#333"
    indent = "    "

    def __init__(self, machine_or_class: Any) -> None:
        """Reads the diagram model of `machine_or_class` (a machine class or instance, or an
        already extracted :class:`DiagramGraph`)."""
        if isinstance(machine_or_class, DiagramGraph):
            self.graph = machine_or_class
        else:
            self.graph = extract(machine_or_class)
        self._states = {s.id: s for s in self.graph.walk()}
        self._ids = _safe_ids(list(self._states.values()))
        self._redirect = self._redirections()

    def __call__(self) -> str:
        """The Mermaid text, as :meth:`get_mermaid`."""
        return self.get_mermaid()

    def get_mermaid(self) -> str:
        """The ``stateDiagram-v2`` text, one statement per line, ending with a newline."""
        lines = ["stateDiagram-v2", f"{self.indent}direction {self.direction}"]
        lines.extend(self._block(self.graph.states, parallel=False, depth=1))
        for transition in self.graph.transitions:
            lines.extend(self.indent + edge for edge in self._edges(transition))
        leaves = [self._ids[s.id] for s in self._states.values() if s.active and not _composite(s)]
        if leaves:
            lines.append(
                f"{self.indent}classDef active fill:{self.active_fill},stroke:{self.active_stroke}"
            )
            lines.append(f"{self.indent}class {','.join(leaves)} active")
        return "\n".join(lines) + "\n"

    def _block(
        self, children: Iterable[DiagramState], *, parallel: bool, depth: int
    ) -> Iterator[str]:
        """The lines of one block: its initial edge, its states, and its final edges.

        A parallel block has no initial edge; its children are regions, each in its own
        ``--``-separated section with its final edge.
        """
        pad = self.indent * depth
        children = list(children)
        if parallel:
            for n, child in enumerate(children):
                if n:
                    yield f"{pad}--"
                yield from self._declare(child, depth)
                if child.type is StateType.FINAL:
                    yield f"{pad}{self._ids[child.id]} --> [*]"
            return
        for child in children:
            if child.initial:
                yield f"{pad}[*] --> {self._ids[child.id]}"
        for child in children:
            yield from self._declare(child, depth)
        for child in children:
            if child.type is StateType.FINAL:
                yield f"{pad}{self._ids[child.id]} --> [*]"

    def _declare(self, state: DiagramState, depth: int) -> Iterator[str]:
        """The declaration of `state`, with its block if it has children."""
        pad = self.indent * depth
        safe = self._ids[state.id]
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
            return
        yield f"{pad}{head} {{"
        parallel = state.type is StateType.PARALLEL
        yield from self._block(state.children, parallel=parallel, depth=depth + 1)
        yield pad + "}"

    def _edges(self, transition: DiagramTransition) -> Iterator[str]:
        """One ``a --> b : label`` line per target (a self loop for a targetless one)."""
        source = self._endpoint(transition.source)
        label = self._label(transition).strip()
        suffix = f" : {label}" if label else ""
        for target in transition.targets or (transition.source,):
            yield f"{source} --> {self._endpoint(target)}{suffix}"

    def _endpoint(self, state_id: str) -> str:
        return self._ids[self._redirect.get(state_id, state_id)]

    @staticmethod
    def _label(transition: DiagramTransition) -> str:
        parts = [" ".join(_escape(e) for e in transition.events)] if transition.events else []
        guards = transition.guards
        if guards:
            if len(guards) > 1:
                guards = tuple(f"({g})" if " or " in g else g for g in guards)
            parts.append("[" + " and ".join(_escape(g) for g in guards) + "]")
        return " ".join(parts)

    def _redirections(self) -> dict[str, str]:
        """Composite states inside a parallel state, each mapped to the descendant its edges
        are drawn to (mermaid-js/mermaid#4052): the initial child, down to a plain state."""
        redirect: dict[str, str] = {}

        def visit(state: DiagramState, in_parallel: bool) -> None:
            if in_parallel and _composite(state):
                leaf = state
                while _composite(leaf):
                    candidates = [c for c in leaf.children if c.initial] or list(leaf.children)
                    leaf = candidates[0]
                redirect[state.id] = leaf.id
            for child in state.children:
                visit(child, in_parallel or state.type is StateType.PARALLEL)

        for top in self.graph.states:
            visit(top, False)
        return redirect
