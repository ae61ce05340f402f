"""``StateChart.why_not()``: which condition refuses an event now, on both engines."""

from __future__ import annotations

import pytest

from statemachine import Refusal, State, StateChart, StateMachine


class Publishing(StateMachine):
    draft = State(initial=True)
    published = State()
    archived = State(final=True)

    publish = draft.to(published, cond="has_title") | draft.to(archived, unless="is_new")
    archive = published.to(archived)
    check = draft.to.itself(cond="strict", validators="never_runs")
    boom = draft.to(published, cond="explodes")

    has_title = False
    is_new = True

    def strict(self, level=0):
        return level > 1

    def never_runs(self):
        raise AssertionError("validators are not evaluated by why_not")

    def explodes(self):
        raise ValueError("no such column")


def test_each_refused_transition_names_its_condition(engine):
    sm = engine.machine(Publishing)
    refusals = engine.call(sm.why_not, "publish")
    assert [(r.source.id, r.target.id, r.guard) for r in refusals] == [
        ("draft", "published", "has_title"),
        ("draft", "archived", "!is_new"),
    ]
    assert [str(r) for r in refusals] == [
        "'publish' from 'draft' to 'published': has_title is false.",
        "'publish' from 'draft' to 'archived': is_new is true (unless).",
    ]
    assert all(isinstance(r, Refusal) and r.event == "publish" for r in refusals)


def test_no_refusal_when_the_event_would_fire_and_nothing_changes(engine):
    sm = engine.machine(Publishing)
    sm.has_title = True
    assert engine.call(sm.why_not, "publish") == []
    assert list(sm.configuration_values) == ["draft"]  # only asked, not sent


def test_arguments_reach_the_conditions_and_validators_do_not_run(engine):
    sm = engine.machine(Publishing)
    assert [r.guard for r in engine.call(sm.why_not, "check", level=1)] == ["strict"]
    assert engine.call(sm.why_not, "check", level=2) == []


def test_no_transition_from_the_current_state(engine):
    sm = engine.machine(Publishing)
    (refusal,) = engine.call(sm.why_not, "archive")
    assert (refusal.source, refusal.target, refusal.guard) == (None, None, None)
    assert refusal.message == "No transition for 'archive' from 'draft'."


def test_an_unknown_event_lists_the_known_ones(engine):
    sm = engine.machine(Publishing)
    (refusal,) = engine.call(sm.why_not, "pubilsh")
    assert refusal.message == (
        "Publishing has no event 'pubilsh' (its events: archive, boom, check, publish)."
    )


def test_a_condition_that_raises_refuses_with_its_error(engine):
    sm = engine.machine(Publishing)
    (refusal,) = engine.call(sm.why_not, "boom")
    assert refusal.guard == "explodes"
    assert "raised ValueError('no such column')" in refusal.message


def test_a_terminated_machine_refuses_everything(engine):
    sm = engine.machine(Publishing)
    sm.is_new = False
    engine.send(sm, "publish")  # to the final state
    (refusal,) = engine.call(sm.why_not, "publish")
    assert refusal.message == "Publishing has terminated."


def test_in_a_statechart_transitions_of_ancestors_count_too(engine):
    class Player(StateChart):
        class on(State.Compound, initial=True):
            playing = State(initial=True)
            paused = State()
            pause = playing.to(paused)

        off = State(final=True)
        power = on.to(off, cond="battery_ok")

        battery_ok = False

    sm = engine.machine(Player)
    (refusal,) = engine.call(sm.why_not, "power")
    assert (refusal.source.id, refusal.target.id, refusal.guard) == ("on", "off", "battery_ok")
    assert engine.call(sm.why_not, "pause") == []


@pytest.mark.parametrize("expression", ["has_title and not is_new"])
def test_a_guard_expression_is_named_by_its_text(engine, expression):
    class Expr(StateMachine):
        draft = State(initial=True)
        published = State()
        publish = draft.to(published, cond=expression)
        has_title = True
        is_new = True

    sm = engine.machine(Expr)
    (refusal,) = engine.call(sm.why_not, "publish")
    assert refusal.guard == expression
