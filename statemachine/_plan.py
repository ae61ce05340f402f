"""The SCXML microstep plan: which states a set of transitions exits and enters.

Plans are plain data computed from the definition, never from callbacks, so every engine
drives the same algorithm. For flat machines (no compound, parallel or history states) the
plan of a transition does not depend on the configuration and is computed once per class.
"""

from __future__ import annotations

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._states import State
    from ._transitions import Transition

__all__ = ["flat_plan"]


def flat_plan(
    transition: Transition, self_transition_entries: bool
) -> tuple[tuple[State, ...], tuple[State, ...]]:
    """Return ``(exits, entries)`` for a transition between top-level atomic states.

    * A targetless transition exits and enters nothing.
    * An external transition exits its source and enters its target (a self-transition too).
    * An internal self-transition exits and re-enters its (atomic) source only when
      ``self_transition_entries`` is on (StateChart); otherwise it changes nothing
      (StateMachine).
    """
    target = transition.target
    if target is None:
        return (), ()
    if transition.internal and target is transition.source and not self_transition_entries:
        return (), ()
    return (transition.source,), (target,)
