"""Sphinx configuration: the Markdown pages of this directory, read by MyST, in the Furo theme.

Build with ``pip install -e '.[docs]'`` then ``sphinx-build -b html docs docs/_build/html``.
pytest imports this file too (``--doctest-modules`` over ``docs``), so it only sets names and
defines functions.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

_here = str(Path(__file__).resolve().parent)
if _here not in sys.path:
    sys.path.insert(0, _here)  # `_examples`, the machines the diagrams page draws

project = "statemachine"
author = "The statemachine-kit developers"
copyright = "The statemachine-kit developers"

extensions = ["myst_parser", "statemachine.contrib.diagram.sphinx_ext"]

root_doc = "index"
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "build", ".venv", "Thumbs.db", ".DS_Store"]

# Headings get anchors, so `page.md#section` links resolve.
myst_heading_anchors = 3

# Furo: code blocks and tables wider than the text column scroll sideways instead of being cut
# off, and the sidebar shows the whole table of contents.
html_theme = "furo"
html_title = "statemachine"

# An HTML comment holding only doctest lines (the test suite's own set-up or clean-up, which
# pytest's --doctest-glob still runs) is dropped from the pages, the search index included.
_COMMENT = re.compile(r"\s*<!--.*?-->\s*", re.DOTALL)


def _drop_html_comments(app: Any, doctree: Any) -> None:
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        if "html" in node.get("format", "").split() and _COMMENT.fullmatch(node.astext()):
            node.parent.remove(node)


def setup(app: Any) -> dict[str, bool]:
    app.connect("doctree-read", _drop_html_comments)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
