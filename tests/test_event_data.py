"""`EventData` and `TriggerData`: what callbacks can ask for about the event (spec 2.3)."""

from __future__ import annotations

from typing import Any

from statemachine import Event, State, StateChart
from statemachine.event_data import EventData, TriggerData


class Recorder(StateChart):
    """Keeps the EventData each callback received, by callback name."""

    idle = State(initial=True)
    busy = State()

    start = idle.to(busy, before="grab_before", on="grab_on", after="grab_after")
    stop = busy.to(idle)
    poke = idle.to.itself(internal=True, on="grab_on")
    note = idle.to(on="grab_on")
    busy.to(idle, event="error.*", on="grab_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.seen: dict[str, Any] = {}
        super().__init__(*args, **kwargs)

    def grab_before(self, event_data):
        self.seen["before"] = event_data

    def grab_on(self, event_data, previous_configuration, new_configuration):
        self.seen["on"] = event_data
        self.seen["previous"] = [s.id for s in previous_configuration]
        self.seen["new"] = [s.id for s in new_configuration]

    def grab_after(self, event_data):
        self.seen["after"] = event_data
        self.seen["trigger"] = event_data.trigger_data
        self.seen["trigger_repr"] = repr(event_data.trigger_data)
        self.seen["trigger_model"] = event_data.trigger_data.model
        self.seen["repr"] = repr(event_data)
        self.seen["extended"] = dict(event_data.extended_kwargs)


def started(engine: Any, *args: Any, **kwargs: Any) -> Any:
    sm = engine.machine(Recorder)
    engine.send(sm, "start", *args, **kwargs)
    return sm


def test_callbacks_of_every_group_receive_an_event_data(engine):
    """`before`, `on` and `after` callbacks asking for `event_data` get an EventData."""
    sm = started(engine)
    assert all(isinstance(sm.seen[group], EventData) for group in ("before", "on", "after"))


def test_event_data_names_the_declared_event(engine):
    """`event_data.event` is the declared Event, with its display name."""
    sm = started(engine)
    event = sm.seen["after"].event
    assert isinstance(event, Event)
    assert event == "start"
    assert event.name == "Start"


def test_event_data_for_an_undeclared_event_name_is_the_raw_string(engine):
    """An event matched only through a descriptor (`error.*`) is passed as the sent string."""
    sm = started(engine)
    engine.send(sm, "error.timeout")
    event = sm.seen["on"].event
    assert event == "error.timeout"
    assert not isinstance(event, Event)


def test_event_data_carries_the_transition_and_its_states(engine):
    """`transition`, `source` and `target` describe the transition taken."""
    sm = started(engine)
    ed = sm.seen["after"]
    assert ed.transition is Recorder.start.transitions[0]
    assert ed.source is Recorder.idle
    assert ed.target is Recorder.busy


def test_event_data_exposes_machine_and_model(engine):
    """`machine` is the running machine and `model` its model."""
    sm = started(engine)
    ed = sm.seen["after"]
    assert ed.machine is sm
    assert ed.model is sm.model


def test_event_data_holds_the_send_arguments(engine):
    """`args` and `kwargs` are what `send()` received."""
    sm = started(engine, 1, 2, size="L")
    ed = sm.seen["after"]
    assert ed.args == (1, 2)
    assert ed.kwargs == {"size": "L"}


def test_event_data_of_after_is_bound_to_the_target(engine):
    """During `after`, `state` is the target state."""
    sm = started(engine)
    assert sm.seen["after"].state is Recorder.busy


def test_extended_kwargs_merges_user_kwargs_and_injectables(engine):
    """`extended_kwargs` has the send kwargs plus every injectable name."""
    sm = started(engine, size="L")
    extended = sm.seen["extended"]
    assert extended["size"] == "L"
    assert extended["machine"] is sm
    assert extended["model"] is sm.model
    assert extended["source"] is Recorder.idle
    assert extended["target"] is Recorder.busy
    assert extended["state"] is Recorder.busy
    assert extended["event"] == "start"
    assert extended["transition"] is Recorder.start.transitions[0]
    assert extended["event_data"] is sm.seen["after"]


def test_repr_names_event_source_and_target(engine):
    """The repr of an EventData shows the event, source id and target id."""
    sm = started(engine)
    assert sm.seen["repr"] == (
        "EventData(event=Event('start', delay=0, internal=False), source='idle', target='busy')"
    )


# --- previous / new configuration -------------------------------------------------------------


def test_on_callback_sees_configuration_before_and_after(engine):
    """In `on`, previous_configuration holds the source and new_configuration the target."""
    sm = started(engine)
    assert sm.seen["previous"] == ["idle"]
    assert sm.seen["new"] == ["busy"]


class WithEventless(StateChart):
    """A flat chart with an eventless transition, which it checks after every event."""

    idle = State(initial=True)
    busy = State()
    done = State(final=True)
    start = idle.to(busy)
    busy.to(done, cond="finished")
    finished = False

    def on_start(self, previous_configuration, new_configuration):
        self.seen = ([s.id for s in previous_configuration], [s.id for s in new_configuration])


def test_on_callback_sees_both_configurations_in_a_chart_with_eventless_transitions(engine):
    """Eventless transitions do not change what `on` sees: the source before, the target after."""
    sm = engine.machine(WithEventless)
    engine.send(sm, "start")
    assert sm.seen == (["idle"], ["busy"])


def test_internal_self_transition_keeps_the_configuration(engine):
    """For an internal self-transition, the new configuration equals the previous one."""
    sm = engine.machine(Recorder)
    engine.send(sm, "poke")
    assert sm.seen["previous"] == ["idle"]
    assert sm.seen["new"] == ["idle"]


def test_targetless_transition_keeps_the_configuration(engine):
    """A transition without a target leaves the configuration as it is."""
    sm = engine.machine(Recorder)
    engine.send(sm, "note")
    assert sm.seen["new"] == ["idle"]
    assert sm.idle.is_active


# --- trigger data -----------------------------------------------------------------------------


def test_trigger_data_describes_the_sent_event(engine):
    """`event_data.trigger_data` holds the event name, arguments and machine of the send."""
    sm = started(engine, 7, color="red")
    td = sm.seen["trigger"]
    assert isinstance(td, TriggerData)
    assert td.event == "start"
    assert td.args == (7,)
    assert td.kwargs == {"color": "red"}
    assert td.machine is sm
    assert td.send_id is None


def test_trigger_data_model_is_the_machine_model(engine):
    """`trigger_data.model` is the model of the machine that got the event."""
    sm = started(engine)
    assert sm.seen["trigger_model"] is sm.model


def test_trigger_data_repr_shows_event_and_arguments(engine):
    """The repr of a TriggerData shows the event name, args and kwargs."""
    sm = started(engine, 7, color="red")
    expected = "TriggerData(event='start', args=(7,), kwargs={'color': 'red'})"
    assert sm.seen["trigger_repr"] == expected


def test_trigger_data_defaults_to_no_arguments():
    """A TriggerData built with only a machine and an event has empty args and kwargs."""
    td = TriggerData(None, "go")
    assert td.args == ()
    assert td.kwargs == {}
    assert td.execution_time == 0.0
    assert td.future is None


def test_trigger_data_orders_by_execution_time():
    """An earlier execution time sorts first, whatever the creation order."""
    late = TriggerData(None, "late", execution_time=2.0)
    early = TriggerData(None, "early", execution_time=1.0)
    assert [td.event for td in sorted([late, early])] == ["early", "late"]


def test_trigger_data_with_equal_times_orders_by_arrival():
    """Events due at the same time keep their arrival order (the sequence number)."""
    second = TriggerData(None, "second", execution_time=1.0, seq=2)
    first = TriggerData(None, "first", execution_time=1.0, seq=1)
    assert [td.event for td in sorted([second, first])] == ["first", "second"]
