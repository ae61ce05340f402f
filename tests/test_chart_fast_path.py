"""The statechart fast path remembers the steps of the configuration it stored last; a value
put on the model by anyone else is read again."""

from __future__ import annotations

from statemachine import State, StateChart
from statemachine.orderedset import OrderedSet


class Switches(StateChart):
    class both(State.Parallel, initial=True):
        class left(State.Compound):
            l1 = State(initial=True)
            l2 = State()
            flip = l1.to(l2) | l2.to(l1)

        class right(State.Compound):
            r1 = State(initial=True)
            r2 = State()
            turn = r1.to(r2) | r2.to(r1)


def values(sm) -> list[str]:
    return sorted(sm.configuration_values)


def test_consecutive_events_follow_the_remembered_configurations():
    sm = Switches()
    for expected in (["both", "l2", "left", "r1", "right"], ["both", "l1", "left", "r1", "right"]):
        sm.send("flip")
        assert values(sm) == expected
    sm.send("turn")
    sm.send("flip")
    assert values(sm) == ["both", "l2", "left", "r2", "right"]


def test_a_value_assigned_from_outside_is_read_again():
    sm = Switches()
    sm.send("flip")  # the engine now remembers {l2, r1}
    sm.model.state = OrderedSet(["both", "left", "l1", "right", "r2"])
    sm.send("flip")
    assert values(sm) == ["both", "l2", "left", "r2", "right"]


def test_an_equal_value_assigned_from_outside_works_too():
    sm = Switches()
    sm.send("flip")
    sm.model.state = OrderedSet(list(sm.model.state))
    sm.send("flip")
    assert values(sm) == ["both", "l1", "left", "r1", "right"]


def test_two_machines_of_one_class_keep_their_own_configuration():
    a, b = Switches(), Switches()
    a.send("flip")
    b.send("turn")
    a.send("turn")
    assert values(a) == ["both", "l2", "left", "r2", "right"]
    assert values(b) == ["both", "l1", "left", "r2", "right"]
    assert a.model.state is not b.model.state
