"""Django integration: state fields, the model mixin, signals, admin, audit log and commands.

Add ``"statemachine.contrib.django"`` to ``INSTALLED_APPS`` to autodiscover each app's
``statemachine``/``statemachines`` module on startup, then use the names below::

    from statemachine.contrib.django import StateField, StateMachineModelMixin

The names load on first use, so this package can be listed in ``INSTALLED_APPS`` (Django
imports it before its models are ready).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConcurrentTransition",
    "InvalidStoredState",
    "ProtectedStateError",
    "StateField",
    "StateForeignKey",
    "StateMachineModelMixin",
    "TransitionPermissionDenied",
    "unprotected",
]

_WHERE = {
    "ConcurrentTransition": "mixins",
    "InvalidStoredState": "mixins",
    "StateMachineModelMixin": "mixins",
    "TransitionPermissionDenied": "mixins",
    "ProtectedStateError": "fields",
    "StateField": "fields",
    "StateForeignKey": "fields",
    "unprotected": "fields",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
