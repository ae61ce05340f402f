"""Runtime behaviour of flat machines: sending events, queues, flags, errors and reading state."""

from __future__ import annotations

import inspect
import logging

import pytest

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import InvalidStateValue, StateMachineError, TransitionNotAllowed


class TrafficLight(StateMachine):
    green = State(initial=True)
    yellow = State()
    red = State()

    cycle = green.to(yellow) | yellow.to(red) | red.to(green)
    slowdown = green.to(yellow)

    def __init__(self, *args, **kwargs):
        self.entered: list[str] = []
        self.received: list[object] = []
        super().__init__(*args, **kwargs)

    def on_enter_state(self, state):
        self.entered.append(state.id)

    def on_cycle(self, *args, **kwargs):
        self.received.append((args, kwargs))
        return "cycled"


class TrafficChart(StateChart):
    green = State(initial=True)
    yellow = State()
    red = State()

    cycle = green.to(yellow) | yellow.to(red) | red.to(green)
    slowdown = green.to(yellow)


class Guarded(StateMachine):
    closed = State(initial=True)
    opened = State()

    open_door = closed.to(opened, cond="has_key")
    close_door = opened.to(closed)

    has_key = False


class Door(StateMachine):
    shut = State(initial=True)
    ajar = State()
    wrecked = State(final=True)

    push = shut.to(ajar)
    pull = ajar.to(shut)
    smash = shut.to(wrecked) | ajar.to(wrecked)


class DoorChart(StateChart):
    shut = State(initial=True)
    ajar = State()
    wrecked = State(final=True)

    push = shut.to(ajar)
    pull = ajar.to(shut)
    smash = shut.to(wrecked) | ajar.to(wrecked)


# --- send(), sm.<event>(), raise_() --------------------------------------------------------


def test_send_runs_the_transition_of_the_named_event(engine):
    """send(name) moves the machine along the transition of that event."""
    sm = engine.machine(TrafficLight)
    engine.send(sm, "cycle")
    assert sm.current_state_value == "yellow"


def test_calling_the_event_attribute_is_equivalent_to_send(engine):
    """sm.<event>() triggers the event like send()."""
    sm = engine.machine(TrafficLight)
    engine.call(sm.cycle)
    engine.call(sm.cycle)
    assert sm.current_state_value == "red"


class Recorder(StateMachine):
    idle = State(initial=True)
    done = State()

    finish = idle.to(done)

    def __init__(self, *args, **kwargs):
        self.received: list[object] = []
        self.entered_state: object = None
        super().__init__(*args, **kwargs)

    def on_finish(self, *args, **kwargs):
        self.received.append((args, kwargs))

    def on_enter_done(self, state):
        self.entered_state = state


def test_send_forwards_positional_and_keyword_arguments_to_callbacks(engine):
    """Arguments given to send() reach the callbacks of the transition."""
    sm = engine.machine(Recorder)
    engine.send(sm, "finish", 1, 2, speed="fast")
    ((args, kwargs),) = sm.received
    assert args == (1, 2)
    assert kwargs["speed"] == "fast"


def test_positional_send_arguments_do_not_displace_injected_names(engine):
    """A callback parameter named like an injected value (`state`) gets that value, not args[0]."""
    sm = engine.machine(Recorder)
    engine.send(sm, "finish", 1, 2)
    assert getattr(sm.entered_state, "id", sm.entered_state) == "done"


def test_send_returns_the_result_of_the_on_callback(engine):
    """The value returned by the single `on` callback is the result of send()."""
    sm = engine.machine(TrafficLight)
    assert engine.send(sm, "cycle") == "cycled"
    assert engine.call(sm.cycle) == "cycled"


def test_raise_from_outside_a_callback_processes_the_event(engine):
    """raise_() called by user code queues the event internally and processes it."""
    sm = engine.machine(TrafficLight)
    engine.call(sm.raise_, "cycle")
    assert sm.current_state_value == "yellow"


# --- run-to-completion ----------------------------------------------------------------------


class Pipeline(StateMachine):
    a = State(initial=True)
    b = State()
    c = State()
    d = State()

    start = a.to(b)
    step = b.to(c)
    finish = c.to(d)

    def __init__(self, *args, **kwargs):
        self.log: list[str] = []
        super().__init__(*args, **kwargs)

    def on_enter_b(self):
        self.log.append("enter b")
        self.sent = self.send("step")
        self.log.append("send returned")
        self.send("finish")

    def after_start(self):
        self.log.append("after start")

    def on_enter_c(self):
        self.log.append("enter c")

    def on_enter_d(self):
        self.log.append("enter d")


def test_send_from_a_callback_runs_after_the_current_transition_in_order(engine):
    """Events sent from a callback wait for the current macrostep and then run in FIFO order."""
    sm = engine.machine(Pipeline)
    engine.send(sm, "start")
    assert sm.log == ["enter b", "send returned", "after start", "enter c", "enter d"]
    assert sm.current_state_value == "d"


def test_send_from_a_callback_only_queues(engine):
    """A re-entrant send() only enqueues: it returns None on the sync engine, and on the
    asyncio engine an already-completed awaitable of None (so async callbacks can await it)."""
    sm = engine.machine(Pipeline)
    engine.send(sm, "start")
    if engine.name == "sync":
        assert sm.sent is None
    else:
        assert inspect.isawaitable(sm.sent)
        assert engine.call(lambda: sm.sent) is None


class Priorities(StateMachine):
    idle = State(initial=True)
    busy = State()

    start = idle.to(busy)
    external = busy.to.itself(internal=True, on="log_external")
    first = busy.to.itself(internal=True, on="log_first")
    second = busy.to.itself(internal=True, on="log_second")

    def __init__(self, *args, **kwargs):
        self.log: list[str] = []
        super().__init__(*args, **kwargs)

    def after_start(self):
        self.send("external")
        self.raise_("first")
        self.raise_("second")
        self.log.append("after start")

    def log_external(self):
        self.log.append("external")

    def log_first(self):
        self.log.append("first")

    def log_second(self):
        self.log.append("second")


def test_raise_from_a_callback_runs_before_the_next_external_event(engine):
    """Internal events raised in a callback are processed before queued external events."""
    sm = engine.machine(Priorities)
    engine.send(sm, "start")
    assert sm.log == ["after start", "first", "second", "external"]


# --- class flags -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "chart_default", "machine_default"),
    [
        ("allow_event_without_transition", True, False),
        ("enable_self_transition_entries", True, False),
        ("atomic_configuration_update", False, True),
        ("catch_errors_as_events", True, False),
    ],
)
def test_class_flag_defaults_differ_between_statechart_and_statemachine(
    flag, chart_default, machine_default
):
    """StateChart uses SCXML defaults, StateMachine flips the four flags back."""
    assert getattr(StateChart, flag) is chart_default
    assert getattr(StateMachine, flag) is machine_default
    assert getattr(TrafficChart, flag) is chart_default
    assert getattr(TrafficLight, flag) is machine_default


def test_statemachine_is_a_statechart_subclass():
    """StateMachine derives from StateChart."""
    assert issubclass(StateMachine, StateChart)


def test_flag_overridden_in_the_class_body_changes_behaviour(engine):
    """A StateMachine that sets allow_event_without_transition=True ignores refused events."""

    class Lenient(StateMachine):
        allow_event_without_transition = True
        a = State(initial=True)
        b = State()
        go = a.to(b)
        back = b.to(a)

    sm = engine.machine(Lenient)
    engine.send(sm, "back")
    engine.send(sm, "nonexistent")
    assert sm.current_state_value == "a"


# --- TransitionNotAllowed ----------------------------------------------------------------


def test_statemachine_refuses_event_without_transition_from_current_state(engine):
    """An event with no transition from the current state raises, naming event and state."""
    sm = engine.machine(TrafficLight)
    engine.call(sm.cycle)
    with pytest.raises(TransitionNotAllowed, match=r"(?i)can't slowdown when in yellow"):
        engine.send(sm, "slowdown")


def test_statemachine_refuses_unknown_event_name(engine):
    """An unknown event name raises TransitionNotAllowed with the raw name and the state."""
    sm = engine.machine(TrafficLight)
    with pytest.raises(TransitionNotAllowed, match=r"(?i)can't teleport when in green"):
        engine.send(sm, "teleport")


def test_transition_not_allowed_carries_event_and_configuration(engine):
    """The exception exposes the refused event and the active states."""
    sm = engine.machine(TrafficLight)
    engine.call(sm.cycle)
    with pytest.raises(TransitionNotAllowed) as info:
        engine.send(sm, "slowdown")
    assert info.value.event == "slowdown"
    assert {s.id for s in info.value.configuration} == {"yellow"}


def test_transition_not_allowed_for_unknown_event_carries_its_name(engine):
    """For an unknown event the exception still exposes the event name."""
    sm = engine.machine(TrafficLight)
    with pytest.raises(TransitionNotAllowed) as info:
        engine.send(sm, "teleport")
    assert info.value.event == "teleport"
    assert {s.id for s in info.value.configuration} == {"green"}


def test_refused_event_leaves_the_machine_unchanged(engine):
    """A refused event changes neither the configuration, the model nor runs callbacks."""
    sm = engine.machine(TrafficLight)
    engine.call(sm.cycle)
    entered_before = list(sm.entered)
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "slowdown")
    assert sm.current_state_value == "yellow"
    assert sm.model.state == "yellow"
    assert [s.id for s in sm.configuration] == ["yellow"]
    assert sm.entered == entered_before


def test_statemachine_refuses_event_whose_guards_all_fail(engine):
    """An event whose only transition is guarded by a false condition is refused."""
    sm = engine.machine(Guarded)
    with pytest.raises(TransitionNotAllowed, match=r"(?i)open.door.*closed"):
        engine.send(sm, "open_door")
    assert sm.closed.is_active


def test_statechart_ignores_event_without_transition(engine):
    """A StateChart silently ignores an event with no transition from the current state."""
    sm = engine.machine(TrafficChart)
    engine.call(sm.cycle)
    assert engine.send(sm, "slowdown") is None
    assert sm.current_state_value == "yellow"


def test_statechart_ignores_unknown_event_name(engine):
    """A StateChart silently ignores an unknown event name."""
    sm = engine.machine(TrafficChart)
    assert engine.send(sm, "teleport") is None
    assert sm.current_state_value == "green"


def test_transition_not_allowed_is_exposed_on_machine_class_and_instance(engine):
    """`sm.TransitionNotAllowed` is the exception class, usable in except clauses."""
    sm = engine.machine(TrafficLight)
    assert TrafficLight.TransitionNotAllowed is TransitionNotAllowed
    assert sm.TransitionNotAllowed is TransitionNotAllowed
    engine.call(sm.cycle)
    with pytest.raises(sm.TransitionNotAllowed):
        engine.call(sm.slowdown)


# --- reading state ---------------------------------------------------------------------


def test_configuration_holds_the_single_active_state(engine):
    """configuration is an indexable set holding the active State."""
    sm = engine.machine(TrafficLight)
    assert len(sm.configuration) == 1
    assert sm.configuration[0].id == "green"
    assert sm.configuration == {sm.green}


def test_configuration_values_holds_the_active_value(engine):
    """configuration_values holds the value of the active state."""
    sm = engine.machine(TrafficLight)
    engine.call(sm.cycle)
    assert list(sm.configuration_values) == ["yellow"]
    assert "yellow" in sm.configuration_values
    assert "green" not in sm.configuration_values


def test_current_state_value_reads_the_active_value(engine):
    """current_state_value is the scalar value of the single active state."""
    sm = engine.machine(TrafficLight)
    assert sm.current_state_value == "green"
    engine.call(sm.cycle)
    assert sm.current_state_value == "yellow"


def test_current_state_value_setter_moves_without_running_callbacks(engine):
    """Setting current_state_value changes the state and the model but runs no callback."""
    sm = engine.machine(TrafficLight)
    entered_before = list(sm.entered)
    sm.current_state_value = "red"
    assert sm.red.is_active
    assert sm.model.state == "red"
    assert sm.entered == entered_before
    engine.call(sm.cycle)
    assert sm.current_state_value == "green"


def test_current_state_value_setter_rejects_unknown_value(engine):
    """Setting current_state_value to a value that is not a state raises InvalidStateValue."""
    sm = engine.machine(TrafficLight)
    with pytest.raises(InvalidStateValue, match="'purple'") as info:
        sm.current_state_value = "purple"
    assert info.value.value == "purple"
    assert sm.current_state_value == "green"


def test_current_state_getter_is_deprecated(engine):
    """Reading current_state warns with DeprecationWarning and returns the active State."""
    sm = engine.machine(TrafficLight)
    with pytest.warns(DeprecationWarning, match="current_state"):
        state = sm.current_state
    assert state.id == "green"


def test_current_state_setter_is_deprecated(engine):
    """Assigning current_state warns with DeprecationWarning and moves the machine."""
    sm = engine.machine(TrafficLight)
    with pytest.warns(DeprecationWarning, match="current_state"):
        sm.current_state = TrafficLight.red
    assert sm.current_state_value == "red"


def test_is_active_follows_the_configuration(engine):
    """sm.<state>.is_active is True only for the active state and follows transitions."""
    sm = engine.machine(TrafficLight)
    assert sm.green.is_active
    assert not sm.yellow.is_active
    engine.call(sm.cycle)
    assert not sm.green.is_active
    assert sm.yellow.is_active


def test_allowed_events_lists_events_with_transitions_from_current_state(engine):
    """allowed_events holds exactly the events that have a transition from the active state."""
    sm = engine.machine(TrafficLight)
    assert {e.id for e in sm.allowed_events} == {"cycle", "slowdown"}
    engine.call(sm.cycle)
    assert {e.id for e in sm.allowed_events} == {"cycle"}


def test_allowed_events_ignores_guards(engine):
    """allowed_events is topological: an event whose guard is false is still listed."""
    sm = engine.machine(Guarded)
    assert {e.id for e in sm.allowed_events} == {"open_door"}


def test_events_lists_every_declared_event(engine):
    """events holds all declared events, whatever the current state."""
    sm = engine.machine(TrafficLight)
    engine.call(sm.cycle)
    assert {e.id for e in sm.events} == {"cycle", "slowdown"}


# --- termination -------------------------------------------------------------------------


def test_entering_a_final_state_terminates_the_machine(engine):
    """is_terminated becomes True once a final state of a flat machine is entered."""
    sm = engine.machine(Door)
    engine.call(sm.push)
    assert not sm.is_terminated
    engine.call(sm.smash)
    assert sm.is_terminated
    assert sm.wrecked.is_active


def test_machine_without_final_state_is_never_terminated(engine):
    """A machine without final states keeps running."""
    sm = engine.machine(TrafficLight)
    for _ in range(4):
        engine.call(sm.cycle)
    assert not sm.is_terminated


def test_statemachine_refuses_events_after_termination(engine):
    """A terminated StateMachine raises TransitionNotAllowed on any further event."""
    sm = engine.machine(Door)
    engine.call(sm.smash)
    with pytest.raises(TransitionNotAllowed, match=r"(?i)push"):
        engine.send(sm, "push")
    assert sm.wrecked.is_active


def test_statechart_ignores_events_after_termination(engine):
    """A terminated StateChart silently ignores further events."""
    sm = engine.machine(DoorChart)
    engine.call(sm.smash)
    assert engine.send(sm, "push") is None
    assert sm.wrecked.is_active
    assert sm.is_terminated


# --- repr, attribute protection, bind_events_to ------------------------------------------


def test_repr_shows_model_state_field_and_configuration(engine):
    """repr(sm) shows the class, the model, the state field and the configuration ids."""
    sm = engine.machine(TrafficLight)
    assert repr(sm) == (
        "TrafficLight(model=Model(state=green), state_field='state', configuration=['green'])"
    )
    engine.call(sm.cycle)
    assert repr(sm) == (
        "TrafficLight(model=Model(state=yellow), state_field='state', configuration=['yellow'])"
    )


def test_assigning_to_a_state_attribute_raises(engine):
    """Overwriting a state on an instance raises StateMachineError naming the state."""
    sm = engine.machine(TrafficLight)
    with pytest.raises(StateMachineError, match=r"State overriding is not allowed.*yellow"):
        sm.yellow = "something else"
    assert sm.yellow.is_active is False
    engine.call(sm.cycle)
    assert sm.yellow.is_active


def test_bind_events_to_adds_event_triggers_to_an_object(engine):
    """bind_events_to(obj) makes obj.<event>() trigger the machine's event."""

    class Target:
        pass

    sm = engine.machine(TrafficLight)
    target = Target()
    sm.bind_events_to(target)
    engine.call(target.cycle)
    assert sm.current_state_value == "yellow"


def test_bind_events_to_warns_and_keeps_an_existing_attribute(engine):
    """An attribute already on the target is kept, with a UserWarning naming it."""

    class Target:
        def cycle(self):
            return "mine"

    sm = engine.machine(TrafficLight)
    target = Target()
    with pytest.warns(UserWarning, match="cycle"):
        sm.bind_events_to(target)
    assert target.cycle() == "mine"
    assert sm.current_state_value == "green"
    engine.call(target.slowdown)
    assert sm.current_state_value == "yellow"


# --- error.execution in a StateChart ------------------------------------------------------


class FailingChart(StateChart):
    idle = State(initial=True)
    busy = State()
    failed = State()

    go = idle.to(busy, on="explode")
    error_execution = idle.to(failed) | busy.to(failed)

    def __init__(self, *args, **kwargs):
        self.seen_error: object = None
        super().__init__(*args, **kwargs)

    def explode(self):
        raise ValueError("engine on fire")

    def on_enter_failed(self, error):
        self.seen_error = error


def test_error_execution_transition_handles_a_callback_exception(engine):
    """An exception in a StateChart callback is routed to the `error_execution` transition."""
    sm = engine.machine(FailingChart)
    engine.send(sm, "go")
    assert sm.failed.is_active


def test_error_execution_injects_the_exception_as_error(engine):
    """Callbacks of the error.execution transition receive the exception as `error`."""
    sm = engine.machine(FailingChart)
    engine.send(sm, "go")
    assert isinstance(sm.seen_error, ValueError)
    assert str(sm.seen_error) == "engine on fire"


class UnhandledChart(StateChart):
    a = State(initial=True)
    b = State()

    go = a.to(b, on="explode")

    def explode(self):
        raise KeyError("lost key")


def test_unhandled_error_is_logged_with_traceback(engine, caplog):
    """With no error.execution transition the exception is logged at ERROR with traceback."""
    sm = engine.machine(UnhandledChart)
    with caplog.at_level(logging.ERROR, logger="statemachine"):
        engine.send(sm, "go")
    records = [
        r
        for r in caplog.records
        if r.name.split(".")[0] == "statemachine" and r.levelno == logging.ERROR
    ]
    assert records, "the unhandled error was not logged on the 'statemachine' logger"
    assert any(r.exc_info is not None and isinstance(r.exc_info[1], KeyError) for r in records), (
        "the log record does not carry the exception traceback"
    )


def test_unhandled_error_still_completes_the_transition(engine, caplog):
    """An error in `on` of a StateChart transition does not stop it from completing."""
    sm = engine.machine(UnhandledChart)
    with caplog.at_level(logging.CRITICAL, logger="statemachine"):
        engine.send(sm, "go")
    assert sm.b.is_active
    assert sm.model.state == "b"


class TwoFailuresInOneBlock(StateChart):
    a = State(initial=True)
    b = State()

    go = a.to(b, on=["first", "second"])
    error_execution = b.to.itself(internal=True, on="record")

    def __init__(self, *args, **kwargs):
        self.calls: list[str] = []
        self.errors: list[BaseException] = []
        super().__init__(*args, **kwargs)

    def first(self):
        self.calls.append("first")
        raise RuntimeError("first failed")

    def second(self):
        self.calls.append("second")

    def on_enter_b(self):
        self.calls.append("enter b")

    def record(self, error):
        self.errors.append(error)


def test_error_skips_the_rest_of_its_block_and_queues_one_error_event(engine):
    """After a failing callback the rest of its block is skipped; one error.execution is queued."""
    sm = engine.machine(TwoFailuresInOneBlock)
    sm.calls.clear()
    engine.send(sm, "go")
    assert "second" not in sm.calls
    assert len(sm.errors) == 1
    assert str(sm.errors[0]) == "first failed"


def test_error_in_one_block_does_not_skip_later_blocks(engine):
    """The enter block still runs after the `on` block failed."""
    sm = engine.machine(TwoFailuresInOneBlock)
    sm.calls.clear()
    engine.send(sm, "go")
    assert sm.calls[0] == "first"
    assert "enter b" in sm.calls


# --- state after an exception, per callback group ---------------------------------------

GROUPS = ["validators", "cond", "before", "exit", "on", "enter", "after"]


def _boom():
    raise RuntimeError("boom")


def _build_failing(base, group, with_handler=False):
    transition_kwargs = {}
    source_kwargs = {}
    target_kwargs = {}
    if group == "exit":
        source_kwargs["exit"] = _boom
    elif group == "enter":
        target_kwargs["enter"] = _boom
    else:
        transition_kwargs[group] = _boom
    a = State(initial=True, **source_kwargs)
    b = State(**target_kwargs)
    namespace = {
        "__module__": __name__,
        "a": a,
        "b": b,
        "go": a.to(b, **transition_kwargs),
        "back": b.to(a),
    }
    if with_handler:
        err = State()
        namespace["err"] = err
        namespace["error_execution"] = a.to(err, on="record") | b.to(err, on="record")
        namespace["handled"] = None

        def record(self, error, source):
            self.handled = (type(error), str(error), source.id)

        namespace["record"] = record
    return type(f"{base.__name__}Failing_{group}", (base,), namespace)


@pytest.mark.parametrize("group", ["validators", "cond", "before", "exit", "on", "enter"])
def test_statemachine_restores_state_when_a_callback_raises(engine, group):
    """In a StateMachine an exception before `after` propagates and the state is restored."""
    sm = engine.machine(_build_failing(StateMachine, group))
    with pytest.raises(RuntimeError, match="boom"):
        engine.send(sm, "go")
    assert sm.current_state_value == "a"
    assert sm.model.state == "a"
    assert [s.id for s in sm.configuration] == ["a"]


def test_statemachine_after_exception_propagates_with_transition_completed(engine):
    """In a StateMachine an exception in `after` propagates once the target is active."""
    sm = engine.machine(_build_failing(StateMachine, "after"))
    with pytest.raises(RuntimeError, match="boom"):
        engine.send(sm, "go")
    assert sm.current_state_value == "b"
    assert sm.model.state == "b"


@pytest.mark.parametrize("group", GROUPS)
def test_statemachine_keeps_working_after_a_callback_raised(engine, group):
    """After a propagated exception the StateMachine still processes events."""
    sm = engine.machine(_build_failing(StateMachine, group))
    with pytest.raises(RuntimeError):
        engine.send(sm, "go")
    if sm.current_state_value == "b":
        engine.send(sm, "back")
    assert sm.current_state_value == "a"


def test_statechart_validator_exception_propagates_and_restores_state(engine):
    """Validators propagate even in a StateChart, and the machine is left as it was."""
    sm = engine.machine(_build_failing(StateChart, "validators"))
    with pytest.raises(RuntimeError, match="boom"):
        engine.send(sm, "go")
    assert sm.current_state_value == "a"
    assert sm.model.state == "a"


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("cond", "a"),
        ("before", "a"),
        ("exit", "b"),
        ("on", "b"),
        ("enter", "b"),
        ("after", "b"),
    ],
)
def test_statechart_state_after_a_callback_raises(engine, group, expected, caplog):
    """In a StateChart errors do not propagate; cond/before abort, later groups complete."""
    sm = engine.machine(_build_failing(StateChart, group))
    with caplog.at_level(logging.CRITICAL, logger="statemachine"):
        engine.send(sm, "go")
    assert sm.current_state_value == expected
    assert sm.model.state == expected
    assert [s.id for s in sm.configuration] == [expected]


@pytest.mark.parametrize(
    ("group", "handled_from"),
    [
        ("cond", "a"),
        ("before", "a"),
        ("exit", "b"),
        ("on", "b"),
        ("enter", "b"),
        ("after", "b"),
    ],
)
def test_statechart_error_event_is_handled_from_the_resulting_state(engine, group, handled_from):
    """The error.execution event carries the exception and is taken from the resulting state."""
    sm = engine.machine(_build_failing(StateChart, group, with_handler=True))
    engine.send(sm, "go")
    assert sm.handled == (RuntimeError, "boom", handled_from)
    assert sm.current_state_value == "err"


# --- external queue cleared on error ------------------------------------------------------


class QueueThenFail(StateMachine):
    a = State(initial=True)
    b = State()
    c = State()

    go = a.to(b, after="queue_then_fail")
    advance = b.to(c)
    stay = b.to.itself()

    def queue_then_fail(self):
        self.send("advance")
        raise RuntimeError("after failed")


def test_exception_in_a_microstep_clears_the_external_queue(engine):
    """Events queued before a propagated exception are discarded, not run later."""
    sm = engine.machine(QueueThenFail)
    with pytest.raises(RuntimeError, match="after failed"):
        engine.send(sm, "go")
    assert sm.current_state_value == "b"
    engine.send(sm, "stay")
    assert sm.current_state_value == "b"
