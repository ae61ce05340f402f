"""The diagram package's errors: Graphviz missing or failing, pydot missing, and the notes
(hints on how to fix a problem) attached to them."""

from __future__ import annotations

import sys

import pytest

from statemachine.contrib.diagram import _notes


@pytest.mark.parametrize("version", [(3, 10, 14), sys.version_info])
def test_notes_are_added_on_every_python(monkeypatch, version):
    """A note goes to ``__notes__`` after any earlier one, also where Python (3.10) has no
    ``add_note``."""
    monkeypatch.setattr(_notes.sys, "version_info", version)
    error = ValueError("bad")
    _notes.add_note(error, "first hint")
    _notes.add_note(error, "second hint")
    assert error.__notes__ == ["first hint", "second hint"]
    assert str(error) == "bad"
