"""Definition errors of nested charts, raised by the class statement with a message that names
the state and says how to fix it (issue 4's "bad input" list)."""

from __future__ import annotations

import pytest

from statemachine import HistoryState, State, StateChart
from statemachine.exceptions import InvalidDefinition


def test_unreachable_nested_state_is_rejected():
    """A child of a compound that no transition enters (and that is not initial) is reported."""
    with pytest.raises(InvalidDefinition, match=r"Disconnected states: \['orphan'\]"):

        class Chart(StateChart):
            class box(State.Compound, initial=True):
                first = State(initial=True)
                orphan = State()
                loop = first.to.itself()


def test_nested_state_reached_by_a_transition_is_accepted():
    """The same child becomes reachable once a transition targets it."""

    class Chart(StateChart):
        class box(State.Compound, initial=True):
            first = State(initial=True)
            second = State()
            go = first.to(second)
            back = second.to(first)

    assert Chart().box.first.is_active


def test_nested_trap_state_is_rejected_when_a_final_exists():
    """Trap states are found inside compounds too (a deliberate difference)."""
    with pytest.raises(InvalidDefinition, match=r"no outgoing transition: \['stuck'\]"):

        class Chart(StateChart):
            class box(State.Compound, initial=True):
                first = State(initial=True)
                stuck = State()
                go = first.to(stuck)

            done = State(final=True)
            finish = box.first.to(done)


def test_nested_dead_end_is_rejected():
    """A nested state with transitions but no path to a final state is reported."""
    with pytest.raises(InvalidDefinition, match=r"no path to a final state: \['ping', 'pong'\]"):

        class Chart(StateChart):
            start = State(initial=True)
            done = State(final=True)
            finish = start.to(done)

            class box(State.Compound):
                ping = State(initial=True)
                pong = State()
                hit = ping.to(pong)
                back = pong.to(ping)

            enter_box = start.to(box)


def test_internal_transition_to_a_non_descendant_is_rejected():
    """`internal=True` needs the target to be the source or one of its descendants."""
    with pytest.raises(InvalidDefinition) as caught:

        class Chart(StateChart):
            class box(State.Compound, initial=True):
                inner = State(initial=True)

            other = State()
            jump = box.to(other, internal=True)
            back = other.to(box)

    assert str(caught.value) == (
        "Not a valid internal transition from source State('Box', id='box', value='box', "
        "initial=True, final=False, parallel=False), target State('Other', id='other', "
        "value='other', initial=False, final=False, parallel=False) should be self or a "
        "descendant."
    )


def test_internal_transition_to_a_descendant_is_accepted():
    """An internal transition from a compound to its own child is valid."""

    class Chart(StateChart):
        class box(State.Compound, initial=True):
            a = State(initial=True)
            b = State()
            back = b.to(a)

        reset_b = box.to(box.b, internal=True)

    assert Chart().box.a.is_active


def test_history_state_outside_a_compound_is_rejected():
    """A history state must live in the compound whose children it remembers."""
    with pytest.raises(InvalidDefinition, match=r"History state 'h' is not inside a compound"):

        class Chart(StateChart):
            a = State(initial=True)
            h = HistoryState()
            go = a.to(h)


def test_two_history_states_of_the_same_kind_are_rejected():
    """One shallow and one deep history per compound at most."""
    with pytest.raises(InvalidDefinition, match=r"'box' has two history states of the same kind"):

        class Chart(StateChart):
            class box(State.Compound, initial=True):
                a = State(initial=True)
                h1 = HistoryState()
                h2 = HistoryState()


def test_a_shallow_and_a_deep_history_together_are_accepted():
    """Different kinds may coexist in one compound."""

    class Chart(StateChart):
        class box(State.Compound, initial=True):
            a = State(initial=True)
            b = State()
            go = a.to(b)
            back = b.to(a)
            shallow = HistoryState()
            deep = HistoryState(type="deep")

    assert Chart().box.a.is_active


def test_donedata_on_a_non_final_nested_state_is_rejected():
    """`donedata` belongs on final states only."""
    with pytest.raises(InvalidDefinition, match=r"State 'busy' is not final"):

        class Chart(StateChart):
            class box(State.Compound, initial=True):
                busy = State(initial=True, donedata=lambda: {"x": 1})
                done = State(final=True)
                go = busy.to(done)


def test_parallel_state_without_regions_is_rejected():
    """A parallel state needs regions."""
    with pytest.raises(InvalidDefinition, match=r"Parallel state 'both' has no regions"):

        class Chart(StateChart):
            both = State(parallel=True, initial=True)


def test_compound_child_marked_initial_twice_is_rejected():
    """A compound has one initial child."""
    with pytest.raises(InvalidDefinition, match=r"one and only one initial state.*a, b"):

        class Chart(StateChart):
            class box(State.Compound, initial=True):
                a = State(initial=True)
                b = State(initial=True)
                go = a.to(b)
                back = b.to(a)


def test_same_event_name_in_two_regions_makes_one_event():
    """Regions that each declare ``toggle`` share one event that fires in both."""

    class Oven(StateChart):
        class oven(State.Parallel, initial=True):
            class door(State.Compound):
                shut = State(initial=True)
                opened = State()
                toggle = shut.to(opened) | opened.to(shut)

            class heat(State.Compound):
                off = State(initial=True)
                hot = State()
                toggle = off.to(hot) | hot.to(off)

    sm = Oven()
    assert [t.source.id for t in Oven.toggle.transitions] == ["shut", "opened", "off", "hot"]
    sm.send("toggle")
    assert list(sm.configuration_values) == ["oven", "door", "opened", "heat", "hot"]


def test_event_in_a_compound_clashing_with_a_machine_attribute_is_rejected():
    """An event declared in a compound body may not shadow a machine attribute."""
    with pytest.raises(InvalidDefinition, match=r"Event 'go' declared inside state 'box'"):

        class Chart(StateChart):
            class box(State.Compound, initial=True):
                a = State(initial=True)
                b = State()
                go = a.to(b) | b.to(a)

            go = State()


def test_children_given_to_state_states_get_ids_from_their_names():
    """``State(states=[...])`` children that are not class attributes are named by their
    names (or values), so they are reachable as ``sm.<id>``."""

    class Machine(StateChart):
        validate_disconnected_states = False
        top = State(initial=True, states=[State("Warm up", initial=True), State(value="ready")])
        done = State(final=True)
        finish = top.to(done)

    sm = Machine()
    assert [s.id for s in Machine.top.states] == ["warm_up", "ready"]
    assert list(sm.configuration_values) == ["top", "warm_up"]
    assert sm.warm_up.is_active
    assert not sm.top.ready.is_active


def test_children_that_are_class_attributes_are_not_top_level_states():
    """A state declared as a class attribute and also given as a child stays a child."""

    class Machine(StateChart):
        idle = State(initial=True)
        busy = State()
        group = State(initial=True, states=[idle, busy])
        start = idle.to(busy)
        stop = busy.to(idle)

    assert [s.id for s in Machine.states] == ["group"]
    sm = Machine()
    assert list(sm.configuration_values) == ["group", "idle"]


def test_child_without_name_or_value_is_rejected():
    """A nameless child cannot get an id; the error says how to give it one."""
    with pytest.raises(InvalidDefinition, match=r"A child of state 'top' has no id"):

        class Machine(StateChart):
            top = State(initial=True, states=[State(initial=True)])
