"""Invoke: work that runs while a state is active, cancelled when the state is exited.

Declare it with ``State(invoke=...)``, the ``@state.invoke`` decorator or an
``on_invoke_<state>`` method. A handler is a callable or a method name (called with the
arguments of the event that entered the state, injected by signature), an :class:`IInvoke`
class or instance, a ``StateChart`` subclass (a child machine), :func:`invoke_group`, or a
list of these (independent invocations). When a handler returns, the machine receives the
event ``done.invoke.<state_id>.<id>`` with ``data=<result>``, which a ``done_invoke_<state>``
transition matches; when it raises, ``error.execution`` with ``error=<exception>``.
"""

from __future__ import annotations

from ._invoke import InvokeContext, InvokeGroup
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Protocol

    class IInvoke(Protocol):
        """Invoke handler protocol: ``run(ctx)`` does the work and returns its data;
        an optional ``on_cancel()`` is called when the state is exited first."""

        def run(self, ctx: InvokeContext) -> Any: ...

else:

    def __getattr__(name: str) -> Any:
        # `typing` is slow to import: build the runtime-checkable protocol on first use.
        if name == "IInvoke":
            from typing import Protocol, runtime_checkable

            @runtime_checkable
            class IInvoke(Protocol):
                """Invoke handler protocol: ``run(ctx)`` does the work and returns its data;
                an optional ``on_cancel()`` is called when the state is exited first."""

                def run(self, ctx: InvokeContext) -> Any: ...

            globals()["IInvoke"] = IInvoke
            return IInvoke
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["IInvoke", "InvokeContext", "invoke_group"]


def invoke_group(*callables: Callable[..., Any]) -> InvokeGroup:
    """Run ``callables`` together as one invocation; its ``data`` is the list of their
    results, in order, once all have returned. Each callable takes no argument or the
    :class:`InvokeContext`.

    Raises:
        ValueError: no callable was given.
        TypeError: an argument is not callable.
    """
    return InvokeGroup(*callables)
