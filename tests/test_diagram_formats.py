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


def test_unknown_format_lists_the_supported_ones():
    """An unknown format raises ValueError naming it and the formats there are."""
    with pytest.raises(ValueError, match=r"Unsupported format: 'nope'\. Use .*'mermaid'.*'rst'"):
        format(Light(), "nope")


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
