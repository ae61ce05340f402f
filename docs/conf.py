"""Sphinx configuration: the Markdown pages of this directory, read by MyST.

Build with ``sphinx-build -b html docs docs/_build/html``. pytest imports this file too
(``--doctest-modules`` over ``docs``), so it only sets names.
"""

from __future__ import annotations

import sys
from pathlib import Path

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

html_theme = "alabaster"
