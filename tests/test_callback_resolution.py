"""How callback specs resolve: kinds of callables, where names are looked up (spec 2.1, 2.3)."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from statemachine import State, StateChart
from statemachine.exceptions import AttrNotFound


class Model:
    def __init__(self, **attrs: Any) -> None:
        self.state = None
        self.__dict__.update(attrs)


def machine_with(**transition_kwargs: Any) -> type[StateChart]:
    """A two-state chart whose `go` transition gets ``transition_kwargs``."""

    class Machine(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b, **transition_kwargs) | b.to(a)

    return Machine


# --- kinds of callables ---------------------------------------------------------------------


class WithStatic(StateChart):
    a = State(initial=True)
    b = State()
    go = a.to(b, cond="big_enough", on="describe") | b.to(a)

    @staticmethod
    def big_enough(amount: int = 0) -> bool:
        return amount > 10

    @staticmethod
    def describe() -> str:
        return "static"


def test_static_method_named_as_guard_gets_injected_arguments(engine):
    """A staticmethod named in `cond=` is called without `self`, with the args it declares."""
    sm = engine.machine(WithStatic)
    engine.send(sm, "go", amount=5)
    assert sm.a.is_active
    engine.send(sm, "go", amount=50)
    assert sm.b.is_active


def test_static_method_without_parameters_is_called_plainly(engine):
    """A parameterless staticmethod action runs and its result is returned by send()."""
    sm = engine.machine(WithStatic)
    assert engine.send(sm, "go", amount=50) == "static"


class Greeter:
    """A callable object: not a function, so it is called through its signature."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, event: str, source: State) -> str:
        self.calls.append((str(event), source.id))
        return "greeted"


def test_callable_object_receives_the_arguments_it_declares(engine):
    """An instance with `__call__` used as a callback gets its declared parameters injected."""
    greeter = Greeter()
    sm = engine.machine(machine_with(on=greeter))
    assert engine.send(sm, "go") == "greeted"
    assert greeter.calls == [("go", "a")]


class Unhashable(Greeter):
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return self is other


def test_unhashable_callable_object_works_as_a_callback(engine):
    """A callback that cannot be hashed (so its signature cannot be cached) still runs."""
    callback = Unhashable()
    sm = engine.machine(machine_with(on=callback))
    engine.send(sm, "go")
    assert callback.calls == [("go", "a")]


def test_partial_receives_bound_and_injected_arguments(engine):
    """A functools.partial callback gets its bound arguments plus the injected ones."""

    def label(prefix: str, event: str) -> str:
        return f"{prefix}:{event}"

    sm = engine.machine(machine_with(on=functools.partial(label, "p")))
    assert engine.send(sm, "go") == "p:go"


def test_builtin_without_signature_receives_every_keyword(engine):
    """A builtin whose signature cannot be read (`dict`) is passed all kwargs and injectables."""
    sm = engine.machine(machine_with(on=dict))
    result = engine.send(sm, "go", size=3)
    assert result["size"] == 3
    assert result["source"] is type(sm).a
    assert result["event"] == "go"
    assert result["machine"] is sm


def test_several_decorators_on_one_state_all_run_in_declaration_order(engine):
    """Two `@state.enter` decorators on the same state both run, first declared first."""

    class Lamp(StateChart):
        off = State(initial=True)
        on = State()
        switch = off.to(on) | on.to(off)

        @on.enter
        def first(self):
            self.log.append("first")

        @on.enter
        def second(self):
            self.log.append("second")

    sm = engine.machine(Lamp)
    sm.log = []
    engine.send(sm, "switch")
    assert sm.log == ["first", "second"]


def test_each_state_has_its_own_callback_lists():
    """Adding an enter callback to one state leaves the others without it."""

    class Pair(StateChart):
        x = State(initial=True, enter="hello")
        y = State()
        go = x.to(y) | y.to(x)

        def hello(self):
            pass

    assert [spec.label for spec in Pair.x.enter] == ["hello"]
    assert len(Pair.y.enter) == 0


def test_instance_state_shows_the_callbacks_of_the_declared_state(engine):
    """`sm.<state>.enter` on an instance lists the same callbacks as the class-level state."""

    class Pair(StateChart):
        x = State(initial=True, enter="hello")
        y = State()
        go = x.to(y) | y.to(x)

        def hello(self):
            pass

    sm = engine.machine(Pair)
    assert [spec.label for spec in sm.x.enter] == ["hello"]


def test_callback_list_repr_shows_group_and_labels():
    """The repr of a callback list names its group and each callback's label."""

    def helper():
        pass

    class Described(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b, on=["by_name", helper, functools.partial(helper)]) | b.to(a)

    transition = Described.go.transitions[0]
    text = repr(transition.on)
    assert text.startswith("CallbackSpecList(on, ['by_name', 'helper', 'functools.partial(")


def test_callback_spec_repr_shows_label_group_and_priority():
    """Each declared callback's repr names it, its group and its priority."""
    machine = machine_with(cond="ready")
    specs = [repr(spec) for spec in machine.go.transitions[0].cond]
    assert specs == ["CallbackSpec('ready', cond, priority=10)"]


# --- where names are looked up ----------------------------------------------------------------


def test_callable_on_the_model_instance_is_called_with_its_declared_arguments(engine):
    """A function stored on the model instance is called with the event arguments it declares."""
    model = Model(allowed=lambda amount: amount < 3)
    sm = engine.machine(machine_with(cond="allowed"), model=model)
    engine.send(sm, "go", amount=5)
    assert sm.a.is_active
    engine.send(sm, "go", amount=1)
    assert sm.b.is_active


def test_parameterless_callable_on_the_model_instance_is_called(engine):
    """A no-argument function stored on the model instance is called, not used as a value."""
    model = Model(allowed=lambda: False)
    sm = engine.machine(machine_with(cond="allowed"), model=model)
    engine.send(sm, "go")
    assert sm.a.is_active


def test_model_attribute_is_read_at_each_event(engine):
    """A plain value on the model instance is re-read every time the guard runs."""
    model = Model(allowed=False)
    sm = engine.machine(machine_with(cond="allowed"), model=model)
    engine.send(sm, "go")
    model.allowed = True
    engine.send(sm, "go")
    assert sm.b.is_active


def test_the_state_field_is_not_a_callback_name():
    """The model attribute that stores the state is never resolved as a callback."""
    with pytest.raises(AttrNotFound, match="Did not found name 'state' from model or statemachine"):
        machine_with(cond="state")()


def test_library_attributes_of_the_machine_are_not_callback_names():
    """Names defined by the library's base class (`is_terminated`) are not resolved on the
    machine, so a guard naming one fails at instantiation."""
    with pytest.raises(AttrNotFound, match="'is_terminated'"):
        machine_with(cond="is_terminated")()


def test_a_library_attribute_name_resolves_on_the_model(engine):
    """A model attribute named like a library attribute of the machine is used."""
    sm = engine.machine(machine_with(cond="is_terminated"), model=Model(is_terminated=False))
    engine.send(sm, "go")
    assert sm.a.is_active


class Account:
    def __init__(self, balance: int) -> None:
        self.state = None
        self.balance = balance

    @property
    def solvent(self) -> bool:
        return self.balance > 0


def test_property_of_another_class_resolves_by_its_getter_name(engine):
    """A property object from the model's class, given as guard, is looked up by its name."""
    machine = machine_with(cond=Account.solvent)
    poor = engine.machine(machine, model=Account(0))
    rich = engine.machine(machine, model=Account(10))
    engine.send(poor, "go")
    engine.send(rich, "go")
    assert poor.a.is_active
    assert rich.b.is_active


def test_property_that_resolves_nowhere_is_reported_by_its_getter_name():
    """Without an owner defining it, a property guard is reported under the getter's name."""
    with pytest.raises(AttrNotFound, match="Did not found name 'solvent'"):
        machine_with(cond=Account.solvent)()


def test_an_event_object_given_as_a_callback_before_it_is_named_sends_that_event():
    """``after=nxt`` with ``nxt = Event(...)`` declared above (and named by the class
    statement) sends ``nxt`` after the transition."""
    from statemachine import Event, State, StateMachine

    class Pipeline(StateMachine):
        a = State(initial=True)
        b = State()
        c = State()
        nxt = Event(b.to(c))
        go = a.to(b, after=nxt)

    sm = Pipeline()
    sm.send("go")
    assert sm.c.is_active
