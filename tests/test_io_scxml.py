"""Loading machines from SCXML documents: the reader, the class factory, the datamodel, the
system variables, executable content, sessions and invoke (the W3C suite, in
test_w3c_scxml.py, covers the SCXML semantics case by case)."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from statemachine import StateChart
from statemachine.exceptions import InvalidDefinition
from statemachine.io import build_processor, load
from statemachine.io._actions import parse_delay

NS = 'xmlns="http://www.w3.org/2005/07/scxml"'


def scxml(body: str, **attrs: str) -> str:
    extra = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return f"<scxml {NS} {extra}>{body}</scxml>"


LIGHT = scxml(
    """
    <state id="green"><transition event="cycle" target="yellow"/></state>
    <state id="yellow"><transition event="cycle" target="red"/></state>
    <state id="red"><transition event="cycle" target="green"/></state>
    """,
    name="Light",
)


def wait_until(predicate, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


# --- loading -----------------------------------------------------------------------------------


def test_inline_text_loads_into_an_ordinary_statechart_subclass(engine):
    """Inline SCXML with format= gives a StateChart subclass named after the document."""
    cls = load(LIGHT, format="scxml")
    assert issubclass(cls, StateChart)
    assert cls.__name__ == "Light"
    sm = engine.machine(cls)
    engine.send(sm, "cycle")
    assert list(sm.configuration_values) == ["yellow"]


def test_a_file_loads_with_the_format_from_its_extension(tmp_path):
    """A `.scxml` path needs no format; the class is named after the file without a name."""
    path = tmp_path / "traffic.scxml"
    path.write_text(LIGHT.replace(' name="Light"', ""))
    cls = load(path)
    assert cls.__name__ == "traffic"
    assert load(str(path), name="Renamed").__name__ == "Renamed"


def test_inline_text_without_format_is_refused():
    """Inline text cannot tell its format: the error says to pass format=."""
    with pytest.raises(ValueError, match="needs its format"):
        load(LIGHT)


def test_an_unknown_extension_is_refused(tmp_path):
    path = tmp_path / "machine.txt"
    path.write_text(LIGHT)
    with pytest.raises(ValueError, match="from its extension"):
        load(path)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(InvalidDefinition, match="Cannot read"):
        load(tmp_path / "absent.scxml")


def test_malformed_xml_is_invalid_definition():
    with pytest.raises(InvalidDefinition, match="not well-formed XML"):
        load("<scxml><state></scxml>", format="scxml")


def test_the_root_must_be_scxml():
    with pytest.raises(InvalidDefinition, match=r"root element is <state>, not <scxml>"):
        load(f"<state {NS} id='a'/>", format="scxml")


def test_an_empty_document_is_refused():
    with pytest.raises(InvalidDefinition, match="declares no states"):
        load(scxml(""), format="scxml")


def test_a_duplicate_id_is_refused():
    with pytest.raises(InvalidDefinition, match="State id 'a' is declared twice"):
        load(scxml("<state id='a'/><state id='a'/>"), format="scxml")


def test_build_processor_gives_the_root_class_and_starts_it():
    processor = build_processor(LIGHT, format="scxml")
    assert sorted(processor.scs) == ["Light"]
    sm = processor.start()
    assert isinstance(sm, processor.root)
    assert list(sm.configuration_values) == ["green"]


# --- structure -----------------------------------------------------------------------------------


def test_a_loaded_class_keeps_its_processor():
    cls = load(LIGHT, format="scxml")
    assert cls._io_processor.root is cls
    assert cls._io_processor.scs == {"Light": cls}


def test_the_scxml_processor_of_python_statemachine_still_works(engine):
    """``SCXMLProcessor(trusted=...).parse_scxml(name, text)`` collects classes by name;
    ``start()`` runs the first one; its ``trusted`` flag reaches the evaluator."""
    from statemachine.io.scxml.processor import SCXMLProcessor

    processor = SCXMLProcessor()
    with pytest.raises(InvalidDefinition, match="Nothing to start"):
        processor.start()
    light = processor.parse_scxml("light", LIGHT)
    other = processor.parse_scxml("other", scxml('<state id="x"/>'))
    assert processor.scs == {"light": light, "other": other}
    assert light.__name__ == "light"
    sm = processor.start()
    assert isinstance(sm, light)
    scripted = scxml(
        '<state id="x"><onentry><script>y = 1</script></onentry>'
        '<transition event="go" target="x"/></state>'
    )
    with pytest.raises(InvalidDefinition, match="script"):
        processor.parse_scxml("scripted", scripted)
    cls = SCXMLProcessor(trusted=True).parse_scxml("scripted", scripted)
    assert engine.machine(cls).model.y == 1


def test_the_document_initial_may_name_nested_states(engine):
    """`<scxml initial="...">` may start below the top level, in several states."""
    body = """
    <parallel id="p">
      <state id="r1"><state id="a1"/><state id="a2"/></state>
      <state id="r2"><state id="b1"/><state id="b2"/></state>
    </parallel>
    """
    sm = engine.machine(load(scxml(body, initial="a2 b2"), format="scxml"))
    assert sorted(sm.configuration_values) == ["a2", "b2", "p", "r1", "r2"]


def test_an_initial_element_runs_its_transition_content(engine):
    body = """
    <datamodel><data id="log" expr="[]"/></datamodel>
    <state id="c">
      <initial><transition target="two"><assign location="log" expr="log + ['init']"/>
      </transition></initial>
      <state id="one"/><state id="two"/>
    </state>
    """
    sm = engine.machine(load(scxml(body), format="scxml"))
    assert sorted(sm.configuration_values) == ["c", "two"]
    assert sm.model.log == ["init"]


def test_a_failing_initial_content_raises_error_execution_and_still_enters(engine):
    """The content of an ``<initial>`` transition is a block: an error stops it and is
    queued as error.execution; the default states are entered all the same."""
    body = """
    <datamodel><data id="log" expr="[]"/></datamodel>
    <state id="c">
      <initial><transition target="two"><assign location="log" expr="missing + 1"/>
        <assign location="log" expr="['never']"/></transition></initial>
      <state id="one"/>
      <state id="two"><transition event="error.execution" target="one"/></state>
    </state>
    """
    sm = engine.machine(load(scxml(body), format="scxml"))
    assert sorted(sm.configuration_values) == ["c", "one"]
    assert sm.model.log == []


def test_initial_names_across_top_level_states_are_refused():
    body = "<state id='a'><state id='a1'/></state><state id='b'><state id='b1'/></state>"
    with pytest.raises(InvalidDefinition, match="several top-level states"):
        load(scxml(body, initial="a1 b1"), format="scxml")


def test_a_missing_target_fails_when_taken(engine, caplog):
    """SCXML leaves a missing target undefined: loading warns, and taking the transition
    raises error.execution instead."""
    body = """
    <state id="a">
      <transition event="go" target="nowhere"/>
      <transition event="error.execution" target="b"/>
    </state>
    <state id="b"/>
    """
    with caplog.at_level(logging.WARNING, logger="statemachine.io"):
        cls = load(scxml(body), format="scxml")
    assert "'nowhere'" in caplog.text
    sm = engine.machine(cls)
    engine.send(sm, "go")
    assert list(sm.configuration_values) == ["b"]


# --- datamodel and system variables --------------------------------------------------------------


def test_data_lives_on_the_model(engine):
    body = """
    <datamodel><data id="count" expr="1"/><data id="text">hello</data></datamodel>
    <state id="a"><transition event="tick" target="a">
      <assign location="count" expr="count + 1"/></transition></state>
    """
    sm = engine.machine(load(scxml(body), format="scxml"))
    engine.send(sm, "tick")
    assert (sm.model.count, sm.model.text) == (2, "hello")
    assert "count=2" in repr(sm.model)


def test_data_from_a_file_next_to_the_document(tmp_path):
    (tmp_path / "numbers.txt").write_text("[1, 2, 3]")
    (tmp_path / "m.scxml").write_text(
        scxml('<datamodel><data id="items" src="file:numbers.txt"/></datamodel><state id="a"/>')
    )
    assert load(tmp_path / "m.scxml")().model.items == [1, 2, 3]


def test_a_failing_data_expression_is_none_and_raises_error_execution(engine):
    body = """
    <datamodel><data id="bad" expr="1 / 0"/></datamodel>
    <state id="a"><transition event="error.execution" target="b"/></state><state id="b"/>
    """
    sm = engine.machine(load(scxml(body), format="scxml", trusted=True))
    assert sm.model.bad is None
    assert list(sm.configuration_values) == ["b"]


def test_system_variables_are_readable(engine):
    body = """
    <datamodel><data id="seen" expr="None"/></datamodel>
    <state id="a"><transition event="go" target="b">
      <assign location="seen"
        expr="[_event.name, _event.type, _event.data.n, _name, bool(_sessionid),
               _ioprocessors['scxml']['location'].startswith('#_scxml_')]"/>
    </transition></state><state id="b"/>
    """
    sm = engine.machine(load(scxml(body, name="Sys"), format="scxml", trusted=True))
    engine.send(sm, "go", n=4)
    assert sm.model.seen == ["go", "external", 4, "Sys", True, True]


def test_system_variables_cannot_be_assigned(engine):
    body = """
    <state id="a"><onentry><assign location="_sessionid" expr="'x'"/></onentry>
      <transition event="error.execution" target="b"/></state><state id="b"/>
    """
    sm = engine.machine(load(scxml(body), format="scxml", trusted=True))
    assert list(sm.configuration_values) == ["b"]


def test_a_guard_naming_a_model_method_calls_it_with_the_event_arguments(engine):
    class Model:
        state = None

        def big(self, amount=0):
            return amount > 10

    body = """
    <state id="a"><transition event="pay" cond="big" target="b"/></state><state id="b"/>
    """
    cls = load(scxml(body), format="scxml")
    sm = engine.machine(cls, model=Model())
    engine.send(sm, "pay", amount=5)
    assert list(sm.configuration_values) == ["a"]
    engine.send(sm, "pay", amount=50)
    assert list(sm.configuration_values) == ["b"]


# --- executable content --------------------------------------------------------------------------


def test_if_foreach_and_log(engine, caplog):
    body = """
    <datamodel><data id="total" expr="0"/><data id="items" expr="[1, 2, 3]"/></datamodel>
    <state id="a"><onentry>
      <foreach array="items" item="x" index="i">
        <if cond="x % 2 == 1"><assign location="total" expr="total + x"/>
        <elseif cond="x == 2"/><assign location="total" expr="total + 100"/>
        <else/><assign location="total" expr="-1"/></if>
      </foreach>
      <log label="sum" expr="total"/>
    </onentry><transition event="again" target="a"/></state>
    """
    with caplog.at_level(logging.INFO, logger="statemachine.io"):
        sm = engine.machine(load(scxml(body), format="scxml"))
    assert sm.model.total == 104
    assert "sum: 104" in caplog.text


def test_a_delayed_send_can_be_cancelled(engine):
    body = """
    <state id="a"><onentry>
      <send event="late" delay="50ms" id="t"/>
      <cancel sendid="t"/>
    </onentry><transition event="late" target="b"/></state><state id="b"/>
    """
    sm = engine.machine(load(scxml(body), format="scxml"))
    time.sleep(0.15)
    assert list(sm.configuration_values) == ["a"]


def test_a_send_to_an_unknown_session_is_error_communication(engine):
    body = """
    <state id="a"><onentry><send event="x" target="#_scxml_nobody"/></onentry>
      <transition event="error.communication" target="b"/></state><state id="b"/>
    """
    sm = engine.machine(load(scxml(body), format="scxml"))
    assert list(sm.configuration_values) == ["b"]


def test_sessions_reach_each_other_by_session_id():
    body = """
    <datamodel><data id="other" expr="None"/></datamodel>
    <state id="a"><transition event="poke" target="a">
      <send event="hello" targetexpr="'#_scxml_' + other"/></transition>
      <transition event="hello" target="b"/></state><state id="b"/>
    """
    cls = load(scxml(body), format="scxml")
    first, second = cls(), cls()
    first.model.other = second.__dict__["_io_session"].sessionid
    first.send("poke")
    assert list(second.configuration_values) == ["b"]


@pytest.mark.parametrize(
    ("text", "ms"),
    [("1s", 1000.0), ("1.5s", 1500.0), (".5s", 500.0), ("200ms", 200.0), (250, 250.0)],
)
def test_delays_read_as_css_durations(text, ms):
    assert parse_delay(text) == ms


@pytest.mark.parametrize("bad", ["soon", "-1s", -5])
def test_bad_delays_are_refused(bad):
    with pytest.raises(ValueError):
        parse_delay(bad)


# --- invoke --------------------------------------------------------------------------------------

PARENT = scxml(
    f"""
    <datamodel><data id="n"/><data id="result"/></datamodel>
    <state id="waiting">
      <invoke id="kid" type="scxml">
        <content>
          <scxml initial="busy" {NS}>
            <state id="busy">
              <onentry><send target="#_parent" event="hello"><param name="n" expr="7"/></send>
              </onentry>
              <transition event="stop" target="done"/>
            </state>
            <final id="done"><donedata><param name="result" expr="42"/></donedata></final>
          </scxml>
        </content>
      </invoke>
      <transition event="hello">
        <assign location="n" expr="_event.data.n"/>
        <send target="#_kid" event="stop"/>
      </transition>
      <transition event="done.invoke.kid" target="finished">
        <assign location="result" expr="_event.data"/>
        <assign location="n" expr="_event.data.result - 30"/>
      </transition>
    </state>
    <final id="finished"/>
    """
)


def test_an_invoked_child_talks_to_its_parent_and_finishes():
    sm = load(PARENT, format="scxml")()
    assert wait_until(lambda: sm.is_terminated)
    assert (sm.model.n, sm.model.result) == (12, {"result": 42})  # n: 7 from hello, then 42 - 30


def test_an_invoked_child_on_the_asyncio_engine():
    class Probe:
        async def after_transition(self):
            pass

    async def main():
        sm = load(PARENT, format="scxml")(listeners=[Probe()])
        await sm.activate_initial_state()
        for _ in range(300):
            if sm.is_terminated:
                break
            await asyncio.sleep(0.01)
        return sm

    sm = asyncio.run(main())
    assert sm.is_terminated
    assert sm.model.result == {"result": 42}


def test_leaving_the_state_cancels_the_child():
    body = f"""
    <state id="a">
      <invoke type="scxml"><content>
        <scxml {NS}><state id="s"><onentry><send target="#_parent" event="late" delay="100ms"/>
        </onentry></state></scxml>
      </content></invoke>
      <transition event="leave" target="b"/>
    </state>
    <state id="b"><transition event="late" target="c"/></state><state id="c"/>
    """
    sm = load(scxml(body), format="scxml")()
    sm.send("leave")
    time.sleep(0.25)
    assert list(sm.configuration_values) == ["b"]


def test_an_invoke_without_a_source_is_refused():
    body = "<state id='a'><invoke type='scxml'/></state>"
    with pytest.raises(InvalidDefinition, match="needs src, srcexpr or content"):
        load(scxml(body), format="scxml")


def test_an_unsupported_invoke_type_is_error_execution(engine):
    """A type the processor cannot run is an error.execution in the invoking machine."""
    body = """
    <state id="a">
      <invoke type="http://example.com/other"><content expr="'x'"/></invoke>
      <transition event="error.execution" target="b"/>
    </state><state id="b"/>
    """
    sm = engine.machine(load(scxml(body), format="scxml", trusted=True))
    assert wait_until(lambda: list(sm.configuration_values) == ["b"])


def test_a_missing_invoke_source_file_is_named_at_load():
    body = """
    <state id="a"><invoke type="scxml" src="file:missing-child.scxml"/></state>
    """
    with pytest.raises(InvalidDefinition, match=r"missing-child\.scxml"):
        load(scxml(body), format="scxml")


def test_import_statemachine_io_needs_no_optional_package():
    """`statemachine.io` is importable with the standard library alone."""
    import subprocess
    import sys

    code = (
        "import sys, statemachine.io; "
        "print(sorted(m for m in ('yaml', 'jsonschema', 'django', 'pydot') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_paths_in_documents_are_relative_to_the_document(tmp_path):
    (tmp_path / "child.scxml").write_text(scxml("<final id='end'/>"))
    (tmp_path / "parent.scxml").write_text(
        scxml(
            """<state id="a"><invoke type="scxml" src="file:child.scxml"/>
            <transition event="done.invoke" target="b"/></state><final id="b"/>"""
        )
    )
    sm = load(Path(tmp_path / "parent.scxml"))()
    assert wait_until(lambda: sm.is_terminated)


# --- guards compiled once -------------------------------------------------------------------


def test_guards_reading_only_the_model_run_as_functions_of_it():
    """A restricted guard that reads model attributes only becomes ``f(model)``; system
    variables, In(), constant names and bare names keep the scope."""
    from statemachine.io._evaluate import compile_expression

    fast = compile_expression("n >= 0 and items[0] == 'x'", "here", False).on_model
    assert fast is not None

    class Model:
        n, items = 1, ["x"]

    assert fast(Model()) is True
    for text in ("In('a')", "_event.name == 'go'", "flag", "x == true", "n > null"):
        assert compile_expression(text, "here", False).on_model is None, text
    assert compile_expression("n >= 0", "here", True).on_model is None  # trusted: builtins


def test_a_fast_guard_that_fails_is_error_execution(engine):
    body = """
    <state id="a">
      <transition event="go" cond="missing > 1" target="b"/>
      <transition event="error.execution" target="c"/>
    </state>
    <state id="b"/><state id="c"/>
    """
    sm = engine.machine(load(scxml(body), format="scxml"))
    engine.send(sm, "go")
    assert list(sm.configuration_values) == ["c"]


def test_an_expression_compiled_for_a_trusted_document_stays_refused_in_a_restricted_one():
    """Compiled expressions are shared by text, never across the two modes."""
    body = '<state id="a"><transition event="go" cond="len(\'ab\') == 2" target="b"/></state>'
    body += '<state id="b"/>'
    trusted = load(scxml(body), format="scxml", trusted=True)()
    trusted.send("go")
    assert list(trusted.configuration_values) == ["b"]
    with pytest.raises(InvalidDefinition, match="calls are not allowed"):
        load(scxml(body), format="scxml")
