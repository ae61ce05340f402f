"""Static checks of the user-facing types, run by mypy in CI (not collected by pytest)."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from statemachine import Event, State, StateMachine
from statemachine.event import BoundEvent
from statemachine.orderedset import OrderedSet
from statemachine.state import InstanceState


class Light(StateMachine):
    green = State(initial=True)
    red = State()
    cycle = green.to(red) | red.to(green)
    stop = Event(green.to(red))


class Lamp(StateMachine):
    off = State(initial=True)
    on = State()

    @off.to(on)  # the decorator returns the function, so the method keeps its type
    def switch_on(self, level: int = 1) -> str:
        return f"lit at {level}"

    switch_off = on.to(off)


def check(sm: Light) -> None:
    assert_type(Light.green, State)
    assert_type(sm.green, InstanceState)
    assert_type(sm.green.is_active, bool)
    assert_type(sm.cycle, BoundEvent)
    assert_type(sm.stop, BoundEvent)
    assert_type(sm.cycle(), Any)
    assert_type(sm.send("cycle"), Any)
    assert_type(sm.configuration, OrderedSet[State])
    assert_type(sm.is_terminated, bool)


def check_decorated(lamp: Lamp) -> None:
    assert_type(lamp.switch_on(2), str)
    assert_type(lamp.switch_off, BoundEvent)
