"""The diagram model (`statemachine.contrib.diagram.extract`): what renderers read."""

from __future__ import annotations

import pytest

from statemachine import Event, HistoryState, State, StateChart, StateMachine
from statemachine.contrib.diagram import DiagramGraph, DiagramState, StateType, extract
from statemachine.contrib.diagram.model import ActionType, DiagramAction


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
    """Parallel, final and both history kinds are told apart; atomic and compound states are
    both regular (a compound one has children)."""
    kinds = {s.id: (s.type, s.is_compound) for s in extract(Player).walk()}
    regular, parallel = StateType.REGULAR, StateType.PARALLEL
    assert kinds == {
        "playing": (regular, True),
        "track": (regular, False),
        "ad": (regular, False),
        "h": (StateType.HISTORY_SHALLOW, False),
        "deep": (StateType.HISTORY_DEEP, False),
        "settings": (parallel, True),
        "audio": (regular, True),
        "loud": (regular, False),
        "quiet": (regular, False),
        "video": (regular, True),
        "hd": (regular, False),
        "stopped": (StateType.FINAL, False),
    }
    graph = extract(Player)
    assert graph.compound_state_ids == {"playing", "settings", "audio", "video"}


def test_regions_are_parallel_areas():
    """The children of a parallel state, and only those, are flagged as parallel areas."""
    assert {s.id for s in extract(Player).walk() if s.is_parallel_area} == {"audio", "video"}


def test_compounds_with_arrows_both_in_and_out_are_bidirectional():
    """A compound that is both the source and the target of drawn transitions is listed;
    arrows to its children do not count."""
    assert extract(Player).bidirectional_compound_ids == {"settings"}

    class Shop(StateChart):
        class browsing(State.Compound, initial=True):
            items = State(initial=True)
            h = HistoryState()

        paying = State()
        pay = browsing.to(paying)
        back = paying.to(browsing.h)

    assert extract(Shop).bidirectional_compound_ids == set()


def test_nesting_follows_the_declaration():
    """Children sit under their parent in document order, history states after the states."""
    graph = extract(Player)
    assert [s.id for s in graph.states] == ["playing", "settings", "stopped"]
    playing = graph.states[0]
    assert [c.id for c in playing.children] == ["track", "ad", "h", "deep"]
    assert [c.id for c in graph.states[1].children] == ["audio", "video"]


def test_initial_states_are_marked_at_every_level():
    """The machine's initial state and each compound's initial child are marked initial.
    The regions of a parallel state are not, although their ``State.initial`` reads True
    (they are all entered with it): their arrows come from the parallel state."""
    initial = sorted(s.id for s in extract(Player).walk() if s.is_initial)
    assert initial == ["hd", "loud", "playing", "track"]
    assert Player.settings.audio.initial
    assert Player.settings.video.initial


def test_a_compound_without_a_marked_child_starts_in_its_first():
    """The first child of a compound that marks none is its initial state, as when entered."""

    class Nested(StateChart):
        class outer(State.Compound, initial=True):
            first = State()
            second = State(final=True)
            go = first.to(second)

    assert [s.id for s in extract(Nested).walk() if s.is_initial] == ["outer", "first"]


def test_initial_arrows_are_transitions_of_compound_and_parallel_states():
    """A compound has one initial arrow to its initial child, a parallel one per region; the
    machine's own initial state has none."""
    arrows = [(t.source, t.targets) for t in extract(Player).transitions if t.is_initial]
    assert arrows == [
        ("playing", ["track"]),
        ("settings", ["audio"]),
        ("settings", ["video"]),
        ("audio", ["loud"]),
        ("video", ["hd"]),
    ]


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
    edges = {(t.source, t.event): t for t in extract(Player).transitions}
    interrupt = edges[("track", "Interrupt")]
    assert interrupt.targets == ["ad"]
    assert interrupt.event_ids == ["interrupt"]
    assert interrupt.guards == ["ads_enabled", "!premium"]
    assert edges[("settings", "Back")].targets == ["h"]


def test_transitions_are_listed_state_by_state():
    """Each state's transitions, then its initial arrows, then its children's, in document
    order."""
    sources = [t.source for t in extract(Player).transitions]
    assert sources == [
        "playing", "playing", "playing", "playing", "track", "track", "ad",
        "settings", "settings", "settings", "audio", "loud", "video",
    ]  # fmt: skip


def test_events_are_labelled_with_their_display_names():
    """The label joins the display names of a transition's events with a space, in the order
    the transition lists them."""

    class Door(StateChart):
        closed = State(initial=True)
        opened = State()
        go_now = Event(name="Go now")
        open = closed.to(opened, event=[go_now, "shove"])
        close = opened.to(closed)

    first, second = extract(Door).transitions
    assert first.event_ids == ["shove", "open", "go_now"]
    assert first.event == "Shove Open Go now"
    assert second.event == "Close"


def test_negated_guard_expressions_are_parenthesised():
    """An `unless` that is an expression is negated as a whole."""

    class Gate(StateChart):
        shut = State(initial=True)
        ajar = State()
        push = shut.to(ajar, unless="locked and not forced") | ajar.to(shut, unless=["a", "b"])
        locked = forced = a = b = False

    assert [t.guards for t in extract(Gate).transitions] == [
        ["!(locked and not forced)"],
        ["!a", "!b"],
    ]


def test_guard_expressions_are_shown_as_written():
    """A boolean guard expression appears as its source text."""
    eventless = [t for t in extract(Player).transitions if not t.event and not t.is_initial]
    assert [(t.source, t.targets, t.guards) for t in eventless] == [
        ("track", ["ad"], ["In('settings') and ads_enabled"])
    ]


def test_internal_transitions_are_flagged_and_listed_with_their_actions():
    """An internal transition keeps its flag; one with actions is also an action line of its
    source state, labelled with the event's display name."""
    refresh = next(t for t in extract(Player).transitions if t.event_ids == ["refresh"])
    assert refresh.is_internal
    assert refresh.targets == ["playing"]

    class Kettle(StateChart):
        on = State(initial=True)
        tick = on.to.itself(internal=True, on="beep")
        poke = on.to.itself(internal=True)

        def beep(self):
            pass

    (on,) = extract(Kettle).states
    assert on.actions == [DiagramAction(ActionType.INTERNAL, "Tick / beep")]


def test_targetless_transitions_have_no_target():
    """A transition declared without a target has an empty target tuple."""

    class Counter(StateMachine):
        idle = State(initial=True)
        bump = idle.to(on="count")

        def count(self):
            pass

    (bump,) = extract(Counter).transitions
    assert bump.targets == []
    assert bump.actions == ["count"]


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
    assert states["on"].actions == [
        DiagramAction(ActionType.ENTRY, "warm_up"),
        DiagramAction(ActionType.EXIT, "cool_down"),
    ]
    assert states["off"].actions == [DiagramAction(ActionType.ENTRY, "on_enter_off")]
    assert _states(extract(Player))["playing"].actions == [
        DiagramAction(ActionType.ENTRY, "start_clock")
    ]


def test_several_actions_of_one_kind_share_a_line():
    """The names of several entry (or exit) actions are joined with `, `."""

    class Motor(StateChart):
        off = State(initial=True)
        on = State(exit=["brake", "log"])
        start = off.to(on)
        stop = on.to(off)

        def brake(self):
            pass

        def log(self):
            pass

    assert _states(extract(Motor))["on"].actions == [DiagramAction(ActionType.EXIT, "brake, log")]


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


@pytest.mark.parametrize("thing", [42, int, "Player"])
def test_anything_else_is_refused_with_the_references_message_and_a_hint(thing):
    """Only machine classes and instances can be drawn; the message names the type given and
    a note says what to pass instead."""
    with pytest.raises(TypeError) as caught:
        extract(thing)
    assert str(caught.value) == f"Expected a StateChart instance or class, got {type(thing)}"
    assert caught.value.__notes__ == [f"Cannot draw {thing!r}: pass a machine class or instance."]


def test_importing_statemachine_does_not_import_the_diagram_package():
    """The core never imports the diagram package (it is imported only when used)."""
    import subprocess
    import sys

    code = "import sys, statemachine\nprint('statemachine.contrib.diagram' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
