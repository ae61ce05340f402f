"""Callback errors in statecharts: `error.execution` caught per block, unhandled errors logged,
and errors inside parallel regions (spec 3.7, deliberate differences 6 and 11)."""

from __future__ import annotations

import logging

import pytest
from _chart_helpers import LogMixin

from statemachine import State, StateChart, StateMachine
from statemachine.orderedset import OrderedSet


class Boom(Exception):
    """The exception the test callbacks raise."""


class HandledLog(LogMixin):
    """A chart mixin with a `log`; its `record` callback notes each error it handles there."""

    def record(self, error):
        self.log.append(f"handled {error}")


class ErrorTexts:
    """A chart mixin whose `record` callback keeps the text of each error in `errors`."""

    def __init__(self, *args, **kwargs):
        self.errors: list[str] = []
        super().__init__(*args, **kwargs)

    def record(self, error):
        self.errors.append(str(error))


def test_action_error_is_delivered_as_error_execution_with_the_exception(engine):
    """A raising `on` callback queues `error.execution` whose `error` is that exception."""

    class Chart(StateChart):
        idle = State(initial=True)
        busy = State()
        start = idle.to(busy, on="explode")
        stop = busy.to(idle)
        error_execution = busy.to(on="record")

        def __init__(self, *args, **kwargs):
            self.errors: list[BaseException] = []
            self.raised = Boom("kaput")
            super().__init__(*args, **kwargs)

        def explode(self):
            raise self.raised

        def record(self, error):
            self.errors.append(error)

    sm = engine.machine(Chart)
    engine.send(sm, "start")
    assert sm.errors == [sm.raised]
    assert list(sm.configuration_values) == ["busy"]


def test_error_skips_the_rest_of_its_block_only(engine):
    """After a raise, the rest of that block is skipped but later blocks still run, and one
    `error.execution` is handled."""

    class Chart(HandledLog, StateChart):
        idle = State(initial=True)
        busy = State(enter="entered")
        start = idle.to(busy, on=["first", "explode", "third"], after="finished")
        stop = busy.to(idle)
        error_execution = busy.to(on="record")

        def first(self):
            self.log.append("first")

        def explode(self):
            self.log.append("explode")
            raise Boom("second")

        def third(self):
            self.log.append("third")

        def entered(self):
            self.log.append("entered")

        def finished(self):
            self.log.append("after")

    sm = engine.machine(Chart)
    sm.log.clear()
    engine.send(sm, "start")
    assert sm.log == ["first", "explode", "entered", "after", "handled second"]


def test_each_failing_block_queues_its_own_error_execution(engine):
    """Two blocks that raise in one microstep produce two errors, handled in block order."""

    class Chart(ErrorTexts, StateChart):
        idle = State(initial=True)
        busy = State(enter="fail_enter")
        start = idle.to(busy, on="fail_on")
        stop = busy.to(idle)
        error_execution = busy.to(on="record")

        def fail_on(self):
            raise Boom("on")

        def fail_enter(self):
            raise Boom("enter")

    sm = engine.machine(Chart)
    engine.send(sm, "start")
    assert sm.errors == ["on", "enter"]


def test_exit_error_of_a_child_does_not_skip_the_parents_exit(engine):
    """Each state's exit callbacks are their own block: the parent still exits."""

    class Chart(HandledLog, StateChart):
        class box(State.Compound, initial=True):
            inner = State(initial=True, exit="fail_exit")
            other = State()
            swap = inner.to(other)
            swap_back = other.to(inner)

        outside = State()
        leave = box.to(outside)
        come_back = outside.to(box)
        error_execution = outside.to(on="record")

        def fail_exit(self):
            self.log.append("exit inner")
            raise Boom("inner exit")

        def on_exit_box(self):
            self.log.append("exit box")

    sm = engine.machine(Chart)
    engine.send(sm, "leave")
    assert sm.log == ["exit inner", "exit box", "handled inner exit"]
    assert list(sm.configuration_values) == ["outside"]


def test_entry_error_of_a_parent_does_not_stop_entering_its_child(engine):
    """A raising entry callback of a compound still lets its initial child be entered."""

    class Chart(HandledLog, StateChart):
        idle = State(initial=True)

        class box(State.Compound):
            inner = State(initial=True)
            other = State()
            swap = inner.to(other)
            swap_back = other.to(inner)

        start = idle.to(box)
        stop = box.to(idle)
        error_execution = box.to(on="record")

        def on_enter_box(self):
            self.log.append("enter box")
            raise Boom("box entry")

        def on_enter_inner(self):
            self.log.append("enter inner")

    sm = engine.machine(Chart)
    engine.send(sm, "start")
    assert sm.log == ["enter box", "enter inner", "handled box entry"]
    assert list(sm.configuration_values) == ["box", "inner"]


def test_raising_guard_counts_as_false_and_queues_an_error(engine):
    """A guard that raises is false, so the next transition of the event is tried."""

    class Chart(ErrorTexts, StateChart):
        idle = State(initial=True)
        fast = State()
        slow = State()
        go = idle.to(fast, cond="broken_guard") | idle.to(slow)
        back = fast.to(idle) | slow.to(idle)
        error_execution = slow.to(on="record")

        def broken_guard(self):
            raise Boom("guard")

    sm = engine.machine(Chart)
    engine.send(sm, "go")
    assert list(sm.configuration_values) == ["slow"]
    assert sm.errors == ["guard"]


def test_raising_before_aborts_the_transition_without_after(engine):
    """A failing `before` leaves the source active and runs no `after` callback."""

    class Chart(HandledLog, StateChart):
        class box(State.Compound, initial=True):
            inner = State(initial=True)
            other = State()
            go = inner.to(other, before="fail_before", after="note_after")
            back = other.to(inner)

        error_execution = box.to(on="record")

        def fail_before(self):
            raise Boom("before")

        def note_after(self):
            self.log.append("after")

    sm = engine.machine(Chart)
    engine.send(sm, "go")
    assert sm.log == ["handled before"]
    assert list(sm.configuration_values) == ["box", "inner"]


def test_raising_after_leaves_the_target_active(engine):
    """A failing `after` callback is reported once the transition is complete."""

    class Chart(LogMixin, StateChart):
        class box(State.Compound, initial=True):
            inner = State(initial=True)
            other = State()
            go = inner.to(other, after="fail_after")
            back = other.to(inner)

        error_execution = box.to(on="record")

        def fail_after(self):
            raise Boom("after")

        def record(self, error, source):
            self.log.append(f"handled {error} in {source.id}")

    sm = engine.machine(Chart)
    engine.send(sm, "go")
    assert sm.log == ["handled after in box"]
    assert list(sm.configuration_values) == ["box", "other"]


def test_error_handler_on_an_ancestor_catches_errors_of_its_descendants(engine):
    """An `error_execution` transition on a compound handles errors raised in its children."""

    class Chart(StateChart):
        class app(State.Compound, initial=True):
            class form(State.Compound, initial=True):
                editing = State(initial=True)
                saving = State()
                save = editing.to(saving, on="explode")
                edit = saving.to(editing)

        crashed = State()
        error_execution = app.to(crashed)
        restart = crashed.to(app)

        def explode(self):
            raise Boom("save failed")

    sm = engine.machine(Chart)
    engine.send(sm, "save")
    assert list(sm.configuration_values) == ["crashed"]


def test_error_during_initial_entry_is_handled_after_construction(engine):
    """A raising entry callback of the initial state is turned into `error.execution` too."""

    class Chart(StateChart):
        starting = State(initial=True, enter="explode")
        broken = State()
        error_execution = starting.to(broken)
        retry = broken.to(starting)

        def explode(self):
            raise Boom("cannot start")

    sm = engine.machine(Chart)
    assert list(sm.configuration_values) == ["broken"]


def test_error_in_an_eventless_transition_action_is_an_error_execution(engine):
    """Actions of eventless transitions are caught like any other block."""

    class Chart(StateChart):
        idle = State(initial=True)
        checking = State()
        ok = State()
        failed = State()
        start = idle.to(checking)
        reset = ok.to(idle) | failed.to(idle)
        checking.to(ok, on="explode")
        error_execution = ok.to(failed)

        def explode(self):
            raise Boom("check")

    sm = engine.machine(Chart)
    engine.send(sm, "start")
    assert list(sm.configuration_values) == ["failed"]


def test_validator_error_propagates_even_in_a_statechart(engine):
    """Validators are never turned into `error.execution`: their exception reaches `send()`."""

    class Chart(StateChart):
        class box(State.Compound, initial=True):
            inner = State(initial=True)
            other = State()
            go = inner.to(other, validators="reject")
            back = other.to(inner)

        crashed = State()
        error_execution = box.to(crashed)
        restart = crashed.to(box)

        def reject(self):
            raise Boom("invalid")

    sm = engine.machine(Chart)
    with pytest.raises(Boom, match="invalid"):
        engine.send(sm, "go")
    assert list(sm.configuration_values) == ["box", "inner"]


def test_statemachine_with_compound_states_propagates_and_restores(engine):
    """A StateMachine lets the error reach `send()` and keeps the stored configuration."""

    class Machine(StateMachine):
        class box(State.Compound, initial=True):
            inner = State(initial=True)
            other = State()
            go = inner.to(other, on="explode")
            back = other.to(inner)

        def explode(self):
            raise Boom("on")

    sm = engine.machine(Machine)
    with pytest.raises(Boom):
        engine.send(sm, "go")
    assert sm.model.state == OrderedSet(["box", "inner"])


# --- unhandled errors ---------------------------------------------------------------------


class Importer(StateChart):
    waiting = State(initial=True)
    importing = State()
    start = waiting.to(importing, on="read_file")
    reset = importing.to(waiting)

    def read_file(self):
        raise FileNotFoundError("data.csv")


def test_unhandled_error_is_logged_at_error_level(engine, caplog):
    """With no `error.execution` transition, the error is logged on the `statemachine` logger."""
    sm = engine.machine(Importer)
    with caplog.at_level(logging.DEBUG, logger="statemachine"):
        engine.send(sm, "start")
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.name for r in errors] == ["statemachine"]
    assert "Importer" in errors[0].getMessage()


def test_unhandled_error_log_carries_the_traceback(engine, caplog):
    """The log record holds the original exception and its traceback."""
    sm = engine.machine(Importer)
    with caplog.at_level(logging.ERROR, logger="statemachine"):
        engine.send(sm, "start")
    (record,) = caplog.records
    assert record.exc_info is not None
    exc_type, exc, tb = record.exc_info
    assert exc_type is FileNotFoundError
    assert str(exc) == "data.csv"
    assert tb is not None


def test_unhandled_error_does_not_stop_the_transition(engine, caplog):
    """After logging, the transition still completes (the action error is not fatal)."""
    sm = engine.machine(Importer)
    with caplog.at_level(logging.ERROR, logger="statemachine"):
        engine.send(sm, "start")
    assert list(sm.configuration_values) == ["importing"]


def test_handled_error_is_not_logged(engine, caplog):
    """An `error.execution` that a transition handles produces no ERROR log record."""

    class Chart(Importer):
        error_execution = Importer.importing.to(Importer.waiting)

    sm = engine.machine(Chart)
    with caplog.at_level(logging.DEBUG, logger="statemachine"):
        engine.send(sm, "start")
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert list(sm.configuration_values) == ["waiting"]


def test_error_inside_the_error_handler_is_logged_and_not_requeued(engine, caplog):
    """A handler whose `on` action raises while handling `error.execution` is logged once,
    as a warning naming the error; nothing loops."""

    class Chart(StateChart):
        idle = State(initial=True)
        busy = State()
        start = idle.to(busy, on="explode")
        stop = busy.to(idle)
        error_execution = busy.to(on="explode_again")

        def __init__(self, *args, **kwargs):
            self.handled = 0
            super().__init__(*args, **kwargs)

        def explode(self):
            raise Boom("first")

        def explode_again(self):
            self.handled += 1
            raise Boom("second")

    sm = engine.machine(Chart)
    with caplog.at_level(logging.DEBUG, logger="statemachine"):
        engine.send(sm, "start")
    assert sm.handled == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].getMessage() == "Error while processing error.execution, ignoring: second"
    assert warnings[0].exc_info[1].args == ("second",)


# --- parallel regions -----------------------------------------------------------------------


class Robot(LogMixin, StateChart):
    class robot(State.Parallel, initial=True):
        class arm(State.Compound):
            arm_idle = State(initial=True)
            arm_moving = State()
            go = arm_idle.to(arm_moving)
            park = arm_moving.to(arm_idle)

        class camera(State.Compound):
            cam_idle = State(initial=True)
            recording = State(enter="fail_recording")
            cam_error = State()
            go = cam_idle.to(recording)
            stop_recording = recording.to(cam_idle)
            error_execution = recording.to(cam_error)
            clear = cam_error.to(cam_idle)

    def fail_recording(self):
        raise Boom("camera jammed")

    def on_enter_arm_moving(self):
        self.log.append("arm moving")


def test_error_in_one_region_lets_the_other_region_finish_its_transition(engine):
    """A raising entry in one region does not stop the other region's transition."""
    sm = engine.machine(Robot)
    engine.send(sm, "go")
    assert sm.log == ["arm moving"]
    assert sm.arm_moving.is_active


def test_error_in_a_region_is_handled_by_that_regions_transition(engine):
    """The region's own `error_execution` transition handles the error; the other region
    keeps its state."""
    sm = engine.machine(Robot)
    engine.send(sm, "go")
    assert list(sm.configuration_values) == [
        "robot",
        "arm",
        "arm_moving",
        "camera",
        "cam_error",
    ]


def test_failing_action_of_one_region_does_not_skip_the_other_regions_action(engine):
    """When one event moves two regions, each transition's `on` callbacks are their own block."""

    class Chart(HandledLog, StateChart):
        class pair(State.Parallel, initial=True):
            class left(State.Compound):
                l1 = State(initial=True)
                l2 = State()
                step = l1.to(l2, on="fail_left")
                unstep = l2.to(l1)

            class right(State.Compound):
                r1 = State(initial=True)
                r2 = State()
                step = r1.to(r2, on="note_right")
                unstep = r2.to(r1)

        error_execution = pair.to(on="record")

        def fail_left(self):
            raise Boom("left")

        def note_right(self):
            self.log.append("right on")

    sm = engine.machine(Chart)
    engine.send(sm, "step")
    assert sm.log == ["right on", "handled left"]
    assert list(sm.configuration_values) == ["pair", "left", "l2", "right", "r2"]
