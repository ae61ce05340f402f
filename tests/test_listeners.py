"""Listeners: class-level, constructor and runtime attach points, setup(), name resolution."""

from __future__ import annotations

from functools import partial

import pytest

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import InvalidDefinition


class Recorder:
    """A listener that records the events it sees."""

    def __init__(self, tag="recorder"):
        self.tag = tag
        self.calls: list[str] = []

    def on_go(self, event):
        self.calls.append(f"on_{event}")


class Engine(StateMachine):
    idle = State(initial=True)
    running = State()

    go = idle.to(running)
    halt = running.to(idle)


# --- class-level listeners ---------------------------------------------------------------------

# Tests that only inspect `active_listeners` (how entries are instantiated, their order) stay on
# the sync engine: on the async driver that list also holds the fixture's probe listener.


class WithFactory(Engine):
    listeners = [Recorder]


def test_class_listener_class_is_a_factory_called_per_instance():
    """A class in `listeners` is instantiated once per machine instance."""
    first, second = WithFactory(), WithFactory()
    assert isinstance(first.active_listeners[0], Recorder)
    assert first.active_listeners[0] is not second.active_listeners[0]


def test_class_listener_receives_callbacks(engine):
    """A factory-created listener has its callbacks called."""
    sm = engine.machine(WithFactory)
    engine.send(sm, "go")
    assert sm.active_listeners[0].calls == ["on_go"]


def test_factory_listeners_of_two_instances_do_not_share_calls(engine):
    """Events sent to one instance are not seen by the listener of another instance."""
    first, second = engine.machine(WithFactory), engine.machine(WithFactory)
    engine.send(first, "go")
    assert second.active_listeners[0].calls == []


def test_class_listener_partial_is_called_with_its_arguments():
    """A functools.partial in `listeners` is a factory called with its bound arguments."""

    class Machine(Engine):
        listeners = [partial(Recorder, tag="partial")]

    sm = Machine()
    assert sm.active_listeners[0].tag == "partial"


def test_class_listener_lambda_is_a_factory():
    """A lambda in `listeners` is called per instance and its result is the listener."""

    class Machine(Engine):
        listeners = [lambda: Recorder(tag="lambda")]

    first, second = Machine(), Machine()
    assert first.active_listeners[0].tag == "lambda"
    assert first.active_listeners[0] is not second.active_listeners[0]


def test_class_listener_instance_is_shared_between_machines(engine):
    """A non-callable listener instance in `listeners` is shared by every machine instance."""
    shared = Recorder(tag="shared")

    class Machine(Engine):
        listeners = [shared]

    first, second = engine.machine(Machine), engine.machine(Machine)
    engine.send(first, "go")
    engine.send(second, "go")
    assert first.active_listeners[0] is shared
    assert second.active_listeners[0] is shared
    assert shared.calls == ["on_go", "on_go"]


@pytest.mark.parametrize("entry", [None, "recorder", 1, 1.5, True])
def test_primitive_listener_entry_is_rejected_at_class_creation(entry):
    """None, str, int, float and bool entries in `listeners` raise InvalidDefinition."""
    with pytest.raises(InvalidDefinition, match=r"Invalid entry in 'listeners': " + repr(entry)):

        class Machine(Engine):
            listeners = [entry]


def test_class_listener_sees_the_initial_entry(engine):
    """Class-level listeners are attached before the initial state is entered."""

    class Watcher:
        def __init__(self):
            self.entered = []

        def on_enter_state(self, state):
            self.entered.append(state.id)

    class Machine(Engine):
        listeners = [Watcher]

    assert engine.machine(Machine).active_listeners[0].entered == ["idle"]


# --- constructor and runtime listeners ---------------------------------------------------------


def test_constructor_listener_receives_callbacks(engine):
    """A listener passed with listeners= has its callbacks called."""
    recorder = Recorder()
    sm = engine.machine(Engine, listeners=[recorder])
    engine.send(sm, "go")
    assert recorder.calls == ["on_go"]


def test_constructor_listener_sees_the_initial_entry(engine):
    """Constructor listeners are attached before the initial state is entered."""

    class Watcher:
        def __init__(self):
            self.entered = []

        def on_enter_idle(self, event):
            self.entered.append(event)

    watcher = Watcher()
    engine.machine(Engine, listeners=[watcher])
    assert watcher.entered == ["__initial__"]


def test_add_listener_returns_the_machine(engine):
    """add_listener() returns the machine, so calls can be chained."""
    sm = engine.machine(Engine)
    assert sm.add_listener(Recorder()) is sm


def test_add_listener_attaches_callbacks_at_runtime(engine):
    """A listener added after creation receives the callbacks of later events."""
    recorder = Recorder()
    sm = engine.machine(Engine)
    engine.send(sm, "go")
    engine.send(sm, "halt")
    sm.add_listener(recorder)
    engine.send(sm, "go")
    assert recorder.calls == ["on_go"]


def test_add_listener_accepts_several_listeners(engine):
    """add_listener(a, b) attaches both listeners."""
    first, second = Recorder(), Recorder()
    sm = engine.machine(Engine).add_listener(first, second)
    engine.send(sm, "go")
    assert first.calls == ["on_go"]
    assert second.calls == ["on_go"]


def test_add_listener_can_be_chained(engine):
    """Chained add_listener() calls attach every listener."""
    first, second = Recorder(), Recorder()
    sm = engine.machine(Engine).add_listener(first).add_listener(second)
    engine.send(sm, "go")
    assert first.calls == second.calls == ["on_go"]


# Sync engine only: asserts the exact listener list, which the async probe would extend.
def test_active_listeners_order_is_class_then_constructor_then_runtime():
    """active_listeners lists class-level, then constructor, then runtime listeners."""
    from_constructor, at_runtime = Recorder("ctor"), Recorder("runtime")
    sm = WithFactory(listeners=[from_constructor])
    sm.add_listener(at_runtime)
    listeners = sm.active_listeners
    assert len(listeners) == 3
    assert isinstance(listeners[0], Recorder)
    assert listeners[0].tag == "recorder"
    assert listeners[1:] == [from_constructor, at_runtime]


def test_listeners_are_called_in_attach_order(engine):
    """Listeners handling the same callback are called in the order of active_listeners."""
    log: list[str] = []

    class Tagged:
        def __init__(self, tag):
            self.tag = tag

        def on_go(self):
            log.append(self.tag)

    class Machine(Engine):
        listeners = [lambda: Tagged("class")]

    sm = engine.machine(Machine, listeners=[Tagged("ctor")]).add_listener(Tagged("runtime"))
    engine.send(sm, "go")
    assert log == ["class", "ctor", "runtime"]


# --- inheritance of class-level listeners ------------------------------------------------------


class ParentListener:
    pass


class ChildListener:
    pass


class BaseWithListener(StateMachine):
    listeners = [ParentListener]


class ChildInherits(BaseWithListener):
    listeners = [ChildListener]

    idle = State(initial=True)
    running = State()
    go = idle.to(running)


class ChildReplaces(BaseWithListener):
    listeners = [ChildListener]
    listeners_inherit = False

    idle = State(initial=True)
    running = State()
    go = idle.to(running)


class ChildWithoutOwnListeners(BaseWithListener):
    idle = State(initial=True)
    running = State()
    go = idle.to(running)


# Sync engine only: these assert the exact listener list, which the async probe would extend.
def _types(sm):
    return [type(listener) for listener in sm.active_listeners]


def test_subclass_listeners_come_after_inherited_ones():
    """With listeners_inherit True (default), parent listeners come first, then the child's."""
    assert _types(ChildInherits()) == [ParentListener, ChildListener]


def test_listeners_inherit_false_replaces_parent_listeners():
    """listeners_inherit = False drops the parent's listeners."""
    assert _types(ChildReplaces()) == [ChildListener]


def test_subclass_without_listeners_inherits_them_once():
    """A subclass that declares no listeners gets the parent's, each exactly once."""
    assert _types(ChildWithoutOwnListeners()) == [ParentListener]


# --- setup() -------------------------------------------------------------------------------------


class Configurable:
    """A listener whose setup() takes the machine and an optional constructor kwarg."""

    def setup(self, sm, tenant=None):
        self.sm = sm
        self.tenant = tenant


def test_setup_is_called_on_factory_listeners_with_the_machine(engine):
    """setup(sm) is called on a factory-created listener with the machine instance."""

    class Machine(Engine):
        listeners = [Configurable]

    sm = engine.machine(Machine)
    assert sm.active_listeners[0].sm is sm


def test_setup_receives_constructor_kwargs_by_name(engine):
    """Constructor kwargs are injected into setup() by parameter name."""

    class Machine(Engine):
        listeners = [Configurable]

    sm = engine.machine(Machine, tenant="acme")
    assert sm.active_listeners[0].tenant == "acme"


def test_setup_ignores_constructor_kwargs_it_does_not_declare(engine):
    """Constructor kwargs that setup() does not declare are not passed to it."""

    class OnlyMachine:
        def setup(self, sm):
            self.sm = sm

    class Machine(Engine):
        listeners = [OnlyMachine]

    sm = engine.machine(Machine, tenant="acme", region="eu")
    assert sm.active_listeners[0].sm is sm


def test_setup_is_not_called_on_shared_class_listener_instances(engine):
    """A shared listener instance in `listeners` is not set up."""
    shared = Configurable()

    class Machine(Engine):
        listeners = [shared]

    engine.machine(Machine, tenant="acme")
    assert not hasattr(shared, "sm")


def test_setup_is_not_called_on_constructor_listeners(engine):
    """Listeners passed with listeners= are instances, so setup() is not called on them."""
    listener = Configurable()
    engine.machine(Engine, listeners=[listener], tenant="acme")
    assert not hasattr(listener, "sm")


def test_setup_missing_required_kwarg_is_wrapped(engine):
    """A TypeError from setup() (a required kwarg not given) is reported naming the listener."""

    class NeedsTenant:
        def setup(self, sm, tenant):
            self.tenant = tenant

    class Machine(Engine):
        listeners = [NeedsTenant]

    with pytest.raises(TypeError, match=r"Error calling setup\(\) on listener .*NeedsTenant"):
        engine.machine(Machine)


def test_setup_raising_type_error_is_wrapped(engine):
    """A TypeError raised inside setup() is re-raised with the listener named."""

    class BrokenSetup:
        def setup(self, sm):
            raise TypeError("bad configuration")

    class Machine(Engine):
        listeners = [BrokenSetup]

    with pytest.raises(TypeError, match=r"Error calling setup\(\) on listener .*BrokenSetup"):
        engine.machine(Machine)


# --- resolution: every match is called, in machine, model, listener order ------------------------


class Journal:
    """A model that keeps a log and handles on_go itself."""

    def __init__(self):
        self.state = None
        self.log: list[str] = []

    def on_go(self):
        self.log.append("model")

    def on_enter_running(self):
        self.log.append("model.on_enter_running")

    def audit(self, event):
        self.log.append(f"audit {event}")


class JournalListener:
    def on_go(self, model):
        model.log.append("listener")


class Journaled(StateMachine):
    idle = State(initial=True)
    running = State()

    go = idle.to(running)
    halt = running.to(idle, on="audit")

    def on_go(self):
        self.model.log.append("machine")


def test_every_match_is_called_in_machine_model_listener_order(engine):
    """on_go defined on the machine, the model and a listener runs all three, in that order."""
    journal = Journal()
    sm = engine.machine(Journaled, journal, listeners=[JournalListener()])
    engine.send(sm, "go")
    assert [entry for entry in journal.log if not entry.startswith("model.")] == [
        "machine",
        "model",
        "listener",
    ]


def test_model_convention_method_is_a_callback(engine):
    """A model method named by convention (on_enter_<state>) is called."""
    journal = Journal()
    sm = engine.machine(Journaled, journal)
    engine.send(sm, "go")
    assert "model.on_enter_running" in journal.log


def test_inline_name_resolves_to_a_model_method(engine):
    """An inline callback name found only on the model calls the model's method."""
    journal = Journal()
    sm = engine.machine(Journaled, journal)
    engine.send(sm, "go")
    engine.send(sm, "halt")
    assert journal.log[-1] == "audit halt"


class Notifier:
    def __init__(self):
        self.notified: list[str] = []

    def notify(self, source, target):
        self.notified.append(f"{source.id}->{target.id}")


class Notifying(StateMachine):
    idle = State(initial=True)
    running = State()

    go = idle.to(running, on="notify")


def test_explicit_name_found_only_on_a_constructor_listener(engine):
    """An inline callback name may be provided by a listener passed to the constructor."""
    notifier = Notifier()
    sm = engine.machine(Notifying, listeners=[notifier])
    engine.send(sm, "go")
    assert notifier.notified == ["idle->running"]


def test_explicit_name_found_only_on_a_class_listener(engine):
    """An inline callback name may be provided by a class-level listener."""

    class Machine(Notifying):
        listeners = [Notifier]

    sm = engine.machine(Machine)
    engine.send(sm, "go")
    assert sm.active_listeners[0].notified == ["idle->running"]


def test_explicit_name_found_nowhere_is_rejected_at_instantiation():
    """Without a listener providing it, the inline name raises InvalidDefinition naming it."""
    with pytest.raises(InvalidDefinition, match=r"Did not found name 'notify'"):
        Notifying()


def test_listener_callbacks_get_dependency_injection(engine):
    """Listener methods receive injected names such as event, source, target and machine."""

    class Inspector:
        def after_go(self, event, source, target, machine):
            self.seen = (event, source.id, target.id, machine)

    inspector = Inspector()
    sm = engine.machine(Engine, listeners=[inspector])
    engine.send(sm, "go")
    assert inspector.seen == ("go", "idle", "running", sm)


# --- an inline name that is an Event triggers it -------------------------------------------------


def build_chain(base):
    """Build a machine whose t1 has after='t2', naming another event."""

    class Chain(base):
        a = State(initial=True)
        b = State()
        c = State()

        t1 = a.to(b, after="t2")
        t2 = b.to(c)
        reset = c.to(a)

    return Chain


@pytest.mark.parametrize(
    "machine_cls", [build_chain(StateMachine), build_chain(StateChart)], ids=["sm", "chart"]
)
def test_inline_name_of_an_event_triggers_that_event(engine, machine_cls):
    """after='t2' sends event t2 once t1 completes, so one send moves a -> b -> c."""
    sm = engine.machine(machine_cls)
    engine.send(sm, "t1")
    assert sm.c.is_active
