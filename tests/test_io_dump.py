"""statemachine.io.dump: machine classes declared in Python written out as SCXML, JSON and
YAML documents, and loaded back into classes that behave the same (checked on random
statecharts with Hypothesis, by running the same steps on both)."""

from __future__ import annotations

import json
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_chart_properties import GUARDS, Recorder, build_class, charts, resolve_step, steps

from statemachine import Event, HistoryState, State, StateChart, StateMachine
from statemachine.io import ExportError, dump, load

FORMATS = ("scxml", "json", "yaml")


def round_trip(cls: type, fmt: str) -> type:
    return load(dump(cls, format=fmt), format=fmt)


def _recorder(name: str):
    def record(self, event: str) -> bool:
        self.calls.append(f"{name}({event})")
        return True

    record.__name__ = name
    return record


class Log:
    """A model whose methods are the callbacks the machines below name: each records its
    name (and the event), so that two machines can be compared call by call."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.unlocked = True
        self.locked = False
        self.count = 0


for _name in (
    *("started", "lights", "leaving", "can_pause", "note", "pausing", "resumed", "check"),
    *("again", "stopping", "saving", "stopped"),
):
    setattr(Log, _name, _recorder(_name))


class Player(StateChart):
    """Plays and pauses."""

    class on(State.Compound, initial=True):
        playing = State(initial=True, enter=["started", "lights"], exit="leaving")
        paused = State()
        memory = HistoryState(type="deep")
        pause = playing.to(paused, cond="can_pause", before="note", on="pausing")
        resume = paused.to(playing, unless="count > 3", after="resumed")
        unlock = paused.to.itself(validators="check", on="again")

    off = State(final=True)
    stop = on.to(off, on=["stopping", "saving"], after="stopped")
    skip = on.to(on.memory, cond=["unlocked", "!locked ^ unlocked"])


def calls_of(cls: type, events: list[str]) -> tuple[list[str], list[str]]:
    model = Log()
    sm = cls(model)
    for event in events:
        sm.send(event)
    return list(sm.configuration_values), model.calls


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_loaded_dump_calls_the_same_callbacks_in_the_same_order(fmt):
    events = ["pause", "resume", "pause", "skip", "unlock", "stop"]
    assert calls_of(round_trip(Player, fmt), events) == calls_of(Player, events)
    assert calls_of(Player, events)[1][:4] == [
        "started(__initial__)",
        "lights(__initial__)",
        "can_pause(pause)",
        "note(pause)",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_structure_survives(fmt):
    loaded = round_trip(Player, fmt)
    assert loaded.__name__ == "Player"
    original = Player._definition
    definition = loaded._definition
    assert [s.id for s in definition.states] == [s.id for s in original.states]
    shape = [(s.id, s.final, s.parallel, s.initial, s.is_history) for s in original.states]
    assert [(s.id, s.final, s.parallel, s.initial, s.is_history) for s in definition.states] == (
        shape
    )
    assert definition.states_by_id["memory"].type.is_deep
    assert sorted(definition.events) == sorted(original.events)


def test_scxml_uses_standard_elements_and_the_py_namespace_for_the_rest():
    text = dump(Player)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert 'xmlns:py="urn:statemachine:python"' in text
    assert '<history id="memory" type="deep"' in text
    assert '<transition event="pause" target="paused" cond="can_pause" py:before="note">' in text
    assert '<py:unless expr="count &gt; 3" />' in text
    assert '<py:call name="stopping" />' in text
    # A classic-syntax expression is written as Python.
    assert '<py:cond expr="not locked and unlocked" />' in text


def test_json_is_the_native_vocabulary_and_validates_against_the_schema():
    data = json.loads(dump(Player, format="json"))
    assert data["description"] == "Plays and pauses."
    pause = data["states"]["on"]["states"]["playing"]["transitions"][0]
    assert pause == {
        "event": "pause",
        "target": "paused",
        "cond": "can_pause",
        "before": ["note"],
        "on": ["pausing"],
    }
    load(dump(Player, format="json"), format="json", validate=True)


def test_a_state_machine_keeps_its_options():
    """A StateMachine's options differ from a StateChart's: the document sets them."""

    class Turnstile(StateMachine):
        locked = State(initial=True)
        unlocked = State()
        coin = locked.to(unlocked) | unlocked.to.itself()
        push = unlocked.to(locked)

    for fmt in FORMATS:
        loaded = round_trip(Turnstile, fmt)
        for option in (
            "allow_event_without_transition",
            "enable_self_transition_entries",
            "atomic_configuration_update",
            "catch_errors_as_events",
        ):
            assert getattr(loaded, option) == getattr(Turnstile, option), (fmt, option)
    assert json.loads(dump(Turnstile, format="json"))["settings"] == {
        "allow_event_without_transition": False,
        "enable_self_transition_entries": False,
        "atomic_configuration_update": True,
        "catch_errors_as_events": False,
    }


def test_methods_given_as_functions_are_written_by_name():
    class Decorated(StateChart):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

        @a.exit
        def leaving_a(self):
            pass

        @go.cond
        def ready(self):
            return True

    text = dump(Decorated, format="json")
    transition = json.loads(text)["states"]["a"]["transitions"][0]
    assert transition["cond"] == "ready"
    assert json.loads(text)["states"]["a"]["exit"] == ["leaving_a"]


def test_an_instance_dumps_its_class():
    assert dump(Player(Log())) == dump(Player)


def test_invoke_by_name_runs_the_same_method():
    class Fetcher(StateChart):
        loading = State(initial=True, invoke="fetch")
        ready = State(final=True)
        done_invoke_loading = loading.to(ready, on="got")

    class Model:
        def __init__(self):
            self.got_data = None

        def fetch(self):
            return 42

        def got(self, data):
            self.got_data = data

    for fmt in FORMATS:
        sm = round_trip(Fetcher, fmt)(Model())
        deadline = time.monotonic() + 3
        while not sm.is_terminated and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sm.is_terminated, fmt
        assert sm.model.got_data == 42
    assert '<py:invoke name="fetch" />' in dump(Fetcher)


# --- what a document cannot hold -------------------------------------------------------------


def test_a_lambda_guard_is_refused_naming_it_and_its_transition():
    class Lambda(StateChart):
        a = State(initial=True)
        b = State()
        go = a.to(b, cond=lambda: True) | b.to(a)

    with pytest.raises(ExportError, match=r"cond callback .*<lambda>.* a -> b on 'go'"):
        dump(Lambda)


def test_an_unnamed_action_is_refused():
    def helper():
        pass

    class Free(StateChart):
        a = State(initial=True, enter=helper)
        b = State()
        go = a.to(b) | b.to(a)

    with pytest.raises(ExportError, match=r"enter callback .*helper of state 'a'.*by name"):
        dump(Free, format="json")


def test_donedata_and_event_defaults_are_refused():
    class Done(StateChart):
        class job(State.Compound, initial=True):
            run = State(initial=True)
            end = State(final=True, donedata="summary")
            finish = run.to(end)

        closed = State(final=True)
        done_state_job = job.to(closed)

    with pytest.raises(ExportError, match="donedata of state 'end'"):
        dump(Done)

    class Delayed(StateChart):
        a = State(initial=True)
        b = State(final=True)
        go = Event(a.to(b), delay=100)

    with pytest.raises(ExportError, match="event 'go' has a default delay"):
        dump(Delayed)


def test_bad_arguments():
    with pytest.raises(TypeError, match="StateChart or StateMachine subclass"):
        dump(object)
    with pytest.raises(ValueError, match="Unknown format 'toml'"):
        dump(Player, format="toml")


def test_yaml_needs_pyyaml(monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ImportError, match=r"statemachine\[yaml\]"):
        dump(Player, format="yaml")


# --- the readers' side of the extensions ------------------------------------------------------

NS = 'xmlns="http://www.w3.org/2005/07/scxml" xmlns:py="urn:statemachine:python"'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<state id="a"><onentry><py:call/></onentry></state>', "py:call> .* needs a name"),
        ('<state id="a"><py:invoke name=" "/></state>', "py:invoke> .* needs a name"),
        (
            '<state id="a"><transition event="e" target="a"><py:cond/></transition></state>',
            "py:cond> at .* needs expr",
        ),
    ],
)
def test_py_elements_need_their_attributes(body, message):
    from statemachine.exceptions import InvalidDefinition

    with pytest.raises(InvalidDefinition, match=message):
        load(f"<scxml {NS}>{body}</scxml>", format="scxml")


def test_py_settings_are_checked():
    from statemachine.exceptions import InvalidDefinition

    body = '<state id="a"/>'
    with pytest.raises(InvalidDefinition, match="py:colour='blue'"):
        load(f'<scxml {NS} py:colour="blue">{body}</scxml>', format="scxml")
    with pytest.raises(InvalidDefinition, match="each 'true' or 'false'"):
        load(f'<scxml {NS} py:catch_errors_as_events="no">{body}</scxml>', format="scxml")
    cls = load(f'<scxml {NS} py:catch_errors_as_events="false">{body}</scxml>', format="scxml")
    assert cls.catch_errors_as_events is False


def test_native_settings_and_named_invocations_are_checked():
    from statemachine.exceptions import InvalidDefinition

    with pytest.raises(InvalidDefinition, match="Unknown settings key"):
        load('{"settings": {"colour": true}, "states": {"a": {}}}', format="json")
    with pytest.raises(InvalidDefinition, match="true or false"):
        load('{"settings": {"catch_errors_as_events": 1}, "states": {"a": {}}}', format="json")
    with pytest.raises(InvalidDefinition, match="method name"):
        load('{"states": {"a": {"invoke": " "}}}', format="json")


# --- round trips of random statecharts ---------------------------------------------------------


def run_both(chart, fmt: str, drawn: list[tuple[str, int]]) -> None:
    """The class of ``chart`` and its loaded dump take the same steps side by side: after
    each one, the same configuration and the same entries and exits, in the same order."""
    original_cls = build_class(chart)
    loaded_cls = round_trip(original_cls, fmt)
    recorders = Recorder(), Recorder()
    original = original_cls(listeners=[recorders[0]])
    loaded = loaded_cls(listeners=[recorders[1]])
    for name, value in chart.guards.items():
        setattr(loaded.model, name, value)  # the original reads them from its class

    def same(after: str) -> None:
        assert [s.id for s in loaded.configuration] == [s.id for s in original.configuration], after
        assert recorders[1].log == recorders[0].log, after
        assert loaded.is_terminated == original.is_terminated, after

    same("the initial entry")
    for kind, index in drawn:
        active = {s.id for s in original.configuration}
        action, arg = resolve_step(chart, active, kind, index)
        if action == "flip":
            value = not getattr(original, arg)
            setattr(original, arg, value)
            setattr(loaded.model, arg, value)
        else:
            for sm in (original, loaded):
                sm.send(arg)
        same(f"{action} {arg}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chart=charts(), fmt=st.sampled_from(FORMATS), drawn=steps)
def test_random_charts_behave_the_same_after_a_round_trip(chart, fmt, drawn):
    assert set(chart.guards) == set(GUARDS)
    run_both(chart, fmt, drawn)
