"""Two example machines drawn by the ``statemachine-diagram`` directive in ``diagrams.md``.

The Sphinx build imports this module (``conf.py`` puts this directory on ``sys.path``); pytest
imports it too (``--doctest-modules``), so it only defines classes.
"""

from __future__ import annotations

from statemachine import State, StateChart, StateMachine

__all__ = ["Checkout", "TrafficLight"]


class TrafficLight(StateMachine):
    """A traffic light that stays red while pedestrians are crossing."""

    green = State(initial=True)
    yellow = State()
    red = State()

    cycle = green.to(yellow) | yellow.to(red) | red.to(green, unless="crossing")
    press_button = red.to.itself(internal=True, on="start_crossing")
    crossed = red.to.itself(internal=True, on="stop_crossing")

    crossing = False

    def start_crossing(self) -> None:
        self.crossing = True

    def stop_crossing(self) -> None:
        self.crossing = False


class Checkout(StateChart):
    """An order: shopping, then paying (card details and authorisation), then shipped."""

    shopping = State(initial=True)

    class paying(State.Compound):
        card_details = State(initial=True)
        authorising = State()
        submit = card_details.to(authorising, cond="card_valid")
        decline = authorising.to(card_details)

    shipped = State(final=True)
    cancelled = State(final=True)

    checkout = shopping.to(paying, cond="has_items")
    approve = paying.authorising.to(shipped)
    cancel = shopping.to(cancelled) | paying.to(cancelled)

    has_items = True
    card_valid = True
