"""The format registry: `format()`, f-strings and docstring placeholders on machines."""

from __future__ import annotations

import pytest

from statemachine import State, StateChart
from statemachine.contrib.diagram import Formatter, extract, formatter


@pytest.fixture
def ids_format():
    """A user format, 'ids', that lists state ids with the active ones starred."""

    @formatter.register_format("ids", "state-ids")
    def render(obj):
        graph = extract(obj)
        return " ".join(s.id + ("*" if s.is_active else "") for s in graph.walk())

    yield render
    for name in ("ids", "state-ids"):
        formatter._formats.pop(name, None)


class Light(StateChart):
    green = State(initial=True)
    red = State()
    cycle = green.to(red) | red.to(green)


def test_a_registered_format_works_in_f_strings_on_instances(ids_format):
    """`f"{sm:ids}"` renders the instance, with its active state."""
    sm = Light()
    sm.send("cycle")
    assert f"{sm:ids}" == "green red*"
    assert format(sm, "state-ids") == "green red*"


def test_a_registered_format_works_on_classes(ids_format):
    """`format(Cls, fmt)` renders the class, with nothing active."""
    assert format(Light, "ids") == "green red"


def test_an_empty_spec_gives_repr_and_str():
    """`f"{sm:}"` is `repr(sm)`; `f"{Cls:}"` is `str(Cls)`."""
    sm = Light()
    assert f"{sm:}" == repr(sm)
    assert f"{Light:}" == str(Light)


def test_an_empty_format_is_the_plain_string_through_the_registry_too():
    """`format(x, "")` and `formatter.render(x, "")` both give `str(x)`, for an instance (with
    its configuration) and a class; nothing is rendered."""
    sm = Light()
    sm.send("cycle")
    assert format(sm, "") == str(sm) == formatter.render(sm, "")
    assert "red" in str(sm)
    assert format(Light, "") == str(Light) == formatter.render(Light, "")


def test_unknown_format_lists_each_format_once_by_its_primary_name(ids_format):
    """An unknown format raises ValueError naming it, then every format under the first name
    it was registered with, sorted, aliases ('markdown', 'state-ids') left out."""
    expected = "Unsupported format: 'nope'. Use 'dot', 'ids', 'md', 'mermaid', 'rst', 'svg'."
    for fail in (lambda: format(Light(), "nope"), lambda: formatter.render(Light, "nope")):
        with pytest.raises(ValueError) as info:
            fail()
        assert str(info.value) == expected


def test_unknown_format_message_of_a_fresh_registry():
    """A registry lists only its own formats."""
    registry = Formatter()
    registry.register_format("b", "a")(str)
    registry.register_format("c")(str)
    with pytest.raises(ValueError) as info:
        registry.render(Light, "x")
    assert str(info.value) == "Unsupported format: 'x'. Use 'b', 'c'."


def test_supported_formats_are_sorted_and_include_the_built_in_ones(ids_format):
    """The registry lists every name, sorted, user formats included."""
    names = formatter.supported_formats()
    assert names == sorted(names)
    assert {"markdown", "md", "mermaid", "rst", "ids", "state-ids"} <= set(names)


def test_register_format_needs_a_name():
    """Registering without a name (or with an empty one) is refused."""
    registry = Formatter()
    with pytest.raises(ValueError, match="needs one or more non-empty names"):
        registry.register_format()
    with pytest.raises(ValueError, match="needs one or more non-empty names"):
        registry.register_format("")


def test_docstring_placeholders_are_expanded_at_class_creation(ids_format):
    """`{statechart:FMT}` in a class docstring becomes the rendered class, indented like the
    placeholder."""

    class Door(StateChart):
        """A door.

        {statechart:ids}

        The end.
        """

        closed = State(initial=True)
        opened = State()
        open = closed.to(opened)
        close = opened.to(closed)

    assert Door.__doc__ is not None
    lines = Door.__doc__.splitlines()
    assert "        closed opened" in lines
    assert "{statechart:" not in Door.__doc__


def test_docstrings_without_placeholders_are_left_alone():
    """A docstring with no placeholder is kept as written (and nothing is rendered)."""

    class Plain(StateChart):
        """Nothing to expand: {not a placeholder}."""

        a = State(initial=True)

    assert Plain.__doc__ == "Nothing to expand: {not a placeholder}."


def test_docstring_placeholders_anywhere_and_several(ids_format):
    """Placeholders are expanded wherever they stand: inside a sentence (on the summary line
    too), several on one line, and alone on their line; each renders the class (no state is
    active) in its own format."""

    class Door(StateChart):
        """Door: {statechart:ids}.

        States {statechart:state-ids} and again {statechart:ids}; events below.

            {statechart:md}
        """

        closed = State(initial=True)
        opened = State(final=True)
        open = closed.to(opened)

    assert Door.__doc__ == (
        "Door: closed opened.\n"
        "\n"
        "        States closed opened and again closed opened; events below.\n"
        "\n"
        "            | State  | Event | Guard | Target |\n"
        "            | ------ | ----- | ----- | ------ |\n"
        "            | Closed | Open  |       | Opened |\n"
        "        "
    )


def test_a_rendered_placeholder_is_not_expanded_again(ids_format):
    """Text a format renders is left as it is, even when it looks like a placeholder."""

    @formatter.register_format("echo")
    def echo(obj):
        return "{statechart:ids}"

    try:

        class Door(StateChart):
            """See {statechart:echo}."""

            closed = State(initial=True)
            opened = State(final=True)
            open = closed.to(opened)

        assert Door.__doc__ == "See {statechart:ids}."
    finally:
        formatter._formats.pop("echo", None)


def test_an_unknown_format_in_a_docstring_fails_the_class_definition():
    """A placeholder naming no format raises the registry's ValueError when the class is
    created."""
    with pytest.raises(ValueError, match=r"^Unsupported format: 'nope'\."):

        class Door(StateChart):
            """{statechart:nope}"""

            closed = State(initial=True)
            opened = State(final=True)
            open = closed.to(opened)


def test_aliases_of_the_table_of_output_formats_work_in_format():
    """`mmd`, `gv` and `markdown` are the table's other names for `mermaid`, `dot` and `md`:
    format() gives the same text under either name."""
    sm = Light()
    assert format(sm, "mmd") == format(sm, "mermaid")
    assert format(Light, "gv") == format(Light, "dot")
    assert f"{sm:markdown}" == f"{sm:md}"


@pytest.mark.parametrize("fmt", ["png", "pdf", "jpg", "jpeg", "gif", "ps", "eps"])
def test_binary_formats_say_where_to_get_them(fmt):
    """A binary image of the table is known but cannot be a string: the error names it and
    says how to get its bytes, rather than calling it unsupported."""
    name = "jpg" if fmt == "jpeg" else fmt
    with pytest.raises(ValueError) as info:
        format(Light(), fmt)
    assert str(info.value) == (
        f"Format {fmt!r} is a binary image and format() gives text: get its bytes with "
        f"DotGraphMachine(machine).create({name!r}), or write a file with python -m "
        f"statemachine.contrib.diagram module.Class out.{name}."
    )


def test_a_registered_format_wins_over_the_table():
    """A user format registered under a table alias is the one format() uses."""

    @formatter.register_format("mmd")
    def shout(obj):
        return "MERMAID!"

    try:
        assert format(Light, "mmd") == "MERMAID!"
    finally:
        formatter._formats.pop("mmd")
        formatter._primary_of.pop("mmd")
    assert format(Light, "mmd").startswith("stateDiagram-v2")


def test_a_fresh_registry_resolves_only_aliases_of_its_own_formats():
    """The table's aliases lead to a registered format; a registry without `mermaid` does
    not know `mmd`."""
    registry = Formatter()
    registry.register_format("mermaid")(lambda obj: "m")
    assert registry.render(Light, "mmd") == "m"
    with pytest.raises(ValueError, match=r"^Unsupported format: 'gv'\. Use 'mermaid'\.$"):
        registry.render(Light, "gv")
