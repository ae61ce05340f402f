"""A runnable demo: a traffic light with a guard, callbacks and a listener.

Run it with ``python contrib/traffic_light.py``.
"""

from __future__ import annotations

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed


class TrafficLight(StateMachine):
    """Cycles green -> yellow -> red -> green; `stop` only works while green."""

    green = State(initial=True)
    yellow = State()
    red = State()

    cycle = green.to(yellow) | yellow.to(red) | red.to(green)
    stop = green.to(red, cond="road_is_clear")

    road_is_clear = True

    def on_enter_state(self, state: State) -> None:
        print(f"  light is now {state.name}")

    def before_cycle(self, source: State, target: State) -> str:
        return f"{source.id} -> {target.id}"


class Counter:
    """A listener: any object whose methods follow the naming conventions."""

    def __init__(self) -> None:
        self.transitions = 0

    def after_transition(self) -> None:
        self.transitions += 1


def main() -> None:
    counter = Counter()
    light = TrafficLight(listeners=[counter])
    for _ in range(4):
        print("cycle:", light.cycle())
    print("allowed now:", [e.id for e in light.allowed_events])
    try:
        light.send("stop")
    except TransitionNotAllowed as err:
        print("refused:", err)
    print(
        f"{counter.transitions} transitions; final configuration {list(light.configuration_values)}"
    )


if __name__ == "__main__":
    main()
