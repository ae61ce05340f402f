"""Definition errors of flat machines.

Structural errors are raised by the ``class`` statement itself; errors that depend on what the
model and listeners provide (callback names, guard expressions) are raised when the machine is
instantiated. Each test matches a distinctive part of the message and the offending id.
"""

from __future__ import annotations

import re

import pytest

from statemachine import State, StateChart, StateMachine
from statemachine.exceptions import InvalidDefinition


@pytest.fixture(params=[StateMachine, StateChart], ids=["StateMachine", "StateChart"])
def base(request):
    """Both public base classes validate the same way."""
    return request.param


# --- Initial state --------------------------------------------------------------------------


def test_without_an_initial_mark_the_first_declared_state_is_initial(base):
    """No state marked ``initial=True``: the first declared one is the initial state."""

    class M(base):
        a = State()
        b = State(final=True)
        go = a.to(b)

    assert M.initial_state is M.a
    assert M.a.initial is True
    assert M.b.initial is False
    assert list(M().configuration_values) == ["a"]


def test_without_an_initial_mark_each_compound_starts_in_its_first_child():
    """Every level follows the rule: a compound with no marked child starts in the first."""

    class M(StateChart):
        class outer(State.Compound):
            class inner(State.Compound):
                deep = State()
                deeper = State()
                dive = deep.to(deeper)

            side = State()
            sidestep = inner.to(side)

        done = State(final=True)
        finish = outer.to(done)

    assert M.outer.initial
    assert M.outer.inner.initial
    assert M.outer.inner.deep.initial
    assert not M.outer.side.initial
    assert not M.outer.inner.deeper.initial
    assert list(M().configuration_values) == ["outer", "inner", "deep"]


def test_two_initial_states_are_rejected(base):
    """Two states marked ``initial=True`` are rejected and both are named."""
    with pytest.raises(InvalidDefinition, match=r"one and only one initial state(.|\n)*a, b"):

        class M(base):
            a = State(initial=True)
            b = State(initial=True)
            c = State(final=True)
            go = a.to(c)
            other = b.to(c)


def test_one_initial_state_is_accepted(base):
    """The minimal valid machine: one initial state and a transition to a final state."""

    class M(base):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    assert M.initial_state.id == "a"


# --- Final states ---------------------------------------------------------------------------


def test_transition_out_of_final_state_is_rejected(base):
    """A final state cannot be the source of a transition; the error names it."""
    with pytest.raises(
        InvalidDefinition, match=r"Cannot declare transitions from final state(.|\n)*'closed'"
    ):

        class M(base):
            draft = State(initial=True)
            closed = State(final=True)
            close = draft.to(closed)
            reopen = closed.to(draft)


def test_self_transition_on_final_state_is_rejected(base):
    """``final.to.itself()`` is also a transition out of a final state."""
    with pytest.raises(
        InvalidDefinition, match=r"Cannot declare transitions from final state(.|\n)*'closed'"
    ):

        class M(base):
            draft = State(initial=True)
            closed = State(final=True)
            close = draft.to(closed)
            poke = closed.to.itself()


def test_transition_into_final_state_via_from_is_accepted(base):
    """``final.from_(x)`` declares transitions *into* the final state, which is fine."""

    class M(base):
        draft = State(initial=True)
        closed = State(final=True)
        close = closed.from_(draft)

    assert [s.id for s in M.final_states] == ["closed"]


# --- Disconnected states --------------------------------------------------------------------


def test_unreachable_state_is_rejected(base):
    """A state that no path from the initial state reaches is rejected and named."""
    with pytest.raises(InvalidDefinition, match=r"There are unreachable states(.|\n)*'hazard'"):

        class M(base):
            a = State(initial=True)
            b = State()
            hazard = State()
            go = a.to(b)
            back = b.to(a)
            escape = hazard.to(a)


def test_state_reachable_only_through_another_state_is_accepted(base):
    """Reachability follows chains of transitions, not only direct ones from the initial."""

    class M(base):
        a = State(initial=True)
        b = State()
        c = State()
        d = State(final=True)
        step = a.to(b) | b.to(c) | c.to(d)

    assert [s.id for s in M.states] == ["a", "b", "c", "d"]


def test_disconnected_check_can_be_turned_off(base):
    """``validate_disconnected_states = False`` in the class body accepts unreachable states."""

    class M(base):
        validate_disconnected_states = False
        a = State(initial=True)
        b = State()
        hazard = State()
        go = a.to(b)
        back = b.to(a)
        escape = hazard.to(a)

    assert "hazard" in [s.id for s in M.states]


# --- Trap states ----------------------------------------------------------------------------


def test_trap_state_is_rejected_when_a_final_state_exists(base):
    """With a final state declared, a non-final state with no way out is a trap."""
    with pytest.raises(InvalidDefinition, match=r"at least one outgoing transition(.|\n)*'hazard'"):

        class M(base):
            validate_final_reachability = False
            a = State(initial=True)
            hazard = State()
            done = State(final=True)
            slip = a.to(hazard)
            finish = a.to(done)


def test_trap_state_is_rejected_with_default_flags(base):
    """With default flags, a trap state next to a final state is a definition error."""
    with pytest.raises(
        InvalidDefinition, match=r"(outgoing transition|no path to a final state)(.|\n)*'hazard'"
    ):

        class M(base):
            a = State(initial=True)
            hazard = State()
            done = State(final=True)
            slip = a.to(hazard)
            finish = a.to(done)


def test_trap_check_can_be_turned_off(base):
    """``validate_trap_states = False`` (with the reachability check also off) accepts traps."""

    class M(base):
        validate_trap_states = False
        validate_final_reachability = False
        a = State(initial=True)
        hazard = State()
        done = State(final=True)
        slip = a.to(hazard)
        finish = a.to(done)

    assert "hazard" in [s.id for s in M.states]


def test_terminal_states_are_accepted_without_final_states(base):
    """Without any final state, states with no outgoing transitions are terminal, not traps."""

    class M(base):
        a = State(initial=True)
        b = State()
        c = State()
        go = a.to(b)
        other = a.to(c)

    assert list(M.final_states) == []


def test_terminal_state_can_be_reached_at_runtime(base):
    """A machine without final states runs into a terminal state and stays there."""

    class M(base):
        a = State(initial=True)
        b = State()
        go = a.to(b)

    sm = M()
    sm.send("go")
    assert sm.b.is_active


@pytest.fixture
def campaign_cls():
    """The seed example from the Django docs, declared verbatim."""

    class CampaignMachineWithKeys(StateMachine):
        draft = State("Draft", initial=True, value=1)
        producing = State("Being produced", value=2)
        closed = State("Closed", value=3)
        cancelled = State("Cancelled", value=4)
        add_job = draft.to.itself() | producing.to.itself()
        produce = draft.to(producing)
        deliver = producing.to(closed)
        cancel = cancelled.from_(draft, producing)

    return CampaignMachineWithKeys


def test_campaign_machine_with_keys_is_accepted_verbatim(campaign_cls):
    """The seed example (no final state; ``closed`` and ``cancelled`` terminal) is valid."""
    assert [s.id for s in campaign_cls.states] == ["draft", "producing", "closed", "cancelled"]
    assert set(campaign_cls.states_map) == {1, 2, 3, 4}
    assert campaign_cls.producing.name == "Being produced"


def test_campaign_machine_with_keys_runs_to_a_terminal_state(campaign_cls):
    """The seed example instantiates and reaches ``closed`` (value 3)."""
    sm = campaign_cls()
    sm.add_job()
    sm.produce()
    sm.deliver()
    assert sm.current_state_value == 3
    assert sm.closed.is_active


def test_campaign_machine_with_keys_cancels_from_draft(campaign_cls):
    """``cancel`` declared with ``from_`` works from ``draft`` (value 4 afterwards)."""
    sm = campaign_cls()
    sm.cancel()
    assert sm.current_state_value == 4


# --- Final-state reachability ---------------------------------------------------------------


def test_state_without_path_to_final_is_rejected(base):
    """With finals declared, a state that can never reach one is rejected and named."""
    with pytest.raises(InvalidDefinition, match=r"no path to a final state(.|\n)*'abandoned'"):

        class M(base):
            a = State(initial=True)
            abandoned = State()
            done = State(final=True)
            give_up = a.to(abandoned)
            finish = a.to(done)
            wander = abandoned.to.itself()


def test_final_reachability_check_can_be_turned_off(base):
    """``validate_final_reachability = False`` accepts states that loop forever."""

    class M(base):
        validate_final_reachability = False
        a = State(initial=True)
        abandoned = State()
        done = State(final=True)
        give_up = a.to(abandoned)
        finish = a.to(done)
        wander = abandoned.to.itself()

    assert "abandoned" in [s.id for s in M.states]


def test_indirect_path_to_final_is_enough(base):
    """A state whose path to a final state goes through other states passes the check."""

    class M(base):
        a = State(initial=True)
        b = State()
        c = State()
        done = State(final=True)
        step = a.to(b) | b.to(c) | c.to(done)
        back = c.to(a)

    assert [s.id for s in M.final_states] == ["done"]


# --- Internal transitions and donedata ------------------------------------------------------


def test_internal_transition_to_another_state_is_rejected(base):
    """``internal=True`` requires the target to be the source (flat machines have no children)."""
    with pytest.raises(InvalidDefinition, match=r"(?is)not a valid internal transition.*elsewhere"):

        class M(base):
            start = State(initial=True)
            elsewhere = State(final=True)
            go = start.to(elsewhere, internal=True)


def test_internal_self_transition_is_accepted(base):
    """An internal self-transition is valid."""

    class M(base):
        a = State(initial=True)
        b = State(final=True)
        tick = a.to.itself(internal=True)
        go = a.to(b)

    assert any(t.internal for t in M.a.transitions)


def test_donedata_on_non_final_state_is_rejected(base):
    """``donedata=`` is only for final states; the error names the offending state."""
    with pytest.raises(
        InvalidDefinition,
        match=r"'donedata' can only be specified on final states(.|\n)*'working'",
    ):

        class M(base):
            working = State(initial=True, donedata="result")
            done = State(final=True)
            finish = working.to(done)

            def result(self):
                return {"ok": True}


def test_donedata_on_final_state_is_accepted(base):
    """``donedata=`` on a final state is valid."""

    class M(base):
        working = State(initial=True)
        done = State(final=True, donedata="result")
        finish = working.to(done)

        def result(self):
            return {"ok": True}

    assert M.done.final is True


# --- Listeners ------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", [None, "x", 3], ids=["None", "str", "int"])
def test_invalid_class_level_listener_is_rejected(base, entry):
    """A primitive in ``listeners`` is not a listener; the error shows the entry."""
    with pytest.raises(
        InvalidDefinition, match=r"Invalid entry in 'listeners': " + re.escape(repr(entry))
    ):

        class M(base):
            listeners = [entry]
            a = State(initial=True)
            b = State(final=True)
            go = a.to(b)


def test_valid_class_level_listeners_are_accepted(base):
    """A class, a factory and a shared instance are all valid listener entries."""

    class Audit:
        pass

    shared = Audit()

    class M(base):
        listeners = [Audit, lambda: Audit(), shared]
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    assert shared in M().active_listeners


# --- Errors raised at instantiation ---------------------------------------------------------


@pytest.mark.parametrize("kwarg", ["cond", "unless", "validators", "before", "on", "after"])
def test_unknown_transition_callback_name_fails_at_instantiation(base, kwarg):
    """An explicit callback name nobody defines fails when the machine is created, naming it."""

    class M(base):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, **{kwarg: "missing_callback"})

    with pytest.raises(InvalidDefinition, match=r"Did not found name(.|\n)*missing_callback"):
        M()


@pytest.mark.parametrize("kwarg", ["enter", "exit"])
def test_unknown_state_callback_name_fails_at_instantiation(base, kwarg):
    """An explicit ``enter=``/``exit=`` name that resolves to nothing fails on creation."""

    class M(base):
        a = State(initial=True, **{kwarg: "missing_callback"})
        b = State(final=True)
        go = a.to(b)

    with pytest.raises(InvalidDefinition, match=r"Did not found name(.|\n)*missing_callback"):
        M()


def test_callback_name_provided_by_the_model_is_resolved(base):
    """The same explicit name is fine when the model provides it."""

    class M(base):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, on="missing_callback")

    class Model:
        state = None

        def missing_callback(self):
            return "from model"

    sm = M(model=Model())
    sm.send("go")
    assert sm.b.is_active


def test_callback_name_provided_by_a_listener_is_resolved(base):
    """The same explicit name is fine when a constructor listener provides it."""

    class M(base):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b, cond="missing_callback")

    class Listener:
        def missing_callback(self):
            return True

    sm = M(listeners=[Listener()])
    sm.send("go")
    assert sm.b.is_active


def test_naming_convention_callbacks_are_optional(base):
    """Convention names (``on_go``, ``on_enter_b``) need not exist: no error on creation."""

    class M(base):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    sm = M()
    sm.send("go")
    assert sm.b.is_active


@pytest.mark.parametrize("expression", ["is_ready and", "not (is_ready", "is_ready or or is_set"])
def test_unparsable_cond_expression_fails_at_class_creation(base, expression):
    """A ``cond`` string that is not a valid boolean expression fails in the class body,
    quoted (earlier than the reference, which waits for instantiation)."""
    with pytest.raises(
        InvalidDefinition,
        match=r"Failed to parse boolean expression(.|\n)*" + re.escape(expression),
    ):

        class M(base):
            a = State(initial=True)
            b = State(final=True)
            go = a.to(b, cond=expression)
            is_ready = True
            is_set = True


def test_unparsable_unless_expression_fails_at_class_creation(base):
    """``unless`` strings are parsed the same way as ``cond`` strings."""
    with pytest.raises(InvalidDefinition, match="Failed to parse boolean expression"):

        class M(base):
            a = State(initial=True)
            b = State(final=True)
            go = a.to(b, unless="is_locked and")
            is_locked = False


def test_class_without_states_can_be_declared(base):
    """An abstract machine class (no states) is a valid class statement."""

    class Abstract(base):
        pass

    assert list(Abstract.states) == []


def test_class_without_states_cannot_be_instantiated(base):
    """Instantiating a machine with no states raises a definition error."""

    class Abstract(base):
        pass

    with pytest.raises(InvalidDefinition, match="There are no states or transitions"):
        Abstract()
