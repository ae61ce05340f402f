"""Weighted random transitions: one event, several targets, picked by weight.

>>> from statemachine import State, StateChart
>>> from statemachine.contrib.weighted import to, weighted_transitions
>>> class Coin(StateChart):
...     spinning = State(initial=True)
...     heads = State()
...     tails = State()
...     flip = weighted_transitions(spinning, (heads, 1), to(tails, 1), seed=7)
...     again = heads.to(spinning) | tails.to(spinning)
>>> coin = Coin()
>>> coin.flip()
>>> coin.heads.is_active or coin.tails.is_active
True

A destination is a ``(target, weight)`` tuple, or ``(target, weight, kwargs)`` where ``kwargs``
holds the transition's keyword arguments (``cond=``, ``on=``...); :func:`to` builds that tuple.

Each transition of the group gets a condition that runs before its other guards. The first of
them evaluated for an event draws a target with ``random.choices`` from a ``random.Random``
owned by the group (seeded with ``seed``, and shared by every instance of the class); each
condition then passes only for the drawn target. If the drawn transition's own guards fail,
no other target is tried.
"""

from __future__ import annotations

import random

from statemachine import exceptions
from statemachine._callbacks import Priority
from statemachine._typing import TYPE_CHECKING
from statemachine.state import State
from statemachine.transition_list import TransitionList

if TYPE_CHECKING:
    from typing import Any

__all__ = ["to", "weighted_transitions"]


def to(
    target: State, weight: float, **transition_kwargs: Any
) -> tuple[State, float, dict[str, Any]]:
    """A weighted destination with transition arguments: ``to(run, 30, cond="rested")`` is
    the tuple ``(run, 30, {"cond": "rested"})``. Checked by :func:`weighted_transitions`."""
    return (target, weight, transition_kwargs)


class _Draw:
    """The random draw shared by the conditions of one weighted group."""

    def __init__(self, weights: list[float], seed: Any) -> None:
        self.weights = weights
        self.rng = random.Random(seed)
        self.indexes = list(range(len(weights)))
        self.drawn = -1

    def condition(self, index: int) -> Any:
        def weighted_choice() -> bool:
            if index == 0 or self.drawn < 0:  # the first condition of an event draws
                self.drawn = self.rng.choices(self.indexes, weights=self.weights)[0]
            return self.drawn == index

        return weighted_choice


def _destination(index: int, item: Any) -> tuple[State, float, dict[str, Any]]:
    """``item`` checked: shape, then kwargs, target and weight (python-statemachine's order)."""
    if not isinstance(item, tuple) or len(item) not in (2, 3):
        raise exceptions.weighted_bad_destination(index, item)
    target, weight = item[0], item[1]
    kwargs = item[2] if len(item) == 3 else {}
    if not isinstance(kwargs, dict):
        raise exceptions.weighted_bad_kwargs(index, kwargs)
    if not isinstance(target, State):
        raise exceptions.weighted_bad_target(index, target)
    if not isinstance(weight, (int, float)):
        raise exceptions.weighted_weight_not_number(index, weight)
    if weight <= 0:
        raise exceptions.weighted_weight_not_positive(index, weight)
    if weight == float("inf") or weight != weight:  # inf, or NaN: random.choices rejects them
        raise exceptions.weighted_weight_not_finite(index, weight)
    return target, weight, kwargs


def weighted_transitions(
    source: State,
    *destinations: tuple[State, float] | tuple[State, float, dict[str, Any]],
    seed: Any = None,
) -> TransitionList:
    """Transitions from ``source`` to each destination, taken with probability proportional
    to its weight. Assign the result to a class attribute to make it an event.

    Args:
        source: the state the transitions leave.
        *destinations: ``(target, weight)`` or ``(target, weight, kwargs)`` tuples, such as
            :func:`to` returns. Weights are positive ints or floats, relative to each other.
        seed: seed of the group's random generator, for reproducible runs.

    Raises:
        TypeError: ``source`` is not a State, a destination is not such a tuple, its target
            is not a State, its kwargs not a dict, or its weight not a number.
        ValueError: no destination, or a weight that is not positive (or not finite).
    """
    if not isinstance(source, State):
        raise exceptions.weighted_bad_source(source)
    if not destinations:
        raise exceptions.weighted_no_destination()
    parsed = [_destination(index, item) for index, item in enumerate(destinations)]
    draw = _Draw([float(weight) for _, weight, _ in parsed], seed)
    result = TransitionList()
    for index, (target, _, kwargs) in enumerate(parsed):
        transitions = source.to(target, **kwargs)
        for t in transitions:
            t.cond.add(draw.condition(index), Priority.GENERIC)
        result.add_transitions(transitions)
    return result
