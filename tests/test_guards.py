"""Guards (cond/unless), validators and enabled/allowed events on flat machines."""

from __future__ import annotations

import logging

import pytest

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import InvalidDefinition, TransitionNotAllowed


class Panel:
    """A model whose attributes are given as keyword arguments."""

    def __init__(self, **values):
        self.state = None
        self.__dict__.update(values)


def guarded(base=StateMachine, **transition_kwargs):
    """Build a machine a -go-> b whose transition takes `transition_kwargs`.

    The machine accepts events without a transition, so a refused guard leaves it in `a` without
    raising, while exceptions from guards still propagate (StateMachine does not catch them).
    """

    class Guarded(base):
        allow_event_without_transition = True

        a = State(initial=True)
        b = State()

        go = a.to(b, **transition_kwargs)
        back = b.to(a)

    return Guarded


def fires(engine, sm, *args, **kwargs):
    """Send 'go' on `engine` and tell whether the machine moved to b."""
    engine.send(sm, "go", *args, **kwargs)
    return sm.b.is_active


# --- cond / unless with the different spec kinds -----------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False)])
def test_cond_by_name_of_a_machine_method(engine, value, expected):
    """A cond naming a machine method passes when the method returns a truthy value."""

    class Machine(guarded(cond="is_ready")):
        def is_ready(self):
            return value

    assert fires(engine, engine.machine(Machine)) is expected


@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False)])
def test_cond_by_name_of_a_plain_model_attribute(engine, value, expected):
    """A cond naming a non-callable model attribute uses the attribute's value."""
    sm = engine.machine(guarded(cond="ready"), Panel(ready=value))
    assert fires(engine, sm) is expected


@pytest.mark.parametrize(("value", "expected"), [(True, False), (False, True)])
def test_unless_by_name_of_a_plain_model_attribute(engine, value, expected):
    """An unless naming a model attribute refuses the transition when the value is truthy."""
    sm = engine.machine(guarded(unless="blocked"), Panel(blocked=value))
    assert fires(engine, sm) is expected


def test_cond_by_name_of_a_machine_property(engine):
    """A cond naming a machine property runs the getter."""

    class Machine(guarded(cond="has_fuel")):
        fuel = 0

        @property
        def has_fuel(self):
            return self.fuel > 0

    sm = engine.machine(Machine)
    assert fires(engine, sm) is False
    sm.fuel = 1
    assert fires(engine, sm) is True


def test_cond_by_name_of_a_model_property(engine):
    """A cond naming a property of the model runs the model's getter."""

    class Tank:
        state = None
        level = 5

        @property
        def not_empty(self):
            return self.level > 0

    tank = Tank()
    sm = engine.machine(guarded(cond="not_empty"), tank)
    tank.level = 0
    assert fires(engine, sm) is False


def test_cond_given_as_a_property_object(engine):
    """A property object passed as cond is evaluated with the machine as instance."""

    class Machine(StateMachine):
        allow_event_without_transition = True
        fuel = 0

        @property
        def has_fuel(self):
            return self.fuel > 0

        a = State(initial=True)
        b = State()
        go = a.to(b, cond=has_fuel)

    sm = engine.machine(Machine)
    assert fires(engine, sm) is False
    sm.fuel = 3
    assert fires(engine, sm) is True


def test_cond_given_as_a_function(engine):
    """A plain function passed as cond is called with dependency injection."""

    def big_enough(amount):
        return amount > 10

    sm = engine.machine(guarded(cond=big_enough))
    assert fires(engine, sm, amount=5) is False
    assert fires(engine, sm, amount=20) is True


def test_cond_given_as_a_lambda(engine):
    """A lambda passed as cond is evaluated on each send."""
    sm = engine.machine(guarded(cond=lambda: False))
    assert fires(engine, sm) is False


def test_cond_receives_send_arguments(engine):
    """A cond method receives the positional and keyword arguments of send()."""

    class Machine(guarded(cond="accepts")):
        def accepts(self, code, amount):
            return code == "ok" and amount > 1

    sm = engine.machine(Machine)
    assert fires(engine, sm, "no", amount=5) is False
    assert fires(engine, sm, "ok", amount=5) is True


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [(True, True, True), (True, False, False), (False, True, False)],
)
def test_list_of_conds_must_all_pass(engine, first, second, expected):
    """With a list of conds, the transition is taken only when every cond passes."""
    sm = engine.machine(guarded(cond=["first", "second"]), Panel(first=first, second=second))
    assert fires(engine, sm) is expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [(False, False, True), (True, False, False), (False, True, False)],
)
def test_list_of_unless_must_all_be_falsy(engine, first, second, expected):
    """With a list of unless guards, any truthy one refuses the transition."""
    sm = engine.machine(guarded(unless=["first", "second"]), Panel(first=first, second=second))
    assert fires(engine, sm) is expected


@pytest.mark.parametrize(
    ("ok", "blocked", "expected"),
    [(True, False, True), (True, True, False), (False, False, False)],
)
def test_cond_and_unless_combine(engine, ok, blocked, expected):
    """cond and unless on one transition: cond must pass and unless must be falsy."""
    sm = engine.machine(guarded(cond="ok", unless="blocked"), Panel(ok=ok, blocked=blocked))
    assert fires(engine, sm) is expected


def test_cond_name_matching_machine_and_listener_is_and_ed(engine):
    """When a cond name resolves on the machine and on a listener, both must pass."""

    class Machine(guarded(cond="is_ok")):
        def is_ok(self):
            return True

    class Veto:
        def is_ok(self):
            return False

    assert fires(engine, engine.machine(Machine)) is True
    assert fires(engine, engine.machine(Machine, listeners=[Veto()])) is False


# --- boolean expressions -----------------------------------------------------------------------


EXPRESSIONS = [
    ("ready and fueled", {"ready": True, "fueled": True}, True),
    ("ready and fueled", {"ready": True, "fueled": False}, False),
    ("ready or fueled", {"ready": False, "fueled": True}, True),
    ("ready or fueled", {"ready": False, "fueled": False}, False),
    ("not broken", {"broken": False}, True),
    ("not broken", {"broken": True}, False),
    ("!broken", {"broken": True}, False),
    ("!broken", {"broken": False}, True),
    ("ready and !broken", {"ready": True, "broken": True}, False),
    ("ready ^ fueled", {"ready": True, "fueled": False}, False),
    ("ready v fueled", {"ready": False, "fueled": True}, True),
    ("level > 3", {"level": 4}, True),
    ("level > 3", {"level": 3}, False),
    ("level >= 3", {"level": 3}, True),
    ("level < 3", {"level": 3}, False),
    ("level <= 3", {"level": 3}, True),
    ("level == 3", {"level": 3}, True),
    ("level != 3", {"level": 3}, False),
    ("mode == 'eco'", {"mode": "eco"}, True),
    ("level > reserve", {"level": 2, "reserve": 5}, False),
    ("1 < level < 5", {"level": 3}, True),
    ("1 < level < 5", {"level": 5}, False),
    ("(ready or fueled) and not broken", {"ready": False, "fueled": True, "broken": False}, True),
    ("(ready or fueled) and not broken", {"ready": True, "fueled": True, "broken": True}, False),
    ("ready or (fueled and not broken)", {"ready": False, "fueled": True, "broken": True}, False),
    ("not (ready and fueled)", {"ready": True, "fueled": True}, False),
]


@pytest.mark.parametrize(("expression", "values", "expected"), EXPRESSIONS)
def test_boolean_expression_in_cond(engine, expression, values, expected):
    """A cond string is a boolean expression over names of the model and machine."""
    sm = engine.machine(guarded(cond=expression), Panel(**values))
    assert fires(engine, sm) is expected


def test_boolean_expression_in_unless_is_negated(engine):
    """An unless expression refuses the transition when the expression is true."""
    sm = engine.machine(guarded(unless="ready and fueled"), Panel(ready=True, fueled=True))
    assert fires(engine, sm) is False


def test_expression_calls_methods_with_injection(engine):
    """Method names inside an expression are called with the send() arguments."""

    class Machine(guarded(cond="is_ready and not too_big")):
        def is_ready(self):
            return True

        def too_big(self, amount):
            return amount > 10

    sm = engine.machine(Machine)
    assert fires(engine, sm, amount=50) is False
    assert fires(engine, sm, amount=5) is True


def test_unparsable_expression_is_rejected_before_any_event():
    """A cond expression with a syntax error raises InvalidDefinition by instantiation time."""
    with pytest.raises(InvalidDefinition, match=r"Failed to parse boolean expression 'ready and'"):
        guarded(cond="ready and")(Panel(ready=True))


def test_unknown_guard_name_is_rejected_at_instantiation():
    """A cond name found nowhere raises InvalidDefinition naming it when instantiating."""
    machine_cls = guarded(cond="no_such_guard")
    with pytest.raises(InvalidDefinition, match=r"Did not found name 'no_such_guard'"):
        machine_cls()


def test_unknown_name_inside_expression_is_rejected_at_instantiation():
    """A name inside an expression that resolves to nothing raises InvalidDefinition."""
    machine_cls = guarded(cond="ready and missing_flag")
    with pytest.raises(InvalidDefinition, match=r"Did not found name 'missing_flag'"):
        machine_cls(Panel(ready=True))


# --- In() on a flat machine --------------------------------------------------------------------


def test_in_condition_true_for_the_active_state(engine):
    """In('a') is true while a is active."""
    assert fires(engine, engine.machine(guarded(cond="In('a')"))) is True


def test_in_condition_false_for_an_inactive_state(engine):
    """In('b') is false while a is the active state."""
    assert fires(engine, engine.machine(guarded(cond="In('b')"))) is False


def test_in_condition_with_several_ids_requires_all(engine):
    """In('a', 'b') needs every id active, so it is false on a flat machine."""
    assert fires(engine, engine.machine(guarded(cond="In('a', 'b')"))) is False


def test_in_condition_combines_with_other_names(engine):
    """In() can be combined with names in an expression."""
    sm = engine.machine(guarded(cond="In('a') and not broken"), Panel(broken=True))
    assert fires(engine, sm) is False


# --- choosing among several transitions ---------------------------------------------------------


class Router(StateMachine):
    start = State(initial=True)
    left = State()
    right = State()
    fallback = State()

    route = start.to(left, cond="go_left") | start.to(right, cond="go_right") | start.to(fallback)
    reset = left.to(start) | right.to(start) | fallback.to(start)


@pytest.mark.parametrize(
    ("go_left", "go_right", "expected"),
    [(True, True, "left"), (False, True, "right"), (False, False, "fallback")],
)
def test_first_transition_whose_guards_pass_wins(engine, go_left, go_right, expected):
    """Transitions are tried in declaration order; the first whose guards pass is taken."""
    sm = engine.machine(Router, Panel(go_left=go_left, go_right=go_right))
    engine.send(sm, "route")
    assert sm.current_state_value == expected


# --- refusing: failing guards and validators ---------------------------------------------------


class Vault(StateMachine):
    locked = State(initial=True)
    open = State()

    unlock = locked.to(open, validators="check_code", cond="has_power")
    lock = open.to(locked)

    def __init__(self, *args, **kwargs):
        self.calls: list[str] = []
        self.power = True
        super().__init__(*args, **kwargs)

    def check_code(self, code=None):
        self.calls.append("check_code")
        if code != 1234:
            raise PermissionError(f"wrong code {code!r}")
        return False  # the return value of a validator is ignored

    def has_power(self):
        self.calls.append("has_power")
        return self.power

    def before_unlock(self):
        self.calls.append("before_unlock")

    def on_exit_locked(self):
        self.calls.append("on_exit_locked")


class VaultChart(StateChart):
    locked = State(initial=True)
    open = State()

    unlock = locked.to(open, validators="check_code")
    lock = open.to(locked)

    def check_code(self, code=None):
        if code != 1234:
            raise PermissionError(f"wrong code {code!r}")


def test_failing_guard_in_state_machine_raises_transition_not_allowed(engine):
    """In a StateMachine a refused guard raises TransitionNotAllowed naming the event."""
    sm = engine.machine(Vault)
    sm.power = False
    with pytest.raises(TransitionNotAllowed, match="Can't Unlock when in Locked"):
        engine.send(sm, "unlock", code=1234)


def test_failing_guard_leaves_machine_and_model_unchanged(engine):
    """A refused guard leaves the configuration and the model value as they were."""
    sm = engine.machine(Vault)
    sm.power = False
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "unlock", code=1234)
    assert sm.locked.is_active
    assert sm.model.state == "locked"


def test_failing_guard_runs_no_action(engine):
    """When the guard refuses, no before or exit callback runs."""
    sm = engine.machine(Vault)
    sm.power = False
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "unlock", code=1234)
    assert sm.calls == ["check_code", "has_power"]


def test_failing_guard_in_state_chart_is_silent(engine):
    """In a StateChart a refused guard raises nothing and the machine stays where it was."""
    sm = engine.machine(guarded(StateChart, cond="ready"), Panel(ready=False))
    assert engine.send(sm, "go") is None
    assert sm.a.is_active


def test_validator_that_raises_propagates_in_state_machine(engine):
    """A validator refuses by raising; the exception reaches the caller of send()."""
    sm = engine.machine(Vault)
    with pytest.raises(PermissionError, match="wrong code 1"):
        engine.send(sm, "unlock", code=1)


def test_validator_that_raises_propagates_in_state_chart(engine):
    """Validators are never turned into error.execution: they propagate in a StateChart too."""
    sm = engine.machine(VaultChart)
    with pytest.raises(PermissionError, match="wrong code 1"):
        engine.send(sm, "unlock", code=1)


@pytest.mark.parametrize("machine_cls", [Vault, VaultChart], ids=["sm", "chart"])
def test_refusing_validator_leaves_machine_and_model_unchanged(engine, machine_cls):
    """After a validator refuses, the machine and its model are still in the source state."""
    sm = engine.machine(machine_cls)
    with pytest.raises(PermissionError):
        engine.send(sm, "unlock", code=1)
    assert sm.locked.is_active
    assert sm.model.state == "locked"


def test_refusing_validator_stops_before_the_guards(engine):
    """A raising validator prevents cond evaluation and every action."""
    sm = engine.machine(Vault)
    with pytest.raises(PermissionError):
        engine.send(sm, "unlock", code=1)
    assert sm.calls == ["check_code"]


def test_validator_return_value_does_not_refuse(engine):
    """A validator that returns False without raising lets the transition happen."""
    sm = engine.machine(Vault)
    engine.send(sm, "unlock", code=1234)
    assert sm.open.is_active


def test_machine_still_works_after_a_refusal(engine):
    """After a validator refused an event, a later valid event is processed normally."""
    sm = engine.machine(Vault)
    with pytest.raises(PermissionError):
        engine.send(sm, "unlock", code=1)
    engine.send(sm, "unlock", code=1234)
    assert sm.open.is_active


# --- exceptions raised by guards ---------------------------------------------------------------


class ExplodingGuard(StateMachine):
    a = State(initial=True)
    b = State()
    c = State()

    go = a.to(b, cond="explode") | a.to(c)

    def explode(self):
        raise ValueError("guard blew up")


def test_guard_exception_propagates_in_state_machine(engine):
    """In a StateMachine an exception raised by a guard reaches the caller of send()."""
    sm = engine.machine(ExplodingGuard)
    with pytest.raises(ValueError, match="guard blew up"):
        engine.send(sm, "go")


def test_guard_exception_in_state_machine_leaves_machine_unchanged(engine):
    """After a guard raised in a StateMachine, the machine and model stay in the source."""
    sm = engine.machine(ExplodingGuard)
    with pytest.raises(ValueError, match="guard blew up"):
        engine.send(sm, "go")
    assert sm.a.is_active
    assert sm.model.state == "a"


class ExplodingGuardChart(StateChart):
    a = State(initial=True)
    b = State()
    c = State()
    d = State()

    go = a.to(b, cond="explode") | a.to(c)
    error_execution = c.to(d)

    def explode(self):
        raise ValueError("guard blew up")

    def on_error_execution(self, error):
        self.error = error


class ExplodingGuardChartUnhandled(StateChart):
    a = State(initial=True)
    b = State()
    c = State()

    go = a.to(b, cond="explode") | a.to(c)

    def explode(self):
        raise ValueError("guard blew up")


def test_guard_exception_in_state_chart_counts_as_false(engine):
    """In a StateChart a raising guard counts as False, so the next transition is taken."""
    sm = engine.machine(ExplodingGuardChartUnhandled)
    engine.send(sm, "go")
    assert sm.c.is_active


def test_guard_exception_in_state_chart_queues_error_execution(engine):
    """In a StateChart a raising guard queues error.execution carrying the exception."""
    sm = engine.machine(ExplodingGuardChart)
    engine.send(sm, "go")
    assert sm.d.is_active
    assert isinstance(sm.error, ValueError)
    assert str(sm.error) == "guard blew up"


def test_unhandled_guard_exception_in_state_chart_is_logged(engine, caplog):
    """With no error.execution transition, the guard's exception is logged at ERROR."""
    sm = engine.machine(ExplodingGuardChartUnhandled)
    with caplog.at_level(logging.ERROR, logger="statemachine"):
        engine.send(sm, "go")
    records = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert records
    assert any(r.exc_info and isinstance(r.exc_info[1], ValueError) for r in records)


# --- enabled_events and allowed_events ---------------------------------------------------------


class Gate(StateMachine):
    closed = State(initial=True)
    opened = State()
    jammed = State()

    open_gate = closed.to(opened, cond="has_ticket")
    force = closed.to(jammed, cond="explode")
    inspect = closed.to.itself(validators="always_refuse")
    close_gate = opened.to(closed)
    repair = jammed.to(closed)

    def has_ticket(self, ticket=None):
        return ticket == "valid"

    def explode(self):
        raise RuntimeError("sensor failure")

    def always_refuse(self):
        raise PermissionError("never")


def _ids(events):
    return {event.id for event in events}


def test_enabled_events_evaluates_guards_with_given_kwargs(engine):
    """enabled_events(**kwargs) passes the kwargs to the guards."""
    sm = engine.machine(Gate)
    assert "open_gate" not in _ids(engine.call(sm.enabled_events))
    assert "open_gate" in _ids(engine.call(sm.enabled_events, ticket="valid"))


def test_enabled_events_passes_positional_args_to_guards(engine):
    """enabled_events(*args) passes positional args to the guards."""
    sm = engine.machine(Gate)
    assert "open_gate" in _ids(engine.call(sm.enabled_events, "valid"))


def test_enabled_events_counts_a_raising_guard_as_enabled(engine):
    """An event whose guard raises is reported as enabled, and nothing is raised."""
    sm = engine.machine(Gate)
    assert "force" in _ids(engine.call(sm.enabled_events))


def test_enabled_events_ignores_validators(engine):
    """Validators are not run by enabled_events, so a refusing validator does not hide the event."""
    sm = engine.machine(Gate)
    assert "inspect" in _ids(engine.call(sm.enabled_events))


def test_enabled_events_lists_only_events_of_the_active_state(engine):
    """Events with no transition from the active state are not enabled."""
    sm = engine.machine(Gate)
    assert _ids(engine.call(sm.enabled_events, ticket="valid")) == {"open_gate", "force", "inspect"}


def test_enabled_events_does_not_change_the_machine(engine):
    """Evaluating enabled events leaves the configuration unchanged."""
    sm = engine.machine(Gate)
    engine.call(sm.enabled_events, ticket="valid")
    assert sm.closed.is_active


def test_allowed_events_ignores_guards(engine):
    """allowed_events lists events from the active state whatever their guards say."""
    sm = engine.machine(Gate)
    assert _ids(sm.allowed_events) == {"open_gate", "force", "inspect"}


def test_allowed_events_follow_the_active_state(engine):
    """After a transition, allowed_events lists the events of the new state."""
    sm = engine.machine(Gate)
    engine.send(sm, "open_gate", ticket="valid")
    assert _ids(sm.allowed_events) == {"close_gate"}
