"""Property tests: random flat machines driven by random events, checked against a reference.

Each example builds a machine class with ``type(...)`` from plain data (states, transitions
with events, optional guards read from a model's boolean table, internal self-transitions),
then feeds it a random sequence of steps. A step either sends an event (maybe an unknown one)
or flips one guard on the model. After every step the machine is compared with a tiny
reference simulation written over the same plain data.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import TransitionNotAllowed

EVENT_POOL = ("go0", "go1", "go2", "go3", "go4")
UNKNOWN_EVENT = "nobody_declares_this"
GUARDS = ("g0", "g1", "g2")

_class_counter = itertools.count()


@dataclass(frozen=True)
class TransitionSpec:
    src: int
    dst: int
    event: str
    guard: tuple[str, bool] | None  # (guard name, True for cond= / False for unless=)
    internal: bool  # only meaningful for self-transitions


@dataclass(frozen=True)
class MachineSpec:
    base: type
    n_states: int
    transitions: tuple[TransitionSpec, ...]


@st.composite
def machine_specs(draw):
    n_states = draw(st.integers(min_value=2, max_value=8))
    state_index = st.integers(min_value=0, max_value=n_states - 1)
    raw = draw(
        st.lists(
            st.tuples(
                state_index,
                state_index,
                st.sampled_from(EVENT_POOL),
                st.none() | st.tuples(st.sampled_from(GUARDS), st.booleans()),
                st.booleans(),
            ),
            min_size=1,
            max_size=16,
        )
    )
    transitions = tuple(
        TransitionSpec(src, dst, event, guard, internal and src == dst)
        for src, dst, event, guard, internal in raw
    )
    base = draw(st.sampled_from([StateMachine, StateChart]))
    return MachineSpec(base, n_states, transitions)


steps = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.sampled_from((*EVENT_POOL, UNKNOWN_EVENT))),
        st.tuples(st.just("flip"), st.sampled_from(GUARDS)),
    ),
    max_size=30,
)
guard_tables = st.fixed_dictionaries({g: st.booleans() for g in GUARDS})


class GuardModel:
    def __init__(self, table):
        self.state = None
        for name, value in table.items():
            setattr(self, name, value)


class Trace:
    """A listener recording exits and entries in order."""

    def __init__(self):
        self.log: list[tuple[str, str]] = []

    def on_exit_state(self, state):
        self.log.append(("exit", state.id))

    def on_enter_state(self, state):
        self.log.append(("enter", state.id))


def state_id(index):
    return f"s{index}"


def state_value(index):
    # Values differ from ids so the test can tell which one ends up on the model.
    return f"V{index}"


def build_class(spec):
    states = [State(value=state_value(i), initial=(i == 0)) for i in range(spec.n_states)]
    namespace = {"__module__": __name__, "validate_disconnected_states": False}
    for i, state in enumerate(states):
        namespace[state_id(i)] = state
    events = {}
    for t in spec.transitions:
        kwargs = {}
        if t.guard is not None:
            name, positive = t.guard
            kwargs["cond" if positive else "unless"] = name
        if t.src == t.dst:
            transitions = states[t.src].to.itself(internal=t.internal, **kwargs)
        else:
            transitions = states[t.src].to(states[t.dst], **kwargs)
        events[t.event] = events[t.event] | transitions if t.event in events else transitions
    namespace.update(events)
    name = f"Random{spec.base.__name__}{next(_class_counter)}"
    return type(name, (spec.base,), namespace)


def reference_transition(spec, current, event, table):
    """The first transition, in declaration order, from `current` on `event` whose guard passes."""
    for t in spec.transitions:
        if t.src != current or t.event != event:
            continue
        if t.guard is not None:
            name, positive = t.guard
            if bool(table[name]) != positive:
                continue
        return t
    return None


def expected_trace(spec, t):
    if t.internal:
        # StateMachine: internal self-transitions run neither exit nor entry.
        # StateChart: they run exit, then entry, of the (atomic) source.
        if spec.base is StateMachine:
            return []
        return [("exit", state_id(t.src)), ("enter", state_id(t.src))]
    return [("exit", state_id(t.src)), ("enter", state_id(t.dst))]


def start(spec, table):
    cls = build_class(spec)
    model = GuardModel(table)
    trace = Trace()
    sm = cls(model=model, listeners=[trace])
    return sm, model, trace


def check_single_active_state(sm, model, current):
    assert len(sm.configuration) == 1
    active = sm.configuration[0]
    assert active.id == state_id(current)
    assert model.state == active.value == state_value(current)
    assert sm.current_state_value == state_value(current)
    active_flags = [getattr(sm, state_id(i)).is_active for i in range(len(sm.states))]
    assert active_flags.count(True) == 1
    assert active_flags[current]


PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY_SETTINGS
@given(spec=machine_specs(), table=guard_tables, run=steps)
def test_random_machine_matches_reference_model(spec, table, run):
    """After every step the machine agrees with a plain-dict simulation of the same spec."""
    sm, model, trace = start(spec, table)
    table = dict(table)
    current = 0
    assert trace.log == [("enter", state_id(0))]
    check_single_active_state(sm, model, current)

    for action, arg in run:
        trace.log.clear()
        if action == "flip":
            table[arg] = not table[arg]
            setattr(model, arg, table[arg])
            continue

        expected = reference_transition(spec, current, arg, table)
        if expected is None and spec.base is StateMachine:
            with pytest.raises(TransitionNotAllowed):
                sm.send(arg)
        else:
            sm.send(arg)

        if expected is not None:
            assert trace.log == expected_trace(spec, expected)
            current = expected.dst
        else:
            assert trace.log == [], "a refused or ignored event ran callbacks"
        check_single_active_state(sm, model, current)
        assert not sm.is_terminated


@PROPERTY_SETTINGS
@given(spec=machine_specs(), table=guard_tables, run=steps)
def test_exits_mirror_entries(spec, table, run):
    """Over a whole run, each exited state is the state entered just before it."""
    sm, model, trace = start(spec, table)
    for action, arg in run:
        if action == "flip":
            setattr(model, arg, not getattr(model, arg))
            continue
        try:
            sm.send(arg)
        except TransitionNotAllowed:
            assert spec.base is StateMachine
    log = trace.log
    assert log[0] == ("enter", state_id(0))
    for previous, following in itertools.pairwise(log):
        if following[0] == "exit":
            assert previous[0] == "enter"
            assert following[1] == previous[1]
        else:
            assert previous[0] == "exit"
    assert log[-1][0] == "enter"
    assert log[-1][1] == sm.configuration[0].id


@PROPERTY_SETTINGS
@given(spec=machine_specs(), table=guard_tables, run=steps)
def test_refused_event_changes_nothing(spec, table, run):
    """In a StateMachine, a refused event leaves configuration, model and trace as they were."""
    spec = MachineSpec(StateMachine, spec.n_states, spec.transitions)
    sm, model, trace = start(spec, table)
    for action, arg in run:
        if action == "flip":
            setattr(model, arg, not getattr(model, arg))
            continue
        before_ids = [s.id for s in sm.configuration]
        before_value = model.state
        before_log = list(trace.log)
        refusal = None
        try:
            sm.send(arg)
        except TransitionNotAllowed as exc:
            refusal = exc
        if refusal is None:
            continue
        assert refusal.event == arg
        assert {s.id for s in refusal.configuration} == set(before_ids)
        assert [s.id for s in sm.configuration] == before_ids
        assert model.state == before_value
        assert trace.log == before_log


@PROPERTY_SETTINGS
@given(spec=machine_specs(), table=guard_tables, run=steps)
def test_allowed_events_are_the_events_leaving_the_active_state(spec, table, run):
    """allowed_events is exactly the set of events with a transition from the active state."""
    sm, model, _trace = start(spec, table)
    for action, arg in run:
        if action == "flip":
            setattr(model, arg, not getattr(model, arg))
        else:
            with contextlib.suppress(TransitionNotAllowed):
                sm.send(arg)
        current = sm.configuration[0].id
        expected = {t.event for t in spec.transitions if state_id(t.src) == current}
        assert {e.id for e in sm.allowed_events} == expected


@PROPERTY_SETTINGS
@given(spec=machine_specs(), table=guard_tables, run=steps)
def test_statemachine_and_statechart_agree_on_the_path(spec, table, run):
    """Without errors or internal self-transitions, both classes visit the same states."""
    transitions = tuple(
        TransitionSpec(t.src, t.dst, t.event, t.guard, False) for t in spec.transitions
    )
    machine, machine_model, machine_trace = start(
        MachineSpec(StateMachine, spec.n_states, transitions), table
    )
    chart, chart_model, chart_trace = start(
        MachineSpec(StateChart, spec.n_states, transitions), table
    )
    for action, arg in run:
        if action == "flip":
            for model in (machine_model, chart_model):
                setattr(model, arg, not getattr(model, arg))
            continue
        with contextlib.suppress(TransitionNotAllowed):
            machine.send(arg)
        chart.send(arg)
        assert machine.current_state_value == chart.current_state_value
    assert machine_trace.log == chart_trace.log
