"""Messages for mistakes a new user makes: each says what is wrong once, names the culprit, and
says how to fix it."""

from __future__ import annotations

import pytest

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import InvalidDefinition, InvalidExpression, InvalidStateValue


def test_a_plain_syntax_error_says_invalid_syntax_once():
    """Python's message for `a b` is just "invalid syntax"; the note does not repeat it."""
    with pytest.raises(InvalidExpression) as caught:

        class M(StateMachine):
            s = State(initial=True)
            d = State(final=True)
            go = s.to(d, cond="a b")

    note = caught.value.__notes__[0]
    assert note.startswith("invalid syntax. Guards may use names")
    assert note.count("invalid syntax") == 1


def test_a_specific_syntax_error_keeps_python_s_explanation():
    with pytest.raises(InvalidExpression) as caught:

        class M(StateMachine):
            s = State(initial=True)
            d = State(final=True)
            go = s.to(d, cond="a and (")

    assert caught.value.__notes__[0].startswith("invalid syntax: '(' was never closed.")


def test_two_compound_children_with_one_id_name_both_parents():
    with pytest.raises(InvalidDefinition) as caught:

        class M(StateChart):
            class upstairs(State.Compound, initial=True):
                lamp = State(initial=True)

            class downstairs(State.Compound):
                lamp = State(initial=True)

            go = upstairs.to(downstairs)

    message = str(caught.value)
    assert "share the id 'lamp'" in message
    assert "'upstairs'" in message
    assert "'downstairs'" in message
    assert "rename one of them" in message


def test_a_child_sharing_an_id_with_a_top_level_state_names_the_top_level():
    """The clash is found even when the values differ, since `sm.lamp` can only be one state."""
    with pytest.raises(InvalidDefinition, match=r"one in 'room', one in the top level of 'M'"):

        class M(StateChart):
            class room(State.Compound, initial=True):
                lamp = State(initial=True, value="room lamp")

            lamp = State(value="hall lamp")
            go = room.to(lamp)


def test_history_states_sharing_a_name_in_different_compounds_are_refused():
    """Two `h = HistoryState()` would share one entry of `states_map`: `b.to(a.h)` used to
    do nothing at run time. The class statement now fails and names both compounds."""
    from statemachine import HistoryState

    with pytest.raises(InvalidDefinition, match=r"share the id 'h': one in 'a', one in 'b'"):

        class M(StateChart):
            class a(State.Compound, initial=True):
                a1 = State(initial=True)
                h = HistoryState()

            class b(State.Compound):
                b1 = State(initial=True)
                h = HistoryState()

            go = a.to(b)
            back = b.to(a.h)


def test_a_name_given_two_states_in_a_class_body_is_refused_where_it_happens():
    """Python would silently keep the second State; the class statement fails instead."""
    with pytest.raises(InvalidDefinition) as caught:

        class Light(StateMachine):
            green = State(initial=True)
            red = State()
            green = State()  # noqa: PIE794 - the mistake under test

    message = str(caught.value)
    assert "class body of 'Light' assigns a second State to 'green'" in message
    assert "Give each state its own name" in message


def test_a_name_given_two_states_after_a_transition_uses_it_is_refused():
    """Without the check, this failed later with a confusing message about a nameless state."""
    with pytest.raises(InvalidDefinition, match="assigns a second State to 's'"):

        class M(StateMachine):
            s = State(initial=True)
            d = State(final=True)
            go = s.to(d)
            s = State()  # noqa: PIE794 - the mistake under test


def test_a_name_given_two_states_in_a_compound_body_is_refused():
    with pytest.raises(InvalidDefinition, match="class body of 'room' assigns a second State"):

        class M(StateChart):
            class room(State.Compound, initial=True):
                lamp = State(initial=True)
                lamp = State()  # noqa: PIE794 - the mistake under test


def test_rebinding_a_name_to_the_same_state_object_is_allowed():
    """Assigning the very same object again is harmless (and python allows it)."""

    class M(StateMachine):
        s = State(initial=True)
        s = s  # harmless on purpose
        d = State(final=True)
        go = s.to(d)

    assert [st.id for st in M.states] == ["s", "d"]
    sm = M()
    sm.send("go")
    assert sm.d.is_active


def test_one_state_under_two_names_still_says_so():
    with pytest.raises(InvalidDefinition, match="'s' is assigned to a second attribute, 'e'"):

        class M(StateMachine):
            s = State(initial=True)
            d = State(final=True)
            e = s
            go = s.to(d)


class _Model:
    state = "green"


class Light(StateMachine):
    green = State(initial=True)
    red = State()
    cycle = green.to(red) | red.to(green)


class Nested(StateChart):
    class on(State.Compound, initial=True):
        idle = State(initial=True)
        busy = State()
        work = idle.to(busy)


@pytest.mark.parametrize("accessor", ["configuration", "configuration_values"])
def test_accessors_raise_alike_on_an_invalid_stored_value(accessor):
    """`configuration_values` used to return the bad value as if it were a state."""
    model = _Model()
    sm = Light(model)
    model.state = "purple"
    with pytest.raises(InvalidStateValue, match="'purple' is not a valid state value"):
        getattr(sm, accessor)


def test_configuration_values_raise_for_an_invalid_member_of_a_stored_set():
    from statemachine.orderedset import OrderedSet

    model = _Model()
    sm = Light(model)
    model.state = OrderedSet(["green", "purple"])
    with pytest.raises(InvalidStateValue, match="'purple'"):
        sm.configuration_values


def test_statechart_accessors_raise_alike_on_an_invalid_stored_value():
    class M:
        state = None

    model = M()
    sm = Nested(model)
    model.state = "gone"
    for accessor in ("configuration", "configuration_values"):
        with pytest.raises(InvalidStateValue, match="'gone'"):
            getattr(sm, accessor)


def test_valid_values_still_read_back():
    model = _Model()
    sm = Light(model)
    assert list(sm.configuration_values) == ["green"]
    sm.send("cycle")
    assert list(sm.configuration_values) == ["red"]
