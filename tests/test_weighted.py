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


def test_a_seed_draws_the_same_targets_as_python_statemachine():
    """The draw is `random.choices` on a `random.Random(seed)` per group, so a seeded
    sequence is the one python-statemachine 3.2 gives for the same machine."""

    class Walk(StateChart):
        start = State(initial=True)
        left = State()
        right = State()
        step = weighted_transitions(start, (left, 1), to(right, 1), seed=1)
        back = left.to(start) | right.to(start)

    sm = Walk()
    seen = []
    for _ in range(6):
        sm.step()
        seen.append("left" if sm.left.is_active else "right")
        sm.back()
    assert seen == ["left", "right", "right", "left", "left", "left"]


# --- to() -----------------------------------------------------------------------------------


def test_to_returns_the_plain_destination_tuple():
    """`to(target, weight, **kwargs)` is the tuple `(target, weight, kwargs)`."""
    target = State()
    assert to(target, 3, cond="ready", on="log") == (target, 3, {"cond": "ready", "on": "log"})
    assert to(target, 0.5) == (target, 0.5, {})
    assert type(to(target, 1)) is tuple


def test_to_does_not_check_its_arguments():
    """`to()` only packs; `weighted_transitions()` does the checking."""
    assert to("not a state", -1) == ("not a state", -1, {})


def test_a_three_tuple_destination_passes_its_kwargs_to_the_transition():
    """`(target, weight, {"on": ...})` written by hand works like `to(...)`."""
    hits = []

    class Coin(StateChart):
        spinning = State(initial=True)
        heads = State()
        flip = weighted_transitions(spinning, (heads, 1, {"on": lambda: hits.append("on")}))
        again = heads.to(spinning)

    Coin().flip()
    assert hits == ["on"]


def test_a_tuple_subclass_is_a_destination():
    """A named tuple `(target, weight)` is accepted like a plain tuple."""
    from collections import namedtuple

    Destination = namedtuple("Destination", "target weight")
    source, target = State(), State()
    assert len(weighted_transitions(source, Destination(target, 2))) == 1


@pytest.mark.parametrize("weight", [1, 2.5, True])
def test_ints_floats_and_bools_are_weights(weight):
    """Any int or float is a weight (a bool is an int, as in python-statemachine)."""
    assert len(weighted_transitions(State(), (State(), weight))) == 1


# --- argument errors: python-statemachine's messages, a hint as a note ----------------------


def test_source_must_be_a_state():
    """A non-State source is a TypeError naming its type."""
    with pytest.raises(TypeError) as caught:
        weighted_transitions("a", (State(), 1))
    assert str(caught.value) == "First argument must be a source State, got str"
    assert caught.value.__notes__[0].startswith("Pass the source state, then one (target, weight)")


def test_the_source_is_checked_before_the_destinations():
    """With a bad source and no destinations, the source is reported."""
    with pytest.raises(TypeError, match=r"^First argument must be a source State, got NoneType\n"):
        weighted_transitions(None)


def test_at_least_one_destination_is_required():
    """An empty group is a ValueError."""
    with pytest.raises(ValueError) as caught:
        weighted_transitions(State())
    assert str(caught.value) == (
        "weighted_transitions() requires at least one (target, weight) destination"
    )
    assert caught.value.__notes__


@pytest.mark.parametrize(
    ("destination", "kind"),
    [
        (State(), "State"),
        ([State(), 1], "list"),
        ((State(),), "tuple"),
        ((State(), 1, {}, 4), "tuple"),
        ("x", "str"),
    ],
)
def test_malformed_destination_is_rejected(destination, kind):
    """A destination must be a 2- or 3-tuple; the error gives its position and type."""
    with pytest.raises(TypeError) as caught:
        weighted_transitions(State(), destination)
    assert str(caught.value) == (
        "Destination 0 must be a (target_state, weight) or (target_state, weight, kwargs) "
        f"tuple, got {kind}"
    )
    assert caught.value.__notes__


def test_the_position_of_the_bad_destination_is_given():
    """Destinations are numbered from 0, in the order given."""
    a, b = State(), State()
    with pytest.raises(TypeError, match=r"^Destination 2 must be a \(target_state, weight\)"):
        weighted_transitions(a, (b, 1), (b, 2), b)


def test_third_element_must_be_a_dict():
    """The kwargs of a 3-tuple must be a dict; this is checked before the target."""
    with pytest.raises(TypeError) as caught:
        weighted_transitions(State(), ("not a state", 1, ["on"]))
    assert str(caught.value) == (
        "Destination 0: third element must be a dict of transition kwargs, got list"
    )
    assert caught.value.__notes__


def test_target_must_be_a_state():
    """The first element must be a State; this is checked before the weight."""
    with pytest.raises(TypeError) as caught:
        weighted_transitions(State(), ("b", "heavy"))
    assert str(caught.value) == "Destination 0: first element must be a State, got str"
    assert caught.value.__notes__ == ["Name a state declared on the machine as the target."]


@pytest.mark.parametrize(("weight", "kind"), [("1", "str"), (None, "NoneType"), ([1], "list")])
def test_weights_must_be_numbers(weight, kind):
    """A weight that is not an int or float is a TypeError naming its type."""
    with pytest.raises(TypeError) as caught:
        weighted_transitions(State(), (State(), weight))
    assert str(caught.value) == f"Destination 0: weight must be a positive number, got {kind}"
    assert caught.value.__notes__


def test_decimal_and_fraction_weights_are_rejected():
    """Only int and float are weights, as in python-statemachine."""
    from decimal import Decimal
    from fractions import Fraction

    for weight, kind in [(Decimal("1.5"), "Decimal"), (Fraction(1, 2), "Fraction")]:
        with pytest.raises(TypeError, match=rf"^Destination 0: weight must be .*, got {kind}\n"):
            weighted_transitions(State(), (State(), weight))


@pytest.mark.parametrize("weight", [0, -1, -0.5])
def test_weights_must_be_positive(weight):
    """Zero or negative weights are a ValueError showing the weight."""
    with pytest.raises(ValueError) as caught:
        weighted_transitions(State(), (State(), 1), (State(), weight))
    assert str(caught.value) == f"Destination 1: weight must be positive, got {weight}"
    assert caught.value.__notes__


@pytest.mark.parametrize("weight", [float("inf"), float("nan")])
def test_weights_must_be_finite(weight):
    """An infinite or NaN weight is refused at declaration (random.choices would fail at the
    first event); python-statemachine has no such check, so the message is ours."""
    with pytest.raises(ValueError) as caught:
        weighted_transitions(State(), (State(), weight))
    assert str(caught.value) == (
        f"Destination 0: weight must be a finite number, got {weight!r}. Weights are relative "
        "chances: use finite values such as 70 and 30."
    )
