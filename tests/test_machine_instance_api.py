"""Instance API of a flat machine: configuration setters, activation, formatting (spec 1.5, 1.6)."""

from __future__ import annotations

import asyncio
import warnings

import pytest

from statemachine import Event, State, StateChart, StateMachine
from statemachine.exceptions import InvalidStateValue, StateMachineError, TransitionNotAllowed


class Turnstile(StateMachine):
    locked = State(initial=True)
    unlocked = State()
    coin = locked.to(unlocked)
    push = unlocked.to(locked)
    service = Event(locked.to.itself(), id="maintenance.check")

    def __init__(self, *args, **kwargs):
        self.entered: list[str] = []
        super().__init__(*args, **kwargs)

    def on_enter_state(self, state):
        self.entered.append(state.id)


# --- configuration setters ----------------------------------------------------------------------


def test_setting_configuration_to_one_state_stores_its_value(engine):
    """Assigning `[state]` to `configuration` writes that state's value to the model."""
    sm = engine.machine(Turnstile)
    sm.configuration = [Turnstile.unlocked]
    assert sm.model.state == "unlocked"
    assert sm.unlocked.is_active


def test_setting_configuration_bypasses_callbacks(engine):
    """The configuration setter is a low-level overwrite: no entry callback runs."""
    sm = engine.machine(Turnstile)
    sm.configuration = [Turnstile.unlocked]
    assert sm.entered == ["locked"]


def test_setting_an_empty_configuration_clears_the_model(engine):
    """Assigning an empty configuration stores None, and no state is active."""
    sm = engine.machine(Turnstile)
    sm.configuration = []
    assert sm.model.state is None
    assert not sm.locked.is_active
    assert not sm.unlocked.is_active
    assert sm.configuration == set()
    assert sm.configuration_values == set()


def test_current_state_value_accepts_none(engine):
    """`current_state_value = None` clears the model without validation errors."""
    sm = engine.machine(Turnstile)
    sm.current_state_value = None
    assert sm.current_state_value is None


def test_current_state_value_rejects_a_value_that_is_no_state(engine):
    """Setting a value that no state has raises InvalidStateValue carrying the value."""
    sm = engine.machine(Turnstile)
    with pytest.raises(InvalidStateValue, match="'jammed' is not a valid state value") as info:
        sm.current_state_value = "jammed"
    assert info.value.value == "jammed"
    assert sm.locked.is_active


def test_current_state_without_a_state_explains_how_to_activate(engine):
    """Reading the deprecated `current_state` with no active state raises InvalidStateValue
    with a hint about activating the initial state."""
    sm = engine.machine(Turnstile)
    sm.current_state_value = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(InvalidStateValue, match="There's no current state set") as info:
            sm.current_state
    assert "activate_initial_state()" in str(info.value)
    assert info.value.value is None


# --- activation -----------------------------------------------------------------------------------


def test_activate_initial_state_enters_the_initial_state_when_none_is_set(engine):
    """With no state on the model, `activate_initial_state()` enters the initial state."""
    sm = engine.machine(Turnstile)
    sm.current_state_value = None
    engine.call(sm.activate_initial_state)
    assert sm.locked.is_active
    assert sm.entered == ["locked", "locked"]


def test_activate_initial_state_is_a_no_op_when_a_state_is_set(engine):
    """When the model already holds a state, `activate_initial_state()` changes nothing."""
    sm = engine.machine(Turnstile)
    engine.send(sm, "coin")
    engine.call(sm.activate_initial_state)
    assert sm.unlocked.is_active
    assert sm.entered == ["locked", "unlocked"]


def test_activate_initial_state_forwards_kwargs_to_entry_callbacks(engine):
    """Keyword arguments of `activate_initial_state()` reach the initial entry callbacks."""

    class Greeting(StateChart):
        start = State(initial=True)
        end = State()
        go = start.to(end)

        def on_enter_start(self, who=None):
            self.greeted = who

    sm = engine.machine(Greeting)
    sm.current_state_value = None
    engine.call(sm.activate_initial_state, who="ada")
    assert sm.greeted == "ada"


# --- events -------------------------------------------------------------------------------------


def test_bind_events_to_skips_event_ids_that_are_not_identifiers(engine):
    """Events whose id is not a Python identifier (`maintenance.check`) are not bound."""

    class Target:
        pass

    target = Target()
    sm = engine.machine(Turnstile)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # skipping them is silent
        sm.bind_events_to(target)
    assert sorted(vars(target)) == ["coin", "push"]


def test_event_with_a_dotted_id_is_sent_by_name(engine):
    """An event whose id has dots is reachable through `send()`."""
    sm = engine.machine(Turnstile)
    engine.send(sm, "maintenance.check")
    assert sm.entered == ["locked", "locked"]


def test_unknown_event_is_refused_also_when_events_have_defaults(engine):
    """A machine with an internal-by-default event still refuses an unknown event name."""

    class Relay(StateMachine):
        idle = State(initial=True)
        sent = State()
        forward = Event(idle.to(sent), internal=True)
        reset = sent.to(idle)

    sm = engine.machine(Relay)
    with pytest.raises(TransitionNotAllowed, match=r"Can't teleport when in Idle\."):
        engine.send(sm, "teleport")


# --- listeners and formatting ---------------------------------------------------------------------


def test_listener_declared_on_two_ancestors_is_created_once(engine):
    """A listener class listed by a parent and a grandparent gives one listener instance."""

    class Tally:
        created = 0

        def __init__(self):
            Tally.created += 1

    class Base(StateChart):
        listeners = [Tally]
        a = State(initial=True)
        b = State()
        go = a.to(b) | b.to(a)

    class Middle(Base):
        listeners = [Tally]

    class Leaf(Middle):
        pass

    sm = engine.machine(Leaf)
    assert Tally.created == 1
    assert sum(isinstance(x, Tally) for x in sm.active_listeners) == 1


def test_empty_format_spec_gives_the_repr(engine):
    """`format(sm, "")` and `f"{sm}"` are the machine's repr."""
    sm = engine.machine(Turnstile)
    assert format(sm, "") == repr(sm)
    assert f"{sm}" == repr(sm)
    assert repr(sm) == (
        "Turnstile(model=Model(state=locked), state_field='state', configuration=['locked'])"
    )


# --- add_listener with coroutine callbacks (deliberate difference 4) ------------------------------


class AsyncRecorder:
    def __init__(self) -> None:
        self.entered: list[str] = []

    async def on_enter_state(self, state):
        await asyncio.sleep(0)
        self.entered.append(state.id)


class Toggle(StateMachine):
    off = State(initial=True)
    on = State()
    flip = off.to(on) | on.to(off)

    def on_flip(self):
        return "flipped"


def test_add_listener_returns_the_machine(engine):
    """`add_listener()` returns the machine itself, for chaining."""
    sm = engine.machine(Toggle)
    assert sm.add_listener(AsyncRecorder()) is sm


def test_coroutine_listener_added_at_runtime_is_awaited(engine):
    """A listener with `async def` callbacks added later has them awaited on the next events."""
    sm = engine.machine(Toggle)
    listener = AsyncRecorder()
    sm.add_listener(listener)
    assert engine.send(sm, "flip") == "flipped"
    engine.send(sm, "flip")
    assert listener.entered == ["on", "off"]


def test_switching_to_the_async_engine_keeps_the_configuration():
    """A sync machine that switches engines for a coroutine listener stays in its state."""
    sm = Toggle()
    sm.send("flip")
    sm.add_listener(AsyncRecorder())
    assert sm.on.is_active
    assert sm.send("flip") == "flipped"
    assert sm.off.is_active


class SelfListening(StateMachine):
    off = State(initial=True)
    on = State()
    flip = off.to(on) | on.to(off)

    def on_flip(self):
        self.add_listener(AsyncRecorder())


def test_coroutine_listener_cannot_be_added_while_processing():
    """Adding a coroutine listener from a callback of a sync machine raises a clear error,
    leaves the listener out and the machine in its state."""
    sm = SelfListening()
    with pytest.raises(StateMachineError, match=r"while it is processing an event.*outside of"):
        sm.send("flip")
    assert sm.active_listeners == []
    assert sm.off.is_active
