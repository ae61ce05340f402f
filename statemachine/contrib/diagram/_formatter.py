"""The registry of text formats behind ``format(sm, "mermaid")``, f-strings and docstrings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Formatter", "formatter"]


class Formatter:
    """Format names mapped to renderers: functions from a machine class or instance to text.

    ``register_format`` adds one (under one or more names) and is usable as a decorator; the
    new format then works in ``format()``, f-strings and class docstrings.
    """

    def __init__(self) -> None:
        self._formats: dict[str, Callable[[Any], str]] = {}

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
            return render

        return register

    def supported_formats(self) -> list[str]:
        """The registered format names, sorted."""
        return sorted(self._formats)

    def render(self, obj: Any, fmt: str) -> str:
        """Render a machine class or instance in format ``fmt``.

        Raises:
            ValueError: ``fmt`` is not a registered format; the message lists those that are.
        """
        render = self._formats.get(fmt)
        if render is None:
            known = ", ".join(repr(f) for f in self.supported_formats())
            raise ValueError(f"Unsupported format: {fmt!r}. Use {known}.")
        return render(obj)


formatter = Formatter()


@formatter.register_format("dot")
def _dot_source(obj: Any) -> str:
    from ._dot import DotGraphMachine

    source: str = DotGraphMachine(obj).get_graph().to_string()
    return source


@formatter.register_format("svg")
def _svg(obj: Any) -> str:
    from ._dot import DotGraphMachine

    return DotGraphMachine(obj).create("svg").decode("utf-8")


@formatter.register_format("mermaid")
def _mermaid(obj: Any) -> str:
    from ._mermaid import MermaidGraphMachine

    return MermaidGraphMachine(obj).get_mermaid()


@formatter.register_format("md", "markdown")
def _markdown(obj: Any) -> str:
    from ._table import markdown_table

    return markdown_table(obj)


@formatter.register_format("rst")
def _rst(obj: Any) -> str:
    from ._table import rst_table

    return rst_table(obj)
