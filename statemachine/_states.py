"""State declarations (:class:`State`) and their per-instance views (:class:`InstanceState`)."""

from __future__ import annotations

from . import exceptions
from ._callbacks import Group, SpecListAttribute
from ._transitions import AnySource, Transition, TransitionList
from ._typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from typing import Any, ClassVar

    from ._history import HistoryState
    from ._machine import StateChart

__all__ = ["InstanceState", "State", "humanize_id"]


def humanize_id(identifier: str) -> str:
    """``"bag_end"`` -> ``"Bag end"``: underscores and dots become spaces; the first letter is
    upper case and the rest lower case (``"BAG_END"`` -> ``"Bag end"``)."""
    return identifier.replace("_", " ").replace(".", " ").strip().capitalize()


class _ToBuilder:
    """``state.to(target, ...)`` and ``state.to.itself(...)``."""

    __slots__ = ("_state",)

    def __init__(self, state: State) -> None:
        self._state = state

    def __call__(self, *targets: State, **kwargs: Any) -> TransitionList:
        state = self._state
        if len(targets) == 1:  # the common case, without a comprehension
            return TransitionList._of([state._add_transition(targets[0], kwargs)])
        if not targets:
            return TransitionList._of([state._add_transition(None, kwargs)])
        return TransitionList._of([state._add_transition(t, kwargs) for t in targets])

    def itself(self, **kwargs: Any) -> TransitionList:
        return TransitionList([self._state._add_transition(self._state, kwargs)])


class _FromBuilder:
    """``target.from_(source, ...)`` and ``target.from_.any(...)``."""

    __slots__ = ("_state",)

    def __init__(self, state: State) -> None:
        self._state = state

    def __call__(self, *sources: State, **kwargs: Any) -> TransitionList:
        for s in sources:
            if not isinstance(s, State):
                raise exceptions.unknown_state_target(s, "from_()")
        return TransitionList([s._add_transition(self._state, kwargs) for s in sources])

    def itself(self, **kwargs: Any) -> TransitionList:
        """A self-transition, the same as ``state.to.itself(...)``."""
        return TransitionList([self._state._add_transition(self._state, kwargs)])

    def any(self, **kwargs: Any) -> TransitionList:
        """Transitions from every non-final top-level state, resolved at class creation."""
        return TransitionList([AnySource(self._state, kwargs)])


class State:
    """A state of a machine, declared as a class attribute.

    Args:
        name: display name; defaults to the humanized attribute name.
        value: the value stored on the model; defaults to the attribute name.
        initial: the machine (or parent) starts here.
        final: entering it terminates the machine (top level) or completes the parent.
        enter: callbacks run when the state is entered (names, callables or a list).
        exit: callbacks run when the state is left.

    Equality: a state equals another state with the same id and value, and equals its own
    value (``sm.configuration_values`` and ``"green" in ...`` read naturally); it hashes like
    its value so that the two rules agree.
    """

    if TYPE_CHECKING:
        Compound: ClassVar[type[_Compound]]
        Parallel: ClassVar[type[_Parallel]]

    # Callback groups, usable as decorators: ``@state.enter``.
    enter = SpecListAttribute(Group.ENTER)
    exit = SpecListAttribute(Group.EXIT)
    invoke = SpecListAttribute(Group.INVOKE)

    @property
    def is_active(self) -> bool:
        """Always False on the class; ``sm.<state>.is_active`` is the live value."""
        return False

    is_history = False
    # Set when a callback spec list is made (SpecListAttribute): most have none.
    _has_specs = False
    # Events and methods declared in a ``State.Compound`` body, moved onto the machine (set
    # per state by the body's class statement; read-only here).
    _hoisted: dict[str, Any] = {}

    def __init__(
        self,
        name: Any = "",
        value: Any = None,
        initial: bool = False,
        final: bool = False,
        parallel: bool = False,
        states: list[State] | None = None,
        history: list[HistoryState] | None = None,
        enter: Any = None,
        exit: Any = None,
        invoke: Any = None,
        donedata: Any = None,
        _callbacks: Any = None,
    ) -> None:
        self._name = name
        self._value = value
        self._id = ""
        self.initial = initial
        self.final = final
        self.parallel = parallel
        self.states: list[State] = list(states) if states else []
        self.history: list[HistoryState] = list(history) if history else []
        self.parent: State | None = None
        self.document_order = 0
        self.transitions = TransitionList._of([])
        # `a.to(b)`: a builder made once per state (a property would make one per call, and
        # a class definition calls it once per transition).
        self.to = _ToBuilder(self)
        if enter is not None:
            self.enter.add(enter)
        if exit is not None:
            self.exit.add(exit)
        if invoke is not None:
            self.invoke.add(invoke)
        # Final states only (checked at class creation): its result becomes the data of the
        # `done.state.<parent>` event.
        self.donedata = donedata
        if states or history:
            for child in (*self.states, *self.history):
                child.parent = self
                self._expose(child)

    # --- identity ---------------------------------------------------------------------------
    @property
    def id(self) -> str:
        """The attribute name the state was declared under."""
        return self._id

    @property
    def name(self) -> str:
        """Display name (``str()`` of the given name, so lazy translations resolve late)."""
        return str(self._name) if self._name else humanize_id(self._id)

    @property
    def value(self) -> Any:
        """The value persisted on the model; the id unless given."""
        return self._id if self._value is None else self._value

    def _set_id(self, identifier: str) -> None:
        self._id = identifier
        if self.parent is not None:  # a child named once its parent exists
            self.parent._expose(self)

    @property
    def is_compound(self) -> bool:
        return bool(self.states) and not self.parallel

    @property
    def is_atomic(self) -> bool:
        return not self.states

    def ancestors(self, parent: State | None = None) -> list[State]:
        """The chain of parents, innermost first, stopping before ``parent`` if given."""
        result = []
        node = self.parent
        while node is not None and node is not parent:
            result.append(node)
            node = node.parent
        return result

    def is_descendant(self, state: State) -> bool:
        """True if ``state`` is an ancestor of this state."""
        return state in self.ancestors()

    def _expose(self, child: State) -> None:
        """``parent.child``: a child is an attribute of its parent under its id, unless the
        name is taken (an attribute of states, or another child's).

        Plain attributes rather than a ``__getattr__``: that hook would make every attribute
        read of every state slower (CPython does not specialize reads on classes that have
        one), and class creation reads state attributes thousands of times.
        """
        ident = child._id
        if ident and not ident.startswith("_") and not hasattr(State, ident):
            self.__dict__.setdefault(ident, child)

    # --- transition builders --------------------------------------------------------------
    to: _ToBuilder
    """Build transitions from this state: ``a.to(b)``, ``a.to(b, c)``, ``a.to.itself()``."""

    @property
    def from_(self) -> _FromBuilder:
        """Build transitions into this state: ``b.from_(a)``, ``b.from_.any()``."""
        return _FromBuilder(self)

    def _add_transition(self, target: State | None, kwargs: dict[str, Any]) -> Any:
        if target is not None and not isinstance(target, State):
            raise exceptions.unknown_state_target(target, "to()")
        # (without keywords, the plain call: unpacking an empty dict costs as much as the rest)
        transition = Transition(self, target, **kwargs) if kwargs else Transition(self, target)
        self.transitions._items.append(transition)
        return transition

    # --- descriptor: ``sm.green`` is the instance view --------------------------------------
    @overload
    def __get__(self, instance: None, owner: type) -> State: ...
    @overload
    def __get__(self, instance: StateChart[Any], owner: type) -> InstanceState: ...
    @overload
    def __get__(self, instance: object, owner: type) -> State: ...
    def __get__(self, instance: Any, owner: type) -> State:
        if instance is None:
            return self
        views = instance.__dict__.get("_state_views")
        if views is None:
            views = instance.__dict__["_state_views"] = {}
        view: InstanceState | None = views.get(self._id)
        if view is None:
            view = views[self._id] = InstanceState(self, instance)
        return view

    def __set__(self, instance: Any, value: Any) -> None:
        raise exceptions.state_override(self._id, value, type(instance).__name__)

    # --- equality ---------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, InstanceState):
            other = other._state
        if isinstance(other, State):
            return self is other or (self._id == other._id and self.value == other.value)
        return bool(self.value == other)

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.name!r}, id={self._id!r}, value={self.value!r}, "
            f"initial={self.initial!r}, final={self.final!r}, parallel={self.parallel!r})"
        )

    def __str__(self) -> str:
        return self.name


class ClassBody(dict):  # type: ignore[type-arg]
    """The namespace of a machine or compound class statement while its body runs.

    It refuses a second ``State`` under a name that already holds one (``s = State()`` twice):
    Python would keep only the second, silently, and the transitions built from the first
    would point at a state the machine does not have.
    """

    def __init__(self, owner: str) -> None:
        super().__init__()
        self._owner = owner

    def __setitem__(self, key: str, value: Any) -> None:
        old = self.get(key)
        if isinstance(value, State) and isinstance(old, State) and old is not value:
            raise exceptions.state_name_reused(self._owner, key)
        super().__setitem__(key, value)


class _NestedStateBuilder(type):
    """Metaclass of ``State.Compound`` and ``State.Parallel``.

    A class statement that subclasses one of them builds a :class:`State` (not a class): the
    body's states become its children, its history states its history, and everything else
    (events, methods, eventless transitions assigned to ``_``) is hoisted onto the machine.
    The class keywords are :class:`State` arguments::

        class shire(State.Compound, name="The Shire", initial=True):
            bag_end = State(initial=True)
            green_dragon = State()
            visit_pub = bag_end.to(green_dragon)
    """

    _parallel: bool

    @classmethod
    def __prepare__(mcls, cls_name: str, bases: tuple[type, ...], /, **kwargs: Any) -> ClassBody:
        return ClassBody(cls_name)

    def __new__(
        mcls,
        cls_name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        /,
        **kwargs: Any,
    ) -> Any:
        # Positional-only: `name=` is a State argument (`class s(State.Compound, name=...)`).
        if not any(isinstance(b, _NestedStateBuilder) for b in bases):
            return super().__new__(mcls, cls_name, bases, namespace)
        from .states import States

        parallel = any(getattr(b, "_parallel", False) for b in bases)
        children: list[State] = []
        history: list[Any] = []
        hoisted: dict[str, Any] = {}
        for key, value in namespace.items():
            if key.startswith("__"):
                continue
            if isinstance(value, State):
                if any(value is s for s in (*children, *history)):
                    # `b = a`: one State object can only be one state of the machine.
                    raise exceptions.state_assigned_twice(value.id, key)
                value._set_id(key)
                (history if value.is_history else children).append(value)
            elif isinstance(value, States):
                children.extend(s for _, s in value.items())
            else:
                hoisted[key] = value
        state = State(states=children, history=history, parallel=parallel, **kwargs)
        state._hoisted = hoisted
        return state


class _Compound(metaclass=_NestedStateBuilder):
    """Base of a compound-state class statement (``class s(State.Compound): ...``)."""

    _parallel = False


class _Parallel(metaclass=_NestedStateBuilder):
    """Base of a parallel-state class statement (``class s(State.Parallel): ...``)."""

    _parallel = True


State.Compound = _Compound
State.Parallel = _Parallel


class InstanceState(State):
    """A state seen from one machine instance: everything of :class:`State`, plus a live
    :attr:`is_active`. Attribute reads are delegated to the declared state."""

    def __init__(self, state: State, machine: StateChart[Any]) -> None:
        # Deliberately not calling State.__init__: this is a view, it owns no data.
        self.__dict__["_state"] = state
        self.__dict__["_machine"] = machine

    @property
    def is_active(self) -> bool:
        """True while this state is in the machine's configuration."""
        machine: StateChart[Any] = self.__dict__["_machine"]
        return machine._is_active(self.__dict__["_state"])

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__["_state"]
        try:
            value = getattr(state, name)
        except AttributeError:
            raise AttributeError(
                f"{type(state).__name__} {state.id!r} has no {name!r}", name=name, obj=self
            ) from None
        if isinstance(value, State) and value.parent is state:
            # ``sm.parent.child`` is the child's view on this machine, so is_active is live.
            return value.__get__(self.__dict__["_machine"], type(self.__dict__["_machine"]))
        return value

    def __eq__(self, other: object) -> bool:
        return bool(self.__dict__["_state"] == other)

    def __hash__(self) -> int:
        return hash(self.__dict__["_state"])

    def __repr__(self) -> str:
        return repr(self._state)

    def __str__(self) -> str:
        return str(self._state)
