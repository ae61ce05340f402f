"""Definition errors beyond the reference's list, and the remaining §4.2 checks, each raised
as early as possible with a message that names the culprit and says how to fix it."""

from __future__ import annotations

import pytest

from statemachine import Event, State, StateMachine
from statemachine.exceptions import InvalidDefinition
from statemachine.transition import Transition


def test_two_states_with_the_same_value_are_rejected():
    """States must have distinct values, since the model stores the value."""
    with pytest.raises(InvalidDefinition, match=r"'draft' and 'review' share the value 1"):

        class Flow(StateMachine):
            draft = State(initial=True, value=1)
            review = State(value=1)
            submit = draft.to(review)
            back = review.to(draft)


def test_distinct_values_of_different_types_are_accepted():
    """Values only need to differ; mixing types is fine."""

    class Flow(StateMachine):
        draft = State(initial=True, value=1)
        review = State(value="1")
        submit = draft.to(review)
        back = review.to(draft)

    assert Flow.states_map[1] is Flow.draft
    assert Flow.states_map["1"] is Flow.review


def test_initial_transition_with_a_condition_is_rejected():
    """A synthetic initial transition cannot carry a guard."""
    a = State("A")
    b = State("B")
    with pytest.raises(InvalidDefinition, match="Initial transitions should not have conditions"):
        Transition(a, b, initial=True, cond="ready")


def test_initial_transition_with_an_event_is_rejected():
    """A synthetic initial transition cannot be triggered by an event."""
    a = State("A")
    b = State("B")
    with pytest.raises(InvalidDefinition, match="Initial transitions should not have conditions"):
        Transition(a, b, initial=True, event="go")


def test_event_with_a_non_string_id_is_rejected_with_a_hint():
    """`Event(t1, t2)` is a common mistake; the message points to `t1 | t2`."""
    a = State(initial=True)
    b = State()
    with pytest.raises(InvalidDefinition) as caught:
        Event(a.to(b), b.to(a))
    assert str(caught.value) == (
        "Event() received a non-string 'id' (TransitionList). To combine multiple transitions "
        "under one event, use the | operator: t1 | t2."
    )


def test_event_with_a_non_string_id_names_its_type():
    """Any non-str id is refused the same way, naming its type."""
    with pytest.raises(
        InvalidDefinition, match=r"^Event\(\) received a non-string 'id' \(int\)\. "
    ):
        Event(None, 42)


def test_transition_to_something_that_is_not_a_state_is_rejected():
    """`a.to("b")` names the bad value and asks for a State."""
    a = State(initial=True)
    with pytest.raises(InvalidDefinition, match=r"to\(\) expects State objects, got 'b'"):
        a.to("b")


def test_from_with_something_that_is_not_a_state_is_rejected():
    """`b.from_(1)` names the bad value and asks for a State."""
    b = State()
    with pytest.raises(InvalidDefinition, match=r"from_\(\) expects State objects, got 1"):
        b.from_(1)


def test_event_kwarg_of_an_invalid_type_is_rejected():
    """`event=` takes strings or Events; anything else is named in the error."""
    a = State(initial=True)
    b = State()
    with pytest.raises(InvalidDefinition, match=r"Invalid event 42"):
        a.to(b, event=42)


def test_event_kwarg_referring_to_an_undeclared_event_is_rejected():
    """An unnamed Event used in `event=` must itself be a class attribute."""
    stray = Event()
    with pytest.raises(InvalidDefinition, match="not a class attribute of Flow"):

        class Flow(StateMachine):
            a = State(initial=True)
            b = State()
            go = a.to(b, event=stray)
            back = b.to(a)


def test_guard_name_with_surrounding_spaces_resolves():
    """A guard name padded with spaces is the same name."""

    class Machine(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b, cond=" ready ")
        ready = True

    sm = Machine()
    sm.send("go")
    assert sm.b.is_active


def test_unparsable_guard_expression_is_also_a_value_error():
    """Code that catches ValueError, as python-statemachine raises, still catches it."""
    with pytest.raises(ValueError) as caught:

        class Machine(StateMachine):
            a = State(initial=True)
            b = State()
            go = a.to(b, cond="x + 1")

    assert str(caught.value) == "Failed to parse boolean expression 'x + 1'"


def test_in_with_keyword_arguments_is_rejected_with_a_precise_message():
    """In() takes positional ids; the note says so."""
    with pytest.raises(InvalidDefinition, match=r"\nIn\(\) takes one or more state ids as string"):

        class Machine(StateMachine):
            a = State(initial=True)
            b = State()
            go = a.to(b, cond="In(id='a')")


def test_event_given_an_id_twice_says_so():
    """Event('go', id='x') names both ids and how to pass a display name."""
    with pytest.raises(InvalidDefinition, match=r"received an id twice: 'go' .* id='x'"):
        Event("go", id="x")


def test_non_callable_callback_is_rejected_at_class_creation():
    """A guard that is neither a name nor a callable fails where it is declared."""
    with pytest.raises(InvalidDefinition, match=r"Callback 42 given to 'cond'"):

        class Machine(StateMachine):
            a = State(initial=True)
            b = State()
            go = a.to(b, cond=42)


def test_abstract_machine_classes_are_registered():
    """Every machine class is registered, also one without states."""
    from statemachine import registry

    class AbstractBase(StateMachine):
        pass

    assert registry._REGISTRY[f"{__name__}.AbstractBase"] is AbstractBase


def test_states_without_storage_raise_attribute_error():
    """A States shell (as unpickling makes one) raises AttributeError, not RecursionError."""
    from statemachine.states import States

    shell = States.__new__(States)
    with pytest.raises(AttributeError) as caught:
        shell.anything
    assert str(caught.value) == "anything not found in States"
    assert caught.value.__notes__ == ["The states are: []."]


def _foreign(ident: str) -> State:
    """A state declared on no machine, with an id (as if another class had named it)."""
    state = State()
    state._set_id(ident)
    return state


def test_a_target_from_outside_the_class_is_named():
    """A transition may only target states of its own machine."""
    with pytest.raises(InvalidDefinition, match="uses state 'elsewhere', which is not a state"):

        class Flow(StateMachine):
            a = State(initial=True)
            b = State(final=True)
            go = a.to(b) | a.to(_foreign("elsewhere"))


def test_targets_of_a_larger_machine_are_refused_whatever_their_position():
    """States are told apart by their place in the class (document order): a state of
    another machine is refused whether its place there is past the end of this class, or a
    place this class also has."""

    class Big(StateMachine):
        s1 = State(initial=True)
        s2 = State()
        s3 = State()
        s4 = State(final=True)
        go = s1.to(s2) | s2.to(s3) | s3.to(s4)

    for foreign in (Big.s4, Big.s2):
        with pytest.raises(InvalidDefinition, match=f"uses state {foreign.id!r}, which is not"):

            class Small(StateMachine):
                a = State(initial=True)
                b = State(final=True)
                go = a.to(b) | a.to(foreign)


def test_an_event_with_a_transition_out_of_a_foreign_state_is_refused():
    """An event may not carry a transition whose source belongs to no state of the class."""
    with pytest.raises(InvalidDefinition, match="from 'outside' uses state 'outside'"):

        class Flow(StateMachine):
            a = State(initial=True)
            b = State(final=True)
            go = a.to(b) | _foreign("outside").to(b)
