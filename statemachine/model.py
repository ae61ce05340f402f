"""The default model: a plain object with a ``state`` attribute."""

from __future__ import annotations

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__ = ["Model"]


class Model:
    """Holds the state value when a machine is created without a model of its own."""

    def __init__(self) -> None:
        self.state: Any = None

    def __repr__(self) -> str:
        return f"Model(state={self.state})"
