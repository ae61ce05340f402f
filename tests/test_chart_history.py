"""History states at runtime: shallow and deep records, default transitions, the fallback
without a record, and `history_values` (spec 3.3 and deliberate difference 1)."""

from __future__ import annotations

from _chart_helpers import LogMixin, StateLogMixin, recorded

from statemachine import HistoryState, State, StateChart


class Player(StateChart):
    class playing(State.Compound, initial=True):
        intro = State(initial=True)

        class song(State.Compound):
            verse = State(initial=True)
            chorus = State()
            sing = verse.to(chorus)

        outro = State()
        h = HistoryState()
        hd = HistoryState(type="deep")
        start_song = intro.to(song)
        finish_song = song.to(outro)

    paused = State()

    pause = playing.to(paused)
    resume = paused.to(playing.h)
    resume_deep = paused.to(playing.hd)
    restart = paused.to(playing)


def test_shallow_history_re_enters_the_last_active_child(engine):
    """Targeting a shallow history re-enters the child that was active when the parent left."""
    sm = engine.machine(Player)
    engine.send(sm, "start_song")
    engine.send(sm, "finish_song")
    engine.send(sm, "pause")
    engine.send(sm, "resume")
    assert list(sm.configuration_values) == ["playing", "outro"]


def test_shallow_history_enters_a_remembered_compound_at_its_initial_child(engine):
    """A shallow record keeps only the direct child; a compound child starts at its initial."""
    sm = engine.machine(Player)
    engine.send(sm, "start_song")
    engine.send(sm, "sing")
    engine.send(sm, "pause")
    engine.send(sm, "resume")
    assert list(sm.configuration_values) == ["playing", "song", "verse"]


def test_deep_history_re_enters_the_exact_leaves(engine):
    """A deep history restores the atomic descendants that were active, at every level."""
    sm = engine.machine(Player)
    engine.send(sm, "start_song")
    engine.send(sm, "sing")
    engine.send(sm, "pause")
    engine.send(sm, "resume_deep")
    assert list(sm.configuration_values) == ["playing", "song", "chorus"]


def test_entering_through_history_runs_entry_callbacks_outermost_first(engine):
    """Re-entering through a deep history enters the parent, then each remembered level."""
    sm, rec = recorded(engine, Player)
    engine.send(sm, "start_song")
    engine.send(sm, "sing")
    engine.send(sm, "pause")
    rec.calls.clear()
    engine.send(sm, "resume_deep")
    assert rec.calls == ["exit paused", "enter playing", "enter song", "enter chorus"]


def test_targeting_the_parent_itself_ignores_the_history(engine):
    """A transition to the compound (not its history) uses the default entry."""
    sm = engine.machine(Player)
    engine.send(sm, "start_song")
    engine.send(sm, "pause")
    engine.send(sm, "restart")
    assert list(sm.configuration_values) == ["playing", "intro"]


def test_history_is_recorded_when_the_parent_is_exited(engine):
    """`history_values` holds, per history id, the states remembered when the parent left."""
    sm = engine.machine(Player)
    engine.send(sm, "start_song")
    engine.send(sm, "sing")
    assert sm.history_values == {}
    engine.send(sm, "pause")
    values = {key: [s.id for s in states] for key, states in sm.history_values.items()}
    assert values == {"h": ["song"], "hd": ["chorus"]}


def test_history_record_is_replaced_on_each_exit(engine):
    """Every exit of the parent overwrites the record with the then-active child."""
    sm = engine.machine(Player)
    engine.send(sm, "start_song")
    engine.send(sm, "pause")
    engine.send(sm, "restart")
    engine.send(sm, "pause")
    engine.send(sm, "resume")
    assert list(sm.configuration_values) == ["playing", "intro"]


class Workshop(StateChart):
    """A `work` compound whose history `h` defaults to `build` (not the initial `plan`)."""

    start = State(initial=True)

    class work(State.Compound):
        plan = State(initial=True)
        build = State()
        ship = State()
        h = HistoryState()
        _ = h.to(build)
        advance = plan.to(build) | build.to(ship)

    resume = start.to(work.h)
    stop = work.to(start)
    begin = start.to(work)


def test_history_default_transition_is_used_without_a_record(engine):
    """With no record yet, a history state follows its default transition."""
    sm = engine.machine(Workshop)
    engine.send(sm, "resume")
    assert list(sm.configuration_values) == ["work", "build"]


def test_history_default_transition_runs_its_actions(engine):
    """The `on` actions of a history's default transition run when it is taken."""

    class Chart(LogMixin, StateChart):
        start = State(initial=True)

        class work(State.Compound):
            plan = State(initial=True)
            build = State()
            h = HistoryState()
            _ = h.to(build, on="note_default")
            advance = plan.to(build)
            rethink = build.to(plan)

        resume = start.to(work.h)
        stop = work.to(start)

        def note_default(self):
            self.log.append("default taken")

    sm = engine.machine(Chart)
    engine.send(sm, "resume")
    assert sm.log == ["default taken"]


def test_history_record_wins_over_the_default_transition(engine):
    """Once recorded, the history re-enters the remembered child, not the default target."""
    sm = engine.machine(Workshop)
    engine.send(sm, "begin")
    engine.send(sm, "stop")
    engine.send(sm, "resume")
    assert list(sm.configuration_values) == ["work", "plan"]


def test_history_without_record_or_default_enters_the_initial_child(engine):
    """Without a record or a default, the parent's initial child is entered (never empty)."""

    class Chart(StateChart):
        start = State(initial=True)

        class work(State.Compound):
            plan = State()
            build = State(initial=True)
            h = HistoryState()
            advance = plan.to(build)
            rethink = build.to(plan)

        resume = start.to(work.h)
        stop = work.to(start)

    sm = engine.machine(Chart)
    engine.send(sm, "resume")
    assert list(sm.configuration_values) == ["work", "build"]


def test_deep_history_restores_every_region_of_a_parallel(engine):
    """A deep history over a parallel child restores the active leaf of each region."""

    class Chart(StateChart):
        class station(State.Compound, initial=True):
            class desk(State.Parallel, initial=True):
                class lamp(State.Compound):
                    lamp_off = State(initial=True)
                    lamp_on = State()
                    light = lamp_off.to(lamp_on)
                    unlight = lamp_on.to(lamp_off)

                class radio(State.Compound):
                    quiet = State(initial=True)
                    music = State()
                    play = quiet.to(music)
                    stop_music = music.to(quiet)

            hd = HistoryState(type="deep")

        away = State()
        leave = station.to(away)
        come_back = away.to(station.hd)

    sm = engine.machine(Chart)
    engine.send(sm, "play")
    engine.send(sm, "leave")
    engine.send(sm, "come_back")
    assert list(sm.configuration_values) == [
        "station",
        "desk",
        "lamp",
        "lamp_off",
        "radio",
        "music",
    ]


def test_history_of_a_nested_compound_is_kept_separately(engine):
    """Each compound's history remembers its own children, independently of its parent's."""

    class Chart(StateChart):
        class outer(State.Compound, initial=True):
            class inner(State.Compound, initial=True):
                one = State(initial=True)
                two = State()
                next_one = one.to(two)
                ih = HistoryState()

            side = State()
            oh = HistoryState()
            aside = inner.to(side)
            back_inside = side.to(inner.ih)

        out = State()
        exit_all = outer.to(out)
        return_all = out.to(outer.oh)

    sm = engine.machine(Chart)
    engine.send(sm, "next_one")
    engine.send(sm, "aside")
    engine.send(sm, "exit_all")
    engine.send(sm, "return_all")
    assert list(sm.configuration_values) == ["outer", "side"]
    engine.send(sm, "back_inside")
    assert list(sm.configuration_values) == ["outer", "inner", "two"]


def test_history_target_inside_the_domain_does_not_reenter_active_ancestors(engine):
    """A transition from a leaf to its grandparent's history re-enters only what it exits:
    ancestors that stay active are not entered a second time."""

    class Chart(StateLogMixin, StateChart):
        validate_disconnected_states = False

        class outer(State.Compound, initial=True):
            class inner(State.Compound):
                leaf = State()

            h = HistoryState(type="deep")
            _ = h.to(inner.leaf)

        back = outer.inner.leaf.to(outer.h)

    sm = engine.machine(Chart)
    engine.send(sm, "back")
    engine.send(sm, "back")
    assert list(sm.configuration_values) == ["outer", "inner", "leaf"]
    assert sm.log[-4:] == ["exit leaf", "enter leaf", "exit leaf", "enter leaf"]
