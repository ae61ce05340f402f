"""Compound states at runtime: default entry, configurations with ancestors, transitions
declared on a parent, leaving a compound, and the names a compound body declares (spec 3.1)."""

from __future__ import annotations

import pytest
from _chart_helpers import LogMixin, recorded

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import TransitionNotAllowed


class Journey(StateChart):
    class shire(State.Compound, initial=True):
        bag_end = State(initial=True)
        green_dragon = State()
        visit_pub = bag_end.to(green_dragon)
        go_home = green_dragon.to(bag_end)

    class mordor(State.Compound):
        gate = State(initial=True)

        class mountain(State.Compound):
            slope = State(initial=True)
            crack = State()
            climb = slope.to(crack)

        sneak = gate.to(mountain)

    road = State()

    leave = shire.to(road)
    march = road.to(mordor)
    teleport = road.to(mordor.mountain.crack)
    back_home = mordor.to(shire)


def test_initial_compound_enters_its_initial_child(engine):
    """Starting in a compound enters the compound and then its initial child."""
    sm, rec = recorded(engine, Journey)
    assert rec.calls == ["enter shire", "enter bag_end"]
    assert list(sm.configuration_values) == ["shire", "bag_end"]


def test_configuration_holds_the_ancestors_of_the_active_leaf(engine):
    """`configuration` lists the active compound and its active child as State objects."""
    sm = engine.machine(Journey)
    assert [s.id for s in sm.configuration] == ["shire", "bag_end"]
    assert sm.shire.is_active
    assert sm.bag_end.is_active
    assert not sm.green_dragon.is_active


def test_first_child_is_the_initial_one_when_none_is_marked(engine):
    """A compound without a child marked initial enters its first child in document order."""

    class Chart(StateChart):
        class box(State.Compound, initial=True):
            first = State()
            second = State()
            go = first.to(second)
            back = second.to(first)

    sm = engine.machine(Chart)
    assert list(sm.configuration_values) == ["box", "first"]


def test_transition_between_children_keeps_the_parent_active(engine):
    """An event declared in a compound body moves between its children; the parent stays."""
    sm = engine.machine(Journey)
    engine.send(sm, "visit_pub")
    assert list(sm.configuration_values) == ["shire", "green_dragon"]


def test_targeting_a_compound_enters_it_recursively(engine):
    """A transition to a compound enters it and its initial child, outermost first."""
    sm, rec = recorded(engine, Journey)
    engine.send(sm, "leave")
    rec.calls.clear()
    engine.send(sm, "march")
    assert rec.calls == ["exit road", "enter mordor", "enter gate"]
    assert list(sm.configuration_values) == ["mordor", "gate"]


def test_targeting_a_nested_leaf_enters_every_ancestor(engine):
    """A transition to a deeply nested state enters all of its ancestors first."""
    sm, rec = recorded(engine, Journey)
    engine.send(sm, "leave")
    rec.calls.clear()
    engine.send(sm, "teleport")
    assert rec.calls == ["exit road", "enter mordor", "enter mountain", "enter crack"]
    assert list(sm.configuration_values) == ["mordor", "mountain", "crack"]


def test_entering_a_nested_compound_enters_its_initial_child(engine):
    """Default entry recurses: entering an inner compound enters its own initial child."""
    sm = engine.machine(Journey)
    engine.send(sm, "leave")
    engine.send(sm, "march")
    engine.send(sm, "sneak")
    assert list(sm.configuration_values) == ["mordor", "mountain", "slope"]


def test_transition_on_the_parent_fires_from_any_child(engine):
    """A transition whose source is the compound applies whichever child is active."""
    sm = engine.machine(Journey)
    engine.send(sm, "visit_pub")
    engine.send(sm, "leave")
    assert list(sm.configuration_values) == ["road"]


def test_leaving_a_compound_exits_every_descendant_innermost_first(engine):
    """Exiting a compound exits its active descendants from the innermost outwards."""
    sm, rec = recorded(engine, Journey)
    engine.send(sm, "leave")
    engine.send(sm, "teleport")
    rec.calls.clear()
    engine.send(sm, "back_home")
    assert rec.calls == [
        "exit crack",
        "exit mountain",
        "exit mordor",
        "enter shire",
        "enter bag_end",
    ]
    assert list(sm.configuration_values) == ["shire", "bag_end"]


def test_event_of_an_inactive_child_is_ignored_by_a_statechart(engine):
    """In a StateChart an event whose source is not active changes nothing."""
    sm = engine.machine(Journey)
    engine.send(sm, "climb")
    assert list(sm.configuration_values) == ["shire", "bag_end"]


def test_event_of_an_inactive_child_raises_in_a_statemachine(engine):
    """In a StateMachine an event with no transition from the active states raises."""

    class Machine(StateMachine):
        class box(State.Compound, initial=True):
            a = State(initial=True)
            b = State()
            go = a.to(b)
            back = b.to(a)

    sm = engine.machine(Machine)
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "back")
    assert list(sm.configuration_values) == ["box", "a"]


def test_methods_declared_in_a_compound_body_are_callbacks_of_the_machine(engine):
    """A method written inside a compound body is hoisted and used as a naming convention."""

    class Chart(LogMixin, StateChart):
        class box(State.Compound, initial=True):
            a = State(initial=True)
            b = State()
            go = a.to(b)
            back = b.to(a)

            def on_enter_b(self):
                self.log.append("entered b")

    sm = engine.machine(Chart)
    engine.send(sm, "go")
    assert sm.log == ["entered b"]


def test_nested_states_are_instance_attributes_of_the_machine(engine):
    """Every nested state is reachable as `sm.<id>` with a live `is_active`."""
    sm = engine.machine(Journey)
    engine.send(sm, "leave")
    engine.send(sm, "teleport")
    assert sm.crack.is_active
    assert sm.mountain.is_active
    assert not sm.slope.is_active
    assert not sm.shire.is_active


def test_entry_callbacks_of_parent_and_child_both_run_on_default_entry(engine):
    """Default entry runs the `on_enter_<id>` callbacks of the compound and of its child."""

    class Chart(LogMixin, StateChart):
        start = State(initial=True)

        class box(State.Compound):
            inner = State(initial=True)
            other = State()
            swap = inner.to(other)
            back_in = other.to(inner)

        open_box = start.to(box)
        leave_box = box.to(start)

        def on_enter_box(self):
            self.log.append("box")

        def on_enter_inner(self):
            self.log.append("inner")

    sm = engine.machine(Chart)
    engine.send(sm, "open_box")
    assert sm.log == ["box", "inner"]


def test_a_compound_class_statement_takes_a_display_name(engine):
    """`class s(State.Compound, name="...")` sets the compound's display name."""

    class Chart(StateChart):
        class box(State.Compound, name="The Box", initial=True):
            inside = State(initial=True)
            other = State()
            move = inside.to(other)

    sm = engine.machine(Chart)
    assert Chart.box.name == "The Box"
    assert sm.box.is_active
