"""`statemachine.contrib.timeout`: leaving a state that stays active too long."""

from __future__ import annotations

import time

import pytest
from _chart_helpers import wait_until

from statemachine import State, StateChart
from statemachine.contrib.timeout import timeout
from statemachine.invoke import IInvoke

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def test_expiry_sends_the_on_event(engine):
    """When the duration passes while the state is active, the `on` event is sent."""

    class Call(StateChart):
        ringing = State(initial=True, invoke=timeout(0.02, on="give_up"))
        missed = State()
        give_up = ringing.to(missed)

    sm = engine.machine(Call)
    assert wait_until(engine, lambda: sm.missed.is_active)


def test_expiry_without_on_completes_the_invocation(engine):
    """Without `on`, expiry completes the invocation, so `done_invoke_<state>` fires."""

    class Call(StateChart):
        ringing = State(initial=True, invoke=timeout(0.02))
        expired = State()
        done_invoke_ringing = ringing.to(expired)

    sm = engine.machine(Call)
    assert wait_until(engine, lambda: sm.expired.is_active)


def test_exit_before_expiry_cancels_the_timeout(engine):
    """Leaving the state before the duration passes means its `on` event is never sent."""

    class Call(StateChart):
        ringing = State(initial=True, invoke=timeout(0.1, on="give_up"))
        answered = State(invoke=timeout(0.15, on="hang_up"))
        missed = State()
        ended = State()

        answer = ringing.to(answered)
        # `give_up` would also leave `answered`: it must not arrive from the cancelled timer.
        give_up = ringing.to(missed) | answered.to(missed)
        hang_up = answered.to(ended)

    sm = engine.machine(Call)
    engine.send(sm, "answer")
    # The second timer expires well after the first one would have.
    assert wait_until(engine, lambda: sm.ended.is_active or sm.missed.is_active)
    assert sm.ended.is_active


def test_reentering_the_state_restarts_the_timer(engine):
    """Each entry into the state starts a new timer that expires on its own."""
    expiries = []

    class Call(StateChart):
        ringing = State(initial=True, invoke=timeout(0.02, on="give_up"))
        missed = State()
        give_up = ringing.to(missed, on=lambda: expiries.append(1))
        retry = missed.to(ringing)

    sm = engine.machine(Call)
    assert wait_until(engine, lambda: sm.missed.is_active)
    engine.send(sm, "retry")
    assert wait_until(engine, lambda: len(expiries) == 2)
    assert sm.missed.is_active


@pytest.mark.parametrize("duration", [0, 0.0, -1, -0.5, float("-inf")])
def test_non_positive_duration_raises_value_error(duration):
    """A duration of zero or less raises ValueError, with python-statemachine's message."""
    with pytest.raises(ValueError) as caught:
        timeout(duration)
    assert str(caught.value) == f"timeout duration must be positive, got {duration}"
    assert caught.value.__notes__ == [
        "Pass the seconds to wait, e.g. `timeout(30, on='too_slow')`."
    ]


@pytest.mark.parametrize("duration", ["5", None, [1], object()])
def test_non_number_duration_raises_type_error(duration):
    """Something that is not a number of seconds raises TypeError (as comparing it with zero
    does in python-statemachine), saying what is expected."""
    with pytest.raises(TypeError) as caught:
        timeout(duration)
    assert str(caught.value) == (
        f"timeout duration must be a number of seconds or a timedelta, got {duration!r}."
    )


@pytest.mark.parametrize("duration", [float("inf"), float("nan")])
def test_non_finite_duration_raises_value_error(duration):
    """inf and NaN are refused when the handler is made, not when the state is entered."""
    with pytest.raises(ValueError) as caught:
        timeout(duration)
    assert str(caught.value) == (
        f"timeout duration must be a finite number of seconds, got {duration!r}. To wait "
        "without limit, leave out the timeout."
    )


@pytest.mark.parametrize("duration", [1, 0.25, True])
def test_positive_numbers_are_durations(duration):
    """Any positive int or float is a duration (a bool is an int, as in python-statemachine)."""
    assert timeout(duration).duration == duration


def test_timeout_is_an_iinvoke():
    """What `timeout()` returns satisfies the IInvoke protocol."""
    assert isinstance(timeout(1, on="late"), IInvoke)


def test_timeout_in_a_list_fires_when_the_other_handler_is_slow(engine):
    """In `invoke=[work, timeout(...)]`, the timeout's event wins over slow work, which is then
    cancelled."""
    cancelled = []

    class Fetch:
        def run(self, ctx):
            cancelled.append(ctx.cancelled.wait(2))
            return "late"

    class Loader(StateChart):
        loading = State(initial=True, invoke=[Fetch, timeout(0.02, on="too_slow")])
        ready = State()
        failed = State()
        done_invoke_loading = loading.to(ready)
        too_slow = loading.to(failed)

    sm = engine.machine(Loader)
    assert wait_until(engine, lambda: sm.failed.is_active)
    assert wait_until(engine, lambda: cancelled == [True])
    assert sm.failed.is_active


def test_timeout_in_a_list_is_cancelled_when_the_work_finishes_first(engine):
    """In `invoke=[work, timeout(...)]`, work that completes first leaves the state and the
    timeout never fires."""

    class Loader(StateChart):
        loading = State(initial=True, invoke=[lambda: "data", timeout(0.1, on="too_slow")])
        ready = State(invoke=timeout(0.15, on="finish"))
        failed = State()
        finished = State()

        done_invoke_loading = loading.to(ready)
        # `too_slow` would also leave `ready`: it must not arrive from the cancelled timer.
        too_slow = loading.to(failed) | ready.to(failed)
        finish = ready.to(finished)

    sm = engine.machine(Loader)
    assert wait_until(engine, lambda: sm.finished.is_active or sm.failed.is_active)
    assert sm.finished.is_active


def test_a_timedelta_duration_is_taken_in_seconds():
    from datetime import timedelta

    handler = timeout(timedelta(milliseconds=1500), on="give_up")
    assert handler.duration == 1.5
    assert repr(handler) == "timeout(1.5, on='give_up')"


def test_a_model_may_keep_the_timeout_and_no_thread_waits():
    """A model with ``statemachine_schedule_timeout`` is offered the timeout when its state is
    entered; when it keeps it, the machine neither waits nor gets ``done.invoke``."""
    import threading

    class Keeper:
        def __init__(self):
            self.kept = []

        def statemachine_schedule_timeout(self, machine, state_id, seconds, on):
            self.kept.append((state_id, seconds, on))
            return True

    class Call(StateChart):
        ringing = State(initial=True, invoke=timeout(0.01, on="give_up"))
        missed = State(final=True)
        give_up = ringing.to(missed)
        done_invoke_ringing = ringing.to(missed)

    before = threading.active_count()
    model = Keeper()
    call = Call(model)
    threading.Event().wait(0.1)  # longer than the timeout: nothing fires
    assert model.kept == [("ringing", 0.01, "give_up")]
    assert call.ringing.is_active
    assert threading.active_count() == before


def test_a_model_that_declines_leaves_the_timeout_in_memory():
    class Decliner:
        def statemachine_schedule_timeout(self, machine, state_id, seconds, on):
            return False

    class Call(StateChart):
        ringing = State(initial=True, invoke=timeout(0.01, on="give_up"))
        missed = State(final=True)
        give_up = ringing.to(missed)

    call = Call(Decliner())
    deadline = time.monotonic() + 2
    while not call.missed.is_active and time.monotonic() < deadline:
        time.sleep(0.01)
    assert call.missed.is_active
