"""Peer scenarios on the python-statemachine 3.2 API: our library, and python-statemachine.

Both libraries have this API under the import name ``statemachine``, so one module serves both;
which library a process times is decided by its interpreter and ``sys.path`` (see
``benchmarks.peers``), and checked by ``--expect``. The machines are the main scenarios' own
(``_machines.py``, ``_charts.py``): S1's cycle, S2's callbacks, S3's 50-state class, S9's nested
compounds and S10's parallel state.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

from benchmarks._timing import bytes_per_instance, per_op_ns

from ._common import (
    CYCLE,
    INSTANCES,
    N_GUARDS,
    Doc,
    check_cycle,
    check_toggle,
    check_trace,
    define_walk,
    main,
    timed_batches,
    timed_definitions,
)

WHO = "statemachine"


def _machine_checks(sm: Any, start: bool = False) -> None:
    check_cycle(WHO, sm.send, lambda: sm.current_state_value, start=start)


def send() -> dict[str, Any]:
    from benchmarks._machines import TrafficLight

    sm = TrafficLight()
    _machine_checks(sm, start=True)
    result = per_op_ns("send('cycle')", {"send": sm.send})
    _machine_checks(sm)
    return {"send": result}


def callbacks() -> dict[str, Any]:
    """S2's machine: ``cond="ok"``, ``before_cycle``, ``on_enter_<state>``, ``after_cycle``."""
    from benchmarks._machines import CallbackTrafficLight

    def check(sm: Any) -> None:
        count, guards = sm.count, sm.guards
        _machine_checks(sm)
        got = (sm.guards - guards, sm.count - count)
        assert got == (3, 9), f"{WHO}: expected 3 guard calls and 9 callbacks, got {got}"

    sm = CallbackTrafficLight()
    check(sm)
    result = per_op_ns("send('cycle')", {"send": sm.send})
    check(sm)
    return {"send": result}


def _guard_machine(log: list[str] | None = None) -> Any:
    """``go`` with N_GUARDS guarded transitions from each of ``a`` and ``b``: guard methods
    ``g1`` ... ``gN``, all False but the last, so every event calls all N and toggles."""
    from benchmarks._machines import define
    from statemachine import State, StateMachine

    a, b = State(initial=True), State()
    names = [f"g{i}" for i in range(1, N_GUARDS + 1)]
    attrs: dict[str, Any] = {"a": a, "b": b}
    for name in names:
        attrs[name] = _guard(name, name == names[-1], log)
    attrs["go"] = functools.reduce(
        operator.or_,
        [a.to(b, cond=name) for name in names] + [b.to(a, cond=name) for name in names],
    )
    return define("Guards", attrs, StateMachine)


def _guard(name: str, value: bool, log: list[str] | None) -> Any:
    if log is None:
        return lambda self: value

    def counted(self: Any) -> bool:
        log.append(name)
        return value

    return counted


def guards() -> dict[str, Any]:
    log: list[str] = []
    counted = _guard_machine(log)()
    log.clear()
    counted.send("go")
    want = [f"g{i}" for i in range(1, N_GUARDS + 1)]
    assert log == want, f"{WHO}: one event should call the guards {want}, called {log}"
    sm = _guard_machine()()
    check_toggle(WHO, sm.send, lambda: sm.current_state_value, start=True)
    result = per_op_ns("send('go')", {"send": sm.send})
    check_toggle(WHO, sm.send, lambda: sm.current_state_value)
    return {"send": result}


def init() -> dict[str, Any]:
    from benchmarks._machines import TrafficLight

    _machine_checks(TrafficLight(), start=True)
    return {"init": per_op_ns("cls()", {"cls": TrafficLight})}


def memory() -> dict[str, Any]:
    from benchmarks._machines import TrafficLight

    _machine_checks(TrafficLight(), start=True)
    return {"bytes": bytes_per_instance(TrafficLight)}


def define() -> dict[str, Any]:
    """S3's method and machine: build the 50 states and 100 transitions, then the class."""
    from benchmarks._machines import big_namespace
    from benchmarks._machines import define as define_class

    summary, cls = timed_definitions(lambda i: define_class(f"Big{i}", big_namespace()))
    sm: Any = cls()  # type: ignore[operator]
    events, states = define_walk()
    check_trace(WHO, sm.send, lambda: sm.current_state_value, events, states)
    return {"define": summary}


def many() -> dict[str, Any]:
    """INSTANCES plain ``Doc`` models, a machine on each, one ``cycle`` event to each."""
    from benchmarks._machines import TrafficLight

    def batch() -> list[Doc]:
        docs = [Doc() for _ in range(INSTANCES)]
        machines = [TrafficLight(model=doc) for doc in docs]
        for sm in machines:
            sm.send("cycle")
        return docs

    def check(docs: list[Doc]) -> None:
        states = {doc.state for doc in docs}  # type: ignore[attr-defined]
        assert states == {CYCLE[1]}, f"{WHO}: expected every model in 'yellow', got {states}"

    return {"batch": timed_batches(batch, check)}


BRANCH = {"outer", "middle", "inner"}
HOP = [{*BRANCH, "a"}, {"away"}]  # S9's hop: out of the three compounds and back
BOTH = [{"both", "left", "l1", "right", "r1"}, {"both", "left", "l2", "right", "r2"}]


def _chart_event(cls: Any, event: str, cycle: list[set[str]]) -> dict[str, Any]:
    """Time ``send(event)``; before and after, ``event`` walks the configuration (as a set:
    python-statemachine lists the active states in another order) round ``cycle``."""
    sm = cls()

    def check(start: bool = False) -> None:
        def configuration() -> set[str]:
            return set(sm.configuration_values)

        index = 0 if start else cycle.index(configuration())
        expected = [cycle[(index + step) % len(cycle)] for step in range(1, len(cycle) + 1)]
        assert configuration() == cycle[index], f"{WHO}: unexpected {configuration()}"
        check_trace(WHO, sm.send, configuration, [event] * len(cycle), expected)

    check(start=True)
    result = per_op_ns(f"send({event!r})", {"send": sm.send})
    check()
    return {"send": result}


def compound() -> dict[str, Any]:
    """S9's ``hop``: from a leaf three compounds deep to a top-level sibling, and back."""
    from benchmarks._charts import DeepChart

    return _chart_event(DeepChart, "hop", HOP)


def parallel() -> dict[str, Any]:
    """S10's ``toggle``: one event, one transition in each of the two regions."""
    from benchmarks._charts import ParallelChart

    return _chart_event(ParallelChart, "toggle", BOTH)


def fsm() -> dict[str, Any]:
    """django-fsm-2's API on ours (``statemachine.contrib.django.fsm``): with_django_fsm's
    ``Light`` model, the import line changed, never saved; ``cycle()`` timed as there."""
    from . import with_django_fsm

    with_django_fsm.setup_django()
    light = with_django_fsm.light_model("statemachine.contrib.django.fsm")()

    def checks(start: bool = False) -> None:
        check_cycle(WHO, lambda event: getattr(light, event)(), lambda: light.state, start=start)

    checks(start=True)
    result = per_op_ns("cycle()", {"cycle": light.cycle})
    checks()
    # With a receiver of our machine signals (as the audit log connects one), each call is an
    # event of the compiled machine, which sends them.
    from statemachine.contrib.django.signals import post_transition

    seen: list[Any] = []
    post_transition.connect(lambda **kwargs: seen.append(kwargs["event"]), weak=False)
    checks()
    assert seen == ["cycle"] * 3, f"{WHO}: the machine signals were not sent ({seen})"
    observed = per_op_ns("cycle()", {"cycle": light.cycle})
    return {"send": result, "send_observed": observed}


SCENARIOS = {
    "send": send,
    "callbacks": callbacks,
    "guards": guards,
    "init": init,
    "memory": memory,
    "define": define,
    "many": many,
    "compound": compound,
    "parallel": parallel,
    "fsm": fsm,
}

if __name__ == "__main__":
    main("statemachine", SCENARIOS)
