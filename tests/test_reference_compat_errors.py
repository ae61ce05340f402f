"""Errors as python-statemachine 3.2 handles them: errors while an `error.execution` is being
handled, what a failed `send()` leaves for the next one, `InvalidDefinition` and
`StopIteration` raised by callbacks, and errors around termination.

Runtime tests run on the sync and the asyncio engine; each expectation was checked against the
reference by running it. Where ours departs from it, the test says so.
"""

from __future__ import annotations

import logging

import pytest
from _chart_helpers import LogMixin

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import InvalidDefinition, TransitionNotAllowed


@pytest.fixture(params=[StateMachine, StateChart], ids=["StateMachine", "StateChart"])
def base(request):
    """Both public base classes behave the same way here."""
    return request.param


def logged(caplog, level):
    """Messages logged at ``level`` on the "statemachine" logger or one of its children."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == level and record.name.split(".")[0] == "statemachine"
    ]


# --- B21. errors while error.execution is being handled ---------------------------------------


def _handler_failing_in(group: str) -> type[StateChart]:
    """A chart whose `go` action fails, and whose `error.execution` handler `b -> handled`
    fails in its ``group`` callbacks (`on` or `after`)."""

    class M(LogMixin, StateChart):
        a = State(initial=True)
        b = State()
        handled = State()
        go = a.to(b, on="boom")
        error_execution = b.to(handled, **{group: "fail_handler"})

        def boom(self):
            raise ValueError("first")

        def fail_handler(self, error):
            self.log.append(f"{group} handler {error}")
            raise RuntimeError(f"{group} handler failed")

    return M


def test_error_in_the_handler_on_callbacks_rolls_its_microstep_back(engine):
    """An error in the `on` callbacks of the `error.execution` transition undoes that
    microstep: the configuration is the one before it."""
    sm = engine.machine(_handler_failing_in("on"))
    assert engine.send(sm, "go") is None
    assert sm.log == ["on handler first"]
    assert list(sm.configuration_values) == ["b"]


def test_error_in_the_handler_on_callbacks_is_logged_as_a_warning(engine, caplog):
    """That error is logged at WARNING as "Error while processing error.execution, ignoring"."""
    sm = engine.machine(_handler_failing_in("on"))
    with caplog.at_level(logging.WARNING, logger="statemachine"):
        engine.send(sm, "go")
    assert logged(caplog, logging.WARNING) == [
        "Error while processing error.execution, ignoring: on handler failed"
    ]


def _handling(fail_on: str) -> type[StateChart]:
    """A chart whose `error.execution` handler `b -> handling` (then `handling -> handling`)
    fails in the ``fail_on`` callback of `handling` on its first two runs."""

    class M(LogMixin, StateChart):
        a = State(initial=True)
        b = State()
        handling = State()
        go = a.to(b, on="boom")
        error_execution = b.to(handling) | handling.to(handling, cond="again")
        runs = 0

        def boom(self):
            raise ValueError("first")

        def again(self):
            return self.runs < 3

        def _handle(self, place, error):
            if place != fail_on:
                return
            self.runs += 1
            self.log.append(f"{place} {self.runs}: {error}")
            if self.runs < 3:
                raise RuntimeError(f"{place} failed {self.runs}")

        def on_enter_handling(self, error):
            self._handle("enter", error)

        def on_exit_handling(self, error):
            self._handle("exit", error)

    return M


def test_error_in_an_entry_callback_of_the_handler_queues_a_new_error_execution(engine):
    """An entry callback failing while `error.execution` is handled queues another
    `error.execution`, whose handler runs with that new error."""
    sm = engine.machine(_handling("enter"))
    assert engine.send(sm, "go") is None
    assert sm.log == ["enter 1: first", "enter 2: enter failed 1", "enter 3: enter failed 2"]
    assert list(sm.configuration_values) == ["handling"]


def test_error_in_an_exit_callback_of_the_handler_queues_a_new_error_execution(engine):
    """An exit callback failing while `error.execution` is handled queues another one too."""

    class M(_handling("exit")):
        def on_exit_b(self, error):
            self.log.append(f"exit b: {error}")
            raise RuntimeError("exit b failed")

    sm = engine.machine(M)
    assert engine.send(sm, "go") is None
    assert sm.log == [
        "exit b: first",
        "exit 1: exit b failed",
        "exit 2: exit failed 1",
        "exit 3: exit failed 2",
    ]
    assert list(sm.configuration_values) == ["handling"]


def test_error_in_the_handler_after_callbacks_is_logged_and_ignored(engine, caplog):
    """An error in the `after` callbacks of the `error.execution` transition is logged at
    WARNING and ignored: the handler's transition stands."""
    sm = engine.machine(_handler_failing_in("after"))
    with caplog.at_level(logging.WARNING, logger="statemachine"):
        assert engine.send(sm, "go") is None
    assert sm.log == ["after handler first"]
    assert list(sm.configuration_values) == ["handled"]
    assert logged(caplog, logging.WARNING) == [
        "Error while processing error.execution, ignoring: after handler failed"
    ]


def _before_fails(handled: bool) -> type[StateChart]:
    """A chart whose `go` has a failing `before` callback; with ``handled``, an
    `error.execution` transition `a -> err` handles it."""

    class M(LogMixin, StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b, before="fail_before", after="log_after")
        back = b.to(a)
        if handled:
            err = State()
            error_execution = a.to(err)
            recover = err.to(a)

        def fail_before(self):
            self.log.append("before")
            raise ValueError("before failed")

        def log_after(self):
            self.log.append("after")

        def on_exit_a(self):
            self.log.append("exit a")

        def on_enter_err(self, error):
            self.log.append(f"enter err {error!r}")

    return M


def test_failing_before_callback_leaves_the_configuration_and_skips_after(engine):
    """A `before` callback that raises (errors caught as events) leaves the configuration
    as it was and skips the `after` callbacks."""
    sm = engine.machine(_before_fails(handled=False))
    assert engine.send(sm, "go") is None
    assert sm.log == ["before"]
    assert list(sm.configuration_values) == ["a"]


def test_failing_before_callback_queues_error_execution(engine):
    """The failing `before` queues `error.execution`, handled from the unchanged state."""
    sm = engine.machine(_before_fails(handled=True))
    engine.send(sm, "go")
    assert sm.log == ["before", "exit a", "enter err ValueError('before failed')"]
    assert list(sm.configuration_values) == ["err"]


# --- B22. what a failed send() leaves for the next one --------------------------------------


class AfterRaises(LogMixin, StateMachine):
    a = State(initial=True)
    b = State()
    c = State()
    d = State(final=True)
    go = a.to(b, after="fail_after")
    b.to(c, cond="ready")
    proceed = c.to(d) | b.to(d)
    ready = False

    def fail_after(self):
        self.log.append("after go")
        self.ready = True
        raise ValueError("after failed")

    def on_enter_state(self, state, event):
        self.log.append(f"enter {state.id} ({event})")

    def on_proceed(self, source):
        self.log.append(f"on proceed from {source.id}")


def test_failed_send_propagates_the_error(engine):
    """A StateMachine's `after` callback that raises makes `send()` raise it, the transition
    done."""
    sm = engine.machine(AfterRaises)
    sm.log.clear()
    with pytest.raises(ValueError, match=r"^after failed$"):
        engine.send(sm, "go")
    assert sm.log == ["enter b (go)", "after go"]
    assert list(sm.configuration_values) == ["b"]


def test_eventless_transitions_left_by_a_failed_send_run_before_the_next_event(engine):
    """An eventless transition enabled when `send()` raised is taken at the start of the next
    `send()`, before that event."""
    sm = engine.machine(AfterRaises)
    with pytest.raises(ValueError):
        engine.send(sm, "go")
    sm.log.clear()
    engine.send(sm, "proceed")
    assert sm.log == ["enter c (None)", "on proceed from c", "enter d (proceed)"]


class DoneDropped(LogMixin, StateMachine):
    class c(State.Compound, initial=True):
        x = State(initial=True)
        fin = State(final=True)
        finish = x.to(fin, after="fail_after")

    out = State()
    z = State(final=True)
    done_state_c = c.to(out)
    other = c.to(z) | out.to(z)

    def fail_after(self):
        raise ValueError("after failed")

    def on_enter_state(self, state, event):
        self.log.append(f"enter {state.id} ({event})")


def test_internal_events_queued_by_a_failed_send_are_dropped(engine):
    """The `done.state.c` raised in a macrostep that failed is never processed."""
    sm = engine.machine(DoneDropped)
    with pytest.raises(ValueError):
        engine.send(sm, "finish")
    assert list(sm.configuration_values) == ["c", "fin"]
    sm.log.clear()
    engine.send(sm, "other")
    assert sm.log == ["enter z (other)"]


class GuardRaises(LogMixin, StateMachine):
    catch_errors_as_events = True
    a = State(initial=True)
    b = State()
    err = State()
    z = State(final=True)
    go = a.to(b, cond="broken_guard")
    error_execution = a.to(err)
    other = a.to(z) | err.to(z) | b.to(z)

    def broken_guard(self):
        raise ValueError("guard failed")

    def on_enter_state(self, state, event):
        self.log.append(f"enter {state.id} ({event})")


def test_refused_event_leaves_its_internal_events_for_the_next_send(engine):
    """After TransitionNotAllowed for an external event, the `error.execution` its raising
    guard queued is processed at the start of the next `send()`."""
    # The reference does so on its sync engine; on its asyncio engine it drops the event.
    sm = engine.machine(GuardRaises)
    sm.log.clear()
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "go")
    assert list(sm.configuration_values) == ["a"]
    engine.send(sm, "other")
    assert sm.log == ["enter err (error.execution)", "enter z (other)"]


# --- B23. InvalidDefinition raised by a callback -----------------------------------------------


class RaisingGo:
    """Mixin for a machine whose `go` leaves `a` (a child of `c`) for `b`, guarded by
    `allowed`: the guard and every callback of `go` call `raise_in(place)`."""

    def raise_in(self, place):
        raise NotImplementedError

    def allowed(self):
        self.raise_in("cond")
        return True

    def before_go(self):
        self.raise_in("before")

    def on_exit_a(self):
        self.raise_in("exit")

    def on_go(self):
        self.raise_in("on")

    def on_enter_b(self):
        self.raise_in("enter")

    def after_go(self):
        self.raise_in("after")


def _invalid_in(where: str) -> type[StateChart]:
    """A chart (errors caught as events, with a handler) whose `go` raises InvalidDefinition
    in the callback ``where``."""

    class M(RaisingGo, LogMixin, StateChart):
        class c(State.Compound, initial=True):
            a = State(initial=True)

        b = State()
        go = c.to(b, cond="allowed")
        back = b.to(c)
        error_execution = c.to(b, on="handled") | b.to(c, on="handled")

        def handled(self):
            self.log.append("handled")

        def raise_in(self, place):
            if place == where:
                raise InvalidDefinition(f"bad {place}")

    return M


@pytest.mark.parametrize("where", ["cond", "before", "exit", "on", "enter"])
def test_invalid_definition_from_a_callback_propagates_and_rolls_back(engine, where):
    """InvalidDefinition raised by a guard or action reaches the caller even when errors are
    caught as events, and the configuration is the one before the event."""
    sm = engine.machine(_invalid_in(where))
    with pytest.raises(InvalidDefinition, match=f"^bad {where}$"):
        engine.send(sm, "go")
    assert list(sm.configuration_values) == ["c", "a"]
    assert sm.log == []


def test_invalid_definition_from_an_after_callback_propagates(engine):
    """InvalidDefinition raised by an `after` callback reaches the caller too; the transition
    is already done."""
    sm = engine.machine(_invalid_in("after"))
    with pytest.raises(InvalidDefinition, match=r"^bad after$"):
        engine.send(sm, "go")
    assert list(sm.configuration_values) == ["b"]
    assert sm.log == []


# --- B24. StopIteration on the sync engine -------------------------------------------------------


def _stopping(base: type[StateChart], where: str, nested: bool = True) -> type[StateChart]:
    """A machine of ``base`` (errors propagate) whose `go` raises StopIteration in the callback
    ``where`` while `armed`; `a` is a child of `c` if ``nested``, else a top-level state."""

    class M(RaisingGo, base):
        catch_errors_as_events = False
        b = State()
        if nested:

            class c(State.Compound, initial=True):
                a = State(initial=True)

            go = c.a.to(b, cond="allowed")
            back = b.to(c)
        else:
            a = State(initial=True)
            go = a.to(b, cond="allowed")
            back = b.to(a)
        armed = True

        def raise_in(self, place):
            if place == where and self.armed:
                raise StopIteration("stop!")

    return M


@pytest.mark.parametrize("nested", [True, False], ids=["nested", "flat"])
@pytest.mark.parametrize("where", ["cond", "before", "exit", "on", "enter"])
def test_stop_iteration_from_a_callback_reaches_the_caller_unchanged(base, where, nested):
    """On the sync engine a callback's StopIteration reaches the caller as itself, not as a
    RuntimeError, and the machine keeps its configuration."""
    sm = _stopping(base, where, nested)()
    before = list(sm.configuration_values)
    with pytest.raises(StopIteration) as caught:
        sm.send("go")
    assert type(caught.value) is StopIteration
    assert caught.value.args == ("stop!",)
    assert list(sm.configuration_values) == before
    assert before == (["c", "a"] if nested else ["a"])


@pytest.mark.parametrize("where", ["cond", "on", "enter"])
def test_stop_iteration_on_the_asyncio_engine_arrives_as_runtime_error(where):
    """On the asyncio engine a StopIteration cannot travel through a coroutine: the caller
    gets the RuntimeError Python makes of it (as with python-statemachine), caused by the
    original, never a private wrapper; the machine keeps its configuration."""
    import asyncio

    class Probe:
        async def after_transition(self):
            pass

    async def main():
        sm = _stopping(StateMachine, where)(listeners=[Probe()])
        await sm.activate_initial_state()
        with pytest.raises(RuntimeError) as caught:
            await sm.send("go")
        return sm, caught.value

    sm, error = asyncio.run(main())
    assert str(error) == "coroutine raised StopIteration"
    assert type(error.__cause__) is StopIteration
    assert error.__cause__.args == ("stop!",)
    assert list(sm.configuration_values) == ["c", "a"]


def test_stop_iteration_from_an_after_callback_reaches_the_caller_unchanged():
    """The same holds for `after`; there the transition is already done."""
    sm = _stopping(StateMachine, "after")()
    with pytest.raises(StopIteration) as caught:
        sm.send("go")
    assert caught.value.args == ("stop!",)
    assert list(sm.configuration_values) == ["b"]


def test_machine_works_after_a_stop_iteration():
    """After the StopIteration the next event is processed normally."""
    sm = _stopping(StateMachine, "enter")()
    with pytest.raises(StopIteration):
        sm.send("go")
    sm.armed = False
    sm.send("go")
    assert list(sm.configuration_values) == ["b"]


# --- termination ---------------------------------------------------------------------------------


def _terminating(base: type[StateChart], allow: bool, fail_in: str) -> type[StateChart]:
    """A machine of ``base`` (errors caught as events) whose `finish` enters the top-level final
    `done` and raises in its ``fail_in`` callback (exit, on or after)."""

    class M(LogMixin, base):
        allow_event_without_transition = allow
        catch_errors_as_events = True
        a = State(initial=True)
        done = State(final=True)
        finish = a.to(done, on="log_on", after="log_after")

        def _step(self, place):
            self.log.append(place)
            if place == fail_in:
                raise ValueError(f"{place} failed")

        def on_exit_a(self):
            self._step("exit")

        def log_on(self):
            self._step("on")

        def log_after(self):
            self._step("after")

    return M


def test_after_error_entering_a_final_state_is_refused_when_events_need_transitions(engine, base):
    """With `allow_event_without_transition = False`, an `error.execution` from the `after`
    callback of the transition that ends the machine makes `send()` raise
    TransitionNotAllowed; the machine stays terminated."""
    sm = engine.machine(_terminating(base, allow=False, fail_in="after"))
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "finish")
    assert sm.log == ["exit", "on", "after"]
    assert list(sm.configuration_values) == ["done"]
    assert sm.is_terminated


def test_after_error_entering_a_final_state_is_refused_with_the_reference_message(engine):
    """The refusal reads "Can't Error execution when in Done."."""
    sm = engine.machine(_terminating(StateChart, allow=False, fail_in="after"))
    with pytest.raises(TransitionNotAllowed) as caught:
        engine.send(sm, "finish")
    assert str(caught.value) == "Can't Error execution when in Done."


def test_after_error_entering_a_final_state_is_ignored_when_events_may_lack_transitions(
    engine, base
):
    """With `allow_event_without_transition = True`, that error raises nothing: `send()`
    returns normally and the machine is terminated."""
    sm = engine.machine(_terminating(base, allow=True, fail_in="after"))
    assert engine.send(sm, "finish") is None
    assert sm.log == ["exit", "on", "after"]
    assert sm.is_terminated


def test_after_error_entering_a_final_state_is_logged_when_events_may_lack_transitions(
    engine, base, caplog
):
    """With `allow_event_without_transition = True`, that error is logged at ERROR on the
    "statemachine" logger."""
    # Deliberate difference 6 (an unhandled error.execution is logged): the reference logs
    # nothing here.
    sm = engine.machine(_terminating(base, allow=True, fail_in="after"))
    with caplog.at_level(logging.ERROR, logger="statemachine"):
        engine.send(sm, "finish")
    (message,) = logged(caplog, logging.ERROR)
    assert "ValueError('after failed')" in message


@pytest.mark.parametrize("allow", [False, True], ids=["refusing", "allowing"])
@pytest.mark.parametrize("fail_in", ["exit", "on"])
def test_error_before_termination_is_dropped(engine, base, allow, fail_in):
    """An error in the exit or `on` callbacks of the transition that ends the machine is
    dropped when the machine terminates: no exception, whatever
    `allow_event_without_transition` says."""
    sm = engine.machine(_terminating(base, allow=allow, fail_in=fail_in))
    assert engine.send(sm, "finish") is None
    assert sm.log == ["exit", "on", "after"]
    assert list(sm.configuration_values) == ["done"]
    assert sm.is_terminated


@pytest.mark.parametrize("fail_in", ["exit", "on"])
def test_error_dropped_at_termination_is_logged(engine, base, fail_in, caplog):
    """The dropped error is logged at ERROR on the "statemachine" logger."""
    # Deliberate difference 6: the reference logs nothing here.
    sm = engine.machine(_terminating(base, allow=False, fail_in=fail_in))
    with caplog.at_level(logging.ERROR, logger="statemachine"):
        engine.send(sm, "finish")
    (message,) = logged(caplog, logging.ERROR)
    assert f"ValueError('{fail_in} failed')" in message
