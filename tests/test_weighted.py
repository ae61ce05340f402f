"""`statemachine.contrib.weighted`: weighted random transitions."""

from __future__ import annotations

from collections import Counter

import pytest

from statemachine import State, StateChart
from statemachine.contrib.weighted import to, weighted_transitions


def build(seed=None, **kwargs):
    class Dice(StateChart):
        rolling = State(initial=True)
        low = State()
        high = State()
        roll = weighted_transitions(rolling, (low, 1), to(high, 3, **kwargs), seed=seed)
        reset = low.to(rolling) | high.to(rolling)

    return Dice


def outcomes(cls, n):
    sm = cls()
    seen = []
    for _ in range(n):
        sm.roll()
        seen.append("low" if sm.low.is_active else "high")
        sm.reset()
    return seen


def test_targets_are_drawn_in_proportion_to_their_weights():
    """Over many draws, a 1:3 weighting gives roughly a quarter of the first target."""
    counts = Counter(outcomes(build(seed=1), 2000))
    assert 0.2 < counts["low"] / 2000 < 0.3


def test_the_same_seed_gives_the_same_sequence():
    """A seeded group is reproducible across classes built with the same seed."""
    assert outcomes(build(seed=42), 50) == outcomes(build(seed=42), 50)


def test_each_event_takes_exactly_one_transition():
    """One event leaves `rolling` for exactly one of the targets."""
    sm = build(seed=3)()
    sm.roll()
    assert [s.id for s in sm.configuration] in (["low"], ["high"])


def test_destination_kwargs_reach_the_transition():
    """`to(target, weight, on=...)` passes transition arguments through."""
    hits = []
    cls = build(seed=0, on=lambda: hits.append("high"))
    seen = outcomes(cls, 30)
    assert hits == ["high"] * seen.count("high")


def test_no_fallback_when_the_drawn_transition_is_guarded_off():
    """If the drawn target's own guard fails, no other target is tried: nothing happens."""
    cls = build(seed=5, cond=lambda: False)
    sm = cls()
    results = set()
    for _ in range(40):
        sm.roll()
        results.add(sm.current_state_value)
        if not sm.rolling.is_active:
            sm.reset()
    assert results == {"rolling", "low"}


def test_source_must_be_a_state():
    """A non-State source is a TypeError naming the value."""
    with pytest.raises(TypeError, match="needs a State as source, got 'a'"):
        weighted_transitions("a", (State(), 1))


def test_at_least_one_destination_is_required():
    """An empty group is a ValueError."""
    with pytest.raises(ValueError, match="at least one"):
        weighted_transitions(State())


@pytest.mark.parametrize("weight", [0, -1])
def test_weights_must_be_positive(weight):
    """Zero or negative weights are a ValueError."""
    with pytest.raises(ValueError, match="must be positive"):
        weighted_transitions(State(), (State(), weight))


@pytest.mark.parametrize("weight", ["1", None, True])
def test_weights_must_be_numbers(weight):
    """Non-numeric weights (booleans included) are a TypeError."""
    with pytest.raises(TypeError, match="is not a number"):
        weighted_transitions(State(), (State(), weight))


def test_malformed_destination_is_rejected():
    """A destination must be a (target, weight) pair or to(...)."""
    with pytest.raises(TypeError, match="Invalid destination"):
        weighted_transitions(State(), State())
