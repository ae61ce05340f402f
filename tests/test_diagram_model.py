"""The diagram model (`statemachine.contrib.diagram.extract`): what renderers read."""

from __future__ import annotations

import pytest

from statemachine import HistoryState, State, StateChart, StateMachine
from statemachine.contrib.diagram import DiagramGraph, DiagramState, StateType, extract


class Player(StateChart):
    """A chart with every kind of node."""

    validate_disconnected_states = False

    class playing(State.Compound, initial=True, enter="start_clock"):
        track = State(initial=True)
        ad = State(exit="log_ad")
        h = HistoryState()
        deep = HistoryState(type="deep")
        interrupt = track.to(ad, cond="ads_enabled", unless="premium")
        resume = ad.to(track)

    class settings(State.Parallel):
        class audio(State.Compound):
            loud = State(initial=True)
            quiet = State()
            turn_down = loud.to(quiet)

        class video(State.Compound):
            hd = State(initial=True)

    stopped = State(final=True)

    stop = playing.to(stopped)
    configure = playing.to(settings)
    back = settings.to(playing.h)
    refresh = playing.to.itself(internal=True)
    playing.track.to(playing.ad, cond="In('settings') and ads_enabled")

    ads_enabled = True
    premium = False

    def start_clock(self):
        pass

    def log_ad(self):
        pass

    def on_enter_stopped(self):
        pass


def _states(graph: DiagramGraph) -> dict[str, DiagramState]:
    return {s.id: s for s in graph.walk()}


def test_every_state_appears_with_its_kind():
    """Atomic, compound, parallel, final and both history kinds are told apart."""
    kinds = {s.id: s.type for s in extract(Player).walk()}
    assert kinds == {
        "playing": StateType.COMPOUND,
        "track": StateType.ATOMIC,
        "ad": StateType.ATOMIC,
        "h": StateType.HISTORY_SHALLOW,
        "deep": StateType.HISTORY_DEEP,
        "settings": StateType.PARALLEL,
        "audio": StateType.COMPOUND,
        "loud": StateType.ATOMIC,
        "quiet": StateType.ATOMIC,
        "video": StateType.COMPOUND,
        "hd": StateType.ATOMIC,
        "stopped": StateType.FINAL,
    }


def test_nesting_follows_the_declaration():
    """Children sit under their parent in document order, history states after the states."""
    graph = extract(Player)
    assert [s.id for s in graph.states] == ["playing", "settings", "stopped"]
    playing = graph.states[0]
    assert [c.id for c in playing.children] == ["track", "ad", "h", "deep"]
    assert [c.id for c in graph.states[1].children] == ["audio", "video"]


def test_initial_states_are_marked_at_every_level():
    """The machine's initial state, each compound's initial child and every region of a
    parallel state (all entered with it) are marked initial."""
    initial = sorted(s.id for s in extract(Player).walk() if s.initial)
    assert initial == ["audio", "hd", "loud", "playing", "track", "video"]


def test_a_class_diagram_has_no_active_state():
    """Drawing a class shows no active state."""
    assert extract(Player).active == frozenset()


def test_an_instance_diagram_marks_the_whole_configuration_active():
    """Drawing an instance marks every active state, ancestors and parallel regions too."""
    sm = Player()
    sm.send("configure")
    assert extract(sm).active == {"settings", "audio", "loud", "video", "hd"}


def test_transitions_keep_events_targets_and_guards():
    """Each transition lists its source, targets and events; `unless` guards are negated."""
    edges = {(t.source, t.events): t for t in extract(Player).transitions}
    interrupt = edges[("track", ("interrupt",))]
    assert interrupt.targets == ("ad",)
    assert interrupt.guards == ("ads_enabled", "not premium")
    assert edges[("settings", ("back",))].targets == ("h",)


def test_guard_expressions_are_shown_as_written():
    """A boolean guard expression appears as its source text."""
    eventless = [t for t in extract(Player).transitions if t.is_eventless]
    assert [(t.source, t.targets, t.guards) for t in eventless] == [
        ("track", ("ad",), ("In('settings') and ads_enabled",))
    ]


def test_internal_and_self_transitions_are_flagged():
    """An internal self-transition keeps both flags."""
    refresh = next(t for t in extract(Player).transitions if t.events == ("refresh",))
    assert refresh.internal
    assert refresh.is_self


def test_targetless_transitions_have_no_target():
    """A transition declared without a target has an empty target tuple."""

    class Counter(StateMachine):
        idle = State(initial=True)
        bump = idle.to(on="count")

        def count(self):
            pass

    (bump,) = extract(Counter).transitions
    assert bump.targets == ()
    assert not bump.is_self


def test_entry_and_exit_actions_are_named():
    """Inline, decorator and naming-convention actions all appear by name."""

    class Lamp(StateMachine):
        off = State(initial=True)
        on = State(enter="warm_up")
        switch = off.to(on) | on.to(off)

        def warm_up(self):
            pass

        @on.exit
        def cool_down(self):
            pass

        def on_enter_off(self):
            pass

    states = _states(extract(Lamp))
    assert states["on"].entry == ("warm_up",)
    assert states["on"].exit == ("cool_down",)
    assert states["off"].entry == ("on_enter_off",)
    assert _states(extract(Player))["playing"].entry == ("start_clock",)


def test_extracting_never_creates_listeners_or_machines():
    """Drawing a class builds nothing of the runtime: no listener factory, no instance."""
    made: list[str] = []

    class Spy:
        def __init__(self):
            made.append("listener")

    class Watched(StateMachine):
        listeners = [Spy]
        a = State(initial=True)
        b = State()
        go = a.to(b)

        def __init__(self, *args, **kwargs):
            made.append("machine")
            super().__init__(*args, **kwargs)

    assert [s.id for s in extract(Watched).walk()] == ["a", "b"]
    assert made == []


def test_anything_else_is_refused_with_a_clear_error():
    """Only machine classes and instances can be drawn."""
    with pytest.raises(TypeError, match=r"Cannot draw 42: pass a StateChart/StateMachine"):
        extract(42)


def test_importing_statemachine_does_not_import_the_diagram_package():
    """The core never imports the diagram package (it is imported only when used)."""
    import subprocess
    import sys

    code = "import sys, statemachine\nprint('statemachine.contrib.diagram' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
