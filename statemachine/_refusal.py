"""Why an event would not fire now (:class:`Refusal`), for UIs and error messages."""

from __future__ import annotations

from typing import NamedTuple

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from ._states import State

__all__ = ["Refusal"]


class Refusal(NamedTuple):
    """One reason why an event would not fire from the current configuration.

    Attributes:
        event: the event id.
        source: the source state of the refused transition (None: no transition at all).
        target: its target (None for a targetless transition, or no transition at all).
        guard: the condition that refused it (``"is_paid"``, ``"!is_locked"`` for an
            ``unless``, an expression's text), or None when the reason is not a guard.
        message: a sentence saying all of that, for people.
    """

    event: str
    source: State | None
    target: State | None
    guard: str | None
    message: str

    def __str__(self) -> str:
        return self.message


def _where(transition: Any) -> str:
    target = transition.target
    return f"{transition.source.id!r}" + (f" to {target.id!r}" if target is not None else "")


def describe(event: str, transition: Any, guard: str, expected: bool) -> Refusal:
    """The refusal of ``transition`` by one of its conditions."""
    verdict = "is false" if expected else "is true (unless)"
    shown = guard if expected else f"!{guard}"
    return Refusal(
        event,
        transition.source,
        transition.target,
        shown,
        f"{event!r} from {_where(transition)}: {guard} {verdict}.",
    )


def describe_error(event: str, transition: Any, guard: str, exc: Exception) -> Refusal:
    """The refusal of ``transition`` by a condition that raised ``exc``."""
    return Refusal(
        event,
        transition.source,
        transition.target,
        guard,
        f"{event!r} from {_where(transition)}: {guard} raised {exc!r}.",
    )
