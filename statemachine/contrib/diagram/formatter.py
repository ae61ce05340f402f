"""The registry of text formats behind ``format(sm, "mermaid")``, f-strings, class docstrings,
the command line and the Sphinx directive.

Which names exist is said once, by the table of output formats
(:mod:`statemachine.contrib.diagram._formats`), which the command line and Django's
``graph_statemachines`` read too: ``render`` also takes a format by an alias of that table
(``mmd``, ``gv``), and refuses a binary image format (``png``, ``pdf``...) by saying where to
get it, since ``format()`` gives text.

The package exports the registry object itself, so ``from statemachine.contrib.diagram
import formatter`` gives the :class:`Formatter` instance (with ``render``,
``supported_formats`` and ``register_format``), as does
``from statemachine.contrib.diagram.formatter import formatter``.

>>> from statemachine.contrib.diagram import formatter
>>> formatter.supported_formats()
['dot', 'markdown', 'md', 'mermaid', 'rst', 'svg']
>>> formatter.render(42, "md")
Traceback (most recent call last):
...
TypeError: Expected a StateChart instance or class, got <class 'int'>...
>>> formatter.render(42, "")  # no format: str(), as format() gives
'42'
>>> formatter.render(42, "png")
Traceback (most recent call last):
...
ValueError: Format 'png' is a binary image and format() gives text: get its bytes with ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._formats import find_format, unsupported_format

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Formatter", "formatter"]


class Formatter:
    """Format names mapped to renderers: functions from a machine class or instance to text.

    ``register_format`` adds one under one or more names (the first is its primary name,
    the others aliases) and is usable as a decorator; the new format then works in
    ``format()``, f-strings and class docstrings.
    """

    def __init__(self) -> None:
        self._formats: dict[str, Callable[[Any], str]] = {}
        # name -> the first name of the register_format() call that registered it
        self._primary_of: dict[str, str] = {}

    def register_format(
        self, *names: str
    ) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
        """Register the decorated renderer under ``names``.

        Raises:
            ValueError: no name was given, or a name is empty.
        """
        if not names or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"register_format() needs one or more non-empty names, got {names!r}.")

        def register(render: Callable[[Any], str]) -> Callable[[Any], str]:
            for name in names:
                self._formats[name] = render
                self._primary_of[name] = names[0]
            return render

        return register

    def supported_formats(self) -> list[str]:
        """Every registered format name, aliases included, sorted."""
        return sorted(self._formats)

    def render(self, machine_or_class: Any, fmt: str) -> str:
        """A machine class or instance in format ``fmt``; an empty ``fmt`` gives
        ``str(machine_or_class)``, as ``format()`` does.

        A name that is not registered but is an alias in the table of output formats
        (``mmd`` for ``mermaid``, ``gv`` for ``dot``) renders the format it stands for.

        Raises:
            ValueError: ``fmt`` is not a registered format; the message lists the primary
                name of each. Or ``fmt`` is a binary image format of the table, which
                cannot be text; the message says how to get it.
            TypeError: ``machine_or_class`` is neither a machine class nor an instance.
        """
        if not fmt:
            return str(machine_or_class)
        render = self._formats.get(fmt)
        if render is None:
            known = find_format(fmt)
            if known is not None and known.binary:
                raise ValueError(
                    f"Format {fmt!r} is a binary image and format() gives text: get its bytes "
                    f"with DotGraphMachine(machine).create({known.name!r}), or write a file "
                    f"with python -m statemachine.contrib.diagram module.Class out.{known.name}."
                )
            if known is not None and known.name in self._formats:
                render = self._formats[known.name]
            else:
                raise ValueError(unsupported_format(fmt, self.primary_formats()))
        return render(machine_or_class)

    def primary_formats(self) -> list[str]:
        """The first name of each registered format, sorted (what error messages list)."""
        return [name for name in self.supported_formats() if self._primary_of[name] == name]


formatter = Formatter()


@formatter.register_format("dot")
def _dot_source(machine_or_class: Any) -> str:
    from .renderers.dot import DotGraphMachine

    source: str = DotGraphMachine(machine_or_class).get_graph().to_string()
    return source


@formatter.register_format("svg")
def _svg(machine_or_class: Any) -> str:
    from .renderers.dot import DotGraphMachine

    return DotGraphMachine(machine_or_class).create("svg").decode("utf-8")


@formatter.register_format("mermaid")
def _mermaid(machine_or_class: Any) -> str:
    from .renderers.mermaid import MermaidGraphMachine

    return MermaidGraphMachine(machine_or_class).get_mermaid()


@formatter.register_format("md", "markdown")
def _markdown(machine_or_class: Any) -> str:
    from .extract import extract
    from .renderers.table import TransitionTableRenderer

    return TransitionTableRenderer().render(extract(machine_or_class), "md")


@formatter.register_format("rst")
def _rst(machine_or_class: Any) -> str:
    from .extract import extract
    from .renderers.table import TransitionTableRenderer

    return TransitionTableRenderer().render(extract(machine_or_class), "rst")
