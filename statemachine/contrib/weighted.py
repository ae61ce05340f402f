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

Each transition of the group gets a condition that runs before its other guards. The first of
them evaluated for an event draws a target with ``random.choices`` from a ``random.Random``
owned by the group (seeded with ``seed``, and shared by every instance of the class); each
condition then passes only for the drawn target. If the drawn transition's own guards fail,
no other target is tried.
"""

from __future__ import annotations

import random
from numbers import Real

from statemachine._callbacks import Priority
from statemachine._typing import TYPE_CHECKING
from statemachine.state import State
from statemachine.transition_list import TransitionList

if TYPE_CHECKING:
    from typing import Any

__all__ = ["to", "weighted_transitions"]


class _Destination:
    """A target with its weight and transition kwargs (what :func:`to` returns)."""

    __slots__ = ("kwargs", "target", "weight")

    def __init__(self, target: State, weight: float, kwargs: dict[str, Any]) -> None:
        self.target = target
        self.weight = weight
        self.kwargs = kwargs


def to(target: State, weight: float, **transition_kwargs: Any) -> _Destination:
    """A weighted destination with extra transition arguments (``cond=``, ``on=``...)."""
    return _Destination(target, weight, transition_kwargs)


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


def weighted_transitions(
    source: State, *destinations: tuple[State, float] | _Destination, seed: Any = None
) -> TransitionList:
    """Transitions from ``source`` to each destination, taken with probability proportional
    to its weight. Assign the result to a class attribute to make it an event.

    Args:
        source: the state the transitions leave.
        *destinations: ``(target, weight)`` pairs or :func:`to` results.
        seed: seed of the group's random generator, for reproducible runs.

    Raises:
        TypeError: ``source`` is not a State, a destination is malformed, or a weight is not a
            number.
        ValueError: no destination, or a weight that is not positive.
    """
    if not isinstance(source, State):
        raise TypeError(f"weighted_transitions() needs a State as source, got {source!r}.")
    if not destinations:
        raise ValueError("weighted_transitions() needs at least one (target, weight) destination.")
    parsed: list[_Destination] = []
    for item in destinations:
        if isinstance(item, _Destination):
            parsed.append(item)
        elif isinstance(item, tuple) and len(item) == 2:
            parsed.append(_Destination(item[0], item[1], {}))
        else:
            raise TypeError(
                f"Invalid destination {item!r}: use a (target, weight) tuple or to(target, weight)."
            )
    for d in parsed:
        if not isinstance(d.target, State):
            raise TypeError(f"Destination target {d.target!r} is not a State.")
        if isinstance(d.weight, bool) or not isinstance(d.weight, Real):
            raise TypeError(
                f"Weight {d.weight!r} of {d.target.id or d.target.name!r} is not a number."
            )
        if d.weight <= 0:
            raise ValueError(
                f"Weight {d.weight!r} of {d.target.id or d.target.name!r} must be positive."
            )
    draw = _Draw([float(d.weight) for d in parsed], seed)
    result = TransitionList()
    for index, d in enumerate(parsed):
        transitions = source.to(d.target, **d.kwargs)
        for t in transitions:
            t.cond.add(draw.condition(index), Priority.GENERIC)
        result.add_transitions(transitions)
    return result
