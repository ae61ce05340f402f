"""The Mermaid renderer (`statemachine.contrib.diagram.renderers.mermaid`)."""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from statemachine import HistoryState, State, StateChart
from statemachine.contrib.diagram import extract
from statemachine.contrib.diagram.model import (
    ActionType,
    DiagramAction,
    DiagramGraph,
    DiagramState,
    DiagramTransition,
    StateType,
)
from statemachine.contrib.diagram.renderers.mermaid import (
    MermaidGraphMachine,
    MermaidRenderer,
    MermaidRendererConfig,
)


class Turnstile(StateChart):
    """Flat, with guards, several events, an eventless and an internal transition."""

    locked = State(initial=True)
    unlocked = State("Open for business")

    coin = locked.to(unlocked, cond="paid", unless="jammed") | unlocked.to.itself(internal=True)
    push = unlocked.to(locked)
    alarm = locked.to(locked, event="kick shove", cond=["angry", "strong or fast"])
    unlocked.to(locked, cond="timeout")

    paid = jammed = angry = strong = fast = timeout = True


class Player(StateChart):
    """A compound with a history state, and a final state."""

    class playing(State.Compound, initial=True):
        track = State(initial=True)
        ad = State()
        h = HistoryState()

        skip = track.to(ad)
        resume = ad.to(track)

    paused = State()
    stopped = State(final=True)

    pause = playing.to(paused)
    play = paused.to(playing.h)
    stop = playing.to(stopped) | paused.to(stopped)


class Console(StateChart):
    """A parallel state with two regions."""

    class on(State.Parallel, initial=True):
        class audio(State.Compound):
            loud = State(initial=True)
            mute = State()

            toggle = loud.to(mute) | mute.to(loud)

        class video(State.Compound):
            sd = State(initial=True)
            hd = State()

            upgrade = sd.to(hd)

    off = State(final=True)

    power = on.to(off)


def _lines(obj: object) -> list[str]:
    return MermaidGraphMachine(obj).get_mermaid().splitlines()


def test_a_flat_machine_with_guards():
    """Labels are the events' display names and the guards as `[g1, g2]` (`unless` ones
    negated with `!`); an eventless edge shows only its guards; the internal transition is not
    drawn; the `[*]` arrow follows the declarations."""
    assert _lines(Turnstile) == [
        "stateDiagram-v2",
        "    direction LR",
        '    state "Locked" as locked',
        '    state "Open for business" as unlocked',
        "    [*] --> locked",
        "    locked --> unlocked : Coin [paid, !jammed]",
        "    locked --> locked : Kick Shove Alarm [angry, strong or fast]",
        "    unlocked --> locked : Push",
        "    unlocked --> locked : [timeout]",
    ]


def test_a_compound_with_history_and_a_final_state():
    """A compound is a block that starts with its initial arrow and holds the arrows between
    its children; history is `H`; a final state ends at `[*]` before the top-level arrows."""
    assert _lines(Player) == [
        "stateDiagram-v2",
        "    direction LR",
        '    state "Playing" as playing {',
        "        [*] --> track",
        '        state "Track" as track',
        '        state "Ad" as ad',
        '        state "H" as h',
        "        track --> ad : Skip",
        "        ad --> track : Resume",
        "    }",
        '    state "Paused" as paused',
        '    state "Stopped" as stopped',
        "    [*] --> playing",
        "    stopped --> [*]",
        "    playing --> paused : Pause",
        "    playing --> stopped : Stop",
        "    paused --> h : Play",
        "    paused --> stopped : Stop",
    ]


def test_a_parallel_state_with_the_active_configuration_of_an_instance():
    """Regions are separated by `--`; after a blank line, every active state of an instance
    gets the `active` class as `id:::active`, children before parents."""
    console = Console()
    console.send("upgrade")
    assert _lines(console) == [
        "stateDiagram-v2",
        "    direction LR",
        '    state "On" as on {',
        '        state "Audio" as audio {',
        "            [*] --> loud",
        '            state "Loud" as loud',
        '            state "Mute" as mute',
        "            loud --> mute : Toggle",
        "            mute --> loud : Toggle",
        "        }",
        "        --",
        '        state "Video" as video {',
        "            [*] --> sd",
        '            state "Sd" as sd',
        '            state "Hd" as hd',
        "            sd --> hd : Upgrade",
        "        }",
        "    }",
        '    state "Off" as off',
        "    [*] --> on",
        "    off --> [*]",
        "    on --> off : Power",
        "",
        "    classDef active fill:#40E0D0,stroke:#333",
        "    loud:::active",
        "    audio:::active",
        "    hd:::active",
        "    video:::active",
        "    on:::active",
    ]


def test_the_renderer_draws_a_graph_with_its_config():
    """`MermaidRenderer(config).render(graph)` is what `MermaidGraphMachine` draws."""
    config = MermaidRendererConfig(direction="TB", active_fill="red", active_stroke="blue")
    text = MermaidRenderer(config).render(extract(Player()))
    assert text.splitlines()[1] == "    direction TB"
    assert text.endswith(
        "\n    classDef active fill:red,stroke:blue\n    track:::active\n    playing:::active\n"
    )
    assert MermaidRenderer().render(extract(Player)) == MermaidGraphMachine(Player)()


def test_actions_are_description_lines_of_their_state():
    """Entry and exit actions and internal transitions with actions follow the state's
    declaration as `id : ...` lines."""

    class Kettle(StateChart):
        off = State(initial=True)
        on = State(enter="heat", exit=["stop", "log"])
        switch = off.to(on) | on.to(off)
        beep = on.to.itself(internal=True, on="ring")

        def heat(self): ...
        def stop(self): ...
        def log(self): ...
        def ring(self): ...

    assert _lines(Kettle)[3:7] == [
        '    state "On" as on',
        "    on : entry / heat",
        "    on : exit / stop, log",
        "    on : Beep / ring",
    ]


def test_arrows_into_a_nested_block_are_written_at_the_top_level():
    """Mermaid moves a state into the last block that mentions it, so an arrow is written in a
    block only when both ends are children of that block."""

    class Nest(StateChart):
        class outer(State.Compound, initial=True):
            class inner(State.Compound, initial=True):
                i1 = State(initial=True)
                i2 = State()
                hop = i1.to(i2)

            o2 = State()
            leave = inner.to(o2)
            deep = o2.to(inner.i2)

    lines = _lines(Nest)
    assert "            i1 --> i2 : Hop" in lines
    assert "        inner --> o2 : Leave" in lines
    assert "    o2 --> i2 : Deep" in lines


def test_arrows_between_regions_are_drawn():
    """An arrow from one region of a parallel state to another is written at the top level."""

    class Split(StateChart):
        class both(State.Parallel, initial=True):
            class left(State.Compound):
                l1 = State(initial=True)
                l2 = State()
                cross = l1.to(l2)

            class right(State.Compound):
                r1 = State(initial=True)
                r2 = State()

            jump = left.l1.to(right.r2)

    assert _lines(Split)[-1] == "    l1 --> r2 : Jump"


def test_calling_the_renderer_gives_the_same_text():
    """`renderer()` is `renderer.get_mermaid()`, and the text ends with a newline."""
    renderer = MermaidGraphMachine(Player)
    assert renderer() == renderer.get_mermaid()
    assert renderer().endswith("\n")


def test_a_class_diagram_has_no_active_styling():
    """Drawing a class declares no `active` class."""
    assert not [line for line in _lines(Console) if "active" in line]


def test_subclass_attributes_customise_the_output():
    """`direction`, `active_fill` and `active_stroke` are read from the (sub)class."""

    class TopDown(MermaidGraphMachine):
        direction = "TB"
        active_fill = "yellow"
        active_stroke = "#000"

    lines = TopDown(Player()).get_mermaid().splitlines()
    assert lines[1] == "    direction TB"
    assert "    classDef active fill:yellow,stroke:#000" in lines
    assert lines[-2:] == ["    track:::active", "    playing:::active"]


def test_a_deep_history_state_is_drawn_as_h_star():
    """A deep history state shows `H*`."""

    class Deep(StateChart):
        class outer(State.Compound, initial=True):
            inner = State(initial=True)
            h = HistoryState(type="deep")

        other = State()
        back = other.to(outer.h)
        leave = outer.to(other)

    assert '        state "H*" as h' in _lines(Deep)


def test_a_name_equal_to_the_id_is_still_quoted():
    """A state whose name is its id keeps the quoted form (a bare `state id` confuses Mermaid)."""

    class Plain(StateChart):
        a = State("a", initial=True)
        b = State("b")
        go = a.to(b)

    assert _lines(Plain)[2:4] == ['    state "a" as a', '    state "b" as b']


def _state(
    id: str,
    type: StateType = StateType.REGULAR,
    *,
    name: str | None = None,
    initial: bool = False,
    children: tuple[DiagramState, ...] = (),
) -> DiagramState:
    return DiagramState(
        id, id if name is None else name, type, children=list(children), is_initial=initial
    )


def _graph(states: list[DiagramState], *transitions: DiagramTransition) -> DiagramGraph:
    return DiagramGraph(name="G", states=list(states), transitions=list(transitions))


def test_a_diagram_model_can_be_rendered_directly():
    """The renderer also takes an extracted `DiagramGraph`."""
    graph = _graph([_state("a", type=StateType.REGULAR, initial=True)])
    assert _lines(graph) == [
        "stateDiagram-v2",
        "    direction LR",
        '    state "a" as a',
        "    [*] --> a",
    ]


def test_a_state_with_a_blank_name_and_a_blank_id_shows_its_safe_id():
    """Mermaid rejects a blank quoted name; when the id is blank too the safe id is shown."""
    graph = _graph([_state(" ", type=StateType.REGULAR, name="", initial=True)])
    declaration = _lines(graph)[2]
    assert declaration.startswith('    state "')
    name, safe = re.fullmatch(r'    state "(.+)" as (\w+)', declaration).groups()
    assert name == safe


def test_edges_into_composites_inside_a_parallel_end_at_their_initial_leaf():
    """Mermaid crashes on edges to a composite inside a parallel (mermaid-js#4052), so they are
    drawn to its initial descendant; composites outside parallels keep their edges."""
    inner = _state(
        "inner",
        type=StateType.REGULAR,
        initial=True,
        children=(_state("c", type=StateType.REGULAR, initial=True),),
    )
    region = _state(
        "region",
        type=StateType.REGULAR,
        children=(_state("a", type=StateType.REGULAR), inner),
    )
    other = _state(
        "other",
        type=StateType.REGULAR,
        children=(_state("x", type=StateType.REGULAR, initial=True),),
    )
    par = _state("par", type=StateType.PARALLEL, initial=True, children=(region, other))
    top = _state("top", type=StateType.REGULAR, children=(_state("t", type=StateType.REGULAR),))
    graph = _graph(
        [par, top],
        DiagramTransition("a", ["inner"], "go"),
        DiagramTransition("t", ["region"], "enter"),
        DiagramTransition("inner", ["top"], "out"),
    )
    lines = _lines(graph)
    assert lines[-3:] == [
        "    a --> c : go",
        "    t --> c : enter",
        "    c --> top : out",
    ]


def test_targetless_and_multi_target_transitions():
    """A targetless transition is a self loop; one with several targets is one edge each."""
    graph = _graph(
        [_state("a", type=StateType.REGULAR, initial=True), _state("b", type=StateType.REGULAR)],
        DiagramTransition("a", [], "tick"),
        DiagramTransition("a", ["a", "b"], "split"),
        DiagramTransition("b", ["a"]),
        DiagramTransition("b", ["b"], "hidden", is_internal=True),
    )
    assert _lines(graph)[-4:] == [
        "    a --> a : tick",
        "    a --> a : split",
        "    a --> b : split",
        "    b --> a",
    ]


def test_unsafe_ids_are_mapped_consistently():
    """Ids Mermaid cannot take become unique safe ids; edges use the same ids."""
    graph = _graph(
        [
            _state("a-b", type=StateType.REGULAR, initial=True),
            _state("a_b", type=StateType.REGULAR),
            _state("state", type=StateType.REGULAR),
            _state("1st", type=StateType.REGULAR),
            _state("déjà vu", type=StateType.REGULAR),
        ],
        DiagramTransition("a-b", ["state"], "go"),
        DiagramTransition("déjà vu", ["1st"], "again"),
    )
    assert _lines(graph)[2:] == [
        '    state "a-b" as a_b_2',
        '    state "a_b" as a_b',
        '    state "state" as s_state',
        '    state "1st" as s_1st',
        '    state "déjà vu" as d_j__vu',
        "    [*] --> a_b_2",
        "    a_b_2 --> s_state : go",
        "    d_j__vu --> s_1st : again",
    ]


def test_ids_never_clash_with_mermaid_start_and_end_circles():
    """Mermaid names a block's circles `<id>_start`/`<id>_end`, so no state may take those ids."""
    graph = _graph(
        [
            _state("root_start", type=StateType.REGULAR),
            _state("p_end", type=StateType.REGULAR),
            _state(
                "p",
                type=StateType.REGULAR,
                initial=True,
                children=(_state("q", type=StateType.REGULAR, initial=True),),
            ),
        ]
    )
    declared = [line.split()[-1] for line in _lines(graph)[2:] if line.lstrip().startswith("state")]
    assert declared == ["root_start_2", "p_end_2", "{", "q"]


def test_special_characters_in_names_and_labels_become_entity_codes():
    """Quotes, `#`, `;`, `:`, `<>&`, braces and line breaks are written as `#<code>;`."""
    graph = _graph(
        [
            _state(
                "a", name='Say "hi" “now” #1; <b>&{x}: 🎉', type=StateType.REGULAR, initial=True
            ),
        ],
        DiagramTransition("a", ["a"], "ev;1 é:2", guards=["x > 1\nor y"]),
    )
    name_line, _, edge = _lines(graph)[2:]
    assert name_line == (
        '    state "Say #34;hi#34; #8220;now#8221; #35;1#59; #60;b#62;#38;#123;x#125;#58; 🎉" as a'
    )
    assert edge == "    a --> a : ev#59;1 é#58;2 [x #62; 1#10;or y]"


# --- Structural validity for random models -------------------------------------------------

_SPECIAL = "\"'\u201c\u201d\u2018\u2019<>&{}[]:;#%`|\\-\u2013. \t\n\r\u2028\x85🎉é中"
_texts = st.text(alphabet=st.sampled_from(list(_SPECIAL) + list(string.ascii_letters)), max_size=8)
_ids = st.one_of(
    st.sampled_from(["state", "note", "root", "as", "a_start", "a", "x-y", "x_y", "1", "end"]),
    st.text(min_size=1, max_size=6),
    _texts.filter(bool),
)
_LEAF_TYPES = [StateType.REGULAR, StateType.FINAL]


@st.composite
def _graphs(draw: st.DrawFn) -> DiagramGraph:
    used: set[str] = set()
    budget = [20]

    def fresh_id() -> str:
        # Duplicates get primes, so clashes after sanitising (`x-y` / `x_y`) stay likely.
        candidate = draw(_ids)
        while candidate in used:
            candidate += "'"
        used.add(candidate)
        return candidate

    def build(depth: int, initial: bool) -> DiagramState:
        budget[0] -= 1
        kinds = list(_LEAF_TYPES)
        composite = depth < 3 and budget[0] > 3 and draw(st.booleans())
        kind = draw(
            st.sampled_from([StateType.REGULAR, StateType.PARALLEL] if composite else kinds)
        )
        children: list[DiagramState] = []
        if composite:
            count = draw(st.integers(1, 3))
            first = kind is StateType.REGULAR
            children = [build(depth + 1, first and n == 0) for n in range(count)]
            if first and draw(st.booleans()):
                history = draw(st.sampled_from([StateType.HISTORY_SHALLOW, StateType.HISTORY_DEEP]))
                children.append(DiagramState(fresh_id(), draw(_texts), history))
        actions = draw(
            st.lists(
                st.builds(DiagramAction, st.sampled_from(list(ActionType)), _texts), max_size=2
            )
        )
        return DiagramState(
            id=fresh_id(),
            name=draw(_texts),
            type=kind,
            actions=[] if children else actions,
            is_initial=initial,
            is_active=draw(st.booleans()),
            children=children,
        )

    tops = [build(0, n == 0) for n in range(draw(st.integers(1, 3)))]
    all_ids = [s.id for top in tops for s in top.walk()]
    endpoint = st.sampled_from(all_ids)
    transitions = draw(
        st.lists(
            st.builds(
                DiagramTransition,
                source=endpoint,
                targets=st.lists(endpoint, max_size=2),
                event=_texts,
                guards=st.lists(_texts, max_size=2),
                is_internal=st.booleans(),
            ),
            max_size=6,
        )
    )
    return DiagramGraph("G", tops, transitions)


_DECLARE = re.compile(r'state "([^"]*\S[^"]*)" as ([A-Za-z_][A-Za-z0-9_]*)( \{)?')
_EDGE = re.compile(r"(\S+) --> (\S+)(?: : (.+))?")
_ENTITY = re.compile(r"#(\d+);")
_LABEL = re.compile(r"([^\[\]]*?) ?(?:\[([^\[\]]*)\])?")


def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: chr(int(m.group(1))), text)


@settings(max_examples=150, deadline=None)
@given(_graphs())
def test_random_models_render_to_structurally_valid_mermaid(graph: DiagramGraph):
    """Whatever the ids, names, events and guards, the text keeps Mermaid's structure: one
    statement a line, balanced blocks, every state declared once with a safe id, names that
    decode back to the original, and labels free of characters that end a label."""
    text = MermaidGraphMachine(graph).get_mermaid()
    lines = text.split("\n")
    assert lines.pop() == ""
    assert text.splitlines() == lines  # no stray line breaks of any kind
    assert lines[:2] == ["stateDiagram-v2", "    direction LR"]

    declared: list[tuple[str, str]] = []
    depth = 0
    edges = []
    body_lines = lines[2:]
    if "" in body_lines:  # the active-state styling follows one blank line
        blank = body_lines.index("")
        body_lines, styling = body_lines[:blank], body_lines[blank + 1 :]
        assert styling[0].startswith("    classDef active ")
        assert all(re.fullmatch(r"    [A-Za-z_]\w*:::active", line) for line in styling[1:])
    for line in body_lines:
        body = line.strip()
        assert body
        if body == "}":
            depth -= 1
            assert depth >= 0
        assert line == "    " * (depth + 1) + body
        if body == "}":
            continue
        if body == "--":
            assert depth > 0
            continue
        description = re.fullmatch(r"([A-Za-z_]\w*) : (.+)", body)
        if description:
            assert description.group(1) == declared[-1][0]
            assert not set(_ENTITY.sub("", description.group(2))) & set('"#;:{}<>&%`')
            continue
        declaration = _DECLARE.fullmatch(body)
        if declaration:
            name, safe, opens = declaration.groups()
            declared.append((safe, _unescape(name)))
            depth += bool(opens)
            continue
        edge = _EDGE.fullmatch(body)
        assert edge, body
        edges.append(edge.groups())
        parts = _LABEL.fullmatch(_ENTITY.sub("", edge.group(3) or ""))
        assert parts, body
        assert not set("".join(parts.groups(""))) & set('"#;:{}<>&%`')
    assert depth == 0

    # Every state is declared once, in document order, with a safe id that is not a keyword
    # and its name (H / H* for history) decoding back exactly.
    states = graph.walk()
    ids = [safe for safe, _ in declared]
    assert len(ids) == len(set(ids)) == len(states)
    for (safe, name), state in zip(declared, states, strict=True):
        assert safe.lower() not in {"state", "note", "class", "classdef", "root", "as", "style"}
        if state.type is StateType.HISTORY_SHALLOW:
            expected = "H"
        elif state.type is StateType.HISTORY_DEEP:
            expected = "H*"
        else:
            expected = state.name
        shown = next((text for text in (expected, state.id) if text.strip()), safe)
        assert name == shown

    # Edges only use declared ids or the start/end circle.
    for source, target, _label in edges:
        assert source in ids or source == "[*]"
        assert target in ids or target == "[*]"
