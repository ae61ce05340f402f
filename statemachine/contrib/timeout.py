"""Timeouts as invoke handlers: leave a state that stays active too long.

>>> import time
>>> from statemachine import State, StateChart
>>> from statemachine.contrib.timeout import timeout
>>> class Call(StateChart):
...     ringing = State(initial=True, invoke=timeout(0.05, on="give_up"))
...     answered = State(final=True)
...     missed = State(final=True)
...     answer = ringing.to(answered)
...     give_up = ringing.to(missed)
>>> call = Call()
>>> time.sleep(0.3)
>>> call.missed.is_active
True

The timer starts when the state is entered and is cancelled when the state is exited first.
When it expires, it sends the ``on`` event; without ``on``, the invocation simply completes,
so a ``done_invoke_<state>`` transition fires. In a list it composes with other handlers:
``invoke=[fetch, timeout(30, on="too_slow")]``. The duration is in seconds, or a
``timedelta``.

The timer lives in the process's memory (a thread waits). A model may keep it instead: if the
machine's model has ``statemachine_schedule_timeout(machine, state_id, seconds, on)`` and it
returns True, no thread waits. On Django, the durable timers app does this: the timeout is a
row of the database, fired by a task worker (see ``docs/django-timers.md``).
"""

from __future__ import annotations

from datetime import timedelta

from statemachine import exceptions
from statemachine._invoke import DETACHED
from statemachine._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from statemachine.invoke import InvokeContext

# The model method that may keep a timeout itself (see the module).
SCHEDULE_TIMEOUT_HOOK = "statemachine_schedule_timeout"

__all__ = ["timeout"]


class _Timeout:
    """The handler :func:`timeout` returns (an :class:`~statemachine.invoke.IInvoke`)."""

    def __init__(self, duration: float, on: str | None) -> None:
        self.duration = duration
        self.on = on

    def prepare(self, ctx: InvokeContext, ed: Any, report: Any) -> Any:
        """Offer the timeout to the machine's model, which may keep it (durable timers)."""
        keep = getattr(ctx.machine.model, SCHEDULE_TIMEOUT_HOOK, None)
        if keep is not None and keep(ctx.machine, ctx.state_id, self.duration, self.on):
            return DETACHED
        return None

    def run(self, ctx: InvokeContext) -> None:
        if ctx.cancelled.wait(self.duration):
            return  # the state was exited first
        if self.on is not None:
            ctx.send(self.on)

    def __repr__(self) -> str:
        on = f", on={self.on!r}" if self.on is not None else ""
        return f"timeout({self.duration!r}{on})"


def timeout(duration: float | timedelta, *, on: str | None = None) -> _Timeout:
    """An invoke handler that waits ``duration`` seconds while its state is active.

    Args:
        duration: seconds to wait (or a ``timedelta``); must be positive.
        on: the event to send when the time is up. Without it the invocation completes,
            firing ``done.invoke.<state>``.

    Raises:
        TypeError: ``duration`` is not a number.
        ValueError: ``duration`` is not positive, or not finite.
    """
    if isinstance(duration, timedelta):
        duration = duration.total_seconds()
    if not isinstance(duration, (int, float)):
        raise exceptions.timeout_not_a_number(duration)
    if duration <= 0:
        raise exceptions.timeout_not_positive(duration)
    if duration == float("inf") or duration != duration:  # inf, or NaN
        raise exceptions.timeout_not_finite(duration)
    return _Timeout(duration, on)
