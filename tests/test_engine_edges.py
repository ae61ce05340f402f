"""Edge cases of the run loop, both drivers, invoke, resolution and definition building.

Each test pins one observable behaviour that the rest of the suite leaves untested: fast paths
of the asyncio engine, contention for the processing lock, delayed and background events,
completion of invocations, memo bounds, and corners of the declaration syntax.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
import time

import pytest

from statemachine import HistoryState, State, StateChart, StateMachine
from statemachine.contrib.timeout import timeout
from statemachine.exceptions import AttrNotFound, InvalidDefinition, InvalidStateValue
from statemachine.invoke import invoke_group
from statemachine.states import States
from statemachine.transition import Transition

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def pause(engine) -> None:
    """Sleep briefly; on the asyncio driver, inside its loop so that tasks run."""
    if engine.name == "async":
        engine.call(asyncio.sleep, 0.005)
    else:
        time.sleep(0.005)


def wait_until(engine, condition, timeout: float = 2.0) -> bool:
    """Let background threads and tasks progress until ``condition()`` holds (False on timeout)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause(engine)
    return True


def settle(engine, seconds: float = 0.05) -> None:
    """Give background work time to (wrongly) deliver something before asserting it did not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pause(engine)


# --- the asyncio engine: fast paths and the processing lock -------------------------------------


class Lamp(StateChart):
    """A flat machine on the asyncio engine whose `switch_on`/`switch_off` run no callback."""

    off = State(initial=True)
    on = State()
    dimmed = State()

    switch_on = off.to(on)
    switch_off = on.to(off)
    dim = on.to(dimmed)

    async def on_enter_dimmed(self):
        await asyncio.sleep(0)


def test_async_machine_from_sync_code_applies_a_callback_free_event_at_once():
    """From synchronous code, a callback-free event on an asyncio machine returns None and the
    state has changed."""
    lamp = Lamp()

    assert lamp.send("switch_on") is None
    assert lamp.on.is_active


def test_first_awaited_callback_free_send_enters_the_initial_state_then_applies_it():
    """Inside a loop, an awaited callback-free event sent before activation first enters the
    initial state, then moves on, and returns None."""

    async def main():
        lamp = Lamp()
        assert lamp.configuration_values == set()
        result = await lamp.send("switch_on")
        return result, set(lamp.configuration_values)

    assert asyncio.run(main()) == (None, {"on"})


def test_awaited_callback_free_sends_return_none_in_every_loop():
    """Awaiting callback-free events returns None each time, in one loop and in the next one."""
    lamp = Lamp()

    async def toggle():
        results = [await lamp.send("switch_on"), await lamp.send("switch_off")]
        return results, lamp.off.is_active

    assert asyncio.run(toggle()) == ([None, None], True)
    assert asyncio.run(toggle()) == ([None, None], True)


def test_send_from_an_async_callback_returns_an_already_completed_awaitable(engine):
    """A send made from a callback on the asyncio engine only enqueues: it returns an awaitable
    that is already complete (awaiting it gives None), and the event runs after the macrostep."""
    seen = {}

    class Kiosk(StateChart):
        idle = State(initial=True)
        busy = State()
        start = idle.to(busy)
        finish = busy.to(idle)

        async def on_enter_busy(self):
            pending = self.send("finish")
            seen["repr"] = repr(pending)
            seen["awaited"] = await pending
            seen["still busy"] = self.busy.is_active

    sm = engine.machine(Kiosk)
    engine.send(sm, "start")

    assert seen == {"repr": "<completed send: None>", "awaited": None, "still busy": True}
    assert sm.idle.is_active


def test_enabled_events_can_be_awaited_from_inside_a_callback(engine):
    """`await self.enabled_events()` inside a coroutine callback answers for the configuration
    at that point of the microstep."""
    seen = []

    class Kiosk(StateChart):
        idle = State(initial=True)
        busy = State()
        start = idle.to(busy)
        finish = busy.to(idle)

        async def on_enter_busy(self):
            seen.extend(e.id for e in await self.enabled_events())

    sm = engine.machine(Kiosk)
    engine.send(sm, "start")

    assert seen == ["finish"]


def test_enabled_events_waits_for_a_macrostep_running_in_another_task():
    """`enabled_events()` called while another task is in the middle of a macrostep waits for
    it and answers for the configuration it leads to."""

    async def main():
        started, release = asyncio.Event(), asyncio.Event()

        class Slow(StateChart):
            idle = State(initial=True)
            busy = State()
            start = idle.to(busy)
            finish = busy.to(idle)

            async def on_start(self):
                started.set()
                await release.wait()

        sm = Slow()
        await sm.activate_initial_state()
        sending = asyncio.create_task(sm.send("start"))
        await started.wait()
        asking = asyncio.ensure_future(sm.enabled_events())
        await asyncio.sleep(0.01)
        waited = not asking.done()
        release.set()
        await sending
        return waited, [e.id for e in await asking]

    assert asyncio.run(main()) == (True, ["finish"])


def test_cancelling_a_task_in_the_middle_of_a_send_leaves_the_machine_usable():
    """Cancelling the task awaiting a send while a callback awaits puts the machine back in the
    source state and frees it for the next send."""

    async def main():
        entered = asyncio.Event()

        class Upload(StateChart):
            idle = State(initial=True)
            sending = State()
            send_file = idle.to(sending, on="transfer")
            ping = idle.to.itself(on="pong")

            async def transfer(self):
                entered.set()
                await asyncio.Event().wait()  # never completes

            def pong(self):
                return "pong"

        sm = Upload()
        await sm.activate_initial_state()
        task = asyncio.create_task(sm.send("send_file"))
        await entered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        in_idle = sm.idle.is_active
        return in_idle, await asyncio.wait_for(sm.send("ping"), 1)

    assert asyncio.run(main()) == (True, "pong")


def test_async_validator_rejects_by_raising(engine):
    """A coroutine validator is awaited: when it raises, the error reaches the sender (even in a
    StateChart) and the transition does not run; when it returns, the transition runs."""

    class Gate(StateChart):
        closed = State(initial=True)
        opened = State()
        open = closed.to(opened, validators="check_code")
        close = opened.to(closed)

        async def check_code(self, code=None):
            await asyncio.sleep(0)
            if code != 42:
                raise PermissionError(f"wrong code {code}")

    gate = engine.machine(Gate)
    with pytest.raises(PermissionError, match="wrong code 1"):
        engine.send(gate, "open", code=1)
    assert gate.closed.is_active

    engine.send(gate, "open", code=42)
    assert gate.opened.is_active


def test_async_machine_from_sync_code_runs_several_background_delayed_events():
    """From synchronous code, an asyncio machine with `delayed_events_in_background` returns at
    once from each delayed send, and one scheduler runs them all in due order."""
    order = []

    class Beacon(StateChart):
        delayed_events_in_background = True
        dark = State(initial=True)
        blinking = State()
        lit = State()
        blink = dark.to(blinking)
        light = blinking.to(lit)

        async def on_enter_state(self, state):
            order.append(state.id)

    sm = Beacon()
    assert sm.send("blink", delay=10) is None
    assert sm.send("light", delay=30) is None

    deadline = time.monotonic() + 2
    while not sm.lit.is_active and time.monotonic() < deadline:
        time.sleep(0.005)
    assert order == ["dark", "blinking", "lit"]


def test_cancel_event_resolves_a_waiting_asyncio_sender_with_none():
    """An asyncio caller awaiting a delayed event that another task is waiting to process gets
    None when the event is cancelled, and the event never runs."""

    async def main():
        class Lights(StateChart):
            off = State(initial=True)
            on = State()
            turn_on = off.to(on)
            turn_off = on.to(off)

            async def on_enter_on(self):
                await asyncio.sleep(0)

        sm = Lights()
        await sm.activate_initial_state()
        holder = asyncio.create_task(sm.send("turn_on", delay=80))
        await asyncio.sleep(0)  # the holder takes the processing lock and waits
        waiter = asyncio.create_task(sm.send("turn_off", delay=60, send_id="later"))
        await asyncio.sleep(0.01)
        sm.cancel_event("later")
        cancelled = await asyncio.wait_for(waiter, 1)
        await asyncio.wait_for(holder, 1)
        return cancelled, sm.on.is_active

    assert asyncio.run(main()) == (None, True)


def test_cancel_event_without_pending_events_is_a_no_op(engine):
    """`cancel_event` with an id nothing was sent with changes nothing."""

    class Switch(StateChart):
        off = State(initial=True)
        on = State()
        flip = off.to(on)

    sm = engine.machine(Switch)
    sm.cancel_event("nothing-pending")

    assert sm.off.is_active
    engine.send(sm, "flip")
    assert sm.on.is_active


# --- delayed events: failures and background chains -------------------------------------------


def test_failing_delayed_event_propagates_and_drops_what_it_queued(engine):
    """In a StateMachine, a delayed event whose callback raises fails the sender's call; the
    machine stays in its state and the events the callback sent are dropped."""
    beeps = []

    class Kettle(StateMachine):
        cold = State(initial=True)
        hot = State()
        heat = cold.to(hot, on="boil")
        beep = cold.to.itself(on="record") | hot.to.itself(on="record")

        def boil(self):
            self.send("beep")
            raise RuntimeError("no water")

        def record(self):
            beeps.append("beep")

    kettle = engine.machine(Kettle)
    with pytest.raises(RuntimeError, match="no water"):
        engine.send(kettle, "heat", delay=1)

    assert kettle.cold.is_active
    assert beeps == []


def test_background_delayed_event_that_sends_another_event(engine):
    """A background delayed event whose callback sends another event: the scheduler processes
    that event too."""

    class Door(StateChart):
        delayed_events_in_background = True
        opened = State(initial=True)
        closed = State()
        locked = State()
        auto_close = opened.to(closed, after="lock")
        lock = closed.to(locked)

    door = engine.machine(Door)
    assert engine.send(door, "auto_close", delay=10) is None

    assert wait_until(engine, lambda: door.locked.is_active)


# --- prepare_event -------------------------------------------------------------------------------


def test_async_prepare_event_extends_the_event_kwargs(engine):
    """A coroutine `prepare_event` is awaited and the dict it returns reaches later callbacks."""
    charged = []

    class Order(StateChart):
        cart = State(initial=True)
        paid = State()
        pay = cart.to(paid, on="charge")

        async def prepare_event(self):
            await asyncio.sleep(0)
            return {"currency": "EUR"}

        def charge(self, amount, currency):
            charged.append((amount, currency))

    order = engine.machine(Order)
    engine.send(order, "pay", amount=10)

    assert charged == [(10, "EUR")]


def test_prepare_event_returning_none_adds_nothing(engine):
    """`prepare_event` results that are not dicts (a listener's None) are ignored, while another
    owner's dict still extends the kwargs."""
    charged = []

    class Audit:
        def __init__(self):
            self.events = []

        def prepare_event(self, event):
            self.events.append(str(event))

    class Order(StateChart):
        cart = State(initial=True)
        paid = State()
        pay = cart.to(paid, on="charge")

        def prepare_event(self):
            return {"currency": "EUR"}

        def charge(self, event_data):
            charged.append(dict(event_data.kwargs))

    audit = Audit()
    order = engine.machine(Order, listeners=[audit])
    engine.send(order, "pay", amount=10)

    assert charged == [{"amount": 10, "currency": "EUR"}]
    assert audit.events[-1] == "pay"


def test_prepare_event_on_a_statechart_sees_the_active_leaf(engine):
    """On a statechart, `prepare_event` gets the active atomic state as `state`, and its dict
    extends the kwargs of the transition callbacks."""
    legs = []

    class Trip(StateChart):
        class travel(State.Compound, initial=True):
            plane = State(initial=True)
            train = State()
            switch = plane.to(train, on="note")

        def prepare_event(self, state):
            return {"leg": state.id}

        def note(self, leg):
            legs.append(leg)

    trip = engine.machine(Trip)
    engine.send(trip, "switch")

    assert legs == ["plane"]
    assert trip.train.is_active


# --- coroutine callbacks on the statechart path --------------------------------------------------


def test_async_before_exit_on_and_enter_on_a_statechart_run_in_order(engine):
    """On a statechart, coroutine before, exit, on and enter callbacks are each awaited, in the
    documented order."""
    log = []

    class Relay(StateChart):
        class line(State.Compound, initial=True):
            a = State(initial=True)
            b = State()
            hop = a.to(b, before="get_ready", on="during")

        async def get_ready(self):
            await asyncio.sleep(0)
            log.append("before")

        async def on_exit_a(self):
            await asyncio.sleep(0)
            log.append("exit a")

        async def during(self):
            await asyncio.sleep(0)
            log.append("on")

        async def on_enter_b(self):
            await asyncio.sleep(0)
            log.append("enter b")

    relay = engine.machine(Relay)
    engine.send(relay, "hop")

    assert log == ["before", "exit a", "on", "enter b"]
    assert relay.b.is_active


def test_async_action_of_a_history_default_transition_is_awaited(engine):
    """Entering a history state with no record takes its default transition, awaiting that
    transition's coroutine `on` action."""
    log = []

    class Player(StateChart):
        stopped = State(initial=True)

        class playing(State.Compound):
            h = HistoryState()
            intro = State(initial=True)
            chorus = State()
            _ = h.to(chorus, on="skip_intro")
            advance = intro.to(chorus)

        play = stopped.to(playing.h)
        stop = playing.to(stopped)

        async def skip_intro(self):
            await asyncio.sleep(0)
            log.append("default taken")

    player = engine.machine(Player)
    engine.send(player, "play")

    assert log == ["default taken"]
    assert player.chorus.is_active


def test_async_donedata_becomes_the_done_state_event_data(engine):
    """A coroutine `donedata` is awaited, and its dict becomes the kwargs of `done.state`."""
    found = []

    class Quest(StateChart):
        class journey(State.Compound, initial=True):
            road = State(initial=True)
            home = State(final=True, donedata="loot")
            arrive = road.to(home)

        rest = State(final=True)
        done_state_journey = journey.to(rest, on="count")

        async def loot(self):
            await asyncio.sleep(0)
            return {"gold": 3}

        def count(self, gold):
            found.append(gold)

    quest = engine.machine(Quest)
    engine.send(quest, "arrive")

    assert found == [3]
    assert quest.is_terminated


# --- invoke --------------------------------------------------------------------------------------


def test_async_handler_sending_the_event_that_exits_its_state():
    """An async `IInvoke` can await `ctx.send`; when that event exits the invoking state, the
    invocation is cancelled and its return value is dropped (no `done.invoke`)."""
    events = []

    class Serve:
        async def run(self, ctx):
            await ctx.send("point", winner="home")
            return "ignored"

    class Court(StateChart):
        idle = State(initial=True)
        rally = State(invoke=Serve)
        scored = State()
        missed = State()
        serve = idle.to(rally)
        point = rally.to(scored)
        done_invoke_rally = rally.to(missed)
        again = scored.to(idle) | missed.to(idle)

        async def prepare_event(self, event):  # also puts the machine on the asyncio engine
            events.append(str(event))

    async def main():
        court = Court()
        await court.activate_initial_state()
        await court.send("serve")
        deadline = time.monotonic() + 2
        while not court.scored.is_active and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        for _ in range(10):
            await asyncio.sleep(0.002)
        return court.scored.is_active

    assert asyncio.run(main()) is True
    assert events == ["__initial__", "serve", "point"]


def test_invoke_handler_returning_an_awaitable_has_it_awaited():
    """On the asyncio engine, a plain handler that returns an awaitable (a lambda calling a
    coroutine function) has it awaited; `data` is its result."""
    received = []

    class Loader(StateChart):
        idle = State(initial=True)
        loading = State(invoke=lambda: asyncio.sleep(0, result="fetched"))
        ready = State()
        load = idle.to(loading)
        done_invoke_loading = loading.to(ready, on="keep")

        def keep(self, data):
            received.append(data)

        async def on_enter_ready(self):
            await asyncio.sleep(0)

    async def main():
        loader = Loader()
        await loader.activate_initial_state()
        await loader.send("load")
        deadline = time.monotonic() + 2
        while not loader.ready.is_active and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return loader.ready.is_active

    assert asyncio.run(main()) is True
    assert received == ["fetched"]


def test_error_while_processing_an_invocation_completion_is_logged(engine, caplog):
    """When handling a handler's `done.invoke` raises, nobody is waiting for it: the error is
    logged at ERROR on the `statemachine` logger, naming the invocation."""
    caplog.set_level(logging.ERROR, logger="statemachine")
    go_ahead = threading.Event()

    def fetch_payload():
        go_ahead.wait(2)  # finish once `load` has returned: the handler reports on its own
        return "payload"

    class Fetch(StateMachine):
        idle = State(initial=True)
        loading = State(invoke=fetch_payload)
        ready = State()
        load = idle.to(loading)
        done_invoke_loading = loading.to(ready, on="store")

        def store(self, data):
            raise RuntimeError(f"cannot store {data}")

    fetch = engine.machine(Fetch)
    engine.send(fetch, "load")
    go_ahead.set()

    def logged():
        return [r for r in caplog.records if "cannot store payload" in r.getMessage()]

    assert wait_until(engine, lambda: bool(logged()))
    (record,) = logged()
    assert record.levelno == logging.ERROR
    assert record.name == "statemachine"
    assert "InvokeContext(invokeid='loading." in record.getMessage()
    assert fetch.loading.is_active


def test_invoke_group_calls_builtins_without_a_signature_with_no_argument(engine):
    """`invoke_group` calls a callable whose signature cannot be inspected (a builtin type)
    without arguments."""
    received = []

    class Loader(StateChart):
        idle = State(initial=True)
        loading = State(invoke=invoke_group(dict, lambda: 7))
        ready = State()
        load = idle.to(loading)
        done_invoke_loading = loading.to(ready, on="keep")

        def keep(self, data):
            received.append(data)

    loader = engine.machine(Loader)
    engine.send(loader, "load")

    assert wait_until(engine, lambda: loader.ready.is_active)
    assert received == [[{}, 7]]


def test_terminating_a_parallel_root_cancels_its_running_invocation(engine):
    """When every region of a top-level parallel state is final, the machine terminates and the
    invocation of that parallel state is cancelled."""
    cancelled = []

    class Stopwatch:
        def run(self, ctx):
            ctx.cancelled.wait(2)

        def on_cancel(self):
            cancelled.append("stopwatch")

    class Race(StateChart):
        class track(State.Parallel, invoke=Stopwatch):
            class left(State.Compound):
                running_l = State(initial=True)
                finished_l = State(final=True)
                end_left = running_l.to(finished_l)

            class right(State.Compound):
                running_r = State(initial=True)
                finished_r = State(final=True)
                end_right = running_r.to(finished_r)

    race = engine.machine(Race)
    engine.send(race, "end_left")
    assert cancelled == []

    engine.send(race, "end_right")
    assert race.is_terminated
    assert cancelled == ["stopwatch"]


def test_unknown_invoke_handler_name_is_reported_at_instantiation():
    """An invoke handler given by a name that resolves nowhere raises AttrNotFound naming it
    when the machine is created."""

    class Loader(StateChart):
        idle = State(initial=True)
        loading = State(invoke="fetch_everything")
        load = idle.to(loading)

    with pytest.raises(AttrNotFound, match="'fetch_everything'"):
        Loader()


def test_invoke_handler_that_is_neither_a_name_nor_a_callable_is_a_definition_error():
    """`State(invoke=42)` is a malformed class: InvalidDefinition when the class is created
    (docs/errors.md), as for `State(enter=42)`."""
    with pytest.raises(InvalidDefinition, match="42"):

        class Loader(StateChart):
            idle = State(initial=True)
            loading = State(invoke=42)
            load = idle.to(loading)


def test_on_cancel_raising_in_a_statechart_does_not_escape_send(engine):
    """In a StateChart, an `on_cancel()` that raises while its state is exited does not reach
    the sender (only validators propagate); the transition completes."""

    class Job:
        def run(self, ctx):
            ctx.cancelled.wait(2)

        def on_cancel(self):
            raise RuntimeError("cancel failed")

    class Worker(StateChart):
        idle = State(initial=True)
        working = State(invoke=Job)
        start = idle.to(working)
        stop = working.to(idle)

    worker = engine.machine(Worker)
    engine.send(worker, "start")
    engine.send(worker, "stop")

    assert worker.idle.is_active


def test_timeout_handler_repr_shows_its_arguments():
    """`timeout()` handlers have a repr naming the duration and, if given, the event."""
    assert repr(timeout(5)) == "timeout(5)"
    assert repr(timeout(0.5, on="give_up")) == "timeout(0.5, on='give_up')"


# --- event data ----------------------------------------------------------------------------------


def test_eventless_transition_callbacks_receive_no_event(engine):
    """Callbacks of an eventless transition receive `event` None (no event triggered it)."""
    seen = []

    class Auto(StateChart):
        a = State(initial=True)
        b = State(final=True)
        a.to(b, on="record")

        def record(self, event, event_data):
            seen.append((event, event_data.event))

    auto = engine.machine(Auto)

    assert seen == [(None, None)]
    assert auto.is_terminated


def test_previous_configuration_read_in_a_guard_is_the_current_one(engine):
    """`event_data.previous_configuration` read in a guard (before the microstep) is the active
    configuration."""
    seen = []

    class Switch(StateChart):
        off = State(initial=True)
        on = State()
        flip = off.to(on, cond="look")

        def look(self, event_data):
            seen.append([s.id for s in event_data.previous_configuration])
            return True

    switch = engine.machine(Switch)
    engine.send(switch, "flip")

    assert seen == [["off"]]
    assert switch.on.is_active


# --- memo bounds and odd model values ------------------------------------------------------------


class Trip(StateChart):
    class travel(State.Compound, initial=True):
        plane = State(initial=True)
        train = State()
        switch = plane.to(train)


def test_statechart_keeps_working_after_more_event_names_than_its_memo_holds(engine):
    """A statechart sent thousands of distinct unknown event names ignores them all and still
    handles its own events afterwards."""
    trip = engine.machine(Trip)
    if engine.name == "async":

        async def flood():
            for i in range(4200):
                await trip.send(f"unknown_{i}")

        engine.call(flood)
    else:
        for i in range(4200):
            trip.send(f"unknown_{i}")
    assert trip.plane.is_active

    engine.send(trip, "switch")
    assert trip.train.is_active


def test_statechart_reports_configurations_beyond_its_memo_bound():
    """A statechart meeting more distinct stored values than its configuration memo holds still
    reports each configuration correctly."""
    children = [State(value=f"s{i}", initial=i == 0) for i in range(4200)]

    class Big(StateChart):
        validate_disconnected_states = False
        box = State(states=children, initial=True)

    big = Big()
    for i in range(4200):
        big.current_state_value = f"s{i}"
        assert [s.id for s in big.configuration] == ["box", f"s{i}"]


def test_unhashable_model_value_is_reported_as_invalid_state_value(engine):
    """A model whose state field was set behind the machine's back to an unhashable value makes
    the next event, and reading the configuration, raise InvalidStateValue naming it."""
    trip = engine.machine(Trip)
    trip.model.state = ["plane"]

    with pytest.raises(InvalidStateValue) as raised:
        engine.send(trip, "switch")
    assert raised.value.value == ["plane"]
    with pytest.raises(InvalidStateValue, match=r"\['plane'\]"):
        trip.configuration


# --- entry sets ----------------------------------------------------------------------------------


def test_multi_target_transition_into_a_parallel_state_and_one_of_its_regions(engine):
    """A transition targeting a state inside a region and the parallel state itself enters that
    state in its region, and the default of the other regions."""
    entered = []

    class Board(StateChart):
        idle = State(initial=True)

        class panel(State.Parallel):
            class left(State.Compound):
                a = State(initial=True)
                b = State()
                flip = a.to(b)

            class right(State.Compound):
                c = State(initial=True)
                d = State()
                flop = c.to(d)

        idle.transitions.add_transitions([Transition(idle, [panel.left.b, panel], event="jump")])

        def on_enter_state(self, state):
            entered.append(state.id)

    board = engine.machine(Board)
    entered.clear()
    engine.send(board, "jump")

    assert entered == ["panel", "left", "b", "right", "c"]
    assert set(board.configuration_values) == {"panel", "left", "b", "right", "c"}


# --- states -------------------------------------------------------------------------------------


class Shire(StateChart):
    class shire(State.Compound, initial=True):
        bag_end = State(initial=True)
        green_dragon = State()
        visit_pub = bag_end.to(green_dragon)

    mordor = State()
    leave = shire.to(mordor)
    back = mordor.to(shire)


def test_is_descendant_is_true_for_ancestors_only():
    """`child.is_descendant(parent)` is True for an ancestor and False otherwise."""
    assert Shire.bag_end.is_descendant(Shire.shire)
    assert not Shire.shire.is_descendant(Shire.bag_end)
    assert not Shire.mordor.is_descendant(Shire.shire)


def test_missing_child_attribute_names_the_state():
    """Reading a child that does not exist on a compound state raises AttributeError naming the
    attribute, and on a machine's view of the state the state too."""
    assert Shire.shire.bag_end is Shire.bag_end  # children are attributes of their parent
    with pytest.raises(AttributeError, match="'rivendell'"):
        Shire.shire.rivendell
    with pytest.raises(AttributeError, match="State 'shire' has no 'rivendell'"):
        Shire().shire.rivendell


def test_class_state_and_instance_state_compare_equal_both_ways():
    """A declared state and its view on a machine compare equal, in both directions."""
    sm = Shire()

    assert Shire.bag_end == sm.bag_end
    assert sm.bag_end == Shire.bag_end
    assert sm.bag_end != Shire.mordor


def test_str_and_repr_of_states_and_their_views():
    """`str()` of a state is its name, and its view on a machine has the same str and repr."""
    sm = Shire()

    assert str(Shire.green_dragon) == "Green dragon"
    assert str(sm.green_dragon) == "Green dragon"
    assert repr(sm.green_dragon) == repr(Shire.green_dragon)


def test_state_view_reads_the_attributes_of_the_declared_state():
    """A state's view on a machine answers attribute reads with the declared state's values."""
    view = Shire().bag_end

    assert (view.id, view.name, view.value) == ("bag_end", "Bag end", "bag_end")
    assert (view.initial, view.final, view.parent) == (True, False, Shire.shire)


def test_guard_named_like_a_state_resolves_on_the_model(engine):
    """A guard name that is also a state of the machine resolves to the model's attribute: a
    state is never a callback."""

    class Ticket:
        state = None

        def __init__(self, approved):
            self.approved = approved

    class Review(StateChart):
        pending = State(initial=True)
        approved = State()
        decide = pending.to(approved, cond="approved")

    rejected = engine.machine(Review, model=Ticket(approved=False))
    engine.send(rejected, "decide")
    assert rejected.pending.is_active

    accepted = engine.machine(Review, model=Ticket(approved=True))
    engine.send(accepted, "decide")
    assert accepted.approved.is_active


def test_callback_groupers_read_on_the_classes_are_the_descriptors():
    """Reading a callback grouper on the `State` or `Transition` class itself gives the
    descriptor (as for a property), not an error."""
    assert State.enter is State.__dict__["enter"]
    assert Transition.cond is Transition.__dict__["cond"]


def test_states_collection_inside_a_compound_body_becomes_its_children(engine):
    """A `States.from_enum(...)` inside a compound body provides that compound's children."""

    class Phase(enum.Enum):
        draft = "draft"
        review = "review"

    class Doc(StateChart):
        class editing(State.Compound, initial=True):
            phases = States.from_enum(Phase, initial=Phase.draft)
            submit = phases.draft.to(phases.review)

    doc = engine.machine(Doc)
    assert [s.id for s in Doc.editing.states] == ["draft", "review"]

    engine.send(doc, "submit")
    assert doc.review.is_active


def test_state_aliased_in_a_parallel_body_is_rejected():
    """A region assigned to a second name inside a parallel body is a definition error: one
    State object is one state."""
    with pytest.raises(InvalidDefinition, match=r"^The state 'left' is assigned to a second "):

        class Panel(StateChart):
            class panel(State.Parallel):
                class left(State.Compound):
                    x = State(initial=True)
                    x2 = State()
                    step = x.to(x2)

                class right(State.Compound):
                    y = State(initial=True)

                also_left = left


# --- definition building ------------------------------------------------------------------------


def test_state_assigned_to_two_class_attributes_is_rejected():
    """A state assigned to a second class attribute is a definition error naming both."""
    with pytest.raises(
        InvalidDefinition,
        match=r"^The state 'on' is assigned to a second attribute, 'lit'\. A State object "
        r"declares one state: create another `State\(\)` for 'lit', or use 'on'\.$",
    ):

        class Light(StateChart):
            off = State(initial=True)
            on = State()
            lit = on
            toggle = off.to(on) | on.to(off)


def test_states_member_named_like_an_event_leaves_the_event_in_place(engine):
    """A `States` member whose name is also a class attribute (here an event) does not replace
    that attribute."""

    class Step(enum.Enum):
        waiting = 1
        go = 2

    class Runner(StateChart):
        steps = States.from_enum(Step, initial=Step.waiting)
        go = steps.waiting.to(steps.go)

    runner = engine.machine(Runner)
    engine.send(runner, "go")

    assert runner.configuration_values == {Step.go}
    assert callable(runner.go)


def test_method_declared_in_a_compound_body_does_not_replace_a_machine_method():
    """When a compound body and the machine body declare a method of the same name, the
    machine's own method is the one the machine has."""

    class Shop(StateChart):
        class open(State.Compound, initial=True):
            browsing = State(initial=True)
            paying = State()
            checkout = browsing.to(paying)

            def greeting(self):
                return "from the compound"

        def greeting(self):
            return "from the machine"

    assert Shop().greeting() == "from the machine"


def test_diamond_inheritance_declares_each_inherited_state_once(engine):
    """A machine inheriting the same states through two bases has each of them once."""

    class Base(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b)

    class Left(Base):
        pass

    class Right(Base):
        pass

    class Both(Left, Right):
        pass

    assert [s.id for s in Both.states] == ["a", "b"]
    sm = engine.machine(Both)
    engine.send(sm, "go")
    assert sm.b.is_active
