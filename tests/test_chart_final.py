"""Final states at runtime: `done.state.<id>` events, donedata, parallel completion,
termination, and the `done_state_` / `error_` naming conventions (spec 3.4, 1.2)."""

from __future__ import annotations

import pytest
from _chart_helpers import LogMixin

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import TransitionNotAllowed


class Order(LogMixin, StateChart):
    class checkout(State.Compound, initial=True):
        cart = State(initial=True)
        paid = State(final=True, donedata="receipt")
        pay = cart.to(paid)

    shipped = State()
    closed = State(final=True)

    done_state_checkout = checkout.to(shipped, on="ship")
    close = shipped.to(closed)

    def receipt(self):
        return {"amount": 42, "currency": "EUR"}

    def ship(self, amount, currency):
        self.log.append((amount, currency))


def test_entering_a_final_child_completes_its_parent(engine):
    """Entering a final child queues `done.state.<parent>`, handled in the same macrostep."""
    sm = engine.machine(Order)
    engine.send(sm, "pay")
    assert list(sm.configuration_values) == ["shipped"]


def test_donedata_dict_becomes_keyword_arguments_of_the_done_event(engine):
    """A dict returned by `donedata` is passed as keyword arguments to the done handlers."""
    sm = engine.machine(Order)
    engine.send(sm, "pay")
    assert sm.log == [(42, "EUR")]


def test_donedata_of_a_top_level_final_state_runs_on_a_flat_machine(engine):
    """A flat machine's top-level final state runs its donedata as it is entered (there is
    no parent to complete, but the callback runs, as it does in a statechart)."""

    class Flat(StateChart):
        a = State(initial=True)
        b = State(final=True, donedata="summary")
        go = a.to(b)

        def __init__(self, *args, **kwargs):
            self.calls: list[str] = []
            super().__init__(*args, **kwargs)

        def summary(self):
            self.calls.append("summary")
            return {"total": 1}

    sm = engine.machine(Flat)
    assert sm.calls == []
    engine.send(sm, "go")
    assert sm.calls == ["summary"]
    assert sm.is_terminated


def test_non_dict_donedata_becomes_a_positional_argument(engine):
    """A donedata value that is not a dict reaches the done handlers as a positional arg."""

    class Chart(StateChart):
        class job(State.Compound, initial=True):
            running = State(initial=True)
            finished = State(final=True, donedata=lambda: 7)
            complete = running.to(finished)

        reported = State(final=True)
        done_state_job = job.to(reported, on="report")

        def __init__(self, *args, **kwargs):
            self.got: list[object] = []
            super().__init__(*args, **kwargs)

        def report(self, *args):
            self.got.append(args)

    sm = engine.machine(Chart)
    engine.send(sm, "complete")
    assert sm.got == [(7,)]


def test_done_state_attribute_registers_the_dotted_event_id(engine):
    """`done_state_<id>` also declares the event `done.state.<id>`, which can be sent too."""

    class Chart(StateChart):
        class task(State.Compound, initial=True):
            todo = State(initial=True)
            done = State(final=True)
            finish = todo.to(done)

        idle = State(final=True)
        done_state_task = task.to(idle)

    assert {e.id for e in Chart.events} == {"finish", "done_state_task", "done.state.task"}
    sm = engine.machine(Chart)
    engine.send(sm, "done.state.task")
    assert list(sm.configuration_values) == ["idle"]


def test_done_state_prefix_keeps_underscores_of_the_state_id(engine):
    """Only the `done_state_` prefix is dotted: `done_state_my_task` means `done.state.my_task`."""

    class Chart(StateChart):
        class my_task(State.Compound, initial=True):
            todo = State(initial=True)
            done = State(final=True)
            finish = todo.to(done)

        idle = State(final=True)
        done_state_my_task = my_task.to(idle)

    sm = engine.machine(Chart)
    engine.send(sm, "finish")
    assert list(sm.configuration_values) == ["idle"]


def test_error_prefix_registers_a_dotted_event_id(engine):
    """`error_<a>_<b>` also declares the event `error.<a>.<b>`."""

    class Chart(StateChart):
        ok = State(initial=True)
        degraded = State()
        error_disk_full = ok.to(degraded)
        recover = degraded.to(ok)

    assert {"error_disk_full", "error.disk.full"} <= {e.id for e in Chart.events}
    sm = engine.machine(Chart)
    engine.send(sm, "error.disk.full")
    assert list(sm.configuration_values) == ["degraded"]


def test_naming_conventions_apply_inside_a_compound_body(engine):
    """A `done_state_` event declared in a compound body also gets its dotted id."""

    class Chart(StateChart):
        class outer(State.Compound, initial=True):
            class inner(State.Compound, initial=True):
                working = State(initial=True)
                finished = State(final=True)
                finish = working.to(finished)

            after_inner = State(final=True)
            done_state_inner = inner.to(after_inner)

    sm = engine.machine(Chart)
    engine.send(sm, "finish")
    assert list(sm.configuration_values) == ["outer", "after_inner"]


def test_done_event_is_raised_only_for_the_direct_parent(engine):
    """A final child completes its parent only; the grandparent is not done."""

    class Chart(StateChart):
        class outer(State.Compound, initial=True):
            class inner(State.Compound, initial=True):
                working = State(initial=True)
                finished = State(final=True)
                finish = working.to(finished)

        elsewhere = State(final=True)
        done_state_outer = outer.to(elsewhere)

    sm = engine.machine(Chart)
    engine.send(sm, "finish")
    assert list(sm.configuration_values) == ["outer", "inner", "finished"]


def test_done_state_of_a_parent_is_not_raised_before_a_final_child_is_entered(engine):
    """Moving between non-final children does not complete the parent."""

    class Chart(StateChart):
        class job(State.Compound, initial=True):
            a = State(initial=True)
            b = State()
            c = State(final=True)
            step = a.to(b) | b.to(c)

        done = State(final=True)
        done_state_job = job.to(done)

    sm = engine.machine(Chart)
    engine.send(sm, "step")
    assert list(sm.configuration_values) == ["job", "b"]
    engine.send(sm, "step")
    assert list(sm.configuration_values) == ["done"]


class Exam(StateChart):
    class exam(State.Parallel, initial=True):
        class theory(State.Compound):
            studying = State(initial=True)
            passed = State(final=True)
            pass_theory = studying.to(passed)

        class practice(State.Compound):
            training = State(initial=True)
            approved = State(final=True)
            pass_practice = training.to(approved)

        done_state_theory = theory.to()
        done_state_practice = practice.to()

    licensed = State(final=True)
    done_state_exam = exam.to(licensed)

    def __init__(self, *args, **kwargs):
        self.done_events: list[str] = []
        super().__init__(*args, **kwargs)

    def on_transition(self, event):
        self.done_events.append(str(event))


def test_parallel_is_not_done_while_one_region_is_unfinished(engine):
    """A parallel completes only when every region is in a final state."""
    sm = engine.machine(Exam)
    engine.send(sm, "pass_theory")
    assert list(sm.configuration_values) == [
        "exam",
        "theory",
        "passed",
        "practice",
        "training",
    ]
    assert not sm.is_terminated


def test_parallel_is_done_when_every_region_is_final(engine):
    """Once all regions are final, `done.state.<parallel>` is raised and handled."""
    sm = engine.machine(Exam)
    engine.send(sm, "pass_theory")
    engine.send(sm, "pass_practice")
    assert list(sm.configuration_values) == ["licensed"]


def test_region_done_events_precede_the_parallel_done_event(engine):
    """Each region's `done.state` is raised when it completes, then the parallel's."""
    sm = engine.machine(Exam)
    # The initial entry enters each region by default: their initial transitions' `on`
    # actions (here `on_transition`) run under `__initial__`.
    assert sm.done_events == ["__initial__", "__initial__"]
    sm.done_events.clear()
    engine.send(sm, "pass_theory")
    assert sm.done_events == ["pass_theory", "done.state.theory"]
    engine.send(sm, "pass_practice")
    assert sm.done_events == [
        "pass_theory",
        "done.state.theory",
        "pass_practice",
        "done.state.practice",
        "done.state.exam",
    ]


def test_top_level_final_state_terminates_the_machine(engine):
    """Entering a top-level final state sets `is_terminated`."""
    sm = engine.machine(Order)
    engine.send(sm, "pay")
    assert not sm.is_terminated
    engine.send(sm, "close")
    assert sm.is_terminated


def test_nested_final_state_does_not_terminate_the_machine(engine):
    """A final state inside a compound completes the compound, not the machine."""

    class Chart(StateChart):
        class job(State.Compound, initial=True):
            a = State(initial=True)
            b = State(final=True)
            finish = a.to(b)

        other = State(final=True)
        abandon = job.to(other)

    sm = engine.machine(Chart)
    engine.send(sm, "finish")
    assert list(sm.configuration_values) == ["job", "b"]
    assert not sm.is_terminated


def test_top_level_parallel_terminates_when_all_regions_are_final(engine):
    """A machine made only of a parallel terminates once every region is final."""

    class Chart(StateChart):
        class both(State.Parallel):
            class left(State.Compound):
                l_busy = State(initial=True)
                l_done = State(final=True)
                finish_left = l_busy.to(l_done)

            class right(State.Compound):
                r_busy = State(initial=True)
                r_done = State(final=True)
                finish_right = r_busy.to(r_done)

    sm = engine.machine(Chart)
    engine.send(sm, "finish_left")
    assert not sm.is_terminated
    engine.send(sm, "finish_right")
    assert sm.is_terminated


def test_statechart_ignores_events_after_termination(engine):
    """After termination a StateChart ignores events and keeps its configuration."""

    class Chart(StateChart):
        a = State(initial=True)
        b = State()
        end = State(final=True)
        go = a.to(b) | b.to(a)
        stop = a.to(end) | b.to(end)

    sm = engine.machine(Chart)
    engine.send(sm, "stop")
    engine.send(sm, "go")
    assert list(sm.configuration_values) == ["end"]


def test_statemachine_raises_on_events_after_termination(engine):
    """After termination a StateMachine raises TransitionNotAllowed for any event."""

    class Machine(StateMachine):
        class job(State.Compound, initial=True):
            a = State(initial=True)
            b = State()
            go = a.to(b) | b.to(a)

        end = State(final=True)
        stop = job.to(end)

    sm = engine.machine(Machine)
    engine.send(sm, "stop")
    assert sm.is_terminated
    with pytest.raises(TransitionNotAllowed):
        engine.send(sm, "go")


def test_done_handler_from_an_inner_state_sees_the_donedata(engine):
    """Keyword donedata is injected by name into the `on` callback of the done transition."""

    class Chart(StateChart):
        class upload(State.Compound, initial=True):
            sending = State(initial=True)
            sent = State(final=True, donedata=lambda: {"size": 3})
            complete = sending.to(sent)

        idle = State(final=True)
        done_state_upload = upload.to(idle)

        def __init__(self, *args, **kwargs):
            self.sizes: list[int] = []
            super().__init__(*args, **kwargs)

        def on_done_state_upload(self, size):
            self.sizes.append(size)

    sm = engine.machine(Chart)
    engine.send(sm, "complete")
    assert sm.sizes == [3]


def test_a_path_to_a_final_state_through_a_compound_entry_is_accepted(engine):
    """Entering a compound enters its initial child, so a state whose only way to a final
    state goes through a compound's default entry still has a path to a final state."""

    class Chart(StateChart):
        start = State(initial=True)
        end = State(final=True)

        class box(State.Compound):
            a = State(initial=True)
            b = State()
            go = a.to(b)

        open_box = start.to(box)
        finish = box.b.to(end)

    sm = engine.machine(Chart)
    engine.send(sm, "open_box")
    engine.send(sm, "go")
    engine.send(sm, "finish")
    assert sm.is_terminated


def test_targeting_a_final_child_directly_completes_its_parent(engine):
    """A transition from outside straight to a compound's final child raises its done event."""

    class Chart(StateChart):
        start = State(initial=True)

        class box(State.Compound):
            a = State(initial=True)
            b = State(final=True)
            go = a.to(b)

        after = State(final=True)
        jump = start.to(box.b)
        done_state_box = box.to(after)

    sm = engine.machine(Chart)
    engine.send(sm, "jump")
    assert list(sm.configuration_values) == ["after"]


def test_done_event_raised_during_construction_is_handled_before_it_returns(engine):
    """A final child reached by eventless transitions at start completes its parent at once."""

    class Chart(StateChart):
        class box(State.Compound, initial=True):
            a = State(initial=True)
            b = State(final=True)
            a.to(b)

        after = State(final=True)
        done_state_box = box.to(after)

    sm = engine.machine(Chart)
    assert list(sm.configuration_values) == ["after"]
    assert sm.is_terminated
