"""Selecting among guarded transitions: the compiled selection of flat machines behaves as
the general loop does (order, `unless`, raising guards, plain values read live)."""

from __future__ import annotations

import pytest

from statemachine import State, StateChart, StateMachine


class Router(StateChart):
    a = State(initial=True)
    b = State()
    c = State()
    d = State()

    first = False
    second = True

    go = a.to(b, cond="first") | a.to(c, cond="second", unless="blocked") | a.to(d)
    back = b.to(a) | c.to(a) | d.to(a)

    blocked = False


def test_the_first_transition_whose_guards_hold_is_taken():
    sm = Router()
    sm.send("go")
    assert sm.c.is_active


def test_unless_refuses_its_transition_and_the_next_one_is_tried():
    sm = Router()
    sm.blocked = True  # an instance attribute over the class value, read at each event
    sm.send("go")
    assert sm.d.is_active


def test_plain_class_values_are_read_live_from_the_instance():
    sm = Router()
    sm.first = True
    sm.send("go")
    assert sm.b.is_active
    sm.send("back")
    sm.first = False
    sm.send("go")
    assert sm.c.is_active


def test_a_guard_read_from_the_model_uses_the_model_value():
    class Model:
        state = None
        paid = False

    class Order(StateChart):
        new = State(initial=True)
        done = State(final=True)
        finish = new.to(done, cond="paid")

    model = Model()
    sm = Order(model)
    sm.send("finish")
    assert sm.new.is_active
    model.paid = True
    sm.send("finish")
    assert sm.done.is_active


class Fragile(StateChart):
    a = State(initial=True)
    b = State()
    c = State()
    go = a.to(b, cond="broken") | a.to(c, cond="fine")
    reset = b.to(a) | c.to(a)
    error_execution = c.to.itself(internal=True, on="record")

    fine = True

    def __init__(self):
        self.errors = []
        super().__init__()

    def broken(self):
        raise RuntimeError("sensor offline")

    def record(self, error):
        self.errors.append(str(error))


def test_a_raising_guard_becomes_error_execution_and_the_next_transition_is_tried():
    sm = Fragile()
    sm.send("go")
    assert sm.c.is_active
    assert sm.errors == ["sensor offline"]


def test_a_raising_guard_propagates_when_errors_are_not_caught():
    class Strict(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, cond="broken")

        def broken(self):
            raise ValueError("no")

    sm = Strict()
    with pytest.raises(ValueError, match="no"):
        sm.send("go")
    assert sm.a.is_active


def test_guards_are_read_in_order_and_stop_at_the_first_that_holds():
    reads = []

    class Counted(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b, cond="g1") | a.to(b, cond="g2") | a.to(b, cond="g3")
        back = b.to(a)

        def g1(self):
            reads.append("g1")
            return False

        def g2(self):
            reads.append("g2")
            return True

        def g3(self):  # pragma: no cover - must not be read
            reads.append("g3")
            return True

    sm = Counted()
    sm.send("go")
    assert reads == ["g1", "g2"]
    assert sm.b.is_active


def test_a_guard_taking_event_arguments_still_gets_them():
    class Gate(StateChart):
        closed = State(initial=True)
        open = State()
        unlock = closed.to(open, cond="right_code") | closed.to.itself(internal=True)

        def right_code(self, code):
            return code == 1234

    sm = Gate()
    sm.send("unlock", code=1)
    assert sm.closed.is_active
    sm.send("unlock", code=1234)
    assert sm.open.is_active


def test_no_transition_whose_guards_hold_leaves_the_state():
    class Stuck(StateMachine):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, cond="never")
        never = False

    sm = Stuck()
    with pytest.raises(sm.TransitionNotAllowed):
        sm.send("go")
    assert sm.a.is_active
