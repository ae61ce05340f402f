"""Property tests: random statecharts driven by random events keep a legal configuration.

Each example draws a chart as plain data (a tree of atomic, final, compound and parallel
states nested up to four levels, shallow and deep history states, transitions grouped into
events), builds the machine class from it exactly as class statements would, and feeds it a
random sequence of steps (send an event, or flip a guard). After construction and after every
step, that is after every macrostep, the configuration and the log of entries and exits
recorded by a listener are checked against the SCXML invariants:

* an active compound state has exactly one active child, an active parallel state has all its
  children active, the ancestors of an active state are active, the root acts as a compound
  (or, for a parallel root, is active), and the configuration is empty only once terminated;
* entries and exits mirror each other: replaying the log reproduces the configuration, no
  state is entered while active nor exited while inactive;
* inside a microstep all exits come before all entries, exits run innermost first (reverse
  document order) and entries outermost first (document order);
* ``sm.<state>.is_active`` agrees with the configuration; the machine is terminated exactly
  when its configuration is final (a top-level final state, or every region of a parallel
  root complete), and once terminated nothing changes any more.

Generated charts always settle: there are no eventless transitions, and the transitions on
``done.state.<id>`` events only target atomic non-final states, which never enter a final
state (no compound starts in a final child), so no completion event can start a cycle.

When a property fails, the falsifying chart is printed as the class statement it stands for.
"""

from __future__ import annotations

import functools
import itertools
import operator
import types
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from statemachine import HistoryState, State, StateChart
from statemachine.transition_list import TransitionList

MAX_DEPTH = 4  # top-level states are at depth 1
MAX_STATES = 16  # a soft cap: kinds are drawn before the subtrees they open are counted
EVENTS = ("e1", "e2", "e3", "e4")
UNKNOWN_EVENT = "nobody_declares_this"
GUARDS = ("g1", "g2", "g3")

ATOMIC, FINAL, COMPOUND, PARALLEL = "atomic", "final", "compound", "parallel"

_class_counter = itertools.count()


# --- the plain data a chart is drawn as --------------------------------------------------------


@dataclass
class HistorySpec:
    id: str
    deep: bool
    default: str | None  # id of the default transition's target, if any


@dataclass
class StateSpec:
    id: str
    kind: str
    initial: bool = False
    children: list[StateSpec] = field(default_factory=list)
    history: list[HistorySpec] = field(default_factory=list)


@dataclass
class TransitionSpec:
    event: str  # a machine attribute name: "e1", or "done_state_<id>" for done.state.<id>
    source: str
    target: str | None  # None: a targetless transition
    internal: bool
    guard: tuple[str, bool] | None  # (guard name, True for cond= / False for unless=)


@dataclass
class ChartSpec:
    top: list[StateSpec]
    transitions: list[TransitionSpec]
    guards: dict[str, bool]

    def __post_init__(self) -> None:
        self.nodes: dict[str, StateSpec] = {}
        self.parent: dict[str, str | None] = {}
        self.histories: dict[str, str] = {}  # history id -> its parent's id
        self.order: dict[str, int] = {}  # document order, computed here independently

        def walk(node: StateSpec, parent: str | None) -> None:
            self.order[node.id] = len(self.order)
            self.nodes[node.id] = node
            self.parent[node.id] = parent
            for child in node.children:
                walk(child, node.id)
            for h in node.history:
                self.histories[h.id] = node.id

        for node in self.top:
            walk(node, None)

    @property
    def parallel_root(self) -> bool:
        """A top level of parallel states with none marked initial: all of them start."""
        return not any(node.initial for node in self.top)

    def ancestors(self, state_id: str) -> list[str]:
        result = []
        parent = self.parent[state_id]
        while parent is not None:
            result.append(parent)
            parent = self.parent[parent]
        return result

    def is_below(self, state_id: str, ancestor: str) -> bool:
        """Whether a state (or history state) lies inside ``ancestor``."""
        parent = self.histories.get(state_id)
        if parent is not None:
            return parent == ancestor or ancestor in self.ancestors(parent)
        return ancestor in self.ancestors(state_id)

    def can_complete(self, node: StateSpec) -> bool:
        """Whether ``node`` has a final configuration (a compound with a final child, or a
        parallel all of whose regions can complete)."""
        if node.kind == COMPOUND:
            return any(c.kind == FINAL for c in node.children)
        if node.kind == PARALLEL:
            return all(self.can_complete(c) for c in node.children)
        return False

    def is_final_config(self, active: set[str]) -> bool:
        """SCXML's isInFinalState applied to the root."""

        def in_final(node: StateSpec) -> bool:
            if node.kind == COMPOUND:
                return any(c.kind == FINAL and c.id in active for c in node.children)
            if node.kind == PARALLEL:
                return all(in_final(c) for c in node.children)
            return False

        if self.parallel_root:
            return all(in_final(node) for node in self.top)
        return any(node.kind == FINAL and node.id in active for node in self.top)

    def path(self, state_id: str) -> str:
        """How the machine body names a state: ``outer.inner.leaf`` for nested states."""
        parent = self.histories.get(state_id) or self.parent.get(state_id)
        return state_id if parent is None else f"{self.path(parent)}.{state_id}"

    def source(self) -> str:
        """The class statement this chart stands for (printed when a property fails)."""
        lines = ["class Chart(StateChart):"]
        lines += [
            "    validate_disconnected_states = False",
            "    validate_trap_states = False",
            "    validate_final_reachability = False",
        ]
        lines += [f"    {name} = {value}" for name, value in self.guards.items()]

        def render(node: StateSpec, indent: str) -> None:
            if node.kind in (ATOMIC, FINAL):
                args = ["initial=True"] if node.initial else []
                args += ["final=True"] if node.kind == FINAL else []
                lines.append(f"{indent}{node.id} = State({', '.join(args)})")
                return
            base = "State.Compound" if node.kind == COMPOUND else "State.Parallel"
            lines.append(
                f"{indent}class {node.id}({base}{', initial=True' if node.initial else ''}):"
            )
            for child in node.children:
                render(child, indent + "    ")
            for h in node.history:
                kind = '"deep"' if h.deep else '"shallow"'
                lines.append(f"{indent}    {h.id} = HistoryState(type={kind})")
                if h.default is not None:
                    target = self.path(h.default)[len(self.path(node.id)) + 1 :]
                    lines.append(f"{indent}    _ = {h.id}.to({target})")

        for node in self.top:
            render(node, "    ")
        events: dict[str, list[str]] = {}
        for t in self.transitions:
            kwargs = []
            if t.internal:
                kwargs.append("internal=True")
            if t.guard is not None:
                kwargs.append(f'{"cond" if t.guard[1] else "unless"}="{t.guard[0]}"')
            src = self.path(t.source)
            if t.target == t.source:
                text = f"{src}.to.itself({', '.join(kwargs)})"
            else:
                args = ([self.path(t.target)] if t.target is not None else []) + kwargs
                text = f"{src}.to({', '.join(args)})"
            events.setdefault(t.event, []).append(text)
        lines += [f"    {event} = {' | '.join(ts)}" for event, ts in events.items()]
        return "\n".join(lines)


# --- strategies ----------------------------------------------------------------------------------


def subtree(node: StateSpec) -> list[str]:
    """The ids of ``node`` and of the states below it (history states excluded)."""
    return [node.id, *(d for child in node.children for d in subtree(child))]


@st.composite
def charts(draw: st.DrawFn) -> ChartSpec:
    state_ids = itertools.count()
    history_ids = itertools.count()
    size = [0]

    def kinds_at(depth: int, in_parallel: bool, min_size: int, max_size: int) -> list[str]:
        """The kinds of a list of sibling states."""
        kinds = [ATOMIC] if in_parallel else [ATOMIC, FINAL]
        if depth < MAX_DEPTH and size[0] < MAX_STATES:
            # A parallel's children are its regions: compounds or atomic states. Compounds
            # are the most common kind, so that most charts do nest.
            kinds += [COMPOUND, COMPOUND] if in_parallel else [COMPOUND, COMPOUND, PARALLEL]
        return draw(st.lists(st.sampled_from(kinds), min_size=min_size, max_size=max_size))

    def new_state(kind: str, depth: int, initial: bool = False) -> StateSpec:
        node = StateSpec(f"s{next(state_ids)}", kind, initial)
        size[0] += 1
        if kind == COMPOUND:
            node.children = siblings(depth + 1, max_size=3, explicit_initial=False)
            descendants = [d for c in node.children for d in subtree(c)]
            for deep in sorted(draw(st.sets(st.booleans()))):  # at most one of each kind
                # A shallow default targets a child; a deep one may target any descendant.
                targets = descendants if deep else [c.id for c in node.children]
                default = draw(st.none() | st.sampled_from(targets))
                node.history.append(HistorySpec(f"h{next(history_ids)}", deep, default))
        elif kind == PARALLEL:
            kinds = kinds_at(depth + 1, in_parallel=True, min_size=2, max_size=3)
            node.children = [new_state(k, depth + 1) for k in kinds]
        return node

    def siblings(depth: int, max_size: int, explicit_initial: bool) -> list[StateSpec]:
        kinds = kinds_at(depth, in_parallel=False, min_size=1, max_size=max_size)
        # No compound starts in a final child (see the module docstring).
        candidates = [i for i, k in enumerate(kinds) if k != FINAL]
        if not candidates:
            kinds[0], candidates = ATOMIC, [0]
        initial = draw(st.sampled_from(candidates))
        # The first child is the default initial one, so marking it is optional.
        mark = draw(st.booleans()) if initial == 0 and not explicit_initial else True
        return [new_state(k, depth, initial=(i == initial and mark)) for i, k in enumerate(kinds)]

    if draw(st.integers(min_value=0, max_value=4)) == 4:
        # A top level of one parallel state, which needs no initial mark.
        top = [new_state(PARALLEL, depth=1)]
    else:
        top = siblings(depth=1, max_size=4, explicit_initial=True)

    chart = ChartSpec(top, [], draw(st.fixed_dictionaries({g: st.booleans() for g in GUARDS})))
    chart.transitions = draw(st.lists(transitions(chart), min_size=2, max_size=16))
    return chart


@st.composite
def transitions(draw: st.DrawFn, chart: ChartSpec) -> TransitionSpec:
    """A transition of ``chart``, on one of the events or on a ``done.state.<id>`` event."""
    all_ids = list(chart.nodes)
    # Final states have no outgoing transitions.
    sources = [s for s in all_ids if chart.nodes[s].kind != FINAL]
    targets = all_ids + list(chart.histories)
    finals = [s for s in all_ids if chart.nodes[s].kind == FINAL]
    # The states that can complete, so that their done.state.<id> event can happen.
    completing = [s for s in all_ids if chart.can_complete(chart.nodes[s])]
    forms = ["external", "self", "internal", "targetless"]
    forms += ["final"] if finals else []
    forms += ["history", "history"] if chart.histories else []
    forms += ["done"] if completing else []

    source = draw(st.sampled_from(sources))
    form = draw(st.sampled_from(forms))
    event = draw(st.sampled_from(EVENTS))
    target: str | None = source
    internal = False
    if form == "external":
        target = draw(st.sampled_from(targets))
    elif form == "self":
        internal = draw(st.booleans())
    elif form == "internal":
        # Internal transitions target the source or one of its descendants (maybe a history
        # state inside it).
        below = [x for x in targets if chart.is_below(x, source)]
        target = draw(st.sampled_from([source, *below]))
        internal = True
    elif form == "targetless":
        target = None
    elif form == "final":
        target = draw(st.sampled_from(finals))
    elif form == "history":
        # Often from inside the history's own parent, as when a region resumes itself.
        target = draw(st.sampled_from(sorted(chart.histories)))
        inside = [s for s in sources if chart.is_below(s, chart.histories[target])]
        if inside:
            source = draw(st.sampled_from(inside) | st.sampled_from(sources))
    else:
        # On done.state.<id>, usually from that state or one of its ancestors so that it
        # fires; the target is atomic and not final (see the module docstring).
        done = draw(st.sampled_from(completing))
        event = f"done_state_{done}"
        source = draw(st.sampled_from([done, *chart.ancestors(done)]) | st.sampled_from(sources))
        target = draw(st.sampled_from([s for s in all_ids if chart.nodes[s].kind == ATOMIC]))
    # Guards are the exception, so that most events do fire.
    guard = None
    if draw(st.integers(min_value=0, max_value=3)) == 3:
        guard = draw(st.tuples(st.sampled_from(GUARDS), st.booleans()))
    return TransitionSpec(event, source, target, internal, guard)


# A step is (kind, index): send an event that some active state has a transition for, send
# any event (maybe one nobody declares), or flip a guard; the index picks which one. Left to
# itself Hypothesis draws very short runs after a chart, hence the minimum length; a failing
# run still shows only the steps up to the failure.
STEP_KINDS = ("likely", "likely", "any", "flip")
steps = st.lists(
    st.tuples(st.sampled_from(STEP_KINDS), st.integers(min_value=0, max_value=7)),
    min_size=5,
    max_size=30,
)


def resolve_step(chart: ChartSpec, active: set[str], kind: str, index: int) -> tuple[str, str]:
    """The action a drawn step stands for in the current configuration."""
    if kind == "flip":
        return "flip", GUARDS[index % len(GUARDS)]
    likely = sorted(
        {t.event for t in chart.transitions if t.source in active and t.event in EVENTS}
    )
    if kind == "any" or not likely:
        choices = (*EVENTS, UNKNOWN_EVENT)
        return "send", choices[index % len(choices)]
    return "send", likely[index % len(likely)]


# --- building the machine class ------------------------------------------------------------------


def build_class(chart: ChartSpec) -> type[StateChart]:
    """The machine class of ``chart``, made with ``types.new_class`` the way class statements
    (``class Chart(StateChart): ...`` with nested ``class s1(State.Compound): ...``) make it."""
    objects: dict[str, State] = {}

    def declare(node: StateSpec, namespace: dict[str, object]) -> None:
        if node.kind in (ATOMIC, FINAL):
            state = State(initial=node.initial, final=node.kind == FINAL)
        else:

            def body(inner: dict[str, object]) -> None:
                inner["__module__"] = __name__
                inner["__qualname__"] = node.id
                for child in node.children:
                    declare(child, inner)
                for h in node.history:
                    history = HistoryState(type="deep" if h.deep else "shallow")
                    inner[h.id] = objects[h.id] = history
                    if h.default is not None:
                        inner["_"] = history.to(objects[h.default])

            base = State.Compound if node.kind == COMPOUND else State.Parallel
            kwds = {"initial": True} if node.initial else {}
            # The class statement's metaclass returns a State, not a class.
            state = cast(State, types.new_class(node.id, (base,), kwds, exec_body=body))
        namespace[node.id] = objects[node.id] = state

    def machine_body(namespace: dict[str, object]) -> None:
        namespace["__module__"] = __name__
        namespace["__qualname__"] = name
        namespace["validate_disconnected_states"] = False
        namespace["validate_trap_states"] = False
        namespace["validate_final_reachability"] = False
        namespace.update(chart.guards)
        for node in chart.top:
            declare(node, namespace)
        events: dict[str, list[TransitionList]] = {}
        for t in chart.transitions:
            source = objects[t.source]
            kwargs: dict[str, object] = {"internal": True} if t.internal else {}
            if t.guard is not None:
                kwargs["cond" if t.guard[1] else "unless"] = t.guard[0]
            if t.target is None:
                made = source.to(**kwargs)
            elif t.target == t.source:
                made = source.to.itself(**kwargs)
            else:
                made = source.to(objects[t.target], **kwargs)
            events.setdefault(t.event, []).append(made)
        for event, lists in events.items():
            namespace[event] = functools.reduce(operator.or_, lists)

    name = f"RandomChart{next(_class_counter)}"
    return types.new_class(name, (StateChart,), exec_body=machine_body)


# --- observing a run -----------------------------------------------------------------------------


class Recorder:
    """A listener logging entries and exits, and the start of each transition's microstep."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []

    def before_transition(self) -> None:
        self.log.append(("before", ""))

    def on_exit_state(self, state: State) -> None:
        self.log.append(("exit", state.id))

    def on_enter_state(self, state: State) -> None:
        self.log.append(("enter", state.id))


def microsteps(log: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Split a macrostep's log into microsteps. Every microstep but the initial entry starts
    with one ``before_transition`` per transition it takes, ahead of any exit."""
    steps: list[list[tuple[str, str]]] = [[]]
    for previous, entry in itertools.pairwise([("start", ""), *log]):
        if entry[0] == "before":
            if previous[0] != "before":
                steps.append([])
        else:
            steps[-1].append(entry)
    return [s for s in steps if s]


class Checker:
    """Checks one machine of ``chart`` after every macrostep."""

    def __init__(self, chart: ChartSpec, sm: StateChart, recorder: Recorder) -> None:
        self.chart = chart
        self.sm = sm
        self.recorder = recorder
        self.seen = 0  # how much of the log was already checked
        self.active: Counter[str] = Counter()  # the configuration replayed from the log
        self.entered: Counter[str] = Counter()
        self.exited: Counter[str] = Counter()
        self.frozen: list[str] | None = None  # the configuration at termination

    def check(self) -> None:
        new = self.recorder.log[self.seen :]
        self.seen = len(self.recorder.log)
        config = [s.id for s in self.sm.configuration]
        if self.frozen is not None:
            assert new == [], "a terminated machine ran entry or exit callbacks"
            assert config == self.frozen, "a terminated machine changed its configuration"
        for step in microsteps(new):
            self.check_microstep(step)
        self.check_log_mirrors(config)
        self.check_configuration(config)
        if self.sm.is_terminated and self.frozen is None:
            self.frozen = config

    def check_microstep(self, step: list[tuple[str, str]]) -> None:
        order = self.chart.order
        kinds = [kind for kind, _ in step]
        first_entry = kinds.index("enter") if "enter" in kinds else len(kinds)
        assert "exit" not in kinds[first_entry:], f"an exit follows an entry in {step}"
        exits = [state for _, state in step[:first_entry]]
        entries = [state for _, state in step[first_entry:]]
        for i, earlier in enumerate(exits):
            for later in exits[i + 1 :]:
                assert earlier not in self.chart.ancestors(later), (
                    f"{earlier} exited before its descendant {later}: {step}"
                )
        for i, earlier in enumerate(entries):
            for later in entries[i + 1 :]:
                assert later not in self.chart.ancestors(earlier), (
                    f"{earlier} entered before its ancestor {later}: {step}"
                )
        assert exits == sorted(exits, key=order.__getitem__, reverse=True), (
            f"exits not in reverse document order: {exits}"
        )
        assert entries == sorted(entries, key=order.__getitem__), (
            f"entries not in document order: {entries}"
        )
        for kind, state in step:
            if kind == "exit":
                assert self.active[state] == 1, f"{state} exited while inactive: {step}"
                self.active[state] -= 1
                self.exited[state] += 1
            else:
                assert self.active[state] == 0, f"{state} entered while active: {step}"
                self.active[state] += 1
                self.entered[state] += 1

    def check_log_mirrors(self, config: list[str]) -> None:
        replayed = {state for state, count in self.active.items() if count}
        assert replayed == set(config), "the log of entries and exits disagrees with the machine"
        for state in self.chart.nodes:
            balance = self.entered[state] - self.exited[state]
            assert balance == (state in config), f"{state}: entered minus exited is {balance}"

    def check_configuration(self, config: list[str]) -> None:
        chart = self.chart
        active = set(config)
        assert len(active) == len(config), f"duplicates in the configuration {config}"
        assert active <= set(chart.nodes), f"unknown or history states in {config}"
        assert config or self.sm.is_terminated, "empty configuration on a running machine"
        for state in config:
            node = chart.nodes[state]
            parent = chart.parent[state]
            assert parent is None or parent in active, f"{state} active, its parent {parent} not"
            children = [c.id for c in node.children if c.id in active]
            if node.kind == COMPOUND:
                assert len(children) == 1, f"compound {state} has active children {children}"
            elif node.kind == PARALLEL:
                assert len(children) == len(node.children), (
                    f"parallel {state} has only {children} of its regions active"
                )
        top_active = [node.id for node in chart.top if node.id in active]
        if chart.parallel_root:
            assert top_active == [node.id for node in chart.top], f"root left: {config}"
        else:
            assert len(top_active) == 1, f"top-level states {top_active} active at once"
        for state in chart.nodes:
            assert getattr(self.sm, state).is_active == (state in active), (
                f"sm.{state}.is_active disagrees with the configuration {config}"
            )
        assert self.sm.is_terminated == chart.is_final_config(active), (
            f"is_terminated is {self.sm.is_terminated} in the configuration {config}"
        )


PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# A counterexample this test found, kept as a regression: `s2` targets the deep history of
# `s0`, whose default is `s2` again. Entering the history behaves as a transition to `s2`
# (exit s2, enter s2); `s1` stays active and must not be entered a second time.
DEEP_HISTORY_BELOW_THE_DOMAIN = ChartSpec(
    top=[
        StateSpec(
            "s0",
            COMPOUND,
            initial=True,
            children=[StateSpec("s1", COMPOUND, children=[StateSpec("s2", ATOMIC)])],
            history=[HistorySpec("h0", deep=True, default="s2")],
        )
    ],
    transitions=[TransitionSpec("e1", "s2", "h0", internal=False, guard=None)],
    guards=dict.fromkeys(GUARDS, False),
)


@PROPERTY_SETTINGS
@given(chart=charts(), run=steps)
@example(chart=DEEP_HISTORY_BELOW_THE_DOMAIN, run=[("likely", 0)] * 5)
def test_random_chart_keeps_a_legal_configuration(engine, chart, run):
    """After construction and every macrostep, the configuration is legal, agrees with the
    entries and exits observed in order, and with ``is_active`` and ``is_terminated``."""
    note(chart.source())
    cls = build_class(chart)
    recorder = Recorder()
    sm = engine.machine(cls, listeners=[recorder])
    checker = Checker(chart, sm, recorder)
    checker.check()
    for kind, index in run:
        action, name = resolve_step(chart, {s.id for s in sm.configuration}, kind, index)
        note(f"{action} {name}")
        if action == "flip":
            setattr(sm, name, not getattr(sm, name))
        else:
            engine.send(sm, name)
        checker.check()
