"""Parallel states at runtime: every region active at once, events per region, entering and
leaving the whole parallel, and machines whose top level is only parallel states (spec 3.2)."""

from __future__ import annotations

import pytest
from _chart_helpers import recorded, started

from statemachine import State, StateChart
from statemachine.exceptions import InvalidDefinition


class Kitchen(StateChart):
    idle = State(initial=True)

    class oven(State.Parallel):
        class door(State.Compound):
            shut = State(initial=True)
            opened = State()
            open_door = shut.to(opened)
            close_door = opened.to(shut)

        class heat(State.Compound):
            cold = State(initial=True)
            hot = State()
            warm_up = cold.to(hot)
            cool_down = hot.to(cold)

    switch_on = idle.to(oven)
    preheat = idle.to(oven.heat.hot)
    switch_off = oven.to(idle)
    slam = oven.door.opened.to(idle)


def test_entering_a_parallel_enters_every_region_in_document_order(engine):
    """A parallel is entered first, then each region with its initial child, region by region."""
    sm, rec = started(engine, Kitchen)
    engine.send(sm, "switch_on")
    assert rec.calls == [
        "exit idle",
        "enter oven",
        "enter door",
        "enter shut",
        "enter heat",
        "enter cold",
    ]


def test_all_regions_are_active_at_once(engine):
    """While in a parallel, the configuration holds every region and its active child."""
    sm = engine.machine(Kitchen)
    engine.send(sm, "switch_on")
    assert list(sm.configuration_values) == ["oven", "door", "shut", "heat", "cold"]
    assert sm.shut.is_active
    assert sm.cold.is_active


def test_an_event_of_one_region_leaves_the_other_region_alone(engine):
    """A transition inside one region exits and enters only states of that region."""
    sm, rec = recorded(engine, Kitchen)
    engine.send(sm, "switch_on")
    rec.calls.clear()
    engine.send(sm, "warm_up")
    assert rec.calls == ["exit cold", "enter hot"]
    assert list(sm.configuration_values) == ["oven", "door", "shut", "heat", "hot"]


def test_regions_change_independently(engine):
    """Events of different regions accumulate: each region keeps its own active child."""
    sm = engine.machine(Kitchen)
    engine.send(sm, "switch_on")
    engine.send(sm, "open_door")
    engine.send(sm, "warm_up")
    engine.send(sm, "close_door")
    assert list(sm.configuration_values) == ["oven", "door", "shut", "heat", "hot"]


def test_targeting_a_state_inside_one_region_enters_the_other_regions_by_default(engine):
    """Entering a parallel through a leaf of one region enters the others at their initials."""
    sm, rec = started(engine, Kitchen)
    engine.send(sm, "preheat")
    assert rec.calls == [
        "exit idle",
        "enter oven",
        "enter door",
        "enter shut",
        "enter heat",
        "enter hot",
    ]


def test_leaving_the_parallel_exits_all_regions_in_reverse_document_order(engine):
    """A transition out of the parallel exits every region, the last declared first."""
    sm, rec = recorded(engine, Kitchen)
    engine.send(sm, "switch_on")
    rec.calls.clear()
    engine.send(sm, "switch_off")
    assert rec.calls == [
        "exit cold",
        "exit heat",
        "exit shut",
        "exit door",
        "exit oven",
        "enter idle",
    ]
    assert list(sm.configuration_values) == ["idle"]


def test_a_leaf_leaving_the_parallel_exits_the_sibling_regions_too(engine):
    """A transition from a leaf of one region to outside the parallel exits every region."""
    sm, rec = recorded(engine, Kitchen)
    engine.send(sm, "switch_on")
    engine.send(sm, "open_door")
    rec.calls.clear()
    engine.send(sm, "slam")
    assert rec.calls == [
        "exit cold",
        "exit heat",
        "exit opened",
        "exit door",
        "exit oven",
        "enter idle",
    ]
    assert list(sm.configuration_values) == ["idle"]


def test_an_event_shared_by_two_regions_moves_both(engine):
    """One event that has a transition in each region moves both regions."""

    class Lamp(StateChart):
        class lamp(State.Parallel, initial=True):
            class power(State.Compound):
                off = State(initial=True)
                on = State()
                toggle = off.to(on) | on.to(off)

            class led(State.Compound):
                dark = State(initial=True)
                lit = State()
                toggle = dark.to(lit) | lit.to(dark)

    sm = engine.machine(Lamp)
    engine.send(sm, "toggle")
    assert list(sm.configuration_values) == ["lamp", "power", "on", "led", "lit"]
    engine.send(sm, "toggle")
    assert list(sm.configuration_values) == ["lamp", "power", "off", "led", "dark"]


def test_top_level_made_only_of_parallel_states_starts_in_the_first(engine):
    """With no state marked initial, the first top-level state is the initial one, also when
    the top level is made of parallel states only; the others are entered by transitions."""

    class Board(StateChart):
        class left(State.Parallel):
            class l1(State.Compound):
                l1a = State(initial=True)
                l1b = State()
                go_l1 = l1a.to(l1b)
                back_l1 = l1b.to(l1a)

        class right(State.Parallel):
            class r1(State.Compound):
                r1a = State(initial=True)
                r1b = State()
                go_r1 = r1a.to(r1b)
                back_r1 = r1b.to(r1a)

        swap = left.to(right) | right.to(left)

    assert Board.initial_state is Board.left
    assert Board.left.initial
    assert not Board.right.initial
    sm, rec = recorded(engine, Board)
    assert rec.calls == ["enter left", "enter l1", "enter l1a"]
    engine.send(sm, "swap")
    assert list(sm.configuration_values) == ["right", "r1", "r1a"]


def test_top_level_parallel_states_need_a_way_into_each(engine):
    """A second top-level parallel state that no transition enters is unreachable."""
    with pytest.raises(InvalidDefinition, match=r"Disconnected states: \['r1', 'r1a', 'right'\]"):

        class Board(StateChart):
            class left(State.Parallel):
                class l1(State.Compound):
                    l1a = State(initial=True)
                    go_l1 = l1a.to.itself()

            class right(State.Parallel):
                class r1(State.Compound):
                    r1a = State(initial=True)
                    go_r1 = r1a.to.itself()


def test_an_atomic_child_of_a_parallel_is_active_alongside_the_regions(engine):
    """A parallel may hold an atomic child; it is active together with the compound regions."""

    class Chart(StateChart):
        class both(State.Parallel, initial=True):
            beacon = State()

            class mode(State.Compound):
                manual = State(initial=True)
                auto = State()
                automate = manual.to(auto)
                take_over = auto.to(manual)

    sm = engine.machine(Chart)
    assert list(sm.configuration_values) == ["both", "beacon", "mode", "manual"]
    engine.send(sm, "automate")
    assert list(sm.configuration_values) == ["both", "beacon", "mode", "auto"]


def test_nested_parallel_inside_a_region_enters_all_its_regions(engine):
    """A parallel nested in a region of another parallel enters every one of its regions."""

    class Chart(StateChart):
        class outer(State.Parallel, initial=True):
            class first(State.Compound):
                class inner(State.Parallel, initial=True):
                    class x(State.Compound):
                        x1 = State(initial=True)
                        x2 = State()
                        step_x = x1.to(x2)
                        back_x = x2.to(x1)

                    class y(State.Compound):
                        y1 = State(initial=True)
                        y2 = State()
                        step_y = y1.to(y2)
                        back_y = y2.to(y1)

            class second(State.Compound):
                z1 = State(initial=True)
                z2 = State()
                step_z = z1.to(z2)
                back_z = z2.to(z1)

    sm = engine.machine(Chart)
    assert list(sm.configuration_values) == [
        "outer",
        "first",
        "inner",
        "x",
        "x1",
        "y",
        "y1",
        "second",
        "z1",
    ]
    engine.send(sm, "step_y")
    assert sm.y2.is_active
    assert sm.x1.is_active
    assert sm.z1.is_active


def _panel(internal_reset):
    """A parallel `panel` with an `audio` and a `video` region, whose `reset_audio` event sends
    the audio region back to `mute`: as an external self-transition of the region, or (with
    ``internal_reset``) as an internal transition from the region to its child."""

    class Chart(StateChart):
        class panel(State.Parallel, initial=True):
            class audio(State.Compound):
                mute = State(initial=True)
                loud = State()
                louder = mute.to(loud)
                quieter = loud.to(mute)

            class video(State.Compound):
                blank = State(initial=True)
                shown = State()
                show = blank.to(shown)
                hide = shown.to(blank)

            if internal_reset:
                reset_audio = audio.to(audio.mute, internal=True)
            else:
                reset_audio = audio.to.itself()

    return Chart


def test_external_self_transition_of_a_region_restarts_the_whole_parallel(engine):
    """A region's external self-transition has the parallel's parent as its domain (the LCCA
    skips parallel states), so the whole parallel is exited and entered again."""
    sm, rec = recorded(engine, _panel(internal_reset=False))
    engine.send(sm, "louder")
    engine.send(sm, "show")
    rec.calls.clear()
    engine.send(sm, "reset_audio")
    assert rec.calls == [
        "exit shown",
        "exit video",
        "exit loud",
        "exit audio",
        "exit panel",
        "enter panel",
        "enter audio",
        "enter mute",
        "enter video",
        "enter blank",
    ]
    assert list(sm.configuration_values) == ["panel", "audio", "mute", "video", "blank"]


def test_internal_transition_of_a_region_to_its_child_stays_in_that_region(engine):
    """An internal transition from a region to one of its children exits and enters only
    inside that region; the sibling region keeps its state."""
    sm, rec = recorded(engine, _panel(internal_reset=True))
    engine.send(sm, "louder")
    engine.send(sm, "show")
    rec.calls.clear()
    engine.send(sm, "reset_audio")
    assert rec.calls == ["exit loud", "enter mute"]
    assert list(sm.configuration_values) == ["panel", "audio", "mute", "video", "shown"]


def test_a_region_whose_guard_fails_stays_while_the_other_moves(engine):
    """Each region selects its own transition: a failing guard holds back only its region."""

    class Lamp(StateChart):
        class lamp(State.Parallel, initial=True):
            class power(State.Compound):
                off = State(initial=True)
                on = State()
                toggle = off.to(on) | on.to(off)

            class led(State.Compound):
                dark = State(initial=True)
                lit = State()
                toggle = dark.to(lit, cond="led_works") | lit.to(dark)

        led_works = False

    sm = engine.machine(Lamp)
    engine.send(sm, "toggle")
    assert list(sm.configuration_values) == ["lamp", "power", "on", "led", "dark"]
