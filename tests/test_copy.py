"""copy.copy, copy.deepcopy and pickle round trips of machine instances."""

from __future__ import annotations

import copy
import pickle
from enum import Enum

import pytest

from statemachine import HistoryState, State, StateChart, StateMachine
from statemachine.exceptions import TransitionNotAllowed
from statemachine.states import States


class Player(StateMachine):
    stopped = State(initial=True)
    playing = State()
    paused = State()

    play = stopped.to(playing) | paused.to(playing)
    pause = playing.to(paused)
    stop = playing.to(stopped) | paused.to(stopped)


class PlayerChart(StateChart):
    stopped = State(initial=True)
    playing = State()
    paused = State()

    play = stopped.to(playing) | paused.to(playing)
    pause = playing.to(paused)
    stop = playing.to(stopped) | paused.to(stopped)


class EntryLog:
    """A listener recording the ids of entered states."""

    def __init__(self):
        self.entries: list[str] = []

    def on_enter_state(self, state):
        self.entries.append(state.id)


class Record:
    def __init__(self):
        self.state = None
        self.note = "kept"


class Ticket:
    def __init__(self):
        self.status = None


class Season(Enum):
    SPRING = "spring"
    SUMMER = "summer"
    AUTUMN = "autumn"


class SeasonMachine(StateMachine):
    _ = States.from_enum(Season, initial=Season.SPRING)

    advance = _.SPRING.to(_.SUMMER) | _.SUMMER.to(_.AUTUMN) | _.AUTUMN.to(_.SPRING)


class LabelledPlayer(StateMachine):
    stopped = State(initial=True)
    playing = State()

    play = stopped.to(playing)
    stop = playing.to(stopped)

    def __init__(self, label, **kwargs):
        self.label = label
        self.plays = 0
        super().__init__(**kwargs)

    def on_enter_playing(self):
        self.plays += 1


def _pickle_round_trip(obj):
    return pickle.loads(pickle.dumps(obj))


ROUND_TRIPS = [
    pytest.param(copy.deepcopy, id="deepcopy"),
    pytest.param(_pickle_round_trip, id="pickle"),
]
ALL_COPIES = [pytest.param(copy.copy, id="copy"), *ROUND_TRIPS]


@pytest.mark.parametrize("clone", ALL_COPIES)
def test_copy_preserves_the_state(clone):
    """A copied machine is in the same state as the original."""
    sm = Player()
    sm.play()
    sm.pause()
    cp = clone(sm)
    assert cp.current_state_value == "paused"
    assert cp.paused.is_active
    assert [s.id for s in cp.configuration] == ["paused"]


@pytest.mark.parametrize("clone", ALL_COPIES)
def test_copy_processes_further_events(clone):
    """Events sent to a copy run its transitions."""
    sm = Player()
    sm.play()
    cp = clone(sm)
    cp.pause()
    assert cp.paused.is_active
    cp.stop()
    assert cp.stopped.is_active


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_still_refuses_invalid_events(clone):
    """A copied StateMachine keeps refusing events without a transition."""
    sm = Player()
    cp = clone(sm)
    with pytest.raises(TransitionNotAllowed, match=r"(?i)pause.*stopped"):
        cp.pause()
    assert cp.stopped.is_active


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_is_independent_of_the_original(clone):
    """Events on the copy do not move the original, and vice versa."""
    sm = Player()
    sm.play()
    cp = clone(sm)
    cp.pause()
    assert sm.playing.is_active
    assert sm.model.state == "playing"
    sm.stop()
    assert cp.paused.is_active
    assert cp.model.state == "paused"


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_copies_a_custom_model(clone):
    """The model is copied with its other attributes and stays bound to the copy."""
    record = Record()
    sm = Player(model=record)
    sm.play()
    cp = clone(sm)
    assert cp.model is not record
    assert cp.model.note == "kept"
    cp.pause()
    assert cp.model.state == "paused"
    assert record.state == "playing"


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_keeps_a_custom_state_field(clone):
    """A machine using state_field= keeps writing that field after a copy."""
    sm = Player(model=Ticket(), state_field="status")
    sm.play()
    cp = clone(sm)
    assert cp.state_field == "status"
    cp.pause()
    assert cp.model.status == "paused"


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_preserves_listeners(clone):
    """Listeners come along and receive the copy's callbacks."""
    log = EntryLog()
    sm = Player(listeners=[log])
    sm.play()
    cp = clone(sm)
    copied_logs = [x for x in cp.active_listeners if isinstance(x, EntryLog)]
    assert len(copied_logs) == 1
    copied = copied_logs[0]
    assert copied.entries == ["stopped", "playing"]
    cp.pause()
    assert copied.entries == ["stopped", "playing", "paused"]


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_does_not_share_listeners_with_the_original(clone):
    """Events on the copy are not reported to the original's listener."""
    log = EntryLog()
    sm = Player(listeners=[log])
    cp = clone(sm)
    cp.play()
    assert log.entries == ["stopped"]


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_does_not_rerun_entry_callbacks(clone):
    """Copying restores the configuration without entering states again."""
    log = EntryLog()
    sm = Player(listeners=[log])
    sm.play()
    cp = clone(sm)
    copied = next(x for x in cp.active_listeners if isinstance(x, EntryLog))
    assert copied.entries == ["stopped", "playing"]


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_preserves_enum_values(clone):
    """Enum-valued states survive the round trip as enum members."""
    sm = SeasonMachine()
    sm.advance()
    cp = clone(sm)
    assert cp.current_state_value is Season.SUMMER
    cp.advance()
    assert cp.model.state is Season.AUTUMN


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_of_subclass_with_custom_init(clone):
    """A machine whose __init__ takes extra arguments is copied with its attributes."""
    sm = LabelledPlayer("living room")
    sm.play()
    cp = clone(sm)
    assert cp.label == "living room"
    assert cp.plays == 1
    cp.stop()
    cp.play()
    assert cp.plays == 2
    assert sm.plays == 1


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_of_a_statechart(clone):
    """A StateChart copy keeps its state and its lenient handling of unknown events."""
    sm = PlayerChart()
    sm.play()
    cp = clone(sm)
    assert cp.playing.is_active
    assert cp.send("nonexistent") is None
    cp.pause()
    assert cp.paused.is_active
    assert sm.playing.is_active


@pytest.mark.parametrize("clone", ROUND_TRIPS)
def test_copy_repr_matches_the_original(clone):
    """The copy describes itself like the original."""
    sm = Player()
    sm.play()
    assert repr(clone(sm)) == repr(sm)


class Workshop(StateChart):
    class bench(State.Compound, initial=True):
        sanding = State(initial=True)
        painting = State()
        h = HistoryState()
        next_step = sanding.to(painting)

    lunch = State()
    pause = bench.to(lunch)
    resume = lunch.to(bench.h)


@pytest.mark.parametrize("clone", ALL_COPIES)
def test_copy_keeps_history_records(clone):
    """A copy remembers what its history states recorded, so returning through a history
    state re-enters the recorded child."""
    sm = Workshop()
    sm.send("next_step")
    sm.send("pause")
    copied = clone(sm)
    assert copied.history_values == {"h": [Workshop.bench.painting]}
    copied.send("resume")
    assert list(copied.configuration_values) == ["bench", "painting"]


@pytest.mark.parametrize("clone", ALL_COPIES)
def test_copy_of_a_statechart_in_a_compound_state_keeps_its_configuration(clone):
    """Copies of a machine inside a compound state keep the full configuration."""
    sm = Workshop()
    sm.send("next_step")
    assert list(clone(sm).configuration_values) == ["bench", "painting"]
