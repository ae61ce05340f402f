"""Running Graphviz's ``dot`` program to turn DOT source into an image.

Exceptions::

    StateMachineError
    └── GraphvizError                  dot ran and failed (the message has its output)
        └── GraphvizNotFoundError      dot is not on the PATH (also a FileNotFoundError)
"""

from __future__ import annotations

import subprocess

from statemachine.exceptions import StateMachineError

from ._notes import add_note

__all__ = ["GRAPHVIZ_DOWNLOAD_URL", "GraphvizError", "GraphvizNotFoundError", "run_graphviz"]

GRAPHVIZ_DOWNLOAD_URL = "https://graphviz.org/download/"


class GraphvizError(StateMachineError):
    """Graphviz could not render the diagram."""


class GraphvizNotFoundError(GraphvizError, FileNotFoundError):
    """A Graphviz program, needed to render images, is not on the PATH."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        add_note(
            self,
            "Install it with your system's package manager (Debian/Ubuntu: apt-get install "
            "graphviz; macOS: brew install graphviz), or use a text format such as 'dot' or "
            "'mermaid', which needs no program.",
        )

    @classmethod
    def for_program(cls, prog: str) -> GraphvizNotFoundError:
        return cls(
            f"{prog!r} not found in PATH. Install Graphviz from {GRAPHVIZ_DOWNLOAD_URL} "
            "to generate diagrams."
        )


def run_graphviz(dot_source: str, fmt: str, prog: str = "dot") -> bytes:
    """``dot_source`` rendered by the Graphviz program ``prog`` in format ``fmt`` (svg, png,
    pdf, ...).

    Raises:
        GraphvizNotFoundError: ``prog`` is not installed.
        GraphvizError: it ran and failed (an unknown format, invalid source...).
    """
    try:
        # Graphviz reads UTF-8, whatever the locale says.
        done = subprocess.run(
            [prog, f"-T{fmt}"], input=dot_source.encode("utf-8"), capture_output=True, check=False
        )
    except FileNotFoundError:
        raise GraphvizNotFoundError.for_program(prog) from None
    if done.returncode != 0:
        output = done.stderr.decode("utf-8", "replace").strip()
        raise GraphvizError(f"{prog} -T{fmt} failed with exit code {done.returncode}.\n{output}")
    return done.stdout
