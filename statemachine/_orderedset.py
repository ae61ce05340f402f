"""An insertion-ordered set, the type of ``configuration`` and ``configuration_values``."""

from __future__ import annotations

# `_collections_abc` is loaded by every interpreter at startup; `collections.abc` would also
# import the whole `collections` package. It is the same MutableSet class.
from _collections_abc import MutableSet

from ._typing import TYPE_CHECKING, Generic, overload

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, TypeVar

    T = TypeVar("T")
else:
    T = "T"  # only subscripted at runtime, never inspected


class OrderedSet(MutableSet[T], Generic[T]):
    """A set that remembers insertion order and supports indexing (``s[0]``, ``s[-1]``)."""

    __slots__ = ("_d",)

    def __init__(self, iterable: Iterable[T] | None = None) -> None:
        self._d: dict[T, None] = dict.fromkeys(iterable) if iterable is not None else {}

    def __contains__(self, item: object) -> bool:
        return item in self._d

    def __iter__(self) -> Iterator[T]:
        return iter(self._d)

    def __reversed__(self) -> Iterator[T]:
        return reversed(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def add(self, value: T) -> None:
        self._d[value] = None

    def discard(self, value: T) -> None:
        self._d.pop(value, None)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        items = list(self._d)
        if index.__class__ is int and not -len(items) <= index < len(items):
            raise IndexError(f"index {index} out of range")
        return items[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OrderedSet):
            return list(self._d) == list(other._d)
        if isinstance(other, (set, frozenset)):
            return set(self._d) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"OrderedSet({list(self._d)!r})"

    def __str__(self) -> str:
        """``{a, b}``: the items' ``str()``, in order (as python-statemachine prints it)."""
        return "{" + ", ".join(str(item) for item in self._d) + "}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (OrderedSet, (list(self._d),))


_new = object.__new__


def ordered_set_of(keys: dict[T, None]) -> OrderedSet[T]:
    """An OrderedSet that takes ``keys`` (a dict used as an ordered set) as its own storage:
    the engine's fast way to build one from a precomputed, copied dict."""
    result: OrderedSet[T] = _new(OrderedSet)
    result._d = keys
    return result
