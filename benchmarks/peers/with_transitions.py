"""Peer scenarios on transitions: its ``Machine`` on a model object.

Written from transitions' documentation. Every machine is built with ``auto_transitions=False``:
by default transitions adds a ``to_<state>()`` event per state, which our machines do not have
(with 50 states that would be 2,500 more transitions to build). Triggers are called as the
model's methods (``model.cycle()``), as the documentation does; callbacks and guards are
named by string and resolved on the model; ``on_enter_<state>`` methods of the model are picked
up by name.
"""

from __future__ import annotations

from typing import Any

from benchmarks._timing import bytes_per_instance, per_op_ns

from ._common import (
    CYCLE,
    INSTANCES,
    N_GUARDS,
    N_STATES,
    Doc,
    check_cycle,
    check_toggle,
    check_trace,
    define_edges,
    define_walk,
    main,
    timed_batches,
    timed_definitions,
)

WHO = "transitions"
_NEXT = dict(zip(CYCLE, CYCLE[1:] + CYCLE[:1], strict=True))


def _cycle_options(**callbacks: str) -> dict[str, Any]:
    """The 3-state cycle: one trigger ``cycle``, green -> yellow -> red -> green."""
    rows = [
        {"trigger": "cycle", "source": source, "dest": dest, **callbacks}
        for source, dest in _NEXT.items()
    ]
    return {
        "states": list(CYCLE),
        "transitions": rows,
        "initial": "green",
        "auto_transitions": False,
    }


CYCLE_OPTIONS = _cycle_options()


def _light_class() -> type:
    """A model that creates its own machine, as in transitions' quickstart."""
    from transitions import Machine

    class Light:
        def __init__(self) -> None:
            self.machine = Machine(model=self, **CYCLE_OPTIONS)

    return Light


def _checks(model: Any, start: bool = False) -> None:
    check_cycle(WHO, model.trigger, lambda: model.state, start=start)


def send() -> dict[str, Any]:
    light = _light_class()()
    _checks(light, start=True)
    result = per_op_ns("cycle()", {"cycle": light.cycle})
    _checks(light)
    return {"send": result}


class CallbackLight:
    """S2's callbacks on a model: guard ``ok``, ``before_cycle``, ``on_enter_<state>``,
    ``after_cycle``; each bumps a counter."""

    count = 0
    guards = 0

    def ok(self) -> bool:
        self.guards += 1
        return True

    def before_cycle(self) -> None:
        self.count += 1

    def on_enter_green(self) -> None:
        self.count += 1

    def on_enter_yellow(self) -> None:
        self.count += 1

    def on_enter_red(self) -> None:
        self.count += 1

    def after_cycle(self) -> None:
        self.count += 1


def callbacks() -> dict[str, Any]:
    from transitions import Machine

    def check(model: CallbackLight) -> None:
        count, guards = model.count, model.guards
        _checks(model)
        got = (model.guards - guards, model.count - count)
        assert got == (3, 9), f"{WHO}: expected 3 guard calls and 9 callbacks, got {got}"

    model = CallbackLight()
    options = _cycle_options(conditions="ok", before="before_cycle", after="after_cycle")
    Machine(model=model, **options)
    check(model)
    result = per_op_ns("cycle()", {"cycle": model.cycle})  # type: ignore[attr-defined]
    check(model)
    return {"send": result}


def _guard_model(log: list[str] | None = None) -> Any:
    """``go`` with N_GUARDS transitions from each of ``a`` and ``b``, conditions ``g1`` ...
    ``gN`` (methods of the model, all False but the last): transitions tries them in order."""
    from transitions import Machine

    names = [f"g{i}" for i in range(1, N_GUARDS + 1)]
    model = type("GuardModel", (), {name: _guard(name, name == names[-1], log) for name in names})()
    rows = [
        {"trigger": "go", "source": source, "dest": dest, "conditions": name}
        for source, dest in (("a", "b"), ("b", "a"))
        for name in names
    ]
    Machine(model=model, states=["a", "b"], transitions=rows, initial="a", auto_transitions=False)
    return model


def _guard(name: str, value: bool, log: list[str] | None) -> Any:
    if log is None:
        return lambda self: value

    def counted(self: Any) -> bool:
        log.append(name)
        return value

    return counted


def guards() -> dict[str, Any]:
    log: list[str] = []
    counted = _guard_model(log)
    log.clear()
    counted.go()
    want = [f"g{i}" for i in range(1, N_GUARDS + 1)]
    assert log == want, f"{WHO}: one event should call the guards {want}, called {log}"
    model = _guard_model()
    check_toggle(WHO, model.trigger, lambda: model.state, start=True)
    result = per_op_ns("go()", {"go": model.go})
    check_toggle(WHO, model.trigger, lambda: model.state)
    return {"send": result}


def _shared_machine() -> Any:
    """One machine for many models (``Machine(model=None)``, then ``add_model``)."""
    from transitions import Machine

    return Machine(model=None, **CYCLE_OPTIONS)


def init() -> dict[str, Any]:
    """A model that creates its own machine (``Light()``)."""
    light_class = _light_class()
    _checks(light_class(), start=True)
    return {"init": per_op_ns("cls()", {"cls": light_class})}


def memory() -> dict[str, Any]:
    light_class = _light_class()
    _checks(light_class(), start=True)
    shared = _shared_machine()

    def added() -> Doc:
        doc = Doc()
        shared.add_model(doc)
        return doc

    return {"bytes": bytes_per_instance(light_class), "bytes_add_model": bytes_per_instance(added)}


def define() -> dict[str, Any]:
    """Build the 50 states and 100 transitions as transitions' lists, then the ``Machine``."""
    from transitions import Machine

    def build(_: int) -> Any:
        names = [f"s{i}" for i in range(N_STATES)]
        states: list[Any] = [*names[:-1], {"name": names[-1], "final": True}]
        rows = [
            {"trigger": event, "source": source, "dest": dest}
            for event, edges in define_edges().items()
            for source, dest in edges
        ]
        return Machine(
            model=None, states=states, transitions=rows, initial="s0", auto_transitions=False
        )

    summary, machine = timed_definitions(build)
    doc = Doc()
    machine.add_model(doc)  # type: ignore[attr-defined]
    events, states = define_walk()
    check_trace(WHO, doc.trigger, lambda: doc.state, events, states)  # type: ignore[attr-defined]
    return {"define": summary}


def many() -> dict[str, Any]:
    """INSTANCES plain ``Doc`` models, one ``cycle`` event to each: a machine per model
    (``Machine(model=doc)``, headline), and one machine for all (``Machine(model=[...])``).

    Both are documented; the shared machine costs less memory per model, but ``add_model``
    looks the new model up in the machine's list of models, so its cost grows with the list.
    """
    from transitions import Machine

    def own_machines() -> list[Any]:
        docs: list[Any] = [Doc() for _ in range(INSTANCES)]
        machines = [Machine(model=doc, **CYCLE_OPTIONS) for doc in docs]
        for doc in docs:
            doc.cycle()
        assert len(machines) == INSTANCES
        return docs

    def shared_machine() -> list[Any]:
        docs: list[Any] = [Doc() for _ in range(INSTANCES)]
        Machine(model=docs, **CYCLE_OPTIONS)
        for doc in docs:
            doc.cycle()
        return docs

    def check(docs: list[Any]) -> None:
        states = {doc.state for doc in docs}
        assert states == {CYCLE[1]}, f"{WHO}: expected every model in 'yellow', got {states}"

    return {
        "batch": timed_batches(own_machines, check),
        "batch_shared": timed_batches(shared_machine, check),
    }


SCENARIOS = {
    "send": send,
    "callbacks": callbacks,
    "guards": guards,
    "init": init,
    "memory": memory,
    "define": define,
    "many": many,
}

if __name__ == "__main__":
    main("transitions", SCENARIOS)
