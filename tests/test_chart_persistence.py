"""Statechart configurations on the model: several active states stored as an OrderedSet of
values, restoring a configuration (ancestors included) without entry callbacks, and the live
`is_active` of nested state attributes (spec 5, deliberate difference 5)."""

from __future__ import annotations

import pytest

from statemachine import State, StateChart
from statemachine.exceptions import InvalidStateValue
from statemachine.orderedset import OrderedSet


class Record:
    """A plain model object with a `state` field."""

    def __init__(self, state=None):
        self.state = state


class Journey(StateChart):
    class shire(State.Compound, initial=True):
        bag_end = State(initial=True)
        green_dragon = State()
        visit_pub = bag_end.to(green_dragon)
        go_home = green_dragon.to(bag_end)

    road = State()
    leave = shire.to(road)
    return_home = road.to(shire)

    def __init__(self, *args, **kwargs):
        self.entered: list[str] = []
        super().__init__(*args, **kwargs)

    def on_enter_state(self, state):
        self.entered.append(state.id)


class Oven(StateChart):
    class oven(State.Parallel, initial=True):
        class door(State.Compound):
            shut = State(initial=True)
            opened = State()
            toggle_door = shut.to(opened) | opened.to(shut)

        class heat(State.Compound):
            cold = State(initial=True)
            hot = State()
            toggle_heat = cold.to(hot) | hot.to(cold)


def test_several_active_states_are_stored_as_an_ordered_set_of_values(engine):
    """A compound configuration is written to the model as an OrderedSet in document order."""
    model = Record()
    engine.machine(Journey, model)
    assert isinstance(model.state, OrderedSet)
    assert list(model.state) == ["shire", "bag_end"]


def test_parallel_configuration_is_stored_with_every_region(engine):
    """Every active state of every region is part of the stored value."""
    model = Record()
    engine.machine(Oven, model)
    assert model.state == OrderedSet(["oven", "door", "shut", "heat", "cold"])


def test_stored_value_follows_each_transition(engine):
    """After an event, the model holds the new configuration."""
    model = Record()
    sm = engine.machine(Oven, model)
    engine.send(sm, "toggle_heat")
    assert list(model.state) == ["oven", "door", "shut", "heat", "hot"]


def test_single_active_state_is_stored_as_a_scalar(engine):
    """When only one state is active, the model holds its plain value."""
    model = Record()
    sm = engine.machine(Journey, model)
    engine.send(sm, "leave")
    assert model.state == "road"


def test_restoring_an_ordered_set_rebuilds_the_configuration(engine):
    """A model preset with an OrderedSet of values starts in that configuration."""
    model = Record(OrderedSet(["oven", "door", "opened", "heat", "hot"]))
    sm = engine.machine(Oven, model)
    assert [s.id for s in sm.configuration] == ["oven", "door", "opened", "heat", "hot"]
    assert sm.opened.is_active
    assert not sm.shut.is_active


def test_restoring_a_leaf_value_includes_its_ancestors(engine):
    """A stored leaf value restores the leaf together with every ancestor."""
    sm = engine.machine(Journey, Record("green_dragon"))
    assert [s.id for s in sm.configuration] == ["shire", "green_dragon"]
    assert sm.shire.is_active


def test_restoring_leaves_of_every_region_includes_their_ancestors(engine):
    """An OrderedSet of region leaves restores the regions and the parallel too."""
    sm = engine.machine(Oven, Record(OrderedSet(["opened", "hot"])))
    assert [s.id for s in sm.configuration] == ["oven", "door", "opened", "heat", "hot"]


def test_restored_single_value_machine_accepts_events(engine):
    """A machine restored from one scalar value runs transitions as usual."""
    model = Record("road")
    sm = engine.machine(Journey, model)
    engine.send(sm, "return_home")
    assert list(model.state) == ["shire", "bag_end"]


def test_restored_leaf_handles_events_declared_on_its_ancestor(engine):
    """After restoring a leaf, a transition of its parent still fires."""
    model = Record("green_dragon")
    sm = engine.machine(Journey, model)
    engine.send(sm, "leave")
    assert model.state == "road"


def test_restored_leaf_handles_its_own_events(engine):
    """After restoring a leaf, its own transitions fire and the model is rewritten."""
    model = Record("green_dragon")
    sm = engine.machine(Journey, model)
    engine.send(sm, "go_home")
    assert list(model.state) == ["shire", "bag_end"]


def test_restoring_does_not_run_entry_callbacks(engine):
    """Restoring a stored configuration enters nothing, so no entry callback runs."""
    sm = engine.machine(Journey, Record(OrderedSet(["shire", "green_dragon"])))
    assert sm.entered == []


def test_a_fresh_machine_does_run_entry_callbacks(engine):
    """Without a stored value, the initial configuration is entered with its callbacks."""
    sm = engine.machine(Journey, Record())
    assert sm.entered == ["shire", "bag_end"]


def test_restoring_a_top_level_final_state_is_terminated(engine):
    """A model stored in a top-level final state restores a terminated machine."""

    class Chart(StateChart):
        class job(State.Compound, initial=True):
            a = State(initial=True)
            b = State()
            step = a.to(b)

        end = State(final=True)
        finish = job.b.to(end)

    sm = engine.machine(Chart, Record("end"))
    assert sm.is_terminated


def test_restoring_an_unknown_value_raises(engine):
    """A stored value that is no state's value is rejected, naming the value."""
    with pytest.raises(InvalidStateValue, match="'narnia'"):
        engine.machine(Journey, Record(OrderedSet(["shire", "narnia"])))


def test_machines_on_different_models_are_independent(engine):
    """Each instance reads and writes only its own model."""
    first, second = Record(), Record()
    a = engine.machine(Journey, first)
    b = engine.machine(Journey, second)
    engine.send(a, "visit_pub")
    assert a.green_dragon.is_active
    assert not b.green_dragon.is_active
    assert list(second.state) == ["shire", "bag_end"]


def test_nested_attribute_access_gives_the_live_instance_state(engine):
    """`sm.parent.child.is_active` reflects this machine's configuration."""
    sm = engine.machine(Journey)
    assert sm.shire.bag_end.is_active
    assert not sm.shire.green_dragon.is_active
    engine.send(sm, "visit_pub")
    assert not sm.shire.bag_end.is_active
    assert sm.shire.green_dragon.is_active


def test_nested_attribute_access_works_through_several_levels(engine):
    """`sm.parallel.region.child.is_active` is live too."""
    sm = engine.machine(Oven)
    assert sm.oven.door.shut.is_active
    engine.send(sm, "toggle_door")
    assert sm.oven.door.opened.is_active
    assert not sm.oven.door.shut.is_active


def test_nested_attribute_and_flat_attribute_agree(engine):
    """`sm.parent.child` and `sm.child` report the same activity."""
    sm = engine.machine(Journey)
    engine.send(sm, "visit_pub")
    assert sm.shire.green_dragon.is_active == sm.green_dragon.is_active
    assert sm.shire.bag_end.is_active == sm.bag_end.is_active


def test_nested_attribute_is_per_instance(engine):
    """Two machines' nested state views do not share activity."""
    a = engine.machine(Journey)
    b = engine.machine(Journey)
    engine.send(a, "visit_pub")
    assert a.shire.green_dragon.is_active
    assert not b.shire.green_dragon.is_active
    assert b.shire.bag_end.is_active


def test_configuration_values_include_ancestors_of_a_restored_leaf():
    """A model that stored only a leaf reads back with the leaf's ancestors, like
    ``configuration``."""

    class Chart(StateChart):
        class p(State.Compound, initial=True):
            a = State(initial=True)
            b = State()
            go = a.to(b)

    sm = Chart(model=Record("b"))
    assert list(sm.configuration_values) == ["p", "b"]
    assert list(sm.configuration_values) == [s.value for s in sm.configuration]
