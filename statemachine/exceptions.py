"""Exceptions raised by :mod:`statemachine`.

Hierarchy::

    Exception
     └── StateMachineError             base of everything raised by this library
          ├── InvalidDefinition        the machine class (or its callbacks) is malformed
          │    ├── InvalidStateValue   a model holds a value that is not a state
          │    ├── AttrNotFound        a callback name resolves to nothing
          │    └── InvalidExpression   a guard expression cannot be parsed (also a ValueError)
          └── TransitionNotAllowed     an event cannot run in the current configuration

Every message is built here. Where python-statemachine raises the same error, the message is
its text, word for word, so that code matching on it keeps working; how to fix the problem goes
into an exception note (PEP 678: printed under the traceback, readable as ``exc.__notes__``).
Errors that only this library raises say what to do in the message itself. The exceptions also
carry the offending objects as attributes.
"""

from __future__ import annotations

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, TypeVar

    from ._events import Event
    from ._states import State

    _E = TypeVar("_E", bound=BaseException)

__all__ = [
    "AttrNotFound",
    "InvalidDefinition",
    "InvalidExpression",
    "InvalidStateValue",
    "StateMachineError",
    "TransitionNotAllowed",
]


def with_note(exc: _E, note: str) -> _E:
    """Attach ``note`` to ``exc`` as an exception note and return ``exc``.

    Python 3.10 has no ``BaseException.add_note``; there the note goes into ``__notes__``, the
    attribute that 3.11 reads, so programs find it in the same place on every version.
    """
    add_note = getattr(exc, "add_note", None)
    if add_note is not None:
        add_note(note)
    else:  # Python 3.10
        notes = getattr(exc, "__notes__", None)
        if notes is None:
            notes = []
            exc.__notes__ = notes  # type: ignore[attr-defined]
        notes.append(note)
    return exc


def describe(where: Any) -> str:
    """How messages name the place of an error: a transition as ``transition go from A to
    B`` (its events, then the source and target names), a state by its name."""
    if isinstance(where, str):
        return where
    source = getattr(where, "source", None)
    if source is not None:  # a Transition
        target = where.target
        return (
            f"transition {where.event} from {source.name} to "
            f"{target.name if target is not None else None}"
        )
    return str(where.name)


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
        super().__init__(f"{value!r} is not a valid state value." if msg is None else msg)


class AttrNotFound(InvalidDefinition):
    """A callback given by name was not found on the machine, its model or its listeners.

    Attributes:
        name: the name that resolved to nothing (several names of one guard expression are
            joined with ``", "``).
        where: the transition or state whose callbacks were being resolved, if any.
    """

    def __init__(self, name: str, where: Any = None) -> None:
        self.name = name
        self.where = where
        place = f"Error on {describe(where)} when resolving callbacks: " if where else ""
        super().__init__(f"{place}Did not found name '{name}' from model or statemachine")
        names = " and ".join(repr(n) for n in name.split(", "))
        with_note(
            self,
            f"Define {names} on the machine, its model or a listener (a method, property or "
            "attribute), or fix the spelling.",
        )


class TransitionNotAllowed(StateMachineError):
    """The event has no enabled transition from the current configuration.

    Attributes:
        event: the :class:`~statemachine.Event` (or None for an unnamed transition).
        configuration: the set of active states when the event was refused.
    """

    def __init__(self, event: Event | str | None, configuration: Iterable[State]) -> None:
        states = list(configuration)  # an iterator would be empty the second time
        self.event = event
        self.configuration = set(states)
        names = ", ".join(str(s.name) for s in states)
        label = getattr(event, "name", None) or (str(event) if event else "transition")
        # No fix-it note: refusing an event is an expected outcome, not a mistake to fix, and
        # doctests that show the refusal (python-statemachine's README does) compare notes too.
        super().__init__(f"Can't {label} when in {names}.")


class InvalidExpression(InvalidDefinition, ValueError):
    """A guard expression cannot be parsed. Also a ``ValueError``, which is what code written
    for python-statemachine catches. The reason is its ``__cause__`` and its note."""


# --- message builders ----------------------------------------------------------------------
# Kept here so that every user-facing wording lives in one module. The texts that
# python-statemachine also raises are word for word (including its slips, such as "Your
# currently have" and "Did not found"); the hint is a note.


def _ids(states: Iterable[Any]) -> str:
    """State ids (or the strings given) as a list literal, in the order given."""
    return repr([str(getattr(s, "id", s)) for s in states])


def no_states() -> InvalidDefinition:
    return with_note(
        InvalidDefinition("There are no states or transitions."),
        "Declare at least one `State(initial=True)` as a class attribute.",
    )


def initial_states(found: Iterable[Any], where: str) -> InvalidDefinition:
    ids = ", ".join(str(getattr(s, "id", s)) for s in found)
    return with_note(
        InvalidDefinition(
            f"There should be one and only one initial state. Your currently have these: {ids}"
        ),
        f"In {where}, mark exactly one state with `initial=True`.",
    )


def transitions_from_final(states: Iterable[Any]) -> InvalidDefinition:
    return with_note(
        InvalidDefinition(
            f"Cannot declare transitions from final state. Invalid state(s): {_ids(states)}"
        ),
        "Remove those transitions, or make the state non-final.",
    )


def disconnected(states: Iterable[Any]) -> InvalidDefinition:
    return with_note(
        InvalidDefinition(
            "There are unreachable states. The statemachine graph should have a single "
            f"component. Disconnected states: {_ids(states)}"
        ),
        "Add a transition into them, remove them, or set `validate_disconnected_states = "
        "False` on the class.",
    )


def trap_states(states: Iterable[Any]) -> InvalidDefinition:
    return with_note(
        InvalidDefinition(
            "All non-final states should have at least one outgoing transition. These states "
            f"have no outgoing transition: {_ids(states)}"
        ),
        "Add a transition out of them, mark them `final=True`, or set `validate_trap_states = "
        "False` on the class.",
    )


def final_unreachable(states: Iterable[Any]) -> InvalidDefinition:
    return with_note(
        InvalidDefinition(
            "All non-final states should have at least one path to a final state. These "
            f"states have no path to a final state: {_ids(states)}"
        ),
        "Add a path from them to a final state, or set `validate_final_reachability = False` "
        "on the class.",
    )


def invalid_internal(source: State, target: State) -> InvalidDefinition:
    return with_note(
        InvalidDefinition(
            f"Not a valid internal transition from source {source!r}, target {target!r} "
            "should be self or a descendant."
        ),
        f"Drop `internal=True`, or target {source.id!r} itself or one of its descendants.",
    )


def initial_transition_with_cond() -> InvalidDefinition:
    return with_note(
        InvalidDefinition("Initial transitions should not have conditions or events."),
        "Move the guard or the event to a regular transition.",
    )


def donedata_not_final(state_id: str) -> InvalidDefinition:
    return with_note(
        InvalidDefinition("'donedata' can only be specified on final states."),
        f"State {state_id!r} is not final: add `final=True` to it, or remove `donedata`.",
    )


def invalid_listener(entry: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"Invalid entry in 'listeners': {entry!r}. Expected a class, callable, or listener "
        "instance."
    )


def listener_setup_failed(listener: Any, err: Exception) -> TypeError:
    return with_note(
        TypeError(f"Error calling setup() on listener {type(listener).__name__}: {err}"),
        "setup() gets the machine and the machine's keyword arguments by name: give the "
        "parameters it needs to the machine (`Machine(name=...)`), or defaults in setup().",
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


def not_a_callback(value: Any) -> TypeError:
    return TypeError(
        f"Callback {value!r} is neither a name nor a callable. Pass a method name, a function, "
        "or a list of them."
    )


def invalid_event_spec(event: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"Invalid event {event!r}: pass a string, an Event, or a list of them."
    )


def event_non_str_id(value: Any) -> InvalidDefinition:
    return InvalidDefinition(
        f"Event() received a non-string 'id' ({type(value).__name__}). To combine multiple "
        "transitions under one event, use the | operator: t1 | t2."
    )


def event_without_id(transition: Any, machine: str) -> InvalidDefinition:
    return with_note(
        InvalidDefinition(f"An event in the '{describe(transition)}' has no id."),
        f"The Event given in `event=` is not a class attribute of {machine}: assign it to one "
        "first (`go = Event()`), or pass the event id as a string.",
    )


def callback_on_empty_event(func: Any) -> InvalidDefinition:
    return with_note(
        InvalidDefinition(f"Cannot add callback '{func}' to an event with no transitions."),
        "Give the Event its transitions first, e.g. `go = Event(a.to(b))`.",
    )


def decorator_only(cls_name: str) -> TypeError:
    return with_note(
        TypeError(f"{cls_name} only supports the decorator syntax to register callbacks."),
        "Call it with one function, as a decorator: `@a.to(b)` above `def go(self): ...` "
        "declares the event `go` with the function as its `on` action.",
    )


def bad_expression(expr: str, cause: Exception) -> InvalidExpression:
    """The error for a guard expression that cannot be parsed; raise it ``from cause``."""
    if isinstance(cause, SyntaxError):
        # Python's own message often is just "invalid syntax": don't say it twice.
        msg = cause.msg or "invalid syntax"
        reason = msg if msg.startswith("invalid syntax") else f"invalid syntax: {msg}"
    else:
        reason = str(cause)
    return with_note(
        InvalidExpression(f"Failed to parse boolean expression '{expr}'"),
        f"{reason}. Guards may use names, `not`, `and`, `or`, comparisons, parentheses and "
        "`In('state_id')`.",
    )


def unsupported_structure(node: str) -> ValueError:
    return ValueError(f"Unsupported expression structure: {node}")


def unsupported_function(name: str) -> ValueError:
    return ValueError(f"Unsupported function: {name}")


def bad_in_arguments() -> ValueError:
    return ValueError("In() takes one or more state ids as string literals: In('idle')")


def state_override(attr: str, value: Any, machine: str) -> StateMachineError:
    return with_note(
        StateMachineError(f"State overriding is not allowed. Trying to add '{value}' to {attr}"),
        f"{attr!r} is a state of {machine}, and states are read-only on instances; store the "
        "value under another attribute name.",
    )


def invalid_state_value(value: Any) -> InvalidStateValue:
    return with_note(
        InvalidStateValue(value),
        "Use the value of one of the machine's states (see `states_map`), or None to start "
        "from the initial state.",
    )


def invalid_start_value(value: Any) -> InvalidStateValue:
    # python-statemachine shows the value inside a list here; the message keeps that.
    return with_note(
        InvalidStateValue(value, f"{[value]!r} is not a valid state value."),
        f"start_value={value!r} must be the value of one of the machine's states (see "
        "`states_map`).",
    )


def no_current_state() -> InvalidStateValue:
    return InvalidStateValue(
        None,
        "There's no current state set. In async code, did you activate the initial state? "
        "(e.g., `await sm.activate_initial_state()`)",
    )


def coroutine_listener_while_processing(machine: str) -> StateMachineError:
    return StateMachineError(
        f"Cannot add a listener with coroutine callbacks to {machine} while it is processing "
        "an event: the machine would have to switch to the asyncio engine mid-step. Add the "
        "listener outside of callbacks."
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


def state_not_found(name: str, known: Iterable[str]) -> AttributeError:
    return with_note(
        AttributeError(f"{name} not found in States"), f"The states are: {list(known)!r}."
    )


def machine_not_registered(name: str) -> KeyError:
    return with_note(
        KeyError(name),
        f"No state machine class is registered as {name!r}. Check the dotted path "
        "('module.ClassName') and that the module defining it can be imported.",
    )


def invalid_machine_name(name: Any, owner: str) -> ValueError:
    return with_note(
        ValueError(f"{name!r} is not a valid state machine name."),
        f"Set `state_machine_name` on {owner} to the dotted path of a machine class.",
    )


def empty_invoke_group() -> ValueError:
    return ValueError("invoke_group() needs at least one callable.")


def invoke_group_not_callable(value: Any) -> TypeError:
    return TypeError(f"invoke_group() takes callables, got {value!r}.")


# --- statemachine.contrib ------------------------------------------------------------------


def timeout_not_a_number(duration: Any) -> TypeError:
    return TypeError(
        f"timeout duration must be a number of seconds or a timedelta, got {duration!r}."
    )


def timeout_not_positive(duration: Any) -> ValueError:
    return with_note(
        ValueError(f"timeout duration must be positive, got {duration}"),
        "Pass the seconds to wait, e.g. `timeout(30, on='too_slow')`.",
    )


def timeout_not_finite(duration: float) -> ValueError:
    return ValueError(
        f"timeout duration must be a finite number of seconds, got {duration!r}. To wait "
        "without limit, leave out the timeout."
    )


_WEIGHTED_HINT = (
    "Pass the source state, then one (target, weight) tuple per destination, or "
    "to(target, weight, **transition_kwargs): "
    "weighted_transitions(idle, (walk, 70), to(run, 30, cond='rested'))."
)


def weighted_bad_source(source: Any) -> TypeError:
    return with_note(
        TypeError(f"First argument must be a source State, got {type(source).__name__}"),
        _WEIGHTED_HINT,
    )


def weighted_no_destination() -> ValueError:
    return with_note(
        ValueError("weighted_transitions() requires at least one (target, weight) destination"),
        _WEIGHTED_HINT,
    )


def weighted_bad_destination(index: int, item: Any) -> TypeError:
    return with_note(
        TypeError(
            f"Destination {index} must be a (target_state, weight) or (target_state, weight, "
            f"kwargs) tuple, got {type(item).__name__}"
        ),
        _WEIGHTED_HINT,
    )


def weighted_bad_kwargs(index: int, kwargs: Any) -> TypeError:
    return with_note(
        TypeError(
            f"Destination {index}: third element must be a dict of transition kwargs, got "
            f"{type(kwargs).__name__}"
        ),
        "The third element holds keyword arguments of the transition, e.g. "
        "`(run, 30, {'cond': 'rested'})`.",
    )


def weighted_bad_target(index: int, target: Any) -> TypeError:
    return with_note(
        TypeError(
            f"Destination {index}: first element must be a State, got {type(target).__name__}"
        ),
        "Name a state declared on the machine as the target.",
    )


def weighted_weight_not_number(index: int, weight: Any) -> TypeError:
    return with_note(
        TypeError(
            f"Destination {index}: weight must be a positive number, got {type(weight).__name__}"
        ),
        "Weights are int or float values, relative to each other: (walk, 70), (run, 30).",
    )


def weighted_weight_not_positive(index: int, weight: float) -> ValueError:
    return with_note(
        ValueError(f"Destination {index}: weight must be positive, got {weight}"),
        "Weights are relative chances and must be above zero; leave out a destination that "
        "should never be taken.",
    )


def weighted_weight_not_finite(index: int, weight: float) -> ValueError:
    return ValueError(
        f"Destination {index}: weight must be a finite number, got {weight!r}. Weights are "
        "relative chances: use finite values such as 70 and 30."
    )


def event_not_a_string(event: Any) -> TypeError:
    return TypeError(
        f"An event is sent by its name, a str; got {event!r} ({type(event).__name__}). Pass the "
        "event's id, e.g. `sm.send('go')`, or call the event: `sm.go()`."
    )


def state_name_reused(owner: str, name: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"The class body of {owner!r} assigns a second State to {name!r}. Python keeps only the "
        "last one, and the transitions built from the first would point at a state the "
        "machine does not have. Give each state its own name."
    )


def duplicate_state_id(state_id: str, first_parent: str, second_parent: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"Two states share the id {state_id!r}: one in {first_parent}, one in {second_parent}. "
        "A state id names one state of the whole machine (`sm.<id>`, `states_map`, `In()`): "
        "rename one of them."
    )


def state_assigned_twice(first: str, second: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"The state {first!r} is assigned to a second attribute, {second!r}. A State object "
        f"declares one state: create another `State()` for {second!r}, or use {first!r}."
    )


def foreign_state(machine: str, transition: Any, state: Any) -> InvalidDefinition:
    events = f" ({transition.event!r})" if transition.event else ""
    where = f"The transition{events} from {transition.source.id!r}"
    if not state.id:
        return InvalidDefinition(
            f"{where} targets a State that is not a class attribute of {machine}. An event "
            "or another attribute probably took over the state's name (as in `b = a.to(b)`): "
            "rename one of them."
        )
    return InvalidDefinition(
        f"{where} uses state {state.id!r}, which is not a state of {machine}. Use states "
        f"declared on {machine}."
    )


def async_iinvoke_on_sync_engine() -> InvalidDefinition:
    return with_note(
        InvalidDefinition(
            "Cannot use IInvoke with async run() on the sync engine. Add an async callback or "
            "listener to enable the async engine."
        ),
        "An `async def` callback, guard or listener anywhere on the machine selects the "
        "asyncio engine; an IInvoke's `run()` alone does not.",
    )


def delayed_internal(event: str) -> InvalidDefinition:
    return InvalidDefinition(
        f"Event {event!r} cannot be both delayed and internal: the internal queue runs within "
        "the current macrostep, which takes no time. Drop 'internal' to deliver it later on the "
        "external queue, or drop 'delay' to run it now."
    )
