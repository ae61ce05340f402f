"""A definition with its callbacks resolved for one set of owner types: a :class:`Program`.

Resolution (naming conventions, explicit names, guard expressions, signatures) is the costly
part of preparing a machine, so it runs once per *owner key*: the machine class, the model's
type, the listeners' types, and which callback names live in those objects' instance
dictionaries. Instances that share a key share the program; creating a machine then costs a
dictionary lookup, whatever the number of states.

A program holds, per (transition, triggering event id), a :class:`TransitionRun`: the prepared
callers of every group plus the static microstep plan. The engine only walks these tuples.
"""

from __future__ import annotations

from keyword import iskeyword
from operator import attrgetter

from . import exceptions
from ._callbacks import (
    CallbackSpec,
    Group,
    Owner,
    Priority,
    all_of,
    bound_key,
    is_coroutine_bound,
    resolve,
    to_caller,
)
from ._definition import GENERIC_CONVENTIONS, MachineDefinition, declared_transition_specs
from ._orderedset import OrderedSet
from ._plan import (
    MicroStep,
    default_transition,
    entry_set,
    exits_with_causes,
    flat_plan,
    history_records,
    remove_conflicts,
    stored_value,
    stored_values,
)
from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ._callbacks import Bound, Caller
    from ._states import State
    from ._transitions import Transition

__all__ = ["NOT_FAST", "ChartStep", "Program", "TransitionRun", "owner_key"]

_MAX_CACHED_EVENT_NAMES = 4096


class TransitionRun:
    """Everything needed to run one transition for one triggering event id.

    Attributes:
        transition: the transition (None for the initial entry).
        validators, before, on, after: callers of those groups, in order.
        conds: ``(caller, expected)`` pairs; all must match for the transition to be enabled.
        cond_labels: a readable name of each condition (for :meth:`StateChart.why_not`).
        exits, entries: the states left and entered (the static plan of a flat machine).
        exit_cbs, entry_cbs: ``(state, callers)`` for each exited/entered state.
        target_value: the model value after the transition (None: unchanged).
        has_callbacks: some group has a callback.
        has_guards: validators or conditions exist.
        needs_event_data: some callback takes arguments, so an EventData must be built (when
            every callback is a method without parameters, none is).
        guards_need_event_data: the same, for the validators and conditions alone.
        enters_final: one of the entered states is a top-level final state.
    """

    __slots__ = (
        "after",
        "before",
        "cond_labels",
        "conds",
        "enters_final",
        "entries",
        "entry_cbs",
        "exit_cbs",
        "exits",
        "guards_need_event_data",
        "has_callbacks",
        "has_guards",
        "needs_event_data",
        "on",
        "target_value",
        "transition",
        "validators",
    )

    def __init__(
        self,
        transition: Transition | None,
        validators: tuple[Bound, ...],
        conds: tuple[tuple[Bound, bool], ...],
        before: tuple[Bound, ...],
        on: tuple[Bound, ...],
        after: tuple[Bound, ...],
        exits: tuple[State, ...],
        entries: tuple[State, ...],
        program: Program,
    ) -> None:
        self.transition = transition
        self.validators = validators
        self.conds = conds
        self.cond_labels: tuple[str, ...] = ()
        self.before = before
        self.on = on
        self.after = after
        self.exits = exits
        self.entries = entries
        self.exit_cbs = tuple((s, program.exit[s.id]) for s in exits)
        self.entry_cbs = tuple((s, program.enter[s.id]) for s in entries)
        self.target_value = entries[-1].value if entries else None
        self.has_guards = bool(validators or conds)
        self.has_callbacks = bool(
            validators
            or conds
            or before
            or on
            or after
            or any(c for _, c in self.exit_cbs)
            or any(c for _, c in self.entry_cbs)
        )
        self.enters_final = any(s.final and s.parent is None for s in entries)
        every = [
            *validators,
            *(c for c, _ in conds),
            *before,
            *on,
            *after,
            *(b for _, cbs in self.exit_cbs for b in cbs),
            *(b for _, cbs in self.entry_cbs for b in cbs),
        ]
        self.needs_event_data = any(slot is None for _, slot in every)
        self.guards_need_event_data = any(
            slot is None for _, slot in (*validators, *(c for c, _ in conds))
        )

    def __repr__(self) -> str:
        return f"TransitionRun({self.transition!r})"


class ChartStep:
    """What one event (or the eventless selection, ``None``) can do from one stored
    configuration of a statechart, memoized per program.

    Attributes:
        config: the active states, document order.
        candidates: ``(leaf, runs)`` for each active leaf that has candidate transitions.
        fixed: when no first candidate has guards, the selection is always the same:
            ``(runs, plan)``, else None.
        fast_value: when, moreover, the microstep runs no callback at all and has no side
            effect but the new configuration, the model value to store (see
            :meth:`Program.chart_step`; several values come as the dict of an OrderedSet);
            else :data:`NOT_FAST`.
    """

    __slots__ = ("candidates", "config", "fast_value", "fixed", "next_steps")

    def __init__(
        self,
        config: list[State],
        candidates: list[tuple[State, Candidates]],
        fixed: tuple[list[TransitionRun], MicroStep] | None,
        fast_value: Any,
    ) -> None:
        self.config = config
        self.candidates = candidates
        self.fixed = fixed
        self.fast_value = fast_value
        # With a fast value: the memo of steps from the configuration it stores (see
        # Engine._try_plain, which then finds the next step without reading the value).
        self.next_steps: dict[str | None, ChartStep] | None = None


NOT_FAST = object()


if TYPE_CHECKING:
    from typing import TypeAlias

    #: ``pick(owners, caught)``: the selection among candidate runs compiled to one
    #: function (see :func:`compile_pick`), returning the index of the chosen run or -1.
    Pick: TypeAlias = Callable[[tuple[Any, ...], Callable[[Exception], None]], int]

    #: The candidate runs of one event from one state, in document order.
    Candidates: TypeAlias = tuple[TransitionRun, ...]


def _plain_attribute(func: Any) -> str | None:
    """The attribute an ``attrgetter`` reads (see ``_callbacks.Owner``), if that is what
    ``func`` is and the name is a plain identifier."""
    if type(func) is not attrgetter:
        return None
    name = func.__reduce__()[1][0]
    return name if isinstance(name, str) and name.isidentifier() and not iskeyword(name) else None


def compile_pick(runs: tuple[TransitionRun, ...]) -> Any:
    """The selection among ``runs`` as one generated function, or None.

    ``pick(owners, caught)`` returns the index of the first run whose conditions all hold
    (-1: none). A condition that raises is handed to ``caught`` (which queues
    ``error.execution`` or re-raises) and its run is skipped, as in ``Engine._passes``.

    This is a speed measure: the selection reads each guard with one call (a plain value on
    a class, with one attribute read) and no Python frame of ours in between, which makes a
    guard cost about what a hand-written ``if obj.flag:`` does (benchmark S12: the per-guard
    cost went from about 850 ns in the loop to the hand-written machine's).
    It applies only when no run has validators and every condition takes no EventData.
    """
    if not any(run.has_guards for run in runs) or any(
        run.validators or run.guards_need_event_data for run in runs
    ):
        return None
    env: dict[str, Any] = {}
    slots = sorted({slot for run in runs for (_, slot), _ in run.conds if slot is not None})
    lines = ["def pick(owners, caught):"]
    lines += [f"    o{slot} = owners[{slot}]" for slot in slots]
    for i, run in enumerate(runs):
        if not run.conds:
            lines.append(f"    return {i}")
            break
        tests = []
        for j, ((func, slot), expected) in enumerate(run.conds):
            name = _plain_attribute(func)
            if name is not None:  # a plain value on the class: read it as `obj.name` would
                test = f"o{slot}.{name}"
            else:
                env[f"f{i}_{j}"] = func
                test = f"f{i}_{j}(o{slot})"
            tests.append(test if expected else f"not {test}")
        lines += [
            "    try:",
            f"        if {' and '.join(tests)}:",
            f"            return {i}",
            "    except Exception as exc:",
            "        caught(exc)",
        ]
    else:
        lines.append("    return -1")
    exec("\n".join(lines), env)  # our own code: indices and names we generated
    return env["pick"]


def owner_key(obj: Any, names: frozenset[str]) -> tuple[type, frozenset[str]]:
    """The part of the owner key contributed by one object."""
    d = getattr(obj, "__dict__", None)
    found = names.intersection(d) if d else frozenset()
    return (obj.__class__, frozenset(found))  # a weakref.proxy: its referent's class


class Program:
    """A machine definition resolved against one owner key. Immutable once built."""

    def __init__(
        self,
        definition: MachineDefinition,
        owners: list[Owner],
        self_transition_entries: bool,
        settings: tuple[bool, bool, bool, bool] = (False, True, True, False),
    ) -> None:
        self.definition = definition
        # The machine class's engine settings, read once here for every engine built on this
        # program: allow_event_without_transition, atomic_configuration_update,
        # catch_errors_as_events, delayed_events_in_background.
        self.settings = settings
        self._owners = owners
        self._self_entries = self_transition_entries
        self._generic = {
            group: [
                CallbackSpec(
                    name,
                    group,
                    Priority.AFTER if group is Group.AFTER else Priority.GENERIC,
                    required=False,
                )
            ]
            for group, name in GENERIC_CONVENTIONS.items()
        }
        self.prepare: tuple[Bound, ...] = self._callers(self._generic[Group.PREPARE], None)
        self.enter: dict[str, tuple[Bound, ...]] = {}  # by state id
        self.exit: dict[str, tuple[Bound, ...]] = {}
        for s in definition.states:
            self.enter[s.id] = self._state_group(s, Group.ENTER)
            self.exit[s.id] = self._state_group(s, Group.EXIT)
        # Final state id -> the donedata callback, whose result is the done.state event data.
        # It runs as one of the state's entry callbacks, after the inline ones (so a failing
        # entry callback before it skips it): `enter_split[id]` entry callers come first.
        self.donedata: dict[str, tuple[Bound, ...]] = {
            s.id: self._callers([CallbackSpec(s.donedata, Group.ENTER)], s)
            for s in definition.states
            if s.donedata is not None
        }
        self.enter_split: dict[str, int] = {
            s.id: len(self._callers(self._state_specs(s, Group.ENTER, Priority.INLINE), s))
            for s in definition.states
            if s.donedata is not None
        }
        # State id -> its invoke handlers (only states that have some).
        self.invoke: dict[str, tuple[Any, ...]] = {}
        for s in definition.states:
            handlers = self._invoke_handlers(s)
            if handlers:
                self.invoke[s.id] = handlers
        self.runs: dict[tuple[Transition, str | None], TransitionRun] = {}
        for t in definition.transitions:
            self.runs[(t, None)] = self._build_run(t, None)
            for e in definition.transition_events[t]:
                self.runs[(t, e)] = self._build_run(t, e)
        # The default transitions of compound and history states (their `on` actions run on
        # default entry): only `on_transition` and what the transition itself declares.
        for s in definition.states:
            if s.is_compound or s.is_history:
                t = default_transition(s)
                if (t, None) not in self.runs:
                    self.runs[(t, None)] = self._build_run(t, None)
        # event name -> model value -> candidate runs, filled lazily per event name.
        self.table: dict[str, dict[Any, Candidates]] = {}
        # Flat machines on the sync engine: event -> model value -> the compiled selection
        # among the candidates (only where there is one; see compile_pick). Kept apart from
        # `table`, whose plain tuples the one-store fast path reads.
        self.picks: dict[str, dict[Any, Pick]] = {}
        self._eventless: dict[Any, Candidates] | None = None
        self.is_async = self._any_coroutine()
        # Machines with nested states or eventless transitions run the general SCXML plan;
        # flat ones use the precomputed per-transition plans of their TransitionRuns.
        # States with invoke handlers also take the general path, which tracks entries/exits,
        # and so do final states with donedata, which runs among their entry callbacks.
        self.chart = (
            not definition.is_flat
            or definition.has_eventless
            or bool(self.invoke)
            or bool(self.donedata)
        )
        # Whether a macrostep with no internal event still has work after its microstep:
        # eventless transitions, a parallel top level that may complete, invocations.
        self.settles = self.chart and (
            definition.has_eventless or definition.parallel_top or bool(self.invoke)
        )
        # Memos of the general (statechart) path, filled as configurations are met: stored
        # model value -> configuration, and (selected runs, configuration) -> microstep plan.
        self._configs: dict[Any, list[State]] = {}
        self.plans: dict[tuple[tuple[int, ...], tuple[int, ...]], Any] = {}
        # Stored configuration (as a tuple of values, or the one value) -> event -> step.
        self._steps: dict[Any, dict[str | None, ChartStep]] = {}
        self._n_steps = 0
        self._initial: tuple[MicroStep, Any] | None = None

    def _invoke_handlers(self, state: State) -> tuple[Any, ...]:
        from ._invoke import make_handlers

        specs = [
            *self._generic[Group.INVOKE],
            *self.definition.state_specs[(state.id, Group.INVOKE)],
            CallbackSpec(f"on_invoke_{state.id}", Group.INVOKE, Priority.NAMING, required=False),
        ]

        def resolved(spec: CallbackSpec) -> list[Bound]:
            found = resolve(spec, self._owners)
            if not found and spec.required:
                raise exceptions.AttrNotFound(spec.label, state)
            return found

        return make_handlers(sorted(specs, key=lambda s: s.priority), resolved)

    def _any_coroutine(self) -> bool:
        """Whether some callback is a coroutine function: the machine then needs the asyncio
        engine."""
        groups: list[tuple[Bound, ...]] = [self.prepare, *self.enter.values(), *self.exit.values()]
        groups.extend(self.donedata.values())
        for run in self.runs.values():
            groups.extend((run.validators, run.before, run.on, run.after))
            groups.append(tuple(c for c, _ in run.conds))
        if any(h.is_async and not h.needs_async_engine for hs in self.invoke.values() for h in hs):
            return True
        return any(is_coroutine_bound(b) for g in groups for b in g)

    # --- resolution -----------------------------------------------------------------------------
    def _callers(
        self, specs: list[CallbackSpec] | tuple[CallbackSpec, ...], where: State | Transition | None
    ) -> tuple[Bound, ...]:
        """The callers of ``specs``, in priority order; ``where`` (the state or transition
        they belong to) names the place in the error for a name that resolves nowhere."""
        ordered = sorted(specs, key=lambda s: s.priority)  # stable: ties keep declaration order
        result: list[Bound] = []
        seen: set[Any] = set()
        for spec in ordered:
            found = resolve(spec, self._owners)
            if not found and spec.required:
                raise exceptions.AttrNotFound(spec.label, where)
            for bound in found:
                # One callable reached twice (named explicitly and by a naming convention,
                # say) runs once, at its first place.
                key = bound_key(bound)
                if key not in seen:
                    seen.add(key)
                    result.append(bound)
        return tuple(result)

    def _state_group(self, state: State, group: int) -> tuple[Bound, ...]:
        return self._callers(self._state_specs(state, group, Priority.NAMING), state)

    def _state_specs(self, state: State, group: int, up_to: int) -> list[CallbackSpec]:
        """The callback specs of one group of a state, up to priority ``up_to``: generic,
        declared (inline, decorators), then the naming convention."""
        name = Group.NAMES[group]
        specs = [
            *self._generic[group],
            *self.definition.state_specs[(state.id, group)],
            CallbackSpec(f"on_{name}_{state.id}", group, Priority.NAMING, required=False),
        ]
        return [spec for spec in specs if spec.priority <= up_to]

    def _conds(
        self,
        t: Transition,
        specs: dict[tuple[Transition, int], tuple[CallbackSpec, ...]],
    ) -> tuple[tuple[tuple[Bound, bool], ...], tuple[str, ...]]:
        """The conditions of ``t`` as ``(caller, expected)`` pairs, and their labels."""
        result: list[tuple[Bound, bool]] = []
        labels: list[str] = []
        seen: set[Any] = set()  # a guard given twice is evaluated once (`cond` + `unless`: both)
        for spec in specs[(t, Group.COND)]:
            if isinstance(spec.func, str):
                name_key = (str(spec.func), spec.expected)
                if name_key in seen:
                    continue
                seen.add(name_key)
            if spec.expression is not None:
                expr = spec.expression
                by_name = {name: self._named(name) for name in expr.names()}
                missing = [name for name, found in by_name.items() if not found]
                if missing:  # all of them in one error, as python-statemachine does
                    raise exceptions.AttrNotFound(", ".join(missing), t)
                is_async = any(
                    is_coroutine_bound((c, None)) for found in by_name.values() for c in found
                )
                caller = expr.compile(by_name.__getitem__, is_async)
                result.append(((caller, None), spec.expected))
                labels.append(spec.label)
                continue
            callers = resolve(spec, self._owners)
            if not callers:
                raise exceptions.AttrNotFound(spec.label, t)
            keys = (tuple(bound_key(c) for c in callers), spec.expected)
            if keys in seen:
                continue
            seen.add(keys)
            if len(callers) == 1:
                result.append((callers[0], spec.expected))
                labels.append(spec.label)
            else:  # every owner that has the name must agree
                is_async = any(is_coroutine_bound(c) for c in callers)
                combined = all_of([to_caller(c) for c in callers], is_async)
                result.append(((combined, None), spec.expected))
                labels.append(spec.label)
        return tuple(result), tuple(labels)

    def _named(self, name: str) -> list[Caller]:
        """The callers of a name used in a guard expression (none if it resolves nowhere)."""
        return [to_caller(c) for c in resolve(CallbackSpec(name, Group.BEFORE), self._owners)]

    def _build_run(self, t: Transition, event: str | None) -> TransitionRun:
        definition = self.definition
        specs = (
            definition.transition_specs
            if t in definition.transition_events
            else declared_transition_specs(t)  # a default transition made from the structure
        )

        def group(g: int, convention: str | None) -> tuple[Bound, ...]:
            items = [*self._generic.get(g, ()), *specs[(t, g)]]
            if convention is not None and event is not None:
                items.append(
                    CallbackSpec(
                        f"{convention}_{event.replace('.', '_')}",  # error.execution too
                        g,
                        Priority.NAMING,
                        required=False,
                    )
                )
            return self._callers(items, t)

        exits, entries = flat_plan(t, self._self_entries)
        conds, labels = self._conds(t, specs)
        run = TransitionRun(
            t,
            self._callers(specs[(t, Group.VALIDATORS)], t),
            conds,
            group(Group.BEFORE, "before"),
            group(Group.ON, "on"),
            group(Group.AFTER, "after"),
            exits,
            entries,
            self,
        )
        run.cond_labels = labels
        return run

    # --- lookup -----------------------------------------------------------------------------
    def configuration_of(self, value: Any, state_of: Callable[[Any], State]) -> list[State]:
        """The active states, in document order and with their ancestors, that a stored model
        value stands for (one value, or an OrderedSet of values)."""
        key = tuple(value._d) if isinstance(value, OrderedSet) else value
        try:
            return self._configs[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: let state_of name it
            key = None
        values = key if isinstance(key, tuple) else (value,)
        found: dict[int, State] = {}
        for v in values:
            state = state_of(v)
            found[id(state)] = state
            for anc in state.ancestors():
                found.setdefault(id(anc), anc)
        config = sorted(found.values(), key=lambda s: s.document_order)
        if key is not None and len(self._configs) < _MAX_CACHED_EVENT_NAMES:
            self._configs[key] = config
        return config

    def plan(
        self, selected: list[TransitionRun], config: list[State], history: dict[str, list[State]]
    ) -> tuple[list[TransitionRun], MicroStep]:
        """The microstep plan for the selected runs in this configuration: conflicts removed,
        exit and entry sets. Memoized when it cannot depend on history records (no target is
        a history state)."""
        key = (tuple(id(r) for r in selected), tuple(id(s) for s in config))
        cached: tuple[list[TransitionRun], MicroStep] | None = self.plans.get(key)
        if cached is not None:
            return cached
        self_entries = self._self_entries
        by_transition = {id(r.transition): r for r in selected if r.transition is not None}
        candidates = [r.transition for r in selected if r.transition is not None]
        transitions = remove_conflicts(candidates, config, history, self_entries)
        runs = [by_transition[id(t)] for t in transitions]
        exits = exits_with_causes(transitions, config, history, self_entries)
        records = history_records([s for s, _ in exits], config)
        # Entering sees the history recorded by this very microstep's exits (SCXML computes
        # the entry set after exiting).
        entries, causes, contents = entry_set(
            transitions, {**history, **records} if records else history, self_entries
        )
        # A history target inside the domain can name ancestors that stay active (the W3C
        # algorithm would enter them again): never enter a state that is not being exited.
        staying = {id(s) for s in config} - {id(s) for s, _ in exits}
        if staying and any(id(s) in staying for s in entries):
            kept = [i for i, s in enumerate(entries) if id(s) not in staying]
            entries = [entries[i] for i in kept]
            causes = [causes[i] for i in kept]
        plan = MicroStep(
            transitions,
            [s for s, _ in exits],
            [t for _, t in exits],
            entries,
            causes,
            contents,
            records,
        )
        history_free = not any(s.is_history for t in candidates for s in t.targets)
        if history_free and len(self.plans) < _MAX_CACHED_EVENT_NAMES:
            self.plans[key] = (runs, plan)
        return runs, plan

    def initial_plan(self) -> tuple[MicroStep, Any]:
        """The plan of the initial entry, and the model value to store directly when entering
        runs nothing (no prepare or entry callback, no default-entry action, invoke, final
        state or eventless transition); else NOT_FAST. Computed once."""
        cached = self._initial
        if cached is None:
            defn = self.definition
            root = defn.initial_transition
            entries, causes, contents = entry_set([root], {}, True)
            plan = MicroStep([], [], [], entries, causes, contents, {})
            plain: Any = NOT_FAST
            if not (
                self.prepare
                or defn.has_eventless
                or any(self.enter[s.id] or s.id in self.invoke or s.final for s in entries)
                or self._runs_contents(plan)
            ):
                plain = stored_value(entries)
            cached = self._initial = (plan, plain)
        return cached

    def _runs_contents(self, plan: MicroStep) -> bool:
        """Whether some default-entry action of the plan has callbacks to run."""
        return any(self.runs[(t, None)].on for ts in plan.contents.values() for t in ts)

    def chart_step(
        self,
        event: str | None,
        value: Any,
        table: dict[Any, Candidates],
        state_of: Callable[[Any], State],
    ) -> ChartStep:
        """The memoized :class:`ChartStep` of ``event`` from the stored ``value``."""
        vkey = tuple(value._d) if isinstance(value, OrderedSet) else value
        try:
            return self._steps[vkey][event]
        except KeyError:
            pass
        except TypeError:  # unhashable: not memoized
            vkey = None
        config = self.configuration_of(value, state_of)
        candidates = [
            (s, runs) for s in config if s.is_atomic and (runs := table.get(s.value)) is not None
        ]
        fixed = None
        fast_value: Any = NOT_FAST
        if candidates and not any(runs[0].has_guards for _, runs in candidates):
            selected: list[TransitionRun] = []
            for _, runs in candidates:
                if runs[0] not in selected:
                    selected.append(runs[0])
            targets_history = any(s.is_history for r in selected for s in r.transition.targets)  # type: ignore[union-attr]
            if not targets_history:
                fixed = self.plan(selected, config, {})
                fast_value = self._fast_value(fixed, config)
        step = ChartStep(config, candidates, fixed, fast_value)
        if vkey is not None and self._n_steps < _MAX_CACHED_EVENT_NAMES:
            self._n_steps += 1
            self._steps.setdefault(vkey, {})[event] = step
            if fast_value is not NOT_FAST:
                new_key = tuple(fast_value) if fast_value.__class__ is dict else fast_value
                step.next_steps = self._steps.setdefault(new_key, {})
        return step

    def _fast_value(self, fixed: tuple[list[TransitionRun], MicroStep], config: list[State]) -> Any:
        """The model value after a microstep that runs no callback (no prepare, transition,
        exit or entry callback, no invoke, no final state, no history to record, no eventless
        transition to follow): the engine then only stores it. Else NOT_FAST."""
        runs, plan = fixed
        defn = self.definition
        if self.prepare or defn.has_eventless or defn.parallel_top:
            return NOT_FAST
        if plan.history or self._runs_contents(plan):
            return NOT_FAST
        if any(r.validators or r.before or r.on or r.after for r in runs):
            return NOT_FAST
        for s in plan.exits:
            if self.exit[s.id] or s.id in self.invoke:
                return NOT_FAST
        for s in plan.entries:
            if self.enter[s.id] or s.id in self.invoke or s.final:
                return NOT_FAST
        if plan.writes is None:
            plan.writes = stored_values(plan, config)
        return plan.writes[2]

    def event_table(self, event: str) -> dict[Any, Candidates]:
        """Candidate runs for ``event``, keyed by the model value of the active state (on a
        miss of ``self.table``, which caches them).

        Raises:
            TypeError: ``event`` is not a string (``None`` would select the eventless
                transitions).
        """
        if not isinstance(event, str):
            raise exceptions.event_not_a_string(event)
        table = self._candidate_runs(event)
        if len(self.table) < _MAX_CACHED_EVENT_NAMES:
            self.table[event] = table
            if not self.chart and not self.is_async:  # the engines that call Engine._fire
                self.picks[event] = {
                    value: pick
                    for value, runs in table.items()
                    if (pick := compile_pick(runs)) is not None
                }
        return table

    def eventless_table(self) -> dict[Any, Candidates]:
        """Candidate eventless runs, keyed by the model value of the active state."""
        table = self._eventless
        if table is None:
            table = self._eventless = self._candidate_runs(None)
        return table

    def _candidate_runs(self, event: str | None) -> dict[Any, Candidates]:
        table: dict[Any, Candidates] = {}
        defn = self.definition
        for state in defn.states:
            candidates = defn.candidates(state, event)
            if candidates:
                table[state.value] = tuple(
                    self.runs[(t, event)] if (t, event) in self.runs else self.runs[(t, None)]
                    for t in candidates
                )
        return table
