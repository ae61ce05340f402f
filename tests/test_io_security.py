"""Hostile documents against ``statemachine.io`` in its default, restricted mode.

Every case is one attack: a sandbox escape, a value built to exhaust memory or time, an XML
attack, a file read. Each ends one of two ways: the document is refused when it is loaded
(``InvalidDefinition`` naming the expression and where it is), or, when only run-time values
can reach a limit, the machine reports ``error.execution`` and the harm does not happen.
``docs/io/security.md`` lists every case of this module.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest

from statemachine.exceptions import InvalidDefinition
from statemachine.io import _document as doc
from statemachine.io import load
from statemachine.io._factory import build_class

SCXML = '<scxml xmlns="http://www.w3.org/2005/07/scxml" initial="s">'


def document(state: str = "", data: str = "", top: str = "") -> str:
    """A document with the variables ``Var1 = 10``, ``Var2 = 10 ** 10``, ``Out = 0`` (and
    ``data``), whose state ``s`` holds ``state`` and leaves on ``go`` for the final state
    ``done``, on ``error.execution`` for the final state ``caught``."""
    return (
        f'{SCXML}<datamodel><data id="Var1" expr="10"/><data id="Var2" expr="10000000000"/>'
        f'<data id="Out" expr="0"/>{data}</datamodel>{top}'
        f'<state id="s">{state}<transition event="error.execution" target="caught"/>'
        '<transition event="go" target="done"/></state>'
        '<final id="done"/><final id="caught"/></scxml>'
    )


def refused(text: str | Path, **kwargs: Any) -> str:
    """The message of the InvalidDefinition that loading ``text`` raises."""
    if isinstance(text, str):
        kwargs.setdefault("format", "scxml")
    with pytest.raises(InvalidDefinition) as info:
        load(text, **kwargs)
    return str(info.value)


def states(machine: Any) -> set[str]:
    return {s.id for s in machine.configuration}


# --- expressions refused at load ------------------------------------------------------------------

# Where an expression can sit in a document: the document holding it (the expression already
# quoted as an XML attribute value), and the place the message must name.
ON_ENTRY = "scxml > state 's' > onentry"
PLACES = {
    "cond": (
        lambda q: document(f'<transition event="go" cond={q} target="done"/>'),
        "scxml > state 's' > transition",
    ),
    "assign": (
        lambda q: document(f'<onentry><assign location="Out" expr={q}/></onentry>'),
        f"{ON_ENTRY} > assign",
    ),
    "data": (lambda q: document(data=f'<data id="Var3" expr={q}/>'), "scxml > data 'Var3'"),
    "log": (
        lambda q: document(f'<onentry><log label="x" expr={q}/></onentry>'),
        f"{ON_ENTRY} > log",
    ),
    "param": (
        lambda q: document(f'<onentry><send event="e"><param name="p" expr={q}/></send></onentry>'),
        f"{ON_ENTRY} > send > param 'p'",
    ),
    "eventexpr": (
        lambda q: document(f"<onentry><send eventexpr={q}/></onentry>"),
        f"{ON_ENTRY} > send",
    ),
    "foreach": (
        lambda q: document(f'<onentry><foreach array={q} item="Out"/></onentry>'),
        f"{ON_ENTRY} > foreach",
    ),
    "if": (
        lambda q: document(f'<onentry><if cond={q}><log expr="1"/></if></onentry>'),
        f"{ON_ENTRY} > if",
    ),
    "location": (
        lambda q: document(f'<onentry><assign location={q} expr="1"/></onentry>'),
        f"{ON_ENTRY} > assign",
    ),
    "item": (
        lambda q: document(f'<onentry><foreach array="[1]" item={q}/></onentry>'),
        f"{ON_ENTRY} > foreach",
    ),
}

REFUSED_AT_LOAD = [
    # Attribute chains towards the interpreter's objects.
    pytest.param("cond", "_event.__class__.__mro__", "starts with '_'", id="event-class-mro"),
    pytest.param("assign", "Var1.__globals__", "starts with '_'", id="dunder-globals"),
    pytest.param(
        "data",
        "().__class__.__bases__[0].__subclasses__()",
        "calls are not allowed",
        id="object-subclasses",
    ),
    pytest.param("cond", "feed.gi_frame.f_globals", "reaches the interpreter", id="frame-globals"),
    pytest.param("param", "_event.data.error.tb_frame", "reaches the interpreter", id="tb-frame"),
    pytest.param("cond", "__builtins__", "'__builtins__' starts with '_'", id="builtins-name"),
    # Format strings.
    pytest.param("log", "'{0.__class__}'.format(Var1)", "calls are not allowed", id="str-format"),
    pytest.param("cond", "f'{Var1}'", "JoinedStr", id="f-string"),
    pytest.param("param", "f'{Var1.__class__}'", "JoinedStr", id="f-string-dunder"),
    pytest.param("log", "'%0999999999d' % Var1", "string formatting", id="percent-format"),
    # Builtins, reached by calling them.
    pytest.param("cond", "getattr(Var1, 'real')", "calls are not allowed", id="getattr"),
    pytest.param("assign", "eval('Var1')", "calls are not allowed", id="eval"),
    pytest.param(
        "cond", "__import__('os').system('touch marker')", "calls are not allowed", id="import"
    ),
    pytest.param("data", "open('/etc/passwd')", "calls are not allowed", id="open"),
    pytest.param("log", "exec('Out = 1')", "calls are not allowed", id="exec"),
    pytest.param("param", "compile('1', 'x', 'eval')", "calls are not allowed", id="compile"),
    pytest.param("if", "globals()", "calls are not allowed", id="globals"),
    pytest.param("foreach", "vars()", "calls are not allowed", id="vars"),
    # Code that is not an expression of the allow-list.
    pytest.param("cond", "(lambda: Var1)", "Lambda", id="lambda"),
    pytest.param("foreach", "[x for x in [1, 2]]", "ListComp", id="list-comprehension"),
    pytest.param("data", "(x for x in [1, 2])", "GeneratorExp", id="generator"),
    pytest.param("assign", "{k: 1 for k in 'ab'}", "DictComp", id="dict-comprehension"),
    pytest.param("cond", "(Out := 1)", "NamedExpr", id="walrus"),
    pytest.param("assign", "(yield Var1)", "Yield", id="yield"),
    pytest.param("cond", "await Var1", "Await", id="await"),
    pytest.param("foreach", "[*Var1]", "Starred", id="starred"),
    pytest.param("assign", "1 << 100000", "LShift", id="left-shift"),
    # Huge values from literals: refused before anything is computed.
    pytest.param("cond", "10 ** 10 ** 10", "too large", id="power-tower"),
    pytest.param("assign", "2 ** 100000", "too large", id="big-power"),
    pytest.param("data", "'a' * 10 ** 9", "repeating a sequence", id="string-repeat"),
    pytest.param("log", "[0] * 10 ** 9", "repeating a sequence", id="list-repeat"),
    pytest.param("param", "(1,) * 10 ** 8", "repeating a sequence", id="tuple-repeat"),
    pytest.param("eventexpr", "Var1 * ('a' * 10 ** 9)", "repeating a sequence", id="inner-repeat"),
    pytest.param("assign", "'a' * 100000 + 'b'", "joining sequences", id="concatenation"),
    # Deep nesting and length.
    pytest.param("cond", "(" * 10000 + "Var1" + ")" * 10000, "longer than", id="parens-10000"),
    pytest.param("cond", "(" * 4000 + "Var1" + ")" * 4000, "nested parentheses", id="parens-4000"),
    pytest.param("cond", "not " * 5000 + "Var1", "longer than", id="not-chain-5000"),
    pytest.param("if", "not " * 2400 + "Var1", "nested too deeply", id="not-chain-2400"),
    pytest.param("assign", "-" * 9000 + "Var1", "nested too deeply", id="unary-minus-9000"),
    pytest.param("log", "Var1" + ".real" * 1990, "nested too deeply", id="attribute-chain"),
    pytest.param("log", " + ".join(["Var1"] * 2600), "longer than", id="long-expression"),
    # Private names and attributes; In() with anything but state ids.
    pytest.param("cond", "_secret", "'_secret' starts with '_'", id="private-name"),
    pytest.param("assign", "Var1._x", "'_x' starts with '_'", id="private-attribute"),
    pytest.param("cond", "In(Var1)", "In() takes state ids", id="in-variable"),
    pytest.param("cond", "In(id='s')", "In() takes state ids", id="in-keyword"),
    pytest.param("location", "__class__", "'__class__' starts with '_'", id="location-dunder"),
    pytest.param("location", "Out.__dict__", "'__dict__' starts with '_'", id="location-attr"),
    pytest.param("item", "_item", "'_item' starts with '_'", id="foreach-private-item"),
]


@pytest.mark.parametrize(("place", "expression", "reason"), REFUSED_AT_LOAD)
def test_expression_refused_at_load(place: str, expression: str, reason: str) -> None:
    """The document is refused when it is loaded; the message names the expression, where it
    is, and why."""
    build, where = PLACES[place]
    message = refused(build(quoteattr(expression)))
    assert expression[:40] in message
    assert where in message
    assert reason in message


def test_private_data_id_refused_at_load() -> None:
    """A variable named like a private attribute would overwrite that attribute of the
    model: refused."""
    message = refused(document(data='<data id="_secret" expr="1"/>'))
    assert "'_secret' starts with '_'" in message
    assert "scxml > data '_secret'" in message


def test_inline_script_refused_at_load() -> None:
    """A script runs arbitrary Python: refused without trusted=True."""
    message = refused(document(top="<script>open('marker', 'w')</script>"))
    assert "needs trusted=True" in message
    assert "scxml > script" in message


def test_script_src_refused_before_the_file_is_opened(tmp_path: Path) -> None:
    """A restricted ``<script src>`` is refused without reading its file: a missing file is
    not even noticed."""
    missing = tmp_path / "missing.py"
    message = refused(document(top=f'<script src="{missing}"/>'))
    assert "needs trusted=True" in message
    assert "cannot read" not in message


# --- run-time limits: error.execution, and nothing happens ------------------------------------

RUNTIME_DATA = (
    '<data id="Text" expr="\'ab\'"/><data id="Items" expr="[0]"/><data id="Pair" expr="(1,)"/>'
    '<data id="Big" expr="\'a\' * 100000"/><data id="Fmt" expr="\'%0999999999d\'"/>'
)


def assign_out(expression: str) -> str:
    return f'<assign location="Out" expr={quoteattr(expression)}/>'


RUNTIME_LIMITS = [
    pytest.param(assign_out("Var1 ** Var2"), id="power-of-variables"),
    pytest.param(assign_out("Text * Var2"), id="string-times-variable"),
    pytest.param(assign_out("Items * Var2"), id="list-times-variable"),
    pytest.param(assign_out("Var2 * Pair"), id="variable-times-tuple"),
    pytest.param(assign_out("(Var2 ** 100) * (Var2 ** 100)"), id="int-times-int"),
    pytest.param(assign_out("Var1 < Var2 < Var1 ** Var2"), id="comparison-chain"),
    pytest.param(assign_out("Big + Big"), id="joined-variables"),
    pytest.param(assign_out("Fmt % Var1"), id="format-in-variable"),
    pytest.param('<log label="x" expr="Text * Var2"/>', id="log"),
    pytest.param(f'<if cond="Items * Var2">{assign_out("1")}</if>', id="if-condition"),
    pytest.param(
        f'<foreach array="Items * Var2" item="Text">{assign_out("1")}</foreach>',
        id="foreach-array",
    ),
    pytest.param('<send event="go"><param name="p" expr="Text * Var2"/></send>', id="send-param"),
]


@pytest.mark.parametrize("action", RUNTIME_LIMITS)
def test_runtime_limit_is_error_execution(engine: Any, action: str) -> None:
    """A huge value reachable only through variables is refused when the expression runs:
    error.execution, without computing it, and the action does not happen."""
    cls = load(document(f"<onentry>{action}</onentry>", RUNTIME_DATA), format="scxml")
    started = time.monotonic()
    machine = engine.machine(cls)
    assert states(machine) == {"caught"}
    assert machine.model.Out == 0
    assert time.monotonic() - started < 2


def test_runtime_limit_in_a_guard(engine: Any) -> None:
    """A guard building a huge value is false and reports error.execution."""
    guard = '<transition event="try" cond="Var1 ** Var2 &gt; 0" target="done"/>'
    machine = engine.machine(load(document(guard), format="scxml"))
    engine.send(machine, "try")
    assert states(machine) == {"caught"}


def test_runtime_limit_in_a_data_expression(engine: Any) -> None:
    """A variable whose initial value would be huge is left None, with error.execution."""
    cls = load(document(data='<data id="Var3" expr="Var1 ** Var2"/>'), format="scxml")
    machine = engine.machine(cls)
    assert states(machine) == {"caught"}
    assert machine.model.Var3 is None


class Holder:
    """A model with a bytearray (repetition of any sequence type is checked)."""

    def __init__(self) -> None:
        self.state = None
        self.blob = bytearray(b"x")


def test_runtime_limit_on_a_model_sequence(engine: Any) -> None:
    """Repeating a model's bytearray beyond the limit is refused too."""
    cls = load(document(f"<onentry>{assign_out('blob * Var2')}</onentry>"), format="scxml")
    machine = engine.machine(cls, Holder())
    assert states(machine) == {"caught"}
    assert machine.model.Out == 0


# --- names: the model's public methods, nothing else ----------------------------------------------


class Account:
    """A model with a public method, a private one, and a list."""

    def __init__(self) -> None:
        self.state = None
        self.items = [1, 2, 3]
        self.calls: list[Any] = []

    def allowed(self, amount: int = 0) -> bool:
        self.calls.append(amount)
        return amount < 100

    def _allowed(self) -> bool:  # pragma: no cover - never called: refused at load
        return True


def test_guard_naming_a_public_method_calls_it(engine: Any) -> None:
    """A guard naming a public method of the model calls it with the event's arguments."""
    cls = load(document('<transition event="pay" cond="allowed" target="done"/>'), format="scxml")
    machine = engine.machine(cls, Account())
    engine.send(machine, "pay", amount=5)
    assert machine.model.calls == [5]
    assert states(machine) == {"done"}


def test_guard_naming_a_private_method_refused_at_load() -> None:
    """A guard naming a ``_``-prefixed method of the model is refused at load."""
    message = refused(document('<transition event="pay" cond="_allowed" target="done"/>'))
    assert "'_allowed' starts with '_'" in message


@pytest.mark.parametrize(
    ("name", "setup"),
    [
        pytest.param("Wipe", '<data id="Wipe" expr="items.clear"/>', id="variable-with-a-method"),
        pytest.param("allowed", '<data id="allowed" expr="items.clear"/>', id="method-overwritten"),
    ],
)
def test_guard_never_calls_a_callable_the_document_stored(
    engine: Any, name: str, setup: str
) -> None:
    """A guard naming a variable that holds a method of another object (here ``list.clear``)
    does not call it: error.execution, the list intact."""
    guard = f'<transition event="pay" cond="{name}" target="done"/>'
    machine = engine.machine(load(document(guard, setup), format="scxml"), Account())
    engine.send(machine, "pay")
    assert machine.model.items == [1, 2, 3]
    assert states(machine) == {"caught"}


def test_guard_naming_a_builtin_does_not_reach_it(engine: Any) -> None:
    """A bare builtin name resolves to nothing (no builtins in the restricted evaluator)."""
    cls = load(document('<transition event="pay" cond="exec" target="done"/>'), format="scxml")
    machine = engine.machine(cls)
    engine.send(machine, "pay")
    assert states(machine) == {"caught"}


class AnswersEverything:
    """A model answering every name it lacks (as proxies and mocks do)."""

    def __init__(self) -> None:
        self.state = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__sm_"):
            return lambda left, right: "hijacked"
        raise AttributeError(name)


def test_model_cannot_replace_the_evaluator_helpers(engine: Any) -> None:
    """The size-checked helpers of ``**`` and ``*`` are never looked up on the model."""
    cls = load(document(f"<onentry>{assign_out('Var1 ** 2')}</onentry>"), format="scxml")
    machine = engine.machine(cls, AnswersEverything())
    assert machine.model.Out == 100


def test_assigning_the_state_field_is_error_execution(engine: Any) -> None:
    """The model's state field is not a variable: writing it would move the machine without
    a transition."""
    action = '<onentry><assign location="state" expr="\'done\'"/></onentry>'
    machine = engine.machine(load(document(action), format="scxml"))
    assert states(machine) == {"caught"}


def test_assigning_a_system_variable_is_error_execution(engine: Any) -> None:
    """``_sessionid`` and the other system variables cannot be assigned."""
    action = '<onentry><assign location="_sessionid" expr="1"/></onentry>'
    machine = engine.machine(load(document(action), format="scxml"))
    assert states(machine) == {"caught"}


def test_private_callback_names_refused_at_load() -> None:
    """Native formats name callbacks and validators; restricted documents name only public
    ones."""
    for transition in (
        doc.TransitionDef(event="go", targets=["b"], on=[doc.CallbackRef("_wipe", "on")]),
        doc.TransitionDef(event="go", targets=["b"], validators=["_check"], where="t"),
    ):
        states_ = [doc.StateDef("a", initial=True, transitions=[transition]), doc.StateDef("b")]
        with pytest.raises(InvalidDefinition, match="starts with '_'"):
            build_class(doc.Document(states=states_), trusted=False)


# --- trusted mode ---------------------------------------------------------------------------------


def test_trusted_accepts_a_call_and_a_script(engine: Any) -> None:
    """``trusted=True`` evaluates full Python: a call in a guard, and a script."""
    text = document(
        '<transition event="pay" cond="len(Items) == 1" target="done"/>',
        '<data id="Items" expr="[0]"/>',
        top="<script>Out = sum([40, 2])</script>",
    )
    machine = engine.machine(load(text, format="scxml", trusted=True))
    assert machine.model.Out == 42
    engine.send(machine, "pay")
    assert states(machine) == {"done"}


# --- files named by the document ---------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A document folder ``docs/`` with ``values.txt``, next to a ``secret.txt`` outside it."""
    (tmp_path / "secret.txt").write_text("'the secret'", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "values.txt").write_text("[1, 2, 3]", encoding="utf-8")
    return docs


def document_file(folder: Path, text: str) -> Path:
    path = folder / "chart.scxml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "src",
    [
        pytest.param("{outside}/secret.txt", id="absolute-path"),
        pytest.param("../secret.txt", id="parent-folder"),
        pytest.param("file://{outside}/secret.txt", id="file-url"),
        pytest.param("link.txt", id="symlink-out"),
        pytest.param("/dev/zero", id="dev-zero"),
        pytest.param("http://example.invalid/values.txt", id="remote"),
    ],
)
def test_data_src_outside_the_document_folder_refused(folder: Path, src: str) -> None:
    """A restricted document reads only regular files inside its own folder."""
    (folder / "link.txt").symlink_to(folder.parent / "secret.txt")
    src = src.format(outside=folder.parent)
    message = refused(document_file(folder, document(data=f'<data id="Var3" src="{src}"/>')))
    assert "scxml > data 'Var3'" in message
    assert "the secret" not in message


def test_data_src_inside_the_document_folder_is_read(folder: Path) -> None:
    """The document's own folder stays readable."""
    machine = load(document_file(folder, document(data='<data id="Var3" src="values.txt"/>')))()
    assert machine.model.Var3 == [1, 2, 3]


def test_data_src_of_a_document_given_as_text_refused(folder: Path) -> None:
    """A document given as text has no folder: it reads no file."""
    message = refused(document(data=f'<data id="Var3" src="{folder / "values.txt"}"/>'))
    assert "given as text" in message


def test_invoke_src_outside_the_document_folder_refused(folder: Path) -> None:
    """``<invoke src>`` follows the same rule."""
    invoke = f'<invoke src="{folder.parent / "secret.txt"}"/>'
    message = refused(document_file(folder, document(invoke)))
    assert "invoke" in message
    assert "own folder" in message


def test_invoke_srcexpr_outside_the_document_folder_is_error_execution(
    engine: Any, folder: Path
) -> None:
    """``<invoke srcexpr>`` is checked when it runs: error.execution, nothing loaded."""
    outside = folder.parent / "child.scxml"
    outside.write_text(document('<onentry><log expr="1"/></onentry>'), encoding="utf-8")
    invoke = f"<invoke srcexpr={quoteattr(repr(str(outside)))}/>"
    machine = engine.machine(load(document_file(folder, document(invoke))))
    assert states(machine) == {"caught"}


# --- XML ------------------------------------------------------------------------------------------

LAUGHS = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
XML_ATTACKS = [
    pytest.param(
        f'<!DOCTYPE scxml [<!ENTITY lol0 "lol">{LAUGHS}]>'
        + document(data='<data id="Var3">&lol9;</data>'),
        "declares a DTD",
        id="billion-laughs",
    ),
    pytest.param(
        f'<!DOCTYPE scxml [<!ENTITY big "{"x" * 50000}">]>'
        + document(data=f'<data id="Var3">{"&big;" * 1000}</data>'),
        "declares a DTD",
        id="quadratic-blowup",
    ),
    pytest.param(
        '<!DOCTYPE scxml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + document(data='<data id="Var3">&xxe;</data>'),
        "declares a DTD",
        id="external-entity",
    ),
    pytest.param(
        '<!DOCTYPE scxml SYSTEM "http://example.invalid/scxml.dtd">' + document(),
        "declares a DTD",
        id="external-dtd",
    ),
    pytest.param(
        '<!DOCTYPE scxml [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>' + document(),
        "declares a DTD",
        id="parameter-entity",
    ),
    pytest.param(
        document(data='<data id="Var3">&xxe;</data>'), "not well-formed", id="undeclared-entity"
    ),
    pytest.param(
        SCXML + "<state>" * 5000 + "</state>" * 5000 + "</scxml>",
        "more than 100 deep",
        id="deep-states",
    ),
    pytest.param(
        document("<onentry>" + '<if cond="1">' * 2000 + "</if>" * 2000 + "</onentry>"),
        "more than 100 deep",
        id="deep-if",
    ),
    pytest.param(
        document(f'<transition event="go" cond="{"Var1 + " * 200_000}1" target="done"/>'),
        "longer than",
        id="huge-attribute",
    ),
]


@pytest.mark.parametrize(("text", "reason"), XML_ATTACKS)
def test_xml_attack_refused_at_load(text: str, reason: str) -> None:
    """DTDs, entities and absurd nesting are refused before anything is expanded."""
    started = time.monotonic()
    assert reason in refused(text)
    assert time.monotonic() - started < 2


def test_xinclude_is_not_processed(folder: Path) -> None:
    """An XInclude element is an ordinary, unknown element: the file is not included."""
    include = (
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="../secret.txt" parse="text"/>'
    )
    machine = load(document_file(folder, document(data=f'<data id="Var3">{include}</data>')))()
    assert "the secret" not in repr(machine.model.Var3)
    assert machine.model.Var3.tag.endswith("include")


def test_processing_instructions_are_ignored(engine: Any) -> None:
    """Processing instructions are harmless: skipped, the document loads and runs."""
    text = '<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?>' + document(
        '<onentry><?php system("touch marker"); ?><assign location="Out" expr="1"/></onentry>'
    )
    machine = engine.machine(load(text, format="scxml"))
    assert machine.model.Out == 1


# --- YAML -----------------------------------------------------------------------------------------


def test_yaml_python_tags_refused(tmp_path: Path) -> None:
    """A YAML document cannot build Python objects (``!!python/...`` tags)."""
    marker = tmp_path / "marker"
    text = f"name: x\nstates: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(InvalidDefinition):
        load(text, format="yaml")
    assert not marker.exists()
