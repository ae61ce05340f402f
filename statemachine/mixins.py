"""Attach a registered machine to any class (a Django model, typically)."""

from __future__ import annotations

from . import registry
from ._typing import TYPE_CHECKING
from .exceptions import invalid_machine_name

if TYPE_CHECKING:
    from typing import Any

__all__ = ["MachineMixin"]


class MachineMixin:
    """Creates a machine for each instance, bound to the instance as its model.

    Attributes:
        state_machine_name: dotted path of the machine class (required).
        state_machine_attr: the attribute that holds the machine (default ``"statemachine"``).
        state_field_name: the attribute that holds the state value (default ``"state"``).
        bind_events_as_methods: also expose each event as a method of the instance.
    """

    state_field_name: str = "state"
    state_machine_name: str | None = None
    state_machine_attr: str = "statemachine"
    bind_events_as_methods: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.state_machine_name:
            if type(self).__module__ == "__fake__":
                return  # Django historical models (migrations) have no machine.
            raise invalid_machine_name(self.state_machine_name, type(self).__name__)
        machine_cls = registry.get_machine_cls(self.state_machine_name)
        sm = machine_cls(self, state_field=self.state_field_name)
        setattr(self, self.state_machine_attr, sm)
        if self.bind_events_as_methods:
            sm.bind_events_to(self)
