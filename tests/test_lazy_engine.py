"""A machine builds its engine on first use: creating one that nothing happens to costs two
references. Everything observable stays as it was with an engine built at construction."""

from __future__ import annotations

import threading

import pytest

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import InvalidStateValue, TransitionNotAllowed


class Light(StateMachine):
    green = State(initial=True)
    yellow = State()
    red = State(final=True)
    cycle = green.to(yellow) | yellow.to(red)


class Model:
    def __init__(self, state=None):
        self.state = state


def _has_engine(sm) -> bool:
    return sm._engine is not None


def _from_four_threads(work) -> None:
    """Run ``work`` in four threads released at once, and wait for them."""
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        work()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_a_fresh_machine_with_a_quiet_initial_entry_has_no_engine_yet():
    sm = Light()
    assert sm.model.state == "green"
    assert not _has_engine(sm)
    sm.send("cycle")
    assert _has_engine(sm)
    assert [s.id for s in sm.configuration] == ["yellow"]


def test_the_second_instance_of_a_class_takes_the_remembered_start():
    first, second = Light(Model()), Light(Model())
    assert first.model.state == second.model.state == "green"
    assert not _has_engine(second)
    second.cycle()
    assert second.model.state == "yellow"
    assert first.model.state == "green"


def test_an_instance_attribute_named_like_a_callback_is_still_found():
    """A model whose own __dict__ holds `on_enter_green` makes the entry not quiet."""
    Light()  # the class now remembers its quiet start for plain models
    seen = []
    model = Model()
    model.on_enter_green = lambda: seen.append("enter green")
    Light(model)
    assert seen == ["enter green"]


def _late_callback_runs(cls) -> bool:
    """Whether an `on_enter_yellow` given to the model after the machine was created runs."""
    cls()  # the class now knows its start
    seen = []
    model = Model()
    sm = cls(model)
    model.on_enter_yellow = lambda: seen.append("yellow")
    sm.send("cycle")
    assert model.state == "yellow"
    return bool(seen)


def test_callbacks_are_found_when_the_machine_is_created_engine_built_or_not():
    """An attribute the model gains after the machine was created is not a callback, whether
    the engine was built at creation or waits for the first event."""

    class Entering(Light):
        def on_enter_green(self):
            pass  # an entry callback: the engine is built at creation

    assert not _late_callback_runs(Light)
    assert not _late_callback_runs(Entering)


def test_a_subclass_init_that_sets_callbacks_before_ours_is_honoured():
    class Noisy(Light):
        def __init__(self, *args, **kwargs):
            self.log = []
            self.on_enter_green = lambda: self.log.append("green")
            super().__init__(*args, **kwargs)

    Noisy()
    sm = Noisy()
    assert sm.log == ["green"]


def test_a_restored_flat_machine_checks_its_value_at_construction():
    with pytest.raises(InvalidStateValue, match="'blue'"):
        Light(Model("blue"))


def test_a_restored_machine_in_a_final_state_is_terminated_when_first_used():
    sm = Light(Model("red"))
    assert not _has_engine(sm)
    assert sm.is_terminated
    with pytest.raises(TransitionNotAllowed):
        sm.send("cycle")


def test_a_value_made_invalid_before_first_use_raises_on_first_use():
    model = Model()
    sm = Light(model)
    model.state = "blue"
    with pytest.raises(InvalidStateValue, match="'blue'"):
        sm.send("cycle")


def test_threads_sending_the_first_events_share_one_engine():
    class Counter(StateChart):
        idle = State(initial=True)
        idle.to.itself(event="tick", on="count")

        def __init__(self):
            self.ticks = 0
            super().__init__()

        def count(self):
            self.ticks += 1

    for _ in range(20):
        sm = Counter()
        engines = []

        def hit(sm=sm, engines=engines):
            engines.append(sm._get_engine())
            for _ in range(50):
                sm.send("tick")

        _from_four_threads(hit)
        assert len({id(e) for e in engines}) == 1
        assert sm.ticks == 200


def test_listeners_take_the_engine_path_and_still_run():
    class Listener:
        def __init__(self):
            self.entered = []

        def on_enter_state(self, target):
            self.entered.append(target.id)

    listener = Listener()
    sm = Light(listeners=[listener])
    sm.cycle()
    assert listener.entered == ["green", "yellow"]


def test_a_state_field_other_than_state_is_kept_per_instance():
    class Doc:
        status = None

    doc = Doc()
    sm = Light(doc, state_field="status")
    assert sm.state_field == "status"
    assert doc.status == "green"
    assert Light().state_field == "state"


def test_pickling_a_machine_that_never_ran_keeps_its_state():
    import pickle

    sm = Light()
    clone = pickle.loads(pickle.dumps(sm))
    assert clone.green.is_active
    clone.cycle()
    assert clone.yellow.is_active
    assert sm.green.is_active


def test_a_missing_attribute_still_raises_attribute_error_naming_it():
    sm = Light()
    with pytest.raises(AttributeError, match="'Light' object has no attribute 'nothing'"):
        sm.nothing
    assert getattr(sm, "nothing", "default") == "default"


def test_a_machine_with_its_own_getattr_keeps_it_and_still_builds_its_engine():
    class Dynamic(Light):
        def __getattr__(self, name):
            if name.startswith("x_"):
                return name[2:]
            raise AttributeError(name)

    sm = Dynamic()
    assert sm.x_ray == "ray"
    sm.send("cycle")
    assert sm.yellow.is_active
    with pytest.raises(AttributeError):
        sm.other


def test_a_mixin_getattr_before_the_machine_class_keeps_working():
    class Fallback:
        def __getattr__(self, name):
            return f"<{name}>"

    class Mixed(Fallback, Light):
        pass

    sm = Mixed()
    assert sm.whatever == "<whatever>"
    sm.send("cycle")
    assert sm.yellow.is_active


def test_a_flat_machine_restored_from_a_set_takes_its_one_value():
    """A statechart stores a set of values; a flat machine is in one state: a set of one
    value is that value (stored back as it), anything else is refused when restoring."""
    from statemachine.orderedset import OrderedSet

    with pytest.raises(InvalidStateValue, match="'green', 'yellow'"):
        Light(Model(OrderedSet(["green", "yellow"])))
    with pytest.raises(InvalidStateValue, match="'blue'"):
        Light(Model(OrderedSet(["blue"])))
    model = Model(OrderedSet(["yellow"]))
    sm = Light(model)
    assert not _has_engine(sm)
    assert model.state == "yellow"
    assert sm.yellow.is_active
    assert [s.id for s in sm.configuration] == ["yellow"]
    sm.send("cycle")
    assert model.state == "red"


def test_an_unhashable_value_set_on_a_running_machine_is_reported():
    model = Model()
    sm = Light(model)
    sm.send("cycle")
    sm._get_engine()  # the engine's own path, whichever path the send took
    model.state = ["yellow"]
    with pytest.raises(InvalidStateValue, match=r"\['yellow'\]"):
        sm.send("cycle")


# --- events sent before the engine is built ---------------------------------------------------


class Ring(StateMachine):
    """Plain transitions only, on one event: the quiet path can carry every send."""

    a = State(initial=True)
    b = State()
    c = State()
    step = a.to(b) | b.to(c) | c.to(a)


def _warm(cls, event, state=None):
    """Make ``cls`` know ``event`` (the first machine that is sent it builds the engine
    that learns it)."""
    cls(Model(state)).send(event)
    assert event in next(iter(cls._recipes.values())).program.table


def test_a_plain_event_moves_a_machine_without_building_its_engine():
    _warm(Ring, "step")
    model = Model()
    sm = Ring(model)
    sm.send("step")
    sm.step()  # the bound event takes the same path
    assert model.state == "c"
    assert not _has_engine(sm)
    assert sm.c.is_active
    assert [s.id for s in sm.configuration] == ["c"]
    sm.send("step")
    assert model.state == "a"


def test_guards_final_states_and_queue_options_build_the_engine():
    class Gate(StateMachine):
        shut = State(initial=True)
        open = State()
        gone = State(final=True)
        push = shut.to(open, cond="allowed") | open.to(shut)
        leave = open.to(gone)
        allowed = True

    _warm(Gate, "push")
    _warm(Gate, "leave", "open")

    guarded = Gate()
    guarded.send("push")  # a guard runs: the engine does it
    assert _has_engine(guarded)
    assert guarded.open.is_active

    to_final = Gate(Model("open"))
    to_final.send("leave")
    assert _has_engine(to_final)
    assert to_final.is_terminated

    with_id = Gate(Model("open"))
    with_id.send("push", send_id="one")
    assert _has_engine(with_id)
    assert with_id.shut.is_active

    internal = Gate(Model("open"))
    internal.send("push", internal=True)
    assert _has_engine(internal)
    assert internal.shut.is_active


def test_an_unknown_event_or_a_refused_one_takes_the_engine_path_and_raises():
    _warm(Light, "cycle")
    sm = Light(Model("red"))
    with pytest.raises(TransitionNotAllowed):
        sm.send("cycle")  # red is final: no transition, the engine says so
    assert _has_engine(sm)
    fresh = Light()
    with pytest.raises(TransitionNotAllowed):
        fresh.send("no_such_event")
    assert fresh.green.is_active


def test_an_unhashable_stored_value_is_reported_by_the_engine_path():
    _warm(Ring, "step")
    model = Model()
    sm = Ring(model)
    model.state = ["not", "hashable"]
    with pytest.raises(InvalidStateValue, match="not', 'hashable"):
        sm.send("step")


def test_event_defaults_and_prepare_callbacks_keep_the_engine_path():
    from statemachine import Event

    class Later(StateMachine):
        a = State(initial=True)
        b = State()
        go = Event(a.to(b) | b.to(a), delay=0.001)

    class Prepared(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b) | b.to(a)

        def prepare_event(self, event):
            self.prepared = [*getattr(self, "prepared", []), event]

    for cls in (Later, Prepared):
        _warm(cls, "go")
        sm = cls()
        sm.send("go")
        assert _has_engine(sm), cls.__name__
        assert sm.b.is_active
    assert sm.prepared == ["__initial__", "go"]


def test_threads_sending_before_the_engine_exists_apply_every_event_once():
    _warm(Ring, "step")
    for _ in range(10):
        sm = Ring()

        def hit(sm=sm):
            for _ in range(30):
                sm.send("step")

        _from_four_threads(hit)
        assert sm.model.state == "a"  # 120 steps around a ring of 3


def test_a_listener_added_after_quiet_sends_sees_the_next_events():
    _warm(Ring, "step")
    sm = Ring()
    sm.send("step")
    seen = []

    class Listener:
        def on_enter_state(self, target):
            seen.append(target.id)

    sm.add_listener(Listener())
    sm.send("step")
    assert seen == ["c"]
