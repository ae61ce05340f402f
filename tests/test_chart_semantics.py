"""SCXML semantics of one microstep: entry and exit order, the transition domain (LCCA),
transition selection (descendant priority, document order, one transition per region),
internal and external transitions, event matching and `In()` guards (spec 2.2, 3.1-3.10)."""

from __future__ import annotations

import pytest
from _chart_helpers import StateLogMixin, TransitionRecorder, started

from statemachine import State, StateChart, StateMachine

# --- entry and exit order, transition domain -----------------------------------------------


class World(StateChart):
    class land(State.Compound, initial=True):
        class north(State.Compound, initial=True):
            hills = State(initial=True)
            lakes = State()
            to_lakes = hills.to(lakes)

        class south(State.Compound):
            desert = State(initial=True)
            oasis = State()
            to_oasis = desert.to(oasis)

        go_south = north.hills.to(south.oasis)
        south_again = south.to(south.desert)
        restart_north = north.to(north.lakes, internal=True)
        reset_north = north.to(north.lakes)

    class sea(State.Compound):
        shore = State(initial=True)
        deep = State()
        dive = shore.to(deep)

    sail = land.north.hills.to(sea.deep)
    come_ashore = sea.to(land)


def test_cross_boundary_transition_exits_innermost_first_then_enters_outermost_first(engine):
    """Leaving nested states and entering others: exits inside-out, then the `on` action,
    then entries outside-in."""
    sm, rec = started(engine, World, TransitionRecorder)
    engine.send(sm, "sail")
    assert rec.calls == [
        "exit hills",
        "exit north",
        "exit land",
        "on sail hills->deep",
        "enter sea",
        "enter deep",
    ]


def test_transition_between_cousins_stays_inside_their_common_ancestor(engine):
    """The LCCA of the source and target is neither exited nor entered."""
    sm, rec = started(engine, World, TransitionRecorder)
    engine.send(sm, "go_south")
    assert rec.calls == [
        "exit hills",
        "exit north",
        "on go_south hills->oasis",
        "enter south",
        "enter oasis",
    ]
    assert list(sm.configuration_values) == ["land", "south", "oasis"]


def test_transition_between_siblings_exits_and_enters_only_them(engine):
    """A transition between two children of a compound leaves the compound alone."""
    sm, rec = started(engine, World, TransitionRecorder)
    engine.send(sm, "to_lakes")
    assert rec.calls == ["exit hills", "on to_lakes hills->lakes", "enter lakes"]


def test_external_transition_from_a_compound_to_its_child_exits_the_compound(engine):
    """An external transition from a compound to its own descendant leaves and re-enters it."""
    sm, rec = started(engine, World, TransitionRecorder)
    engine.send(sm, "reset_north")
    assert rec.calls == [
        "exit hills",
        "exit north",
        "on reset_north north->lakes",
        "enter north",
        "enter lakes",
    ]


def test_internal_transition_from_a_compound_to_its_child_keeps_the_compound(engine):
    """An internal transition from a compound to a descendant exits only the active children."""
    sm, rec = started(engine, World, TransitionRecorder)
    engine.send(sm, "restart_north")
    assert rec.calls == ["exit hills", "on restart_north north->lakes", "enter lakes"]
    assert list(sm.configuration_values) == ["land", "north", "lakes"]


def test_callbacks_of_one_microstep_run_in_group_order(engine):
    """before, exits (innermost first), on, entries (outermost first), then after."""

    class Chart(StateLogMixin, StateChart):
        class a(State.Compound, initial=True):
            a1 = State(initial=True)
            stay = a1.to.itself()

        class b(State.Compound):
            b1 = State(initial=True)

        go = a.a1.to(b, before="log_before", on="log_on", after="log_after")
        back = b.to(a)

        def log_before(self):
            self.log.append("before")

        def log_on(self):
            self.log.append("on")

        def log_after(self):
            self.log.append("after")

    sm = engine.machine(Chart)
    sm.log.clear()
    engine.send(sm, "go")
    assert sm.log == [
        "before",
        "exit a1",
        "exit a",
        "on",
        "enter b",
        "enter b1",
        "after",
    ]


# --- selection: descendant priority and document order ------------------------------------


class Priority(StateChart):
    class parent(State.Compound, initial=True):
        child = State(initial=True)
        sibling = State()
        poke = child.to(sibling, cond="child_allows")
        back = sibling.to(child)

    elsewhere = State()
    poke = parent.to(elsewhere)
    home = elsewhere.to(parent)

    child_allows = True


def test_descendant_transition_wins_over_its_ancestors(engine):
    """When a child and its parent both handle an event, the child's transition fires."""
    sm = engine.machine(Priority)
    engine.send(sm, "poke")
    assert list(sm.configuration_values) == ["parent", "sibling"]


def test_ancestor_transition_fires_when_the_descendants_guard_fails(engine):
    """If the child's transition is not enabled, the parent's transition for the event fires."""
    sm = engine.machine(Priority)
    sm.child_allows = False
    engine.send(sm, "poke")
    assert list(sm.configuration_values) == ["elsewhere"]


def test_first_enabled_transition_in_document_order_wins(engine):
    """Two enabled transitions from one state for one event: the first declared fires."""

    class Chart(StateChart):
        start = State(initial=True)
        first = State()
        second = State()
        go = start.to(first) | start.to(second)
        reset = first.to(start) | second.to(start)

    sm, rec = started(engine, Chart, TransitionRecorder)
    engine.send(sm, "go")
    assert rec.calls == ["exit start", "on go start->first", "enter first"]


def test_conflicting_transitions_of_two_regions_keep_the_first_in_document_order(engine):
    """Two regions whose transitions both leave the parallel conflict; the earlier region's
    transition is the one taken."""

    class Chart(StateChart):
        class pair(State.Parallel, initial=True):
            class left(State.Compound):
                l1 = State(initial=True)

            class right(State.Compound):
                r1 = State(initial=True)

        left_exit = State()
        right_exit = State()
        bail = pair.left.l1.to(left_exit) | pair.right.r1.to(right_exit)
        again = left_exit.to(pair) | right_exit.to(pair)

    sm, rec = started(engine, Chart, TransitionRecorder)
    engine.send(sm, "bail")
    assert rec.calls == [
        "exit r1",
        "exit right",
        "exit l1",
        "exit left",
        "exit pair",
        "on bail l1->left_exit",
        "enter left_exit",
    ]


def test_each_region_fires_one_transition_in_the_same_microstep(engine):
    """One event moves every region: all exits run, then every `on`, then all entries."""

    class Chart(StateChart):
        class pair(State.Parallel, initial=True):
            class left(State.Compound):
                l1 = State(initial=True)
                l2 = State()
                step = l1.to(l2) | l2.to(l1)

            class right(State.Compound):
                r1 = State(initial=True)
                r2 = State()
                step = r1.to(r2) | r2.to(r1)

    sm, rec = started(engine, Chart, TransitionRecorder)
    engine.send(sm, "step")
    assert rec.calls == [
        "exit r1",
        "exit l1",
        "on step l1->l2",
        "on step r1->r2",
        "enter l2",
        "enter r2",
    ]


def test_region_transition_and_one_on_the_parallel_conflict_in_favour_of_the_region(engine):
    """A region's transition preempts the parallel's own transition for the same event."""

    class Chart(StateChart):
        class pair(State.Parallel, initial=True):
            class left(State.Compound):
                l1 = State(initial=True)
                l2 = State()
                tick = l1.to(l2)
                untick = l2.to(l1)

            class right(State.Compound):
                r1 = State(initial=True)

        out = State()
        tick = pair.to(out)
        back = out.to(pair)

    sm = engine.machine(Chart)
    engine.send(sm, "tick")
    assert list(sm.configuration_values) == ["pair", "left", "l2", "right", "r1"]


# --- self-transitions and internal transitions ---------------------------------------------


def _counter(base):
    class Counter(base):
        counting = State(initial=True)
        restart = counting.to.itself()
        bump = counting.to.itself(internal=True)

    return Counter


def test_external_self_transition_exits_and_enters_in_a_statechart(engine):
    """`s.to.itself()` in a StateChart runs the exit, then the entry callbacks."""
    sm, rec = started(engine, _counter(StateChart), TransitionRecorder)
    engine.send(sm, "restart")
    assert rec.calls == [
        "exit counting",
        "on restart counting->counting",
        "enter counting",
    ]


def test_external_self_transition_exits_and_enters_in_a_statemachine(engine):
    """`s.to.itself()` in a StateMachine runs the exit, then the entry callbacks too."""
    sm, rec = started(engine, _counter(StateMachine), TransitionRecorder)
    engine.send(sm, "restart")
    assert rec.calls == [
        "exit counting",
        "on restart counting->counting",
        "enter counting",
    ]


def test_internal_self_transition_exits_and_enters_in_a_statechart(engine):
    """An internal self-transition of an atomic state in a StateChart runs exit then entry."""
    sm, rec = started(engine, _counter(StateChart), TransitionRecorder)
    engine.send(sm, "bump")
    assert rec.calls == ["exit counting", "on bump counting->counting", "enter counting"]


def test_internal_self_transition_runs_neither_in_a_statemachine(engine):
    """An internal self-transition in a StateMachine runs only its `on` action."""
    sm, rec = started(engine, _counter(StateMachine), TransitionRecorder)
    engine.send(sm, "bump")
    assert rec.calls == ["on bump counting->counting"]


def test_external_self_transition_of_a_compound_restarts_it(engine):
    """`compound.to.itself()` exits the active child and the compound, then re-enters both
    with the default entry."""

    class Chart(StateChart):
        class box(State.Compound, initial=True):
            first = State(initial=True)
            second = State()
            go = first.to(second)
            back = second.to(first)

        reset = box.to.itself()

    sm = engine.machine(Chart)
    engine.send(sm, "go")
    rec = TransitionRecorder()
    sm.add_listener(rec)
    engine.send(sm, "reset")
    # Entering `box` by default also runs the `on` actions of its initial transition
    # (`on_transition` included), between entering `box` and entering `first`.
    assert rec.calls == [
        "exit second",
        "exit box",
        "on reset box->box",
        "enter box",
        "on reset box->box",
        "enter first",
    ]


def test_targetless_transition_exits_and_enters_nothing(engine):
    """A transition without a target runs its action and leaves the configuration alone."""

    class Chart(StateChart):
        class box(State.Compound, initial=True):
            inner = State(initial=True)
            other = State()
            go = inner.to(other)
            back = other.to(inner)

        ping = box.to()

    sm, rec = started(engine, Chart, TransitionRecorder)
    engine.send(sm, "ping")
    assert rec.calls == ["on ping box->None"]
    assert list(sm.configuration_values) == ["box", "inner"]


# --- event matching ------------------------------------------------------------------------


class Watchdog(StateChart):
    ok = State(initial=True)
    alarm = State()
    broken = State()
    trip = ok.to(alarm, event="error")
    fail = ok.to(broken, event="error.disk.full")
    reset = alarm.to(ok, event="*") | broken.to(ok, event="*")


def test_event_descriptor_matches_dotted_events_by_prefix(engine):
    """A transition for `error` also handles `error.execution`."""
    sm = engine.machine(Watchdog)
    engine.send(sm, "error.execution")
    assert list(sm.configuration_values) == ["alarm"]


def test_event_prefix_matches_whole_tokens_only(engine):
    """`error` does not match `errors` or `error_execution`: prefixes stop at a dot."""
    sm = engine.machine(Watchdog)
    engine.send(sm, "errors")
    engine.send(sm, "errorx.execution")
    assert list(sm.configuration_values) == ["ok"]


def test_longer_descriptor_does_not_match_a_shorter_event(engine):
    """`error.disk.full` does not handle plain `error.disk`."""

    class Chart(StateChart):
        ok = State(initial=True)
        broken = State()
        fail = ok.to(broken, event="error.disk.full")
        fix = broken.to(ok)

    sm = engine.machine(Chart)
    engine.send(sm, "error.disk")
    assert list(sm.configuration_values) == ["ok"]


def test_wildcard_descriptor_matches_any_event(engine):
    """`*` matches every event name."""
    sm = engine.machine(Watchdog)
    engine.send(sm, "error")
    engine.send(sm, "whatever.happens")
    assert list(sm.configuration_values) == ["ok"]


def test_action_error_is_handled_by_an_error_prefix_transition(engine):
    """A transition for `error` catches the `error.execution` raised by a failing action."""

    class Chart(StateChart):
        idle = State(initial=True)
        busy = State()
        crashed = State()
        start = idle.to(busy, on="explode")
        stop = busy.to(idle)
        crash = busy.to(crashed, event="error")
        restart = crashed.to(idle)

        def explode(self):
            raise RuntimeError("boom")

    sm = engine.machine(Chart)
    engine.send(sm, "start")
    assert list(sm.configuration_values) == ["crashed"]


def test_transition_with_several_event_names_fires_for_each(engine):
    """`event="tap keypress"` makes one transition answer to both names."""

    class Chart(StateChart):
        class screen(State.Compound, initial=True):
            asleep = State(initial=True)
            awake = State()
            wake = asleep.to(awake, event="tap keypress")
            sleep = awake.to(asleep)

    sm = engine.machine(Chart)
    engine.send(sm, "tap")
    assert sm.awake.is_active
    engine.send(sm, "sleep")
    engine.send(sm, "keypress")
    assert sm.awake.is_active
    engine.send(sm, "sleep")
    engine.send(sm, "wake")
    assert sm.awake.is_active


def test_event_names_given_as_a_list(engine):
    """`event=[...]` attaches every listed name to the transition."""

    class Chart(StateChart):
        off = State(initial=True)
        on = State()
        power = off.to(on, event=["button", "remote"])
        shutdown = on.to(off)

    sm = engine.machine(Chart)
    engine.send(sm, "remote")
    assert sm.on.is_active
    engine.send(sm, "shutdown")
    engine.send(sm, "button")
    assert sm.on.is_active


# --- In() ----------------------------------------------------------------------------------


class Vault(StateChart):
    class vault(State.Parallel, initial=True):
        class door(State.Compound):
            closed = State(initial=True)
            opened = State()
            open_door = closed.to(opened)
            close_door = opened.to(closed)

        class lock(State.Compound):
            sealed = State(initial=True)
            unsealed = State()
            unseal = sealed.to(unsealed)
            seal = unsealed.to(sealed)

        class alarm(State.Compound):
            armed = State(initial=True)
            triggered = State()
            trigger = armed.to(triggered, cond="In('opened', 'sealed')")
            silence = triggered.to(armed, cond="In('closed') and not muted")

    muted = False


def test_in_guard_is_true_when_every_named_state_is_active(engine):
    """`In('a', 'b')` passes when both states are active."""
    sm = engine.machine(Vault)
    engine.send(sm, "open_door")
    engine.send(sm, "trigger")
    assert sm.triggered.is_active


def test_in_guard_is_false_when_one_named_state_is_inactive(engine):
    """`In('a', 'b')` fails as soon as one of the states is not active."""
    sm = engine.machine(Vault)
    engine.send(sm, "open_door")
    engine.send(sm, "unseal")
    engine.send(sm, "trigger")
    assert sm.armed.is_active


def test_in_inside_a_boolean_expression(engine):
    """`In(...)` combines with names in a guard expression."""
    sm = engine.machine(Vault)
    engine.send(sm, "open_door")
    engine.send(sm, "trigger")
    engine.send(sm, "silence")
    assert sm.triggered.is_active
    engine.send(sm, "close_door")
    sm.muted = True
    engine.send(sm, "silence")
    assert sm.triggered.is_active
    sm.muted = False
    engine.send(sm, "silence")
    assert sm.armed.is_active


def test_in_sees_ancestors_of_the_active_leaf(engine):
    """`In()` of a compound is true while any of its children is active."""

    class Chart(StateChart):
        class pair(State.Parallel, initial=True):
            class left(State.Compound):
                class room(State.Compound, initial=True):
                    chair = State(initial=True)
                    table = State()
                    sit = chair.to(table)
                    stand = table.to(chair)

            class right(State.Compound):
                waiting = State(initial=True)
                served = State()
                serve = waiting.to(served, cond="In('room')")
                clear = served.to(waiting)

    sm = engine.machine(Chart)
    engine.send(sm, "sit")
    engine.send(sm, "serve")
    assert sm.served.is_active


def test_in_compares_state_ids_not_values(engine):
    """`In()` takes the id of the state even when its value differs."""

    class Chart(StateChart):
        class pair(State.Parallel, initial=True):
            class left(State.Compound):
                low = State(initial=True, value=1)
                high = State(value=2)
                raise_it = low.to(high)
                lower_it = high.to(low)

            class right(State.Compound):
                idle = State(initial=True)
                alert = State()
                check = idle.to(alert, cond="In('high')")
                calm = alert.to(idle)

    sm = engine.machine(Chart)
    engine.send(sm, "check")
    assert sm.idle.is_active
    engine.send(sm, "raise_it")
    engine.send(sm, "check")
    assert sm.alert.is_active


# --- what `on` callbacks see -----------------------------------------------------------------


def _cousins(base):
    class Cousins(base):
        class land(State.Compound, initial=True):
            class north(State.Compound, initial=True):
                hills = State(initial=True)

            class south(State.Compound):
                oasis = State(initial=True)

            go = north.hills.to(south.oasis, on="look")
            back = south.to(north)

        def __init__(self, *args, **kwargs):
            self.seen: dict[str, list[str]] = {}
            super().__init__(*args, **kwargs)

        def look(self, previous_configuration, new_configuration):
            self.seen["during"] = [s.id for s in self.configuration]
            self.seen["previous"] = [s.id for s in previous_configuration]
            self.seen["new"] = [s.id for s in new_configuration]

    return Cousins


def test_statechart_configuration_during_on_holds_only_the_domain(engine):
    """In a StateChart the exits are applied before `on` runs and the entries after it."""
    sm = engine.machine(_cousins(StateChart))
    engine.send(sm, "go")
    assert sm.seen["during"] == ["land"]


def test_statemachine_configuration_during_on_is_still_the_old_one(engine):
    """In a StateMachine the configuration is replaced only after the `on` group."""
    sm = engine.machine(_cousins(StateMachine))
    engine.send(sm, "go")
    assert sm.seen["during"] == ["land", "north", "hills"]


@pytest.mark.parametrize("base", [StateChart, StateMachine])
def test_on_callback_receives_the_whole_previous_configuration(engine, base):
    """`previous_configuration` lists every state active before the microstep."""
    sm = engine.machine(_cousins(base))
    engine.send(sm, "go")
    assert sm.seen["previous"] == ["land", "north", "hills"]


@pytest.mark.parametrize("base", [StateChart, StateMachine])
def test_on_callback_receives_the_whole_new_configuration(engine, base):
    """`new_configuration` lists every state active after the microstep, ancestors included."""
    sm = engine.machine(_cousins(base))
    engine.send(sm, "go")
    assert sm.seen["new"] == ["land", "south", "oasis"]
