"""A named collection of states, and building one from an :class:`~enum.Enum`."""

from __future__ import annotations

from ._states import State
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from enum import Enum
    from typing import Any

__all__ = ["States"]


class States:
    """An ordered, attribute-accessible collection of :class:`State` objects.

    Assign one to a class attribute to declare all its states at once; the keys become the
    state ids::

        class Campaign(StateMachine):
            _ = States.from_enum(Status, initial=Status.DRAFT, final=Status.DONE)
            produce = _.DRAFT.to(_.DONE)
    """

    def __init__(self, states: dict[str, State] | None = None) -> None:
        self._states: dict[str, State] = dict(states or {})
        for key, state in self._states.items():
            if not state.id:
                state._set_id(key)

    def __getattr__(self, name: str) -> State:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self.__dict__["_states"][name]  # type: ignore[no-any-return]
        except KeyError:  # also when `_states` is missing (an unpickled shell, say)
            from .exceptions import state_not_found

            raise state_not_found(name, self.__dict__.get("_states", ())) from None

    def __getitem__(self, key: str | int) -> State:
        if isinstance(key, int):
            return list(self._states.values())[key]
        return self._states[key]

    def __iter__(self) -> Iterator[State]:
        return iter(self._states.values())

    def __len__(self) -> int:
        return len(self._states)

    def __contains__(self, item: object) -> bool:
        return item in self._states.values() or item in self._states

    def __eq__(self, other: object) -> bool:
        if isinstance(other, States):
            return list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def items(self) -> list[tuple[str, State]]:
        return list(self._states.items())

    def __repr__(self) -> str:
        return f"States({list(self._states)!r})"

    @classmethod
    def from_enum(
        cls,
        enum_type: type[Enum],
        initial: Any,
        final: Any = None,
        use_enum_instance: bool = True,
    ) -> States:
        """One state per enum member, keyed by the member name.

        Args:
            enum_type: the Enum whose members become states.
            initial: the member of the initial state.
            final: a member, or a collection of members, that are final states.
            use_enum_instance: store the member itself as the state value (default), or its
                ``.value``.
        """
        finals = set(final) if isinstance(final, (list, tuple, set, frozenset)) else {final}
        states = {}
        for member in enum_type:
            states[member.name] = State(
                name=getattr(member, "label", None) or "",
                value=member if use_enum_instance else member.value,
                initial=member is initial,
                final=member in finals,
            )
        return cls(states)
