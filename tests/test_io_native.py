"""The native JSON/YAML format of ``statemachine.io``: its vocabulary, its errors (with the path
of what is wrong), validation against the JSON Schema, and the machines it builds."""

from __future__ import annotations

import json
import logging
import os
import sys
import textwrap
from pathlib import Path

import pytest
from _chart_helpers import wait_until

from statemachine import StateChart
from statemachine.exceptions import InvalidDefinition
from statemachine.io import _document as doc
from statemachine.io import _native, create_machine_class_from_definition, load, read_document


def yaml_class(text: str, **kwargs):
    return load(textwrap.dedent(text), format="yaml", **kwargs)


def json_class(data: dict, **kwargs):
    return load(json.dumps(data), format="json", **kwargs)


def notes(exc: pytest.ExceptionInfo[BaseException]) -> str:
    return "\n".join(getattr(exc.value, "__notes__", []))


def active(sm) -> list[str]:
    return sorted(sm.configuration_values)


TOGGLE_YAML = """
name: Toggle
description: A switch.
states:
  off:
    initial: true
    transitions:
      - {event: flip, target: on}
  on:
    transitions:
      - event: flip
        target: off
        cond: "True"
"""
TOGGLE = {
    "name": "Toggle",
    "description": "A switch.",
    "states": {
        "off": {"initial": True, "transitions": [{"event": "flip", "target": "on"}]},
        "on": {"transitions": [{"event": "flip", "target": "off", "cond": "True"}]},
    },
}


# --- formats and sources ----------------------------------------------------------------------
def test_json_and_yaml_read_into_the_same_document():
    """The same document written in JSON and in YAML gives one document model."""
    from_yaml = read_document(TOGGLE_YAML, format="yaml")
    from_json = read_document(json.dumps(TOGGLE), format="json")
    assert (from_yaml.format, from_json.format) == ("yaml", "json")
    from_json.format = "yaml"
    assert from_yaml == from_json


def test_json_and_yaml_give_the_same_machine(engine):
    """Both build a StateChart that behaves the same way."""
    for cls in (yaml_class(TOGGLE_YAML), json_class(TOGGLE)):
        assert issubclass(cls, StateChart)
        assert cls.__name__ == "Toggle"
        assert cls.__doc__ == "A switch."
        sm = engine.machine(cls)
        assert active(sm) == ["off"]
        engine.send(sm, "flip")
        assert active(sm) == ["on"]
        engine.send(sm, "flip")
        assert active(sm) == ["off"]


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_a_file_is_read_in_the_format_of_its_extension(tmp_path, suffix):
    """The extension picks the reader; a document without a name is named after its file."""
    data = {k: v for k, v in TOGGLE.items() if k != "name"}
    path = tmp_path / f"switch{suffix}"
    path.write_text(json.dumps(data))  # JSON is YAML too
    for source in (path, str(path)):
        cls = load(source)
        assert cls.__name__ == "switch"
        assert [s.id for s in cls.states] == ["off", "on"]


def test_inline_text_needs_its_format():
    """Inline text cannot be told apart from a file name without format=."""
    with pytest.raises(ValueError, match="format="):
        load(TOGGLE_YAML)


def test_the_name_argument_names_the_class():
    assert json_class(TOGGLE, name="Switch").__name__ == "Switch"


def test_state_names_are_the_humanized_ids():
    """As for states declared in Python: ``green_light`` is displayed 'Green light'."""
    cls = json_class({"states": {"green_light": {"initial": True}}})
    assert cls.green_light.name == "Green light"
    assert cls.green_light.value == "green_light"


def test_json_that_does_not_parse_is_refused():
    with pytest.raises(InvalidDefinition, match="not valid JSON"):
        load('{"states": ', format="json")


def test_yaml_that_does_not_parse_is_refused():
    with pytest.raises(InvalidDefinition, match="not valid YAML"):
        load("states: [a, b", format="yaml")


def test_the_document_must_be_a_mapping():
    with pytest.raises(InvalidDefinition, match="the document must be a mapping"):
        load("[1, 2]", format="json")


@pytest.mark.parametrize("states", [None, {}, [], "a"])
def test_the_document_needs_states(states):
    data = {"name": "x"} if states is None else {"states": states}
    with pytest.raises(InvalidDefinition) as exc:
        json_class(data)
    assert str(exc.value) == "Statechart definition must have a non-empty 'states' mapping."
    assert "states" in notes(exc)


# --- YAML specifics ---------------------------------------------------------------------------
def test_yaml_keeps_on_off_yes_no_as_strings():
    """In YAML, on/off/yes/no (any case) are strings, as keys and as values; only true and
    false are booleans."""
    cls = yaml_class(
        """
        states:
          yes:
            initial: True
            transitions:
              - event: On
                target: no
                on: moved
          no:
            transitions:
              - {event: off, target: yes, internal: FALSE}
        """
    )
    assert [s.id for s in cls.states] == ["yes", "no"]
    [go] = cls.states[0].transitions
    assert go.event == "On"
    moved = []
    sm = cls(model=type("M", (), {"moved": lambda self: moved.append(1)})())
    sm.send("On")
    sm.send("off")
    assert active(sm) == ["yes"]
    assert moved == [1]


def test_yaml_yes_is_not_a_boolean():
    with pytest.raises(InvalidDefinition, match=r"states\.a\.initial must be true or false"):
        yaml_class("states:\n  a: {initial: yes}\n")


def test_yaml_aliases_that_expand_too_far_are_refused():
    """Anchors and aliases that multiply the document (a "billion laughs") are refused before
    the document is walked."""
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 8):
        refs = ", ".join(f"*a{i - 1}" for _ in range(10))
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append("states: {s: {initial: true, enter: *a7}}")
    with pytest.raises(InvalidDefinition, match="aliases"):
        load("\n".join(lines), format="yaml")


def test_a_yaml_document_can_reuse_actions_through_an_alias():
    cls = yaml_class(
        """
        datamodel: {n: 0}
        states:
          a:
            initial: true
            enter: &bump [{assign: {location: n, expr: n + 1}}]
            transitions: [{event: go, target: b}]
          b:
            enter: *bump
        """
    )
    sm = cls()
    sm.send("go")
    assert sm.model.n == 2


def test_yaml_without_pyyaml_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)
    _native._yaml_loader.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"\[yaml\]"):
            yaml_class(TOGGLE_YAML)
    finally:
        _native._yaml_loader.cache_clear()


def test_validation_without_jsonschema_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    _native._validator.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"\[validate\]"):
            json_class(TOGGLE, validate=True)
        json_class(TOGGLE)  # without validate=True, jsonschema is not needed
    finally:
        _native._validator.cache_clear()


# --- states -----------------------------------------------------------------------------------
def test_the_first_state_of_a_level_is_initial_unless_one_is_marked():
    cls = yaml_class(
        """
        states:
          a:
            states: {a1: {}, a2: {initial: true}}
          b: {}
        """
    )
    assert active(cls()) == ["a", "a2"]


def test_final_parallel_and_nested_states(engine):
    cls = yaml_class(
        """
        states:
          work:
            parallel: true
            states:
              code:
                states:
                  writing: {transitions: [{event: commit, target: committed}]}
                  committed: {final: true}
              tests:
                states:
                  red: {transitions: [{event: fix, target: green}]}
                  green: {final: true}
            transitions: [{event: done.state.work, target: shipped}]
          shipped: {final: true}
        """
    )
    sm = engine.machine(cls)
    assert active(sm) == ["code", "red", "tests", "work", "writing"]
    engine.send(sm, "commit")
    engine.send(sm, "fix")
    assert active(sm) == ["shipped"]
    assert sm.is_terminated


def test_a_state_cannot_be_final_and_parallel():
    with pytest.raises(InvalidDefinition, match="both final and parallel"):
        json_class({"states": {"a": {"final": True, "parallel": True}}})


def test_donedata_params_reach_the_done_event(engine):
    cls = yaml_class(
        """
        datamodel: {got: null}
        states:
          job:
            states:
              running: {transitions: [{event: finish, target: finished}]}
              finished:
                final: true
                donedata:
                  params: [{name: code, expr: "7"}, {name: again, location: got}]
            transitions:
              - event: done.state.job
                target: over
                on: {assign: {location: got, expr: _event.data.code}}
          over: {}
        """
    )
    sm = engine.machine(cls)
    engine.send(sm, "finish")
    assert active(sm) == ["over"]
    assert sm.model.got == 7


def test_donedata_content_is_the_event_data(engine):
    cls = yaml_class(
        """
        datamodel: {got: null}
        states:
          job:
            states:
              finished: {final: true, donedata: {content: "['a', 1]"}}
            transitions:
              - event: done.state.job
                target: over
                on: {assign: {location: got, expr: _event.data}}
          over: {}
        """
    )
    sm = engine.machine(cls)
    assert sm.model.got == ["a", 1]


def test_history_remembers_and_has_a_default(engine):
    """A history state resumes the recorded child; while nothing is recorded it takes its
    default transition."""
    cls = yaml_class(
        """
        states:
          idle:
            transitions: [{event: resume, target: h}]
          player:
            states:
              intro: {transitions: [{event: next, target: song}]}
              song: {}
            history:
              h:
                type: shallow
                transitions: [{target: song}]
            transitions: [{event: pause, target: idle}]
        """
    )
    sm = engine.machine(cls)
    engine.send(sm, "resume")
    assert active(sm) == ["player", "song"]  # the default
    cls2 = yaml_class(
        """
        states:
          player:
            states:
              intro: {transitions: [{event: next, target: song}]}
              song:
                states: {verse: {transitions: [{event: on, target: chorus}]}, chorus: {}}
            history:
              deep_h: {type: deep}
            transitions: [{event: pause, target: idle}]
          idle:
            transitions: [{event: resume, target: deep_h}]
        """
    )
    sm = engine.machine(cls2)
    for event in ("next", "on", "pause", "resume"):
        engine.send(sm, event)
    assert active(sm) == ["chorus", "player", "song"]


def test_a_history_has_at_most_one_plain_default_transition():
    base = {"states": {"a": {"states": {"a1": {}}, "history": {"h": {}}}}}
    h = base["states"]["a"]["history"]["h"]
    h["transitions"] = [{"target": "a1"}, {"target": "a1"}]
    with pytest.raises(InvalidDefinition, match="at most one"):
        json_class(base)
    h["transitions"] = [{"target": "a1", "event": "go"}]
    with pytest.raises(
        InvalidDefinition, match=r"states\.a\.history\.h\.transitions\[0\]\) takes no event"
    ):
        json_class(base)


# --- transitions ------------------------------------------------------------------------------
def test_event_descriptors_and_several_targets(engine):
    cls = yaml_class(
        """
        states:
          idle:
            transitions: [{event: "start  begin", target: "left_b right_b"}]
          both:
            parallel: true
            states:
              left: {states: {left_a: {}, left_b: {}}}
              right: {states: {right_a: {}, right_b: {}}}
        """
    )
    sm = engine.machine(cls)
    engine.send(sm, "begin")
    assert active(sm) == ["both", "left", "left_b", "right", "right_b"]


def test_eventless_and_targetless_transitions(engine):
    cls = yaml_class(
        """
        datamodel: {count: 0}
        states:
          counting:
            transitions:
              - event: tick
                on: {assign: {location: count, expr: count + 1}}
              - {target: done, cond: count >= 2}
          done: {final: true}
        """
    )
    sm = engine.machine(cls)
    engine.send(sm, "tick")
    assert active(sm) == ["counting"]
    engine.send(sm, "tick")
    assert active(sm) == ["done"]


def test_cond_and_unless_take_one_expression_or_a_list(engine):
    cls = yaml_class(
        """
        states:
          a:
            transitions:
              - event: go
                target: b
                cond: [_event.data.n > 1, _event.data.n < 5]
                unless: _event.data.n == 3
              - {event: go, target: c, unless: [_event.data.n == 0]}
          b: {}
          c: {}
        """
    )
    for n, expected in ((2, "b"), (3, "c"), (0, "a")):
        sm = engine.machine(cls)
        engine.send(sm, "go", n=n)
        assert active(sm) == [expected], n


def test_an_internal_transition_does_not_leave_its_compound_source(engine):
    doc_ = {
        "datamodel": {"entered": 0},
        "states": {
            "box": {
                "enter": {"assign": {"location": "entered", "expr": "entered + 1"}},
                "states": {"x": {}, "y": {}},
                "transitions": [{"event": "go", "target": "y", "internal": True}],
            }
        },
    }
    sm = engine.machine(json_class(doc_))
    engine.send(sm, "go")
    assert (active(sm), sm.model.entered) == (["box", "y"], 1)
    doc_["states"]["box"]["transitions"][0]["internal"] = False
    sm = engine.machine(json_class(doc_))
    engine.send(sm, "go")
    assert (active(sm), sm.model.entered) == (["box", "y"], 2)


def test_an_initial_transition_enters_a_deeper_state_and_runs_its_actions(engine):
    cls = yaml_class(
        """
        datamodel: {trail: "''"}
        states:
          outer:
            transitions:
              - initial: true
                target: inner_b
                on: {assign: {location: trail, expr: "trail + 'init;'"}}
            states:
              middle:
                states: {inner_a: {}, inner_b: {}}
        """
    )
    sm = engine.machine(cls)
    assert active(sm) == ["inner_b", "middle", "outer"]
    assert sm.model.trail == "init;"


def test_an_initial_transition_takes_no_event_or_guard():
    with pytest.raises(InvalidDefinition) as exc:
        json_class(
            {
                "states": {
                    "a": {"states": {"b": {}}, "transitions": [{"initial": True, "event": "x"}]}
                }
            }
        )
    assert str(exc.value) == "Initial transitions should not have conditions or events."
    assert "states.a.transitions[0]" in notes(exc)


def test_a_target_that_is_not_a_state_is_refused_at_load():
    with pytest.raises(InvalidDefinition, match=r"'nowhere' at states\.a\.transitions\[0\]"):
        json_class({"states": {"a": {"transitions": [{"event": "go", "target": "nowhere"}]}}})


# --- datamodel and system variables -----------------------------------------------------------
def test_datamodel_as_a_list_and_as_a_mapping(tmp_path):
    (tmp_path / "values.txt").write_text("[1, 2, 3]")
    (tmp_path / "m.yaml").write_text(
        textwrap.dedent(
            """
            datamodel:
              - {id: total, expr: "2 * 21"}
              - {id: label, content: "ready"}
              - {id: numbers, content: "[4, 5]"}
              - {id: table, content: {a: 1}}
              - {id: from_file, src: values.txt}
              - {id: nothing}
            states:
              a: {}
            """
        )
    )
    model = load(tmp_path / "m.yaml")().model
    assert (model.total, model.label, model.numbers, model.table) == (42, "ready", [4, 5], {"a": 1})
    assert (model.from_file, model.nothing) == ([1, 2, 3], None)
    model = yaml_class(
        """
        datamodel: {x: "10", label: "'ready'", flag: true, ratio: 0.5, empty: null}
        states: {a: {}}
        """
    )().model
    assert (model.x, model.label, model.flag, model.ratio, model.empty) == (
        10,
        "ready",
        True,
        0.5,
        None,
    )


def test_a_datamodel_item_gives_one_source_of_its_value():
    with pytest.raises(InvalidDefinition, match=r"datamodel\[0\] gives expr and content"):
        json_class({"datamodel": [{"id": "x", "expr": "1", "content": 2}], "states": {"a": {}}})


@pytest.mark.parametrize("src", ["/etc/hostname", "../secret.txt", "file:///etc/hostname"])
def test_a_datamodel_src_is_a_file_next_to_the_document(tmp_path, src):
    """A document can read files in its own folder only."""
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"datamodel": [{"id": "x", "src": src}], "states": {"a": {}}}))
    with pytest.raises(InvalidDefinition, match=r"datamodel\[0\]\.src: .* is not a relative path"):
        load(path)


def test_a_missing_datamodel_src_is_refused_at_load(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps({"datamodel": [{"id": "x", "src": "none.txt"}], "states": {"a": {}}})
    )
    with pytest.raises(InvalidDefinition, match=r"datamodel\[0\]\.src: cannot read 'none.txt'"):
        load(path)


def test_system_variables_are_readable_from_a_guard(engine):
    cls = yaml_class(
        """
        name: Probe
        datamodel: {seen: null}
        states:
          a:
            transitions:
              - event: ping
                target: b
                cond: >-
                  _event.name == 'ping' and _event.data.n == 3 and _name == 'Probe'
                  and _sessionid is not None and 'scxml' in _ioprocessors
                on:
                  assign: {location: seen, expr: "(_event.name, _event.data.n, _name)"}
          b: {}
        """
    )
    sm = engine.machine(cls)
    engine.send(sm, "ping", n=3)
    assert active(sm) == ["b"]
    assert sm.model.seen == ("ping", 3, "Probe")


# --- actions ----------------------------------------------------------------------------------
class Shop:
    def __init__(self):
        self.balance = 100
        self.steps: list[str] = []

    def charge(self, amount):
        self.balance -= amount
        self.steps.append(f"charge {amount}")

    def check(self, event, source, target):
        self.steps.append(f"check {event} {source.id}->{target.id}")

    def announce(self):
        self.steps.append("announce")

    def hello(self):
        self.steps.append("hello")

    def bye(self):
        self.steps.append("bye")

    def cheap(self, amount=0):
        return amount < 50


def test_callback_references_call_model_methods_with_injected_arguments(engine):
    """A string in an action position names a method; it is called with the event's arguments
    and the usual injected ones (event, source, target, ...), in before/exit/on/enter/after
    order."""
    cls = yaml_class(
        """
        states:
          cart:
            exit: bye
            transitions:
              - event: checkout
                target: paid
                cond: cheap
                before: check
                on: [charge]
                after: announce
          paid:
            enter: [hello]
        """
    )
    shop = Shop()
    sm = engine.machine(cls, model=shop)
    engine.send(sm, "checkout", amount=80)
    assert active(sm) == ["cart"]  # the guard named a method, called with amount
    engine.send(sm, "checkout", amount=30)
    assert active(sm) == ["paid"]
    assert shop.balance == 70
    assert shop.steps == ["check checkout cart->paid", "bye", "charge 30", "hello", "announce"]


def test_callback_references_and_structured_actions_run_in_order(engine):
    cls = yaml_class(
        """
        datamodel: {trail: "''"}
        states:
          a:
            enter:
              - assign: {location: trail, expr: "trail + '1'"}
              - mark
              - assign: {location: trail, expr: "trail + '3'"}
            transitions: [{event: again, target: a}]
        """
    )

    class Model:
        trail = ""

        def mark(self):
            self.trail += "2"

    sm = engine.machine(cls, model=Model())
    assert sm.model.trail == "123"


def test_raise_in_both_shapes(engine):
    cls = yaml_class(
        """
        states:
          a:
            enter: [{raise: first}]
            transitions:
              - event: first
                target: b
          b:
            enter: {raise: {event: second}}
            transitions: [{event: second, target: c}]
          c: {}
        """
    )
    assert active(engine.machine(cls)) == ["c"]


def test_log_in_both_shapes(caplog):
    cls = yaml_class(
        """
        datamodel: {x: 20}
        states:
          a:
            enter: [{log: "x + 1"}, {log: {label: Total, expr: x * 2}}, {log: {label: Only}}]
        """
    )
    with caplog.at_level(logging.INFO, logger="statemachine.io"):
        cls()
    assert [r.getMessage() for r in caplog.records if r.name == "statemachine.io"] == [
        "21",
        "Total: 40",
        "Only: ",
    ]


def test_if_elif_else(engine):
    cls = yaml_class(
        """
        datamodel: {size: "''"}
        states:
          a:
            transitions:
              - event: measure
                on:
                  if:
                    cond: _event.data.n > 10
                    then: {assign: {location: size, expr: "'big'"}}
                    elif:
                      - cond: _event.data.n > 5
                        then: [{assign: {location: size, expr: "'medium'"}}]
                      - {cond: _event.data.n > 2}
                    else:
                      - assign: {location: size, expr: "'small'"}
        """
    )
    sm = engine.machine(cls)
    for n, size in ((11, "big"), (6, "medium"), (3, "medium"), (1, "small")):
        engine.send(sm, "measure", n=n)
        assert sm.model.size == size, n


def test_foreach_with_item_and_index(engine):
    cls = yaml_class(
        """
        datamodel: {prices: "[3, 4, 5]", total: 0, price: null, i: null}
        states:
          a:
            enter:
              foreach:
                array: prices
                item: price
                index: i
                do: [{assign: {location: total, expr: total + price * i}}]
            transitions: [{event: again, target: a}]
        """
    )
    assert engine.machine(cls).model.total == 14


def test_send_with_params_namelist_and_content(engine):
    cls = yaml_class(
        """
        datamodel: {v: 5, got: null, content: null, seen: null}
        states:
          a:
            enter:
              - send:
                  event: go
                  namelist: v
                  params: [{name: p, expr: v + 1}, {name: q, location: v}]
              - send: {event: data, params: {r: "'x'"}}
              - send: {event: raw, content: "[1, 2]", target: "#_internal"}
            transitions:
              - {event: raw, on: {assign: {location: content, expr: _event.data}}}
              - event: go
                target: b
                on: {assign: {location: got, expr: "(_event.data.v, _event.data.p, _event.data.q)"}}
          b:
            transitions:
              - {event: data, target: c, on: {assign: {location: seen, expr: _event.data.r}}}
          c: {}
        """
    )
    sm = engine.machine(cls)
    assert active(sm) == ["c"]
    assert sm.model.content == [1, 2]
    assert sm.model.got == (5, 6, 5)
    assert sm.model.seen == "x"


@pytest.mark.parametrize("delay", ["'40ms'", "40", "'0.04s'"])
def test_send_with_a_delay_and_cancel(engine, delay):
    cls = yaml_class(
        f"""
        datamodel: {{sid: null}}
        states:
          a:
            enter:
              - send: {{event: late, delay: {delay}}}
              - send: {{event: never, delay: 20ms, id: doomed}}
              - send: {{event: never, delay: 10ms, idlocation: sid}}
              - cancel: {{sendid: doomed}}
              - cancel: {{sendidexpr: sid}}
            transitions:
              - {{event: late, target: b}}
              - {{event: never, target: wrong}}
          b: {{}}
          wrong: {{}}
        """
    )
    sm = engine.machine(cls)
    assert active(sm) == ["a"]
    assert sm.model.sid.startswith("send.")
    assert wait_until(engine, lambda: sm.b.is_active)
    assert not sm.wrong.is_active


@pytest.mark.parametrize("delay", ["'soon'", "-5", "true"])
def test_a_bad_delay_is_refused_at_load(delay):
    with pytest.raises(InvalidDefinition, match=r"states\.a\.enter\.send\.delay"):
        yaml_class(f"states: {{a: {{enter: {{send: {{event: x, delay: {delay}}}}}}}}}")


def test_scripts_run_only_in_trusted_documents():
    text = """
        datamodel: {cart: "[10, 25, 5]", total: 0}
        states:
          pricing:
            enter:
              script: |
                total = sum(cart)
            transitions:
              - {target: big, cond: len(cart) >= 3 and total >= 40}
          big: {}
        """
    with pytest.raises(InvalidDefinition, match=r"states\.pricing\.enter\.script needs trusted"):
        yaml_class(text)
    sm = yaml_class(text, trusted=True)()
    assert sm.model.total == 40
    assert active(sm) == ["big"]


@pytest.mark.parametrize(
    "cond", ["escape()", "len(items)", "model.__class__", "[x for x in y]", "lambda: 1"]
)
def test_the_restricted_evaluator_refuses_calls_and_private_names_at_load(cond):
    with pytest.raises(InvalidDefinition, match="not allowed"):
        json_class(
            {"states": {"s": {"transitions": [{"event": "go", "target": "s", "cond": cond}]}}}
        )


def test_a_guard_reading_an_attribute_is_allowed(engine):
    cls = json_class(
        {
            "states": {
                "s": {"transitions": [{"event": "go", "target": "t", "cond": "order.ready"}]},
                "t": {},
            }
        }
    )

    class Order:
        ready = True

    model = type("M", (), {"order": Order()})()
    sm = engine.machine(cls, model=model)
    engine.send(sm, "go")
    assert active(sm) == ["t"]


# --- invoke -----------------------------------------------------------------------------------
def test_invoke_of_an_inline_child_that_answers_its_parent(engine):
    cls = yaml_class(
        """
        datamodel: {answer: null}
        states:
          waiting:
            invoke:
              id: worker
              params: {base: "20"}
              content:
                datamodel: {base: 0}
                states:
                  working:
                    enter:
                      send: {event: result, target: "#_parent", params: [{name: n, expr: base * 2}]}
              finalize: {assign: {location: answer, expr: _event.data.n + 2}}
            transitions: [{event: result, target: finished}]
          finished: {}
        """
    )
    sm = engine.machine(cls)
    assert wait_until(engine, lambda: sm.finished.is_active)
    assert sm.model.answer == 42


def test_invoke_src_is_relative_to_the_document_folder(engine, tmp_path, monkeypatch):
    folder = tmp_path / "charts"
    folder.mkdir()
    (folder / "child.json").write_text(
        json.dumps({"states": {"c": {"enter": {"send": {"event": "hi", "target": "#_parent"}}}}})
    )
    (folder / "parent.yaml").write_text(
        textwrap.dedent(
            """
            states:
              waiting:
                invoke: [{src: child.json, idlocation: child_id, autoforward: false}]
                transitions: [{event: hi, target: greeted}]
              greeted: {}
            datamodel: {child_id: null}
            """
        )
    )
    monkeypatch.chdir(tmp_path)  # not the document's folder
    sm = engine.machine(load(Path("charts") / "parent.yaml"))
    assert wait_until(engine, lambda: sm.greeted.is_active)
    assert sm.model.child_id


def test_the_invoke_keys_reach_the_document_model():
    document = read_document(
        json.dumps(
            {
                "states": {
                    "a": {
                        "invoke": {
                            "type": "scxml",
                            "typeexpr": "'scxml'",
                            "srcexpr": "where",
                            "id": "w",
                            "idlocation": "wid",
                            "autoforward": True,
                            "namelist": "x y",
                            "params": [{"name": "p", "expr": "1"}],
                            "finalize": ["done"],
                        }
                    }
                }
            }
        ),
        format="json",
    )
    [invoke] = document.states[0].invokes
    assert (invoke.type, invoke.typeexpr, invoke.srcexpr) == ("scxml", "'scxml'", "where")
    assert (invoke.id, invoke.idlocation, invoke.autoforward) == ("w", "wid", True)
    assert invoke.namelist == ["x", "y"]
    assert invoke.params == [doc.Param(name="p", expr="1", where="states.a.invoke.params[0]")]
    assert invoke.finalize == [doc.CallbackRef(name="done", where="states.a.invoke.finalize[0]")]


def test_an_invoke_needs_exactly_one_source():
    with pytest.raises(InvalidDefinition, match=r"states\.a\.invoke\[0\] needs one of"):
        json_class({"states": {"a": {"invoke": [{"id": "x"}]}}})


def test_invoke_content_from_an_expression_giving_a_document(engine):
    """``content`` as a string is an expression; its value may be a document (a mapping)."""
    child = {"states": {"c": {"enter": {"send": {"event": "ready", "target": "#_parent"}}}}}
    cls = json_class(
        {
            "datamodel": {"child": json.dumps(child)},
            "states": {
                "waiting": {
                    "invoke": {"content": "child"},
                    "transitions": [{"event": "ready", "target": "done"}],
                },
                "done": {},
            },
        }
    )
    sm = engine.machine(cls)
    assert wait_until(engine, lambda: sm.done.is_active)


# --- errors name their path -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message", "path"),
    [
        ({"states": {"a": {}}, "nmae": "x"}, "Unknown document key(s) ['nmae']", "nmae"),
        (
            {"states": {"a": {"inital": True}}},
            "Unknown state 'a' key(s) ['inital']",
            "states.a.inital",
        ),
        (
            {"states": {"a": {"transitions": [{"event": "e", "tagret": "a"}]}}},
            "Unknown transition key(s) ['tagret']",
            "states.a.transitions[0].tagret",
        ),
        (
            {"states": {"a": {"states": {"b": {}}, "history": {"h": {"deep": True}}}}},
            "Unknown history 'h' key(s) ['deep']",
            "states.a.history.h.deep",
        ),
        (
            {"states": {"a": {"invoke": {"src": "x.json", "source": 1}}}},
            "Unknown invoke key(s) ['source']",
            "states.a.invoke.source",
        ),
        (
            {"states": {"a": {"enter": [{"assign": {"location": "x", "value": "1"}}]}}},
            "Unknown assign key(s) ['value']",
            "states.a.enter[0].assign.value",
        ),
        (
            {"states": {"a": {"enter": {"send": {"event": "e", "data": "1"}}}}},
            "Unknown send key(s) ['data']",
            "states.a.enter.send.data",
        ),
        (
            {"states": {"a": {"exit": {"if": {"cond": "1", "elif": [{"cond": "2", "do": []}]}}}}},
            "Unknown elif key(s) ['do']",
            "states.a.exit.if.elif[0].do",
        ),
        (
            {"datamodel": [{"id": "x", "value": 1}], "states": {"a": {}}},
            "Unknown datamodel item key(s) ['value']",
            "datamodel[0].value",
        ),
        (
            {"states": {"a": {"final": True, "donedata": {"data": "1"}}}},
            "Unknown donedata key(s) ['data']",
            "states.a.donedata.data",
        ),
        (
            {
                "states": {
                    "a": {"enter": {"send": {"event": "e", "params": [{"name": "p", "exp": "1"}]}}}
                }
            },
            "Unknown param key(s) ['exp']",
            "states.a.enter.send.params[0].exp",
        ),
        (
            {"states": {"a": {"transitions": [{"on": [{"rise": "x"}]}]}}},
            "Each action must have exactly one of ['assign', 'cancel', 'foreach', 'if', 'log', "
            "'raise', 'script', 'send'] as its key, got keys ['rise'].",
            "states.a.transitions[0].on[0]",
        ),
        (
            {"states": {"a": {"enter": {"raise": "x", "log": "y"}}}},
            "Each action must have exactly one of",
            "states.a.enter",
        ),
    ],
)
def test_unknown_keys_are_refused_with_their_path(data, message, path):
    with pytest.raises(InvalidDefinition) as exc:
        json_class(data)
    assert str(exc.value).startswith(message)
    assert f"At {path}" in notes(exc)


@pytest.mark.parametrize(
    ("data", "path", "expected"),
    [
        ({"name": 3, "states": {"a": {}}}, "name", "a string"),
        ({"states": {"a": []}}, "states.a", "a mapping"),
        ({"states": {"a": {"final": "yes"}}}, "states.a.final", "true or false"),
        ({"states": {"a": {"transitions": {"event": "x"}}}}, "states.a.transitions", "a list"),
        ({"states": {"a": {"transitions": ["x"]}}}, "states.a.transitions[0]", "a mapping"),
        (
            {"states": {"a": {"transitions": [{"event": 1}]}}},
            "states.a.transitions[0].event",
            "a string",
        ),
        (
            {"states": {"a": {"transitions": [{"target": ["a"]}]}}},
            "states.a.transitions[0].target",
            "a string",
        ),
        (
            {"states": {"a": {"transitions": [{"cond": True}]}}},
            "states.a.transitions[0].cond",
            "a string or a list",
        ),
        (
            {"states": {"a": {"transitions": [{"cond": ["x", 1]}]}}},
            "states.a.transitions[0].cond[1]",
            "a string",
        ),
        ({"states": {"a": {"enter": [3]}}}, "states.a.enter[0]", "a method name"),
        ({"states": {"a": {"enter": "  "}}}, "states.a.enter", "a method name"),
        (
            {"states": {"a": {"enter": {"assign": {"location": 1}}}}},
            "states.a.enter.assign.location",
            "a string",
        ),
        ({"states": {"a": {"history": []}}}, "states.a.history", "a mapping"),
        (
            {"states": {"a": {"history": {"h": {"type": "wide"}}}}},
            "states.a.history.h.type",
            "'shallow' or 'deep'",
        ),
        ({"datamodel": "x", "states": {"a": {}}}, "datamodel", "a list of {id, expr} items"),
        ({"datamodel": {"x": [1]}, "states": {"a": {}}}, "datamodel.x", "an expression"),
        (
            {"states": {"a": {"invoke": {"content": 3}}}},
            "states.a.invoke.content",
            "an expression (a string) or a document",
        ),
        (
            {"states": {"a": {"invoke": {"src": "x.json", "autoforward": "no"}}}},
            "states.a.invoke.autoforward",
            "true or false",
        ),
        (
            {"states": {"a": {"enter": {"send": {"event": "e", "params": "p"}}}}},
            "states.a.enter.send.params",
            "a list of {name, expr}",
        ),
        ({"states": {"a": {"enter": {"script": ["x = 1"]}}}}, "states.a.enter.script", "a string"),
    ],
)
def test_values_of_the_wrong_type_are_refused_with_their_path(data, path, expected):
    with pytest.raises(InvalidDefinition) as exc:
        json_class(data)
    assert str(exc.value).startswith(f"{path} must be {expected}")


@pytest.mark.parametrize(
    ("action", "missing"),
    [
        ({"assign": {"expr": "1"}}, "'location'"),
        ({"raise": {}}, "'event'"),
        ({"if": {"then": []}}, "'cond'"),
        ({"foreach": {"array": "[]"}}, "'item'"),
        ({"send": {"target": "#_internal"}}, "'event' or 'eventexpr'"),
        ({"cancel": {}}, "'sendid' or 'sendidexpr'"),
    ],
)
def test_actions_missing_a_required_key_are_refused(action, missing):
    name = next(iter(action))
    with pytest.raises(InvalidDefinition, match=f"at states.a.enter.{name} needs {missing}"):
        json_class({"states": {"a": {"enter": action}}})


# --- JSON Schema ------------------------------------------------------------------------------
def _properties(definition: dict) -> set[str]:
    """The keys a schema object accepts (for the forms that take a string or an object, the
    object's)."""
    if "properties" in definition:
        return set(definition["properties"])
    return set(definition["else"]["properties"])


def test_the_schema_is_draft_2020_12_with_the_published_id():
    schema = _native.schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (
        schema["$id"] == "https://fgmacedo.github.io/python-statemachine/schemas/statechart/v1.json"
    )
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_reader_and_the_schema_accept_the_same_keys():
    schema = _native.schema()
    defs = schema["$defs"]
    assert set(schema["properties"]) == _native.DOCUMENT_KEYS
    assert _properties(defs["state"]) == _native.STATE_KEYS
    assert _properties(defs["transition"]) == _native.TRANSITION_KEYS
    assert _properties(defs["history"]) == _native.HISTORY_KEYS
    assert _properties(defs["invoke"]) == _native.INVOKE_KEYS
    assert _properties(defs["dataItem"]) == _native.DATA_KEYS
    assert _properties(defs["param"]) == _native.PARAM_KEYS
    assert _properties(defs["donedata"]) == _native.DONEDATA_KEYS
    assert _properties(defs["elif"]) == _native.ELIF_KEYS
    assert _properties(defs["structuredAction"]) == set(_native.ACTION_KEYS)
    for name, keys in _native.ACTION_KEYS.items():
        if name == "script":
            assert defs[name]["type"] == "string"
        else:
            assert _properties(defs[name]) == keys, name


def test_validate_accepts_a_valid_document():
    pytest.importorskip("jsonschema")
    assert yaml_class(TOGGLE_YAML, validate=True).__name__ == "Toggle"
    big = """
        datamodel:
          - {id: n, expr: "0"}
          - {id: m, content: [1]}
        states:
          a:
            enter: [hello, {log: n}, {raise: x}]
            exit: {send: {event: e, delay: 100, params: {p: "1"}, namelist: [n]}}
            invoke:
              content: {states: {c: {final: true, donedata: {params: {d: "1"}}}}}
              finalize: [{assign: {location: n, expr: "1"}}]
            history: {h: {type: deep, transitions: [{target: a1}]}}
            states: {a1: {}}
            transitions:
              - {event: x, target: b, cond: [n == 0], unless: "False", before: b1, after: [a1]}
              - on:
                  - if: {cond: n, then: [], elif: {cond: m}, else: hello}
                  - foreach: {array: m, item: i, do: {cancel: {sendidexpr: "'x'"}}}
          b: {final: true}
        """
    yaml_class(big, validate=True)


def test_validate_reports_the_first_violation_with_its_path():
    pytest.importorskip("jsonschema")
    with pytest.raises(InvalidDefinition) as exc:
        json_class(
            {"states": {"a": {"transitions": [{"event": "e", "tagret": "a"}]}}}, validate=True
        )
    assert str(exc.value) == (
        "Statechart document failed schema validation: Additional properties are not allowed "
        "('tagret' was unexpected)"
    )
    assert notes(exc) == "The first violation is at states.a.transitions[0].tagret."
    with pytest.raises(InvalidDefinition) as exc:
        yaml_class("states:\n  a: {final: yes}\n", validate=True)
    assert str(exc.value).endswith("'yes' is not of type 'boolean'")
    assert notes(exc) == "The first violation is at states.a.final."


def test_validate_applies_to_json_and_yaml_only():
    cls = load(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml"><state id="a"/></scxml>',
        format="scxml",
        validate=True,
    )
    assert [s.id for s in cls.states] == ["a"]


def test_the_schema_file_is_package_data():
    from importlib.resources import files

    resource = files("statemachine.io") / "schemas" / "statechart.schema.json"
    assert resource.is_file()
    assert os.path.basename(str(resource)) == "statechart.schema.json"


# --- the dict API -----------------------------------------------------------------------------
def traffic_light(**definition):
    return create_machine_class_from_definition(
        "TrafficLight",
        states={
            "green": {"initial": True, "on": {"change": [{"target": "yellow"}]}},
            "yellow": {"on": {"change": [{"target": "red"}]}},
            "red": {"on": {"change": [{"target": "green"}]}},
        },
        **definition,
    )


def test_dict_api_builds_an_ordinary_statechart(engine):
    cls = traffic_light()
    assert issubclass(cls, StateChart)
    assert cls.__name__ == "TrafficLight"
    assert [s.name for s in cls.states] == ["Green", "Yellow", "Red"]
    sm = engine.machine(cls)
    assert type(sm.model).__name__ == "Model"  # the default model, as for a Python class
    engine.send(sm, "change")
    assert sm.yellow.is_active
    engine.send(sm, "change")
    assert sm.red.is_active


def test_dict_api_definition_becomes_class_attributes(engine):
    entered = []

    def on_enter_red(self):
        entered.append("red")

    cls = traffic_light(on_enter_red=on_enter_red, speed_limit=50)
    assert cls.speed_limit == 50
    sm = engine.machine(cls)
    engine.send(sm, "change")
    engine.send(sm, "change")
    assert entered == ["red"]


def test_dict_api_keeps_the_class_validations():
    """Unlike loaded documents, classes from the dict API are validated as classes written in
    Python are; ``**definition`` can turn a validation off."""
    states = {
        "a": {"initial": True, "on": {"go": [{"target": "b"}]}},
        "b": {"final": True},
        "lost": {"final": True},
    }
    with pytest.raises(InvalidDefinition, match="unreachable states"):
        create_machine_class_from_definition("M", states)
    cls = create_machine_class_from_definition("M", states, validate_disconnected_states=False)
    assert cls.validate_disconnected_states is False


def test_dict_api_eventless_transitions_and_events_named_in_a_transition(engine):
    cls = create_machine_class_from_definition(
        "M",
        states={
            "a": {"initial": True, "transitions": [{"target": "b"}]},
            "b": {
                "on": {"go": [{"target": "c", "event": "also"}]},
                "transitions": [{"event": "jump", "target": "c"}],
            },
            "c": {"final": True},
        },
    )
    assert sorted(e.id for e in cls.events) == ["also", "go", "jump"]
    for event in ("go", "also", "jump"):
        sm = engine.machine(cls)
        assert sm.b.is_active
        engine.send(sm, event)
        assert sm.c.is_active


class Clerk:
    def __init__(self):
        self.log: list[str] = []

    def is_open(self):
        return True

    def has_stock(self, quantity=1):
        return quantity <= 3

    def check_quantity(self, quantity=1):
        if quantity <= 0:
            raise ValueError("quantity must be positive")

    def take(self, quantity, source, target):
        self.log.append(f"take {quantity} {source.id}->{target.id}")
        return "taken"

    def greet(self):
        self.log.append("greet")

    def leave(self):
        self.log.append("leave")

    def prepare(self):
        self.log.append("before")

    def tidy(self):
        self.log.append("after")


def test_dict_api_guards_validators_and_callbacks(engine):
    """Names, boolean expressions over names and callables work as in a class written in
    Python, with injected arguments."""
    cls = create_machine_class_from_definition(
        "Counter",
        states={
            "idle": {
                "initial": True,
                "exit": "leave",
                "on": {
                    "order": [
                        {
                            "target": "served",
                            "cond": ["is_open", "has_stock and not closed"],
                            "unless": lambda quantity=1: quantity == 2,
                            "validators": "check_quantity",
                            "before": "prepare",
                            "on": ["take"],
                            "after": "tidy",
                        }
                    ]
                },
            },
            "served": {"final": True, "enter": ["greet"]},
        },
        closed=False,
    )
    clerk = Clerk()
    sm = engine.machine(cls, model=clerk)
    with pytest.raises(ValueError, match="positive"):
        engine.send(sm, "order", quantity=0)
    assert engine.send(sm, "order", quantity=5) is None  # no stock: not taken
    engine.send(sm, "order", quantity=2)  # unless
    assert sm.idle.is_active
    assert "taken" in engine.send(sm, "order", quantity=3)
    assert sm.served.is_active
    assert clerk.log == ["before", "leave", "take 3 idle->served", "greet", "after"]


def test_dict_api_names_and_values():
    cls = create_machine_class_from_definition(
        "Player",
        states={
            "stopped": {"initial": True, "value": 0, "name": "Stopped!"},
            "playing": {
                "value": 1,
                "states": {"song": {}},
                "history": {"h": {"type": "deep", "name": "Last song", "value": "H"}},
                "on": {"stop": [{"target": "stopped"}]},
            },
        },
        validate_disconnected_states=False,
    )
    assert (cls.stopped.name, cls.playing.name) == ("Stopped!", "Playing")
    assert (cls.stopped.value, cls.playing.value) == (0, 1)
    [history] = cls.playing.history
    assert (history.id, history.name, history.value, history.type.value) == (
        "h",
        "Last song",
        "H",
        "deep",
    )
    assert cls().model.state == 0


def test_dict_api_history_default_and_resume(engine):
    cls = create_machine_class_from_definition(
        "Player",
        states={
            "stopped": {"initial": True, "on": {"resume": [{"target": "h"}]}},
            "playing": {
                "states": {
                    "intro": {"on": {"next": [{"target": "song"}]}},
                    "song": {"on": {"next": [{"target": "outro"}]}},
                    "outro": {},
                },
                "history": {"h": {"type": "deep", "transitions": [{"target": "song"}]}},
                "on": {"stop": [{"target": "stopped"}]},
            },
        },
    )
    sm = engine.machine(cls)
    engine.send(sm, "resume")
    assert active(sm) == ["playing", "song"]  # the default: nothing recorded yet
    engine.send(sm, "next")
    engine.send(sm, "stop")
    engine.send(sm, "resume")
    assert active(sm) == ["outro", "playing"]


def test_dict_api_donedata_reaches_the_done_event(engine):
    received = []
    cls = create_machine_class_from_definition(
        "Job",
        states={
            "job": {
                "initial": True,
                "states": {
                    "working": {"initial": True, "on": {"finish": [{"target": "finished"}]}},
                    "finished": {"final": True, "donedata": "report"},
                },
                "on": {"done.state.job": [{"target": "over", "on": "keep"}]},
            },
            "over": {"final": True},
        },
        report=lambda self: {"tracks": 2},
        keep=lambda self, tracks: received.append(tracks),
    )
    sm = engine.machine(cls)
    engine.send(sm, "finish")
    assert sm.over.is_active
    assert received == [2]


def test_dict_api_parallel_states_and_several_targets(engine):
    cls = create_machine_class_from_definition(
        "Both",
        states={
            "idle": {"initial": True, "on": {"go": [{"target": "left_b right_b"}]}},
            "both": {
                "parallel": True,
                "states": {
                    "left": {"states": {"left_a": {}, "left_b": {"final": True}}},
                    "right": {"states": {"right_a": {}, "right_b": {"final": True}}},
                },
            },
        },
        validate_disconnected_states=False,
        validate_trap_states=False,
        validate_final_reachability=False,
    )
    sm = engine.machine(cls)
    engine.send(sm, "go")
    assert active(sm) == ["both", "left", "left_b", "right", "right_b"]


def test_dict_api_initial_transition():
    cls = create_machine_class_from_definition(
        "M",
        states={
            "box": {
                "initial": True,
                "states": {"first": {"on": {"go": [{"target": "second"}]}}, "second": {}},
                "transitions": [{"target": "second", "initial": True}],
            }
        },
        validate_disconnected_states=False,
    )
    assert active(cls()) == ["box", "second"]


@pytest.mark.parametrize(
    ("states", "message", "note"),
    [
        (
            {"a": {"initial": True, "colour": "red"}},
            "Unknown state 'a' key(s) ['colour']",
            "At states.a.colour",
        ),
        (
            {"a": {"initial": True, "on": {"go": [{"target": "a", "tagret": "a"}]}}},
            "Unknown transition key(s) ['tagret']",
            "At states.a.on.go[0].tagret",
        ),
        (
            {"a": {"initial": True, "history": {"h": {"kind": "deep"}}, "states": {"b": {}}}},
            "Unknown history 'h' key(s) ['kind']",
            "At states.a.history.h.kind",
        ),
    ],
)
def test_dict_api_refuses_unknown_keys_with_their_path(states, message, note):
    with pytest.raises(InvalidDefinition) as exc:
        create_machine_class_from_definition("M", states)
    assert str(exc.value).startswith(message)
    assert note in notes(exc)


@pytest.mark.parametrize(
    ("states", "path"),
    [
        ({"a": "state"}, "states.a must be a dict"),
        ({"a": {"initial": "yes"}}, "states.a.initial must be True or False"),
        ({"a": {"on": [{"target": "a"}]}}, "states.a.on must be a dict"),
        ({"a": {"on": {"go": "a"}}}, "states.a.on.go must be a list of transition dicts"),
        ({"a": {"on": {"go": [{"target": 1}]}}}, r"states.a.on.go\[0\].target must be a string"),
        ({"a": {"on": {"go": [{"cond": 3}]}}}, r"states.a.on.go\[0\].cond must be a name"),
        ({"a": {"enter": ["x", 3]}}, r"states.a.enter\[1\] must be a name or a callable"),
        ({"a": {"donedata": 3, "final": True}}, "states.a.donedata must be a name or a callable"),
    ],
)
def test_dict_api_refuses_values_of_the_wrong_type_with_their_path(states, path):
    with pytest.raises(InvalidDefinition, match=path):
        create_machine_class_from_definition("M", states)


def test_dict_api_needs_states():
    with pytest.raises(InvalidDefinition, match="There are no states or transitions"):
        create_machine_class_from_definition("M", {})
    with pytest.raises(InvalidDefinition, match="states must be a dict"):
        create_machine_class_from_definition("M", [("a", {})])  # type: ignore[arg-type]


def test_dict_api_typed_dicts_describe_the_keys():
    from statemachine.io import HistoryDefinition, StateDefinition, TransitionDict
    from statemachine.io._dict import HISTORY_KEYS, STATE_KEYS, TRANSITION_KEYS

    assert set(StateDefinition.__annotations__) == STATE_KEYS
    assert set(TransitionDict.__annotations__) == TRANSITION_KEYS
    assert set(HistoryDefinition.__annotations__) == HISTORY_KEYS
    assert {
        "name", "value", "initial", "final", "parallel", "enter", "exit", "donedata",
        "states", "history", "on", "transitions",
    } == STATE_KEYS  # fmt: skip
    assert {
        "target", "event", "internal", "initial", "validators", "cond", "unless", "on",
        "before", "after",
    } == TRANSITION_KEYS  # fmt: skip
