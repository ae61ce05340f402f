"""django-fsm's optimistic check: :class:`ConcurrentTransitionMixin`."""

from __future__ import annotations

from typing import Any

from statemachine.contrib.django.mixins import ConcurrentTransition

from ._fields import FSMFieldMixin

__all__ = ["ConcurrentTransitionMixin"]


class ConcurrentTransitionMixin:
    """``save()`` updates the row only while its FSM fields still hold the states this
    instance loaded (or last saved); else it raises :class:`ConcurrentTransition` and writes
    nothing. Save inside ``transaction.atomic()`` so that the rest of the work rolls back too.
    """

    __module__ = "statemachine.contrib.django.fsm"  # migrations name the bases by it

    _meta: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fsm_remember_states()

    def _fsm_fields(self) -> list[Any]:
        return [f for f in self._meta.concrete_fields if isinstance(f, FSMFieldMixin)]

    def _fsm_remember_states(self) -> None:
        self._fsm_loaded = {
            f.attname: self.__dict__[f.attname]
            for f in self._fsm_fields()
            if f.attname in self.__dict__  # a deferred field is not checked
        }

    def _do_update(
        self, base_qs: Any, using: Any, pk_val: Any, values: Any, update_fields: Any, *rest: Any
    ) -> Any:
        loaded = getattr(self, "_fsm_loaded", {})
        filtered = base_qs.filter(**loaded) if loaded else base_qs
        updated = super()._do_update(filtered, using, pk_val, values, update_fields, *rest)  # type: ignore[misc]
        if not updated and loaded and base_qs.filter(pk=pk_val).exists():
            states = ", ".join(f"{k}={v!r}" for k, v in loaded.items())
            raise ConcurrentTransition(
                f"{type(self).__name__} pk={pk_val!r} was not saved: its state changed in the "
                f"database since it was loaded ({states} then). Reload it (refresh_from_db()) "
                "and try again."
            )
        return updated

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)  # type: ignore[misc]
        self._fsm_remember_states()

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)  # type: ignore[misc]
        self._fsm_remember_states()
