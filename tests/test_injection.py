"""Dependency injection into callbacks (spec section 2.3) and what send() returns (section 2.4)."""

from __future__ import annotations

import pytest

from statemachine import Event, State, StateChart, StateMachine
from statemachine.event_data import EventData

INJECTED = ("event", "source", "target", "state", "model", "machine", "transition", "event_data")


def _capture(group):
    """Return a callback that declares every injectable name and stores what it received."""

    def capture(self, event, source, target, state, model, machine, transition, event_data):
        self.seen[group] = {
            "event": event,
            "source": source,
            "target": target,
            "state": state,
            "model": model,
            "machine": machine,
            "transition": transition,
            "event_data": event_data,
        }

    return capture


class Spy(StateMachine):
    a = State(initial=True)
    b = State()

    go = a.to(b)
    back = b.to(a)

    def __init__(self, *args, **kwargs):
        self.seen: dict[str, dict[str, object]] = {}
        super().__init__(*args, **kwargs)

    before_go = _capture("before")
    on_exit_a = _capture("exit")
    on_go = _capture("on")
    on_enter_b = _capture("enter")
    after_go = _capture("after")


@pytest.fixture
def spy(engine):
    sm = engine.machine(Spy)
    engine.send(sm, "go")
    return sm


# --- the always-available names --------------------------------------------------------------


def test_event_is_the_triggering_event(spy):
    """`event` is the Event that triggered the transition; it compares equal to its id."""
    event = spy.seen["on"]["event"]
    assert isinstance(event, Event)
    assert event == "go"


def test_source_and_target_are_the_transition_states(spy):
    """`source` and `target` are the State objects the transition leaves and enters."""
    assert spy.seen["on"]["source"].id == "a"
    assert spy.seen["on"]["target"].id == "b"


@pytest.mark.parametrize(
    ("group", "expected"),
    [("before", "a"), ("exit", "a"), ("on", "a"), ("enter", "b"), ("after", "b")],
)
def test_state_is_bound_per_group(spy, group, expected):
    """`state` is the source in before/on, the exited state in exit, the entered in enter/after."""
    assert spy.seen[group]["state"].id == expected


def test_exit_callback_source_is_the_exited_state(spy):
    """In an exit callback `source` is the state being exited."""
    assert spy.seen["exit"]["source"].id == "a"


def test_enter_callback_target_is_the_entered_state(spy):
    """In an enter callback `target` is the state being entered."""
    assert spy.seen["enter"]["target"].id == "b"


def test_model_is_the_machine_model(spy):
    """`model` is the model object the machine was created with."""
    assert spy.seen["on"]["model"] is spy.model


def test_model_is_the_user_model_when_one_is_given(engine):
    """A model passed to the constructor is what callbacks receive as `model`."""

    class Account:
        state = None

    account = Account()
    sm = engine.machine(Spy, account)
    engine.send(sm, "go")
    assert sm.seen["before"]["model"] is account


def test_machine_is_the_running_instance(spy):
    """`machine` is the state machine instance itself."""
    assert spy.seen["after"]["machine"] is spy


def test_transition_is_the_transition_taken(spy):
    """`transition` describes the transition being run (source a, target b, event go)."""
    transition = spy.seen["on"]["transition"]
    assert transition.source.id == "a"
    assert transition.target.id == "b"
    assert transition.match("go")


def test_event_data_is_an_event_data_instance(spy):
    """`event_data` is an EventData for the current event."""
    event_data = spy.seen["on"]["event_data"]
    assert isinstance(event_data, EventData)
    assert event_data.event == "go"


def test_event_data_describes_transition_source_and_target(spy):
    """EventData exposes the transition, its source and its target."""
    event_data = spy.seen["on"]["event_data"]
    assert event_data.transition is spy.seen["on"]["transition"]
    assert event_data.source.id == "a"
    assert event_data.target.id == "b"


class EventDataProbe(StateMachine):
    a = State(initial=True)
    b = State()

    go = a.to(b)

    def on_go(self, event_data):
        self.event_data = event_data


def test_event_data_carries_send_args_and_kwargs(engine):
    """EventData.args holds the positional args of send(); extended_kwargs has the kwargs."""
    sm = engine.machine(EventDataProbe)
    engine.send(sm, "go", 1, 2, colour="red")
    assert sm.event_data.args == (1, 2)
    assert sm.event_data.extended_kwargs["colour"] == "red"


def test_event_data_extended_kwargs_include_the_injectables(engine):
    """EventData.extended_kwargs also holds the injected names, such as machine and source."""
    sm = engine.machine(EventDataProbe)
    engine.send(sm, "go")
    assert sm.event_data.extended_kwargs["machine"] is sm
    assert sm.event_data.extended_kwargs["source"].id == "a"


# --- arguments given to send() ----------------------------------------------------------------


class ArgsProbe(StateMachine):
    a = State(initial=True)
    b = State()

    go = a.to(b)
    back = b.to(a)

    def __init__(self, *args, **kwargs):
        self.received: object = None
        super().__init__(*args, **kwargs)


def test_positional_args_go_to_leading_positional_params(engine):
    """Positional args of send() fill the callback's leading positional parameters."""

    class Machine(ArgsProbe):
        def on_go(self, first, second):
            self.received = (first, second)

    sm = engine.machine(Machine)
    engine.send(sm, "go", 10, 20)
    assert sm.received == (10, 20)


def test_bound_event_call_passes_args_like_send(engine):
    """sm.go(*args, **kwargs) passes its arguments like send('go', ...)."""

    class Machine(ArgsProbe):
        def on_go(self, first, amount):
            self.received = (first, amount)

    sm = engine.machine(Machine)
    engine.call(sm.go, 10, amount=5)
    assert sm.received == (10, 5)


def test_kwargs_are_passed_by_name(engine):
    """A keyword argument of send() reaches the parameter with that name."""

    class Machine(ArgsProbe):
        def on_go(self, amount):
            self.received = amount

    sm = engine.machine(Machine)
    engine.send(sm, "go", amount=3)
    assert sm.received == 3


def test_kwarg_wins_over_positional_for_the_same_parameter(engine):
    """When a positional arg and a kwarg both target one parameter, the kwarg wins."""

    class Machine(ArgsProbe):
        def on_go(self, value):
            self.received = value

    sm = engine.machine(Machine)
    engine.send(sm, "go", 1, value=2)
    assert sm.received == 2


def test_var_positional_receives_all_positional_args(engine):
    """A `*args` parameter receives every positional argument of send()."""

    class Machine(ArgsProbe):
        def on_go(self, *args):
            self.received = args

    sm = engine.machine(Machine)
    engine.send(sm, "go", 1, 2, 3)
    assert sm.received == (1, 2, 3)


def test_var_keyword_receives_user_kwargs_and_injected_names(engine):
    """A `**kwargs` parameter receives the send() kwargs and the injected names."""

    class Machine(ArgsProbe):
        def on_go(self, **kwargs):
            self.received = kwargs

    sm = engine.machine(Machine)
    engine.send(sm, "go", colour="red")
    assert sm.received["colour"] == "red"
    assert sm.received["machine"] is sm
    assert sm.received["event"] == "go"


def test_parameter_not_supplied_keeps_its_default(engine):
    """A parameter that nothing supplies keeps its default value."""

    class Machine(ArgsProbe):
        def on_go(self, amount=7):
            self.received = amount

    sm = engine.machine(Machine)
    engine.send(sm, "go")
    assert sm.received == 7


def test_extra_arguments_are_tolerated(engine):
    """Arguments a callback does not declare are dropped instead of raising TypeError."""

    class Machine(ArgsProbe):
        def on_go(self):
            self.received = "called"

    sm = engine.machine(Machine)
    engine.send(sm, "go", 1, 2, unused="x")
    assert sm.received == "called"
    assert sm.b.is_active


def test_callable_without_self_gets_injection(engine):
    """A plain function given inline receives injected names too."""
    seen = []

    class Machine(StateMachine):
        a = State(initial=True)
        b = State()

        go = a.to(b, on=lambda source, amount: seen.append((source.id, amount)))

    sm = engine.machine(Machine)
    engine.send(sm, "go", amount=4)
    assert seen == [("a", 4)]


@pytest.mark.parametrize("name", INJECTED)
def test_reserved_kwargs_are_dropped_from_user_kwargs(engine, name):
    """A kwarg named like an injected value is dropped; the injected value is kept."""
    sm = engine.machine(Spy)
    engine.call(sm.go, **{name: "bogus"})
    assert sm.seen["on"][name] != "bogus"


@pytest.mark.parametrize("name", [name for name in INJECTED if name != "event"])
def test_reserved_send_kwargs_do_not_reach_callbacks(engine, name):
    """send() drops a reserved kwarg too (`event` is excluded: it is send()'s own parameter)."""
    sm = engine.machine(Spy)
    engine.send(sm, "go", **{name: "bogus"})
    assert sm.seen["after"][name] != "bogus"


# --- prepare_event -----------------------------------------------------------------------------


class Prepared(StateMachine):
    a = State(initial=True)
    b = State()

    go = a.to(b)

    def __init__(self, *args, **kwargs):
        self.received: dict[str, object] = {}
        super().__init__(*args, **kwargs)

    def prepare_event(self, amount=0):
        return {"token": "t-1", "doubled": amount * 2}

    def on_go(self, token, doubled):
        self.received["on"] = (token, doubled)

    def on_enter_b(self, token):
        self.received["enter"] = token

    def after_go(self, token):
        self.received["after"] = token


def test_prepare_event_result_is_merged_into_on_kwargs(engine):
    """The dict returned by prepare_event is available to `on` callbacks by name."""
    sm = engine.machine(Prepared)
    engine.send(sm, "go")
    assert sm.received["on"] == ("t-1", 0)


def test_prepare_event_receives_send_kwargs(engine):
    """prepare_event gets the send() kwargs and can derive new ones from them."""
    sm = engine.machine(Prepared)
    engine.send(sm, "go", amount=3)
    assert sm.received["on"] == ("t-1", 6)


@pytest.mark.parametrize("group", ["enter", "after"])
def test_prepare_event_result_reaches_enter_and_after(engine, group):
    """Kwargs added by prepare_event also reach enter and after callbacks."""
    sm = engine.machine(Prepared)
    engine.send(sm, "go")
    assert sm.received[group] == "t-1"


# --- configurations in `on` ------------------------------------------------------------------


def build_config_probe(base):
    """Build a machine whose `on` callback records both configurations."""

    class ConfigProbe(base):
        a = State(initial=True)
        b = State()

        go = a.to(b)

        def __init__(self, *args, **kwargs):
            self.received: dict[str, object] = {}
            super().__init__(*args, **kwargs)

        def before_go(self, **kwargs):
            self.received["before"] = kwargs

        def on_go(self, previous_configuration, new_configuration):
            self.received["previous"] = [s.id for s in previous_configuration]
            self.received["new"] = [s.id for s in new_configuration]

    return ConfigProbe


CONFIG_PROBES = [build_config_probe(StateMachine), build_config_probe(StateChart)]


@pytest.mark.parametrize("machine_cls", CONFIG_PROBES, ids=["sm", "chart"])
def test_on_callbacks_get_previous_and_new_configuration(engine, machine_cls):
    """`on` callbacks can take previous_configuration and new_configuration."""
    sm = engine.machine(machine_cls)
    engine.send(sm, "go")
    assert sm.received["previous"] == ["a"]
    assert sm.received["new"] == ["b"]


def test_configurations_are_not_passed_to_before_callbacks(engine):
    """previous_configuration and new_configuration are only injected into `on` callbacks."""
    sm = engine.machine(CONFIG_PROBES[0])
    engine.send(sm, "go")
    assert "previous_configuration" not in sm.received["before"]
    assert "new_configuration" not in sm.received["before"]


# --- the initial entry -------------------------------------------------------------------------


class InitialProbe(StateMachine):
    a = State(initial=True)
    b = State()

    go = a.to(b)

    def on_enter_a(self, event, state, greeting=None):
        self.initial = (event, state.id, greeting)


def test_initial_entry_event_is_initial(engine):
    """The initial entry runs under the synthetic event '__initial__' with `state` the initial."""
    sm = engine.machine(InitialProbe)
    assert sm.initial[:2] == ("__initial__", "a")


def test_constructor_kwargs_reach_initial_enter_callbacks(engine):
    """Extra constructor kwargs are passed to the enter callbacks of the initial entry."""
    sm = engine.machine(InitialProbe, greeting="hello")
    assert sm.initial[2] == "hello"


# --- return values of send() -----------------------------------------------------------------


class Returns(StateChart):
    a = State(initial=True)
    b = State()

    go = a.to(b)
    back = b.to(a)


def test_send_returns_none_without_before_or_on_callbacks(engine):
    """With no before/on callback, send() returns None."""
    assert engine.send(engine.machine(Returns), "go") is None


def test_send_returns_the_single_result_unwrapped(engine):
    """A single before/on result is returned as is, not in a list."""

    class Machine(Returns):
        def on_go(self):
            return 1

    assert engine.send(engine.machine(Machine), "go") == 1


def test_send_returns_before_and_on_results_as_a_list(engine):
    """Results of before and on callbacks are returned in order, as a list."""

    class Machine(Returns):
        def before_go(self):
            return "before"

        def on_go(self):
            return "on"

    assert engine.send(engine.machine(Machine), "go") == ["before", "on"]


def test_a_callback_returning_none_still_contributes(engine):
    """A before callback that returns None is part of the result list."""

    class Machine(Returns):
        def before_go(self):
            return None

        def on_go(self):
            return "on"

    assert engine.send(engine.machine(Machine), "go") == [None, "on"]


def test_generic_before_transition_result_is_included(engine):
    """before_transition is part of the before group, so its result is returned too."""

    class Machine(Returns):
        def before_transition(self):
            return "generic"

        def on_go(self):
            return "on"

    assert engine.send(engine.machine(Machine), "go") == ["generic", "on"]


def test_exit_enter_after_and_guard_results_are_ignored(engine):
    """Results of guards and of exit, enter and after callbacks are not part of the result."""

    class Machine(StateChart):
        a = State(initial=True)
        b = State()

        go = a.to(b, cond="allowed")

        def allowed(self):
            return "truthy"

        def on_exit_a(self):
            return "exit"

        def on_go(self):
            return "on"

        def on_enter_b(self):
            return "enter"

        def after_go(self):
            return "after"

    assert engine.send(engine.machine(Machine), "go") == "on"


def test_bound_event_call_returns_like_send(engine):
    """sm.go() returns the same value send('go') would."""

    class Machine(Returns):
        def on_go(self):
            return "on"

    assert engine.call(engine.machine(Machine).go) == "on"


def test_machine_and_listener_results_are_both_returned(engine):
    """When the machine and a listener both define on_go, both results are returned in order."""

    class Machine(Returns):
        def on_go(self):
            return 1

    class Listener:
        def on_go(self):
            return 2

    assert engine.send(engine.machine(Machine, listeners=[Listener()]), "go") == [1, 2]


def test_send_returns_none_when_no_transition_matches(engine):
    """In a StateChart an event with no enabled transition returns None."""

    class Machine(Returns):
        def on_back(self):
            return "never"

    sm = engine.machine(Machine)
    assert engine.send(sm, "back") is None
    assert sm.a.is_active


def test_free_functions_taking_only_an_owner_or_the_event_data(engine):
    """A free function whose one parameter is ``machine``, ``model`` or ``event_data`` gets
    exactly that (the engine calls the first two like methods of the owner), whatever the
    event's own arguments."""
    seen: list[tuple[str, object]] = []

    def by_machine(machine):
        seen.append(("machine", machine))
        return True

    def by_model(model):
        seen.append(("model", model))
        return True

    def by_event_data(event_data):
        seen.append(("event_data", event_data.event))

    class Free(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b, cond=[by_machine, by_model], on=by_event_data) | b.to(a)

    class Model:
        state = None

    model = Model()
    sm = engine.machine(Free, model)
    engine.send(sm, "go", 1, 2, extra="x")
    assert seen == [("machine", sm), ("model", model), ("event_data", "go")]
    assert list(sm.configuration_values) == ["b"]
