"""Exceptions raised by :mod:`statemachine`.

Hierarchy::

    Exception
     └── StateMachineError             base of everything raised by this library
          ├── InvalidDefinition        the machine class (or its callbacks) is malformed
          │    ├── InvalidStateValue   a model holds a value that is not a state
          │    ├── AttrNotFound        a callback name resolves to nothing
          │    └── InvalidExpression   a guard expression cannot be parsed (also a ValueError)
          └── TransitionNotAllowed     an event cannot run in the current configuration

Every message is built here, says what was wrong, shows the offending value, and says how
to fix it. The exceptions also carry the offending objects as attributes.
"""

from __future__ import annotations

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from ._events import Event
    from ._states import State

__all__ = [
    "AttrNotFound",
    "InvalidDefinition",
    "InvalidExpression",
    "InvalidStateValue",
    "StateMachineError",
    "TransitionNotAllowed",
]


class StateMachineError(Exception):
    """Base class of every exception raised by this library."""


class InvalidDefinition(StateMachineError):
    """The machine definition (states, transitions, events or callbacks) is malformed.

    Raised at class creation for structural problems, and at instantiation for callbacks
    that cannot be resolved against the machine, its model and its listeners.
    """


class InvalidStateValue(InvalidDefinition):
    """A model's state field holds a value that is not the value of any state.

    Attributes:
        value: the offending value.
    """

    def __init__(self, value: Any, msg: str | None = None) -> None:
        self.value = value
        if msg is None:
            msg = (
                f"{value!r} is not a valid state value. Use the value of one of the machine's "
                "states (see `states_map`), or None to start from the initial state."
            )
        super().__init__(msg)


class AttrNotFound(InvalidDefinition):
    """A callback given by name was not found on the machine, its model or its listeners.

    Attributes:
        name: the name that resolved to nothing.
    """

    def __init__(self, name: str, where: str = "") -> None:
        self.name = name
        self.where = where
        place = f"Error on {where} when resolving callbacks: " if where else ""
        super().__init__(
            f"{place}Did not found name {name!r} from model or statemachine. "
            f"Define a method or attribute {name!r} on the machine, its model or a listener, "
            "or fix the spelling."
        )


class TransitionNotAllowed(StateMachineError):
    """The event has no enabled transition from the current configuration.

    Attributes:
        event: the :class:`~statemachine.Event` (or None for an unnamed transition).
        configuration: the set of active states when the event was refused.
    """

    def __init__(self, event: Event | str | None, configuration: Iterable[State]) -> None:
        self.event = event
        self.configuration = set(configuration)
        names = ", ".join(str(s.name) for s in configuration) or "no state"
        label = getattr(event, "name", None) or (str(event) if event else "transition")
        super().__init__(f"Can't {label} when in {names}.")


# --- message builders for definition errors ------------------------------------------------
# Kept here so that every user-facing wording lives in one module.


def _ids(states: Iterable[Any]) -> str:
    return repr(sorted(str(getattr(s, "id", s)) for s in states))


def no_states() -> InvalidDefinition:
    return InvalidDefinition(
        "There are no states or transitions. Declare at least one `State(initial=True)` "
        "as a class attribute."
    )


def initial_states(found: Iterable[Any], where: str) -> InvalidDefinition:
    ids = ", ".join(str(getattr(s, "id", s)) for s in found)
    hint = (
        "mark exactly one state with `initial=True`"
        if ids
        else "add `initial=True` to the state the machine starts in"
    )
    return InvalidDefinition(
        f"There should be one and only one initial state. Your currently have these: {ids} "
        f"(in {where}); {hint}."
    )


def transitions_from_final(states: Iterable[Any]) -> InvalidDefinition:
    return InvalidDefinition(
        f"Cannot declare transitions from final state. Invalid state(s): {_ids(states)}. "
        "Remove those transitions or make the state non-final."
    )


def disconnected(states: Iterable[Any]) -> InvalidDefinition:
    return InvalidDefinition(
        "There are unreachable states. The statemachine graph should have a single component. "
        f"Disconnected states: {_ids(states)}. Add a transition into them, remove them, or set "
        "`validate_disconnected_states = False` on the class."
    )


def trap_states(states: Iterable[Any]) -> InvalidDefinition:
    return InvalidDefinition(
        "All non-final states should have at least one outgoing transition. These states have "
        f"no outgoing transition: {_ids(states)}. Add a transition out of them, mark them "
        "`final=True`, or set `validate_trap_states = False` on the class."
    )


def final_unreachable(states: Iterable[Any]) -> InvalidDefinition:
    return InvalidDefinition(
        "All non-final states should have at least one path to a final state. These states "
        f"have no path to a final state: {_ids(states)}. Add a path to a final state, or set "
        "`validate_final_reachability = False` on the class."
    )


def invalid_internal(source: Any, target: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"Not a valid internal transition from source {source!r}, target {target!r} should be "
        "self or a descendant. Drop `internal=True` or target the source itself."
    )


def initial_transition_with_cond() -> InvalidDefinition:
    return InvalidDefinition(
        "Initial transitions should not have conditions or events. Move the guard to a "
        "regular transition."
    )


def donedata_not_final(state_id: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"'donedata' can only be specified on final states. State {state_id!r} is not final; "
        "add `final=True` or remove `donedata`."
    )


def invalid_listener(entry: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"Invalid entry in 'listeners': {entry!r}. Expected a class, callable, or listener "
        "instance."
    )


def event_id_twice(first: str, second: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"Event() received an id twice: {first!r} as the first argument and id={second!r}. "
        "Pass the id once (`Event('go')` or `Event(transitions, id='go')`); a display name goes "
        "in `name=`."
    )


def callback_not_callable(value: Any, group: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"Callback {value!r} given to {group!r} is neither a name nor a callable. Pass a method "
        "name, a function, or a list of them."
    )


def event_non_str_id(value: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"Event() received a non-string 'id' (a {type(value).__name__}). To combine multiple "
        "transitions under "
        "one event, use the | operator: t1 | t2."
    )


def event_without_id(transition: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"An event in the '{transition}' has no id. Assign the transitions to a class "
        "attribute or pass `event=`."
    )


def callback_on_empty_event(name: str, event_id: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"Cannot add callback {name!r} to an event with no transitions ({event_id!r}). "
        "Give the Event its transitions first, e.g. `go = Event(a.to(b))`."
    )


class InvalidExpression(InvalidDefinition, ValueError):
    """A guard expression cannot be parsed. Also a ``ValueError``, which is what code written
    for python-statemachine catches."""


def bad_expression(expr: str, reason: str) -> InvalidDefinition:
    return InvalidExpression(
        f"Failed to parse boolean expression {expr!r}: {reason}. Use names, `and`, `or`, "
        "`not`, comparisons, parentheses and `In('state_id')`."
    )


def state_override(name: str, machine: str) -> StateMachineError:
    return StateMachineError(
        f"State overriding is not allowed. Trying to add {name!r} to {machine}. "
        "Pick another attribute name; states are read-only on instances."
    )


def duplicate_values(first: str, second: str, value: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"States {first!r} and {second!r} share the value {value!r}. Each state needs its own "
        "value, since the model stores it; pass a distinct `value=`."
    )


def history_outside_compound(state_id: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"History state {state_id!r} is not inside a compound state. Declare it in the body of "
        "the `State.Compound` whose children it should remember."
    )


def duplicate_history(parent_id: str, first: str, second: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"Compound state {parent_id!r} has two history states of the same kind ({first!r} and "
        f"{second!r}). Keep one, or make one of them `type='deep'`."
    )


def parallel_without_regions(state_id: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"Parallel state {state_id!r} has no regions. Declare its regions as states (usually "
        "`State.Compound`) in its body, or make it a plain State."
    )


def unknown_state_target(value: Any, where: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"{where} expects State objects, got {value!r}. Pass states declared on the machine."
    )


def hoisted_name_clash(name: str, state_id: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"Event {name!r} declared inside state {state_id!r} clashes with another attribute "
        f"named {name!r} on the machine; rename the event or the attribute."
    )


def child_without_id(parent_id: str, child: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"A child of state {parent_id!r} has no id: {child!r}. Give it a name or a value that "
        "can serve as an identifier (`State('Idle')`, `State(value='idle')`), or declare it in a "
        "`State.Compound` class body."
    )
