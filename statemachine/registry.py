"""Registry of machine classes by dotted path, used by :class:`~statemachine.mixins.MachineMixin`.

Every machine class is registered at creation under ``"<module>.<ClassName>"``.
:func:`get_machine_cls` first imports each installed Django app's ``statemachine`` and
``statemachines`` modules (once), so machines declared there are found without importing them
by hand. Without Django that discovery step does nothing.
"""

from __future__ import annotations

from ._typing import TYPE_CHECKING
from .exceptions import machine_not_registered

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

__all__ = ["get_machine_cls", "init_registry", "load_modules", "register"]

_REGISTRY: dict[str, Any] = {}
_initialized = False


def register(cls: Any) -> Any:
    """Register ``cls`` under its dotted path; returns it (usable as a decorator)."""
    _REGISTRY[f"{cls.__module__}.{cls.__name__}"] = cls
    return cls


def get_machine_cls(name: str) -> Any:
    """The machine class registered as ``name`` (``"app.module.ClassName"``).

    Raises:
        KeyError: no such class; the message lists how to make it known.
    """
    init_registry()
    try:
        return _REGISTRY[name]
    except KeyError:
        module, _, _cls = name.rpartition(".")
        if module:
            import contextlib
            import importlib

            with contextlib.suppress(ImportError):  # reported below as an unknown name
                importlib.import_module(module)
            if name in _REGISTRY:
                return _REGISTRY[name]
        raise machine_not_registered(name) from None


def init_registry() -> None:
    """Autodiscover ``statemachine``/``statemachines`` modules once."""
    global _initialized
    if not _initialized:
        load_modules(["statemachine", "statemachines"])
        _initialized = True


def load_modules(modules: Iterable[str]) -> None:
    """Import ``<app>.<module>`` for every installed Django app (a no-op without Django)."""
    try:
        from django.utils.module_loading import autodiscover_modules  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return
    try:
        from django.conf import settings  # type: ignore[import-untyped,unused-ignore]

        if not settings.configured:
            return
    except ImportError:  # pragma: no cover - django without conf is not a real install
        return
    for module in modules:
        autodiscover_modules(module)
