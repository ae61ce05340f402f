"""``<invoke>`` of documents: a child machine (from ``src`` or inline content) run while the
invoking state is active."""

from __future__ import annotations

from typing import Any

from statemachine.exceptions import InvalidDefinition

from . import _document as doc

__all__ = ["compile_invoke"]


def compile_invoke(invoke: doc.Invoke, compiler: Any) -> Any:
    raise InvalidDefinition(f"invoke at {invoke.where} is not supported yet.")
