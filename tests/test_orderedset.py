"""`OrderedSet`: the insertion-ordered set behind `configuration` and `configuration_values`."""

from __future__ import annotations

import copy
import pickle

import pytest

from statemachine import State, StateMachine
from statemachine.orderedset import OrderedSet


class Light(StateMachine):
    green = State(initial=True)
    yellow = State()
    cycle = green.to(yellow) | yellow.to(green)


def test_duplicates_are_kept_once_at_their_first_position():
    """Building from an iterable keeps the first occurrence of each item, in order."""
    assert list(OrderedSet([3, 1, 3, 2, 1])) == [3, 1, 2]


def test_empty_set_has_no_items():
    """An OrderedSet made without an iterable is empty and falsy."""
    s: OrderedSet[int] = OrderedSet()
    assert len(s) == 0
    assert not s


def test_add_appends_a_new_item_at_the_end():
    """`add` puts a new item last and ignores an item already present."""
    s = OrderedSet(["a", "b"])
    s.add("c")
    s.add("a")
    assert list(s) == ["a", "b", "c"]


def test_discard_removes_an_item_and_ignores_a_missing_one():
    """`discard` removes a present item and does nothing for an absent one."""
    s = OrderedSet(["a", "b", "c"])
    s.discard("b")
    s.discard("zzz")
    assert list(s) == ["a", "c"]


def test_remove_of_a_missing_item_raises_key_error():
    """`remove` (from MutableSet) raises KeyError for an item that is not there."""
    s = OrderedSet(["a"])
    with pytest.raises(KeyError, match="b"):
        s.remove("b")


def test_membership_uses_the_items():
    """`in` is true for contained items only."""
    s = OrderedSet(["a", "b"])
    assert "a" in s
    assert "z" not in s


def test_positive_index_returns_the_item_in_insertion_order():
    """`s[i]` is the i-th inserted item."""
    s = OrderedSet(["x", "y", "z"])
    assert (s[0], s[1], s[2]) == ("x", "y", "z")


def test_negative_index_counts_from_the_end():
    """`s[-1]` is the last inserted item and `s[-3]` the first of three."""
    s = OrderedSet(["x", "y", "z"])
    assert s[-1] == "z"
    assert s[-3] == "x"


def test_index_out_of_range_raises_index_error():
    """Indexing past either end raises IndexError."""
    s = OrderedSet(["x"])
    with pytest.raises(IndexError):
        s[1]
    with pytest.raises(IndexError):
        s[-2]


def test_slice_returns_a_list_of_items():
    """Slicing returns the selected items as a list, in order."""
    s = OrderedSet([1, 2, 3, 4])
    assert s[1:3] == [2, 3]


def test_reversed_iterates_from_last_to_first():
    """`reversed(s)` yields the items newest first."""
    assert list(reversed(OrderedSet([1, 2, 3]))) == [3, 2, 1]


def test_equal_to_an_ordered_set_with_the_same_items_in_the_same_order():
    """Two OrderedSets holding the same items in the same order are equal."""
    assert OrderedSet(["a", "b"]) == OrderedSet(["a", "b"])
    assert OrderedSet(["a", "b"]) != OrderedSet(["a", "c"])


def test_equal_to_a_set_with_the_same_items_whatever_the_order():
    """An OrderedSet equals a set or frozenset holding the same items."""
    s = OrderedSet(["b", "a"])
    assert s == {"a", "b"}
    assert s == frozenset({"a", "b"})
    assert s != {"a"}


def test_not_equal_to_a_list():
    """An OrderedSet is a set, so it never equals a list, even with the same items."""
    assert OrderedSet(["a", "b"]) != ["a", "b"]


def test_is_unhashable_because_it_is_mutable():
    """`hash()` of an OrderedSet raises TypeError."""
    with pytest.raises(TypeError, match="unhashable"):
        hash(OrderedSet([1]))


def test_repr_lists_the_items_in_order():
    """The repr is `OrderedSet([...])` with the items in insertion order."""
    assert repr(OrderedSet(["shire", "bag_end"])) == "OrderedSet(['shire', 'bag_end'])"


def test_set_operators_return_ordered_sets():
    """Union and difference (from the Set mixins) return OrderedSets keeping the left order."""
    union = OrderedSet([2, 1]) | {3}
    difference = OrderedSet([3, 2, 1]) - {2}
    assert isinstance(union, OrderedSet)
    assert list(union) == [2, 1, 3]
    assert list(difference) == [3, 1]


def test_subset_comparison_works_against_plain_sets():
    """`<=` (from the Set mixins) compares by membership."""
    assert OrderedSet([1, 2]) <= {1, 2, 3}
    assert not OrderedSet([1, 4]) <= {1, 2, 3}


def test_pickle_round_trip_keeps_items_and_order():
    """An OrderedSet survives pickling with the same items in the same order."""
    restored = pickle.loads(pickle.dumps(OrderedSet(["c", "a", "b"])))
    assert isinstance(restored, OrderedSet)
    assert list(restored) == ["c", "a", "b"]


def test_deepcopy_is_an_independent_equal_set():
    """A deep copy is equal to the original and changing it leaves the original alone."""
    original = OrderedSet([1, 2])
    clone = copy.deepcopy(original)
    clone.add(3)
    assert list(original) == [1, 2]
    assert list(clone) == [1, 2, 3]


def test_configuration_values_is_an_ordered_set_of_values(engine):
    """A machine's `configuration_values` is an OrderedSet holding the active state's value."""
    sm = engine.machine(Light)
    values = sm.configuration_values
    assert isinstance(values, OrderedSet)
    assert values == {"green"}
    assert values[-1] == "green"


def test_configuration_is_an_ordered_set_of_states(engine):
    """A machine's `configuration` is an OrderedSet of State objects, indexable."""
    sm = engine.machine(Light)
    engine.send(sm, "cycle")
    assert isinstance(sm.configuration, OrderedSet)
    assert sm.configuration[0] is Light.yellow


@pytest.mark.parametrize("index", [3, 10, -4])
def test_an_index_out_of_range_names_the_index(index):
    """Indexing past either end raises IndexError naming the index, as python-statemachine's
    OrderedSet does."""
    with pytest.raises(IndexError) as caught:
        OrderedSet(["a", "b", "c"])[index]
    assert str(caught.value) == f"index {index} out of range"
