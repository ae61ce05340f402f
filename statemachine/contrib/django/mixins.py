"""The model side: :class:`StateMachineModelMixin`.

It is :class:`~statemachine.mixins.MachineMixin` (same attributes, same registry lookup) plus
what a Django model needs: saving the state, transactions and locking, signals, permissions,
"why not?", and protected state fields. Every event sent to the machine from outside its own
callbacks (``send()``, event methods, bound event methods) goes through
:meth:`StateMachineModelMixin.statemachine_around_send`.

A row loaded from the database gets its machine on first use (``obj.statemachine``, a bound
event method): loading never raises, even for a row whose stored value is no longer a state
of its machine (a state renamed or removed since). Using the machine of such a row raises
:class:`InvalidStoredState`, which names the row and says how to repair it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction

from statemachine import registry
from statemachine.event import BoundEvent
from statemachine.exceptions import InvalidStateValue, StateMachineError
from statemachine.mixins import MachineMixin
from statemachine.orderedset import OrderedSet

from . import signals
from .fields import StateField, StateForeignKey, _raw, unprotected

__all__ = [
    "ConcurrentTransition",
    "InvalidStoredState",
    "StateMachineModelMixin",
    "TransitionPermissionDenied",
]

LOCKS = (None, "optimistic", "pessimistic")

# The class and database alias of the row ``Model.from_db()`` is building right now: its
# ``__init__`` then loads a stored state rather than creating a new row.
_loading: contextvars.ContextVar[tuple[type, str] | None] = contextvars.ContextVar(
    "statemachine_django_loading", default=None
)

# Per-call overrides of the model's saving options (see StateMachineModelMixin.send_event).
_overrides: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "statemachine_django_overrides", default=None
)


class ConcurrentTransition(StateMachineError):
    """The row's state changed in the database since this instance loaded it: the loser of a
    race (optimistic locking). Nothing was written; reload the instance and try again."""


class InvalidStoredState(InvalidStateValue):
    """A row's state field holds a value that is not the value of any state of its machine
    (typically a state renamed or removed after the row was saved).

    Loading the row works; using its machine raises this error. Repair the row (a superuser
    can do it from the admin's change page, or call
    :meth:`StateMachineModelMixin.repair_state`), or map the old values to states with a
    data migration.

    Attributes:
        value: the offending value (one element of a stored configuration, if it is a list).
        stored: the whole value of the field.
        instance: the row.
        field: the name of the state field.
        machine: the machine class.
    """

    def __init__(self, instance: Any, field: str, stored: Any, value: Any, machine: Any) -> None:
        self.instance = instance
        self.field = field
        self.stored = stored
        self.machine = machine
        model = type(instance)
        holds = f"holds {stored!r}" if _same(stored, value) else f"holds {stored!r}, and {value!r}"
        states = ", ".join(repr(_raw(s.value)) for s in machine.states_map.values())
        super().__init__(
            value,
            f"{model._meta.label} pk={instance.pk!r}: its field {field!r} {holds}, which is not "
            f"the value of any state of {machine.__name__} (its states: {states}). Repair the "
            "row: a superuser can set its state on the admin's change page (or call "
            "repair_state()); for many rows, write a data migration that maps the old values "
            "to states. Or add a state with that value.",
        )

    @property
    def reason(self) -> str:
        """A few words for a list: ``"not a state of OrderMachine"``."""
        return f"not a state of {self.machine.__name__}"


def _same(stored: Any, value: Any) -> bool:
    try:
        return bool(stored == value)
    except Exception:  # an exotic value that cannot compare: show both
        return False


class TransitionPermissionDenied(PermissionDenied):
    """The user may not send this event (see ``statemachine_permissions``).

    Attributes:
        event: the event id.
        user: the user refused.
    """

    def __init__(self, event: str, user: Any, message: str) -> None:
        super().__init__(message)
        self.event = event
        self.user = user


class _Signals:
    """The listener that sends ``pre_transition``/``post_transition`` (one per instance).

    On the asyncio engine the signals go out with ``Signal.asend()``: the engine awaits it,
    and sync receivers (which may use the ORM) run in a thread, as Django requires. An
    eventless transition (a ``StateChart``'s) is sent with ``event=""``; the initial entry
    sends nothing."""

    def __init__(self, instance: Any, is_async: bool = False) -> None:
        self.instance = instance
        self.is_async = is_async
        self.current: tuple[Any, ...] | None = None
        self.transitions = 0  # transitions started (an event that changed nothing adds none)

    def _send(self, signal: Any, event_data: Any, **extra: Any) -> Any:
        if not signal.receivers:
            return None  # (nobody listens: not even the arguments are built)
        instance = self.instance
        event = event_data._event  # the event's name (None: eventless)
        kwargs = {
            "sender": type(instance),
            "instance": instance,
            "event": "" if event is None else str(event),
            "source": event_data.source,
            "target": event_data.target,
            "args": event_data.args,
            "kwargs": event_data.kwargs,
            **extra,
        }
        if not self.is_async:
            signal.send(**kwargs)
            return None
        return _quietly(signal.asend(**kwargs))  # Django 5.0+ (checked at machine creation)

    def before_transition(self, event_data: Any) -> Any:
        if event_data._event == "__initial__":
            return None
        self.current = (event_data._event, event_data.source, event_data.target, event_data)
        self.transitions += 1
        sent = self._send(signals.pre_transition, event_data)
        return _OURS if sent is None else sent

    def after_transition(self, event_data: Any) -> Any:
        if self.current is None:
            return None
        self.current = None
        return self._send(signals.post_transition, event_data, exception=None)

    def failed(self, exc: BaseException) -> Any:
        """The transition in progress raised: ``post_transition`` with ``exception`` (an
        awaitable on the asyncio engine)."""
        current, self.current = self.current, None
        if current is None:
            return None
        return self._send(signals.post_transition, current[3], exception=exc)


# What the signals listener's ``before_transition`` returns: a ``before`` callback's value
# joins the event's result (even None), so the hook takes this one out again (_without_ours).
_OURS = object()


async def _quietly(awaitable: Any) -> Any:
    await awaitable
    return _OURS


def _without_ours(result: Any) -> Any:
    """The event's result as if the signals listener were not there."""
    if result is _OURS:
        return None
    if result.__class__ is list and any(r is _OURS for r in result):
        rest = [r for r in result if r is not _OURS]
        return None if not rest else rest[0] if len(rest) == 1 else rest
    return result


class StateMachineModelMixin(MachineMixin):
    """A Django model whose instances carry a state machine.

    Put it before ``models.Model`` in the bases. Attributes (all optional but the first):

    Attributes:
        state_machine_name: dotted path of the machine class (as in ``MachineMixin``).
        state_machine_attr: the attribute that holds the machine (default ``"statemachine"``).
        state_field_name: the field the machine stores its state in (default ``"state"``).
        bind_events_as_methods: also expose each event as a method of the instance.
        statemachine_atomic: run each event inside ``transaction.atomic()`` and save the new
            state with ``save(update_fields=[...])`` (default False: you save).
        statemachine_lock: ``None``, ``"optimistic"`` (a save only updates the row if its
            state is still the one loaded, else :class:`ConcurrentTransition`) or
            ``"pessimistic"`` (``select_for_update()`` re-reads the row before each event).
            Either implies atomic saving.
        statemachine_raise_errors: re-raise, after the event, the first error a callback
            raised that a ``StateChart`` caught as an ``error.execution`` event (see
            :attr:`statemachine_errors`); with atomic saving its transaction then rolls back
            and the instance keeps its state (default False: the chart handled it).
        statemachine_permissions: ``{event_id: "app.codename" | callable(instance, user)}``;
            an event sent with ``by=user`` is refused with
            :class:`TransitionPermissionDenied` unless the user has it.
        statemachine_timers: with the timers app installed, this model's delayed events and
            timeouts are durable (default True). Each event that leaves a state then looks
            for the row's timers to drop (one query); set False on a model that needs no
            durable timers to keep them in memory and skip that query.
    """

    statemachine_atomic: bool = False
    statemachine_lock: str | None = None
    statemachine_raise_errors: bool = False
    statemachine_permissions: Mapping[str, Any] = {}
    statemachine_timers: bool = True
    # See _row_shape: made on the first row of each model class.
    _statemachine_row_shape: tuple[int, int, bool, Any] = (-1, 0, False, None)

    if TYPE_CHECKING:  # what models.Model provides
        pk: Any
        _state: Any
        _statemachine_signals: _Signals
        _statemachine_loaded: Any

        def asave(self, *args: Any, **kwargs: Any) -> Any: ...

    @classmethod
    def from_db(cls, db: str, field_names: Any, values: Any) -> Any:
        # `_whole_row_with_state`, inlined (it runs once per row), keeping the shape.
        shape = _row_shape(cls)
        if len(values) == shape[0] and values[shape[1]] is not None:
            # Django's own from_db for a whole row; __init__ knows such a row by its
            # arguments. When no __init__ of the user's is in the way, Model.__init__ is
            # called directly: this is what a list of 10,000 rows pays 10,000 times.
            if shape[2]:
                new = cls.__new__(cls)
                models.Model.__init__(new, *values)
                new._statemachine_ready = True
            else:
                new = cls(*values)
            new._state.adding = False
            new._state.db = db
            return new
        token = _loading.set((cls, db))
        try:
            return super().from_db(db, field_names, values)  # type: ignore[misc]
        finally:
            _loading.reset(token)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and not kwargs and _whole_row_with_state(type(self), args):
            # Every field given, by position, the state included: a row from the database
            # (the common case, kept short: a list of 10,000 rows pays this 10,000 times),
            # or a row rebuilt from values that already hold its state. Model.__init__
            # assigns each field once, which a protected field allows; the machine is built
            # on first use, and reads the state as loaded (`_statemachine_loaded`, for the
            # optimistic lock) before it can change anything.
            super(MachineMixin, self).__init__(*args)  # models.Model.__init__
            self._statemachine_ready = True
            return
        loading = _loading.get()
        with unprotected(self):
            super(MachineMixin, self).__init__(*args, **kwargs)  # models.Model.__init__
            loaded = loading is not None and loading[0] is type(self)
            if loading is not None and loaded:
                # Model.from_db() sets these after __init__; the machine needs them (a loaded
                # row is not new, and a deferred state must be read from its database).
                self._state.adding = False
                self._state.db = loading[1]
            if not self.state_machine_name:
                if type(self).__module__ == "__fake__":
                    return  # historical models in migrations have no machine
                raise ValueError(
                    f"{self.state_machine_name!r} is not a valid state machine name. Set "
                    f"`state_machine_name` on {type(self).__name__} to the dotted path of a "
                    "machine class."
                )
            machine_cls = _machine_class(type(self))  # a wrong name fails here, at creation
            field = _state_field(type(self))
            if not loaded:
                fresh = (
                    isinstance(field, StateField)
                    and field.kind != "json"
                    and not _state_given(type(self), field, args, kwargs)
                )
                if fresh and getattr(self, self.state_field_name) == _raw(
                    machine_cls.initial_state.value
                ):
                    # A new row left at the field's default: enter the initial state for
                    # real (its entry callbacks run), as a machine without a stored state
                    # does. A state given to the constructor (as deserializers and fixtures
                    # do) is taken as stored.
                    self.__dict__[field.attname] = None
                # A new instance gets its machine now (it may have entry callbacks to run);
                # one given a value that is no state gets it, and the error, on first use,
                # like a loaded row.
                with contextlib.suppress(InvalidStateValue):
                    self._statemachine_build()
        if field is None or field.attname in self.__dict__:  # else deferred: read on first use
            self.__dict__.setdefault("_statemachine_loaded", self._current_raw())
        # From here on, a missing machine is built on first use (not while Model.__init__
        # runs, where post_init receivers would see a row not yet marked as loaded).
        self.__dict__["_statemachine_ready"] = True

    # --- the machine, built on first use ---------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        """Only called for a missing attribute: build the machine of a loaded row the first
        time it (or one of its bound event methods) is asked for."""
        cls = type(self)
        d = self.__dict__
        if (
            d.get("_statemachine_ready")  # a fully made instance
            and cls.state_machine_name
            and cls.state_machine_attr not in d
            and (
                name == cls.state_machine_attr
                or (cls.bind_events_as_methods and name in _event_ids(cls))
            )
        ):
            machine = self._statemachine_build()
            if name == cls.state_machine_attr:
                return machine
            if name in d:
                return d[name]
        raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")

    def _statemachine_build(self) -> Any:
        """Create the instance's machine (restoring the stored state, or entering the initial
        one when there is none) and bind it.

        Raises:
            InvalidStoredState: the stored value is not a state of the machine.
        """
        cls = type(self)
        machine_cls = _machine_class(cls)
        field = _state_field(cls)
        if field is not None and self.__dict__.get(field.attname) == "":
            # An empty text column, loaded as it is (see StateField.get_db_converters): no
            # state yet, as the field reads it everywhere else.
            self.__dict__[field.attname] = None
        watch = None
        if self.statemachine_timers and _timers_installed():
            from .timers._scheduling import TimerWatch

            # Before the machine: entering the initial state may schedule a timeout.
            watch = self.__dict__["_statemachine_timer_watch"] = TimerWatch(self)
        with unprotected(self):  # entering the initial state writes the field
            try:
                sm = machine_cls(self, state_field=self.state_field_name)
            except BaseException as exc:
                self.__dict__.pop("_statemachine_timer_watch", None)  # no machine to watch
                if not isinstance(exc, InvalidStateValue):
                    raise
                error = self.statemachine_state_error()
                if error is None:  # not the stored value's fault: let it be seen as it is
                    raise
                raise error from None
        if sm._get_engine().is_async and not hasattr(signals.post_transition, "asend"):
            import django
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"{cls.__name__}'s machine {type(sm).__name__} has coroutine callbacks, "
                f"which on a Django model need Django 5.0 or newer (Signal.asend); this is "
                f"Django {django.get_version()}. Upgrade Django, or make the callbacks plain "
                "functions."
            )
        self._statemachine_signals = _Signals(self, is_async=sm._get_engine().is_async)
        sm.add_listener(self._statemachine_signals)
        if watch is not None:
            sm.add_listener(watch)
        # Stored before binding: the bound event names must not rebuild it (__getattr__).
        self.__dict__[self.state_machine_attr] = sm
        if self.bind_events_as_methods:
            sm.bind_events_to(self)
        self.__dict__.setdefault("_statemachine_loaded", self._current_raw())
        return sm

    def __copy__(self) -> Any:
        """``copy.copy(obj)``: the copy gets its own machine, built from the copied state when
        it is first used (a shallow copy would otherwise share the original's machine, whose
        events would change the original)."""
        cls = type(self)
        new = cls.__new__(cls)
        new.__dict__.update(self.__getstate__())  # Django's copy: its own _state
        new._statemachine_forget()
        for name in ("_statemachine_timer_watch", "_statemachine_signals"):
            new.__dict__.pop(name, None)
        return new

    def _statemachine_forget(self) -> None:
        """Drop the machine (and its bound event methods): the next use builds it again from
        the stored state."""
        machine = self.__dict__.pop(self.state_machine_attr, None)
        if machine is None:
            return
        for name, value in list(self.__dict__.items()):
            if isinstance(value, BoundEvent) and value._machine is machine:
                del self.__dict__[name]

    def statemachine_state_error(self) -> InvalidStoredState | None:
        """The error the machine raises for this row when its stored state is not a state of
        the machine (a state renamed or removed since the row was saved), or None when it
        is one. Never raises for a bad value: it reads the field, not the machine."""
        cls = type(self)
        if not cls.state_machine_name:
            return None
        machine_cls = _machine_class(cls)
        stored = getattr(self, self.state_field_name, None)
        if stored is None or stored == "":  # no state yet (see _statemachine_build)
            return None
        values = list(stored) if isinstance(stored, (OrderedSet, list, tuple)) else [stored]
        for value in values:
            if not _is_state_value(machine_cls, value):
                return InvalidStoredState(self, self.state_field_name, stored, value, machine_cls)
        return None

    # --- state bookkeeping -----------------------------------------------------------------
    def _current_raw(self) -> Any:
        field = _state_field(type(self))
        if field is None:
            return self.__dict__.get(self.state_field_name)
        value = self.__dict__.get(field.attname)
        return field.get_prep_value(value) if isinstance(field, StateField) else value

    def _loaded_raw(self) -> Any:
        """The state this instance loaded (or last saved); read now if it was deferred."""
        if "_statemachine_loaded" not in self.__dict__:
            getattr(self, self.state_field_name)  # loads a deferred field
            self._statemachine_loaded = self._current_raw()
        return self._statemachine_loaded

    def _statemachine_resync(self) -> None:
        """The stored state changed under the machine (a reload, a rollback): it is terminated
        exactly when a top-level final state is active, as when it was created. A value that
        is no state drops the machine: its next use raises :class:`InvalidStoredState`."""
        machine = self.__dict__.get(self.state_machine_attr)
        if machine is None:  # not built yet (or a historical model, which has none)
            return
        try:
            machine._get_engine().sync_running()
        except InvalidStateValue:
            self._statemachine_forget()

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        with unprotected(self):
            super().refresh_from_db(*args, **kwargs)  # type: ignore[misc]
        field = _state_field(type(self))
        if field is None or field.attname in self.__dict__:
            self._statemachine_loaded = self._current_raw()
        self._statemachine_resync()

    def clean_fields(self, *args: Any, **kwargs: Any) -> None:
        with unprotected(self):
            super().clean_fields(*args, **kwargs)  # type: ignore[misc]

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)  # type: ignore[misc]
        self._statemachine_loaded = self._current_raw()
        watch = self.__dict__.get("_statemachine_timer_watch")
        if watch is not None and watch.unsaved:  # timeouts entered before the first save
            watch.saved(self.__dict__[self.state_machine_attr])

    def _do_update(
        self, base_qs: Any, using: Any, pk_val: Any, values: Any, update_fields: Any, *rest: Any
    ) -> Any:
        """Optimistic locking: an UPDATE only matches the row while its state is the one
        this instance loaded (or last saved)."""
        field = _state_field(type(self))
        if self._lock() != "optimistic" or field is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, *rest)  # type: ignore[misc]
        loaded = self._loaded_raw()
        filtered = base_qs.filter(**{field.attname: loaded})
        updated = super()._do_update(filtered, using, pk_val, values, update_fields, *rest)  # type: ignore[misc]
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise ConcurrentTransition(
                f"{type(self).__name__} pk={pk_val!r} was not saved: its {field.name!r} changed "
                f"in the database since it was loaded (it was {loaded!r} then). Reload it "
                "(refresh_from_db()) and try again."
            )
        return updated

    # --- options ---------------------------------------------------------------------------
    def _option(self, name: str) -> Any:
        overrides = _overrides.get()
        if overrides is not None and name in overrides:
            return overrides[name]
        return getattr(self, f"statemachine_{name}")

    def _lock(self) -> str | None:
        lock: str | None = self._option("lock")
        if lock not in LOCKS:
            raise ValueError(
                f"{type(self).__name__}.statemachine_lock is {lock!r}; use None, "
                "'optimistic' or 'pessimistic'."
            )
        return lock

    @contextlib.contextmanager
    def statemachine_options(
        self,
        *,
        atomic: bool | None = None,
        lock: str | bool | None = False,
        raise_errors: bool | None = None,
    ) -> Iterator[None]:
        """Override ``statemachine_atomic``/``statemachine_lock``/``statemachine_raise_errors``
        for the events sent inside the block (this thread or task only)::

            with order.statemachine_options(lock="pessimistic"):
                order.statemachine.pay()
        """
        overrides = dict(_overrides.get() or {})
        if atomic is not None:
            overrides["atomic"] = atomic
        if lock is not False:
            overrides["lock"] = lock
        if raise_errors is not None:
            overrides["raise_errors"] = raise_errors
        token = _overrides.set(overrides)
        try:
            yield
        finally:
            _overrides.reset(token)

    # --- the hook: every event sent from outside ---------------------------------------------
    def statemachine_around_send(
        self,
        machine: Any,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        proceed: Callable[[], Any],
    ) -> Any:
        """Check the permission of ``by=``, then run the event (inside a transaction that
        also saves the state, when atomic saving or locking is on)."""
        # The options are read now: an awaitable result runs after send_event() returned.
        lock = self._lock()
        atomic = bool(self._option("atomic")) or lock is not None
        raise_errors = bool(self._option("raise_errors"))
        if machine._get_engine().is_async:
            around = self._around_async(event, kwargs, proceed, lock, atomic, raise_errors)
            if asyncio._get_running_loop() is not None:
                return around
            # From sync code: run it here, so its ORM work stays on this thread's connection
            # (inside the caller's transaction, if any).
            from asgiref.sync import async_to_sync

            async def run() -> Any:
                return await around

            return async_to_sync(run)()
        if "by" in kwargs:
            self.check_permission(event, kwargs["by"])
        if not atomic:
            return self._run(proceed, raise_errors)
        return self._atomically(lambda: self._run(proceed, raise_errors), lock)

    def _atomically(self, run: Callable[[], Any], lock: str | None) -> Any:
        """``run()`` the event inside ``transaction.atomic()`` (after locking the row, for
        pessimistic locking), then save the state if the event changed it. If anything
        raises, the database rolls back and so does the instance's state."""
        field = _state_field(type(self))
        using = router.db_for_write(type(self), instance=self)
        before = self.__dict__.get(field.attname) if field is not None else None
        loaded = self._loaded_raw()
        try:
            with transaction.atomic(using=using):
                if lock == "pessimistic" and self.pk is not None and field is not None:
                    self._reread_for_update(field, using)
                    # What the row held then is still true after a rollback: keep it.
                    before, loaded = self.__dict__.get(field.attname), self._statemachine_loaded
                signals_before = self._statemachine_signals.transitions
                result = run()
                if (
                    self.pk is not None
                    and field is not None
                    # Nothing to write for an event the machine ignored.
                    and self._statemachine_signals.transitions != signals_before
                ):
                    self.save(update_fields=[field.attname], using=using)
        except BaseException:
            if field is not None:  # the database rolled back: so does the instance
                self.__dict__[field.attname] = before
                self._statemachine_loaded = loaded
                self._statemachine_resync()
            raise
        return result

    def _run(self, proceed: Callable[[], Any], raise_errors: bool) -> Any:
        listener = self._statemachine_signals
        watch = self.__dict__.get("_statemachine_timer_watch")
        if watch is not None:
            watch.begin()
        try:
            with unprotected(self):
                result = proceed()
        except BaseException as exc:
            if watch is not None:
                watch.discard()
            listener.failed(exc)
            self._raise_stored_state_error(exc)
            raise
        if watch is not None:
            watch.commit(self.__dict__[self.state_machine_attr])
        self._raise_caught(raise_errors)
        return _without_ours(result)

    # --- durable timers (the timers app) ------------------------------------------------------
    def statemachine_schedule_send(
        self,
        machine: Any,
        event: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        delay: float,
        send_id: str | None,
    ) -> bool:
        """A delayed send (``delay=`` ms, or ``at=`` a datetime or a timedelta): with the
        timers app installed, a durable timer (see ``statemachine.contrib.django.timers``);
        without it, the machine keeps it in memory, as any machine does."""
        if "_statemachine_timer_watch" not in self.__dict__:
            at = kwargs.get("at")
            if not delay and isinstance(at, (datetime.datetime, datetime.timedelta)):
                raise TypeError(
                    f"send({event!r}, at={at!r}): `at` schedules a durable timer, and "
                    f"{type(self).__name__} has none: add 'statemachine.contrib.django.timers' "
                    "to INSTALLED_APPS (and keep statemachine_timers = True on the model), or "
                    "send with delay= (milliseconds) to keep the event in memory."
                )
            return False
        from .timers._scheduling import schedule

        return schedule(self, machine, event, args, kwargs, delay, send_id)

    def statemachine_schedule_timeout(
        self, machine: Any, state_id: str, seconds: float, on: str | None
    ) -> bool:
        """A ``timeout(...)`` invoke of a state just entered: with the timers app installed,
        a durable timer that leaving the state drops; without it, kept in memory."""
        if "_statemachine_timer_watch" not in self.__dict__:
            return False
        from .timers._scheduling import schedule_timeout

        return schedule_timeout(self, machine, state_id, seconds, on)

    def statemachine_cancel_send(self, machine: Any, send_id: str) -> None:
        """``cancel_event(send_id)``: also drops this row's durable timers with that id,
        whichever process scheduled them."""
        if "_statemachine_timer_watch" in self.__dict__:
            from .timers._scheduling import cancel

            cancel(self, send_id)

    def _raise_stored_state_error(self, exc: BaseException) -> None:
        """An event refused because the stored value is no state (set behind the machine's
        back): raise the error that names the row instead of the machine's."""
        if isinstance(exc, InvalidStateValue) and not isinstance(exc, InvalidStoredState):
            error = self.statemachine_state_error()
            if error is not None:
                raise error from None

    @property
    def statemachine_errors(self) -> tuple[Exception, ...]:
        """The exceptions callbacks raised during the last event sent from outside that the
        machine caught as ``error.execution`` events (a ``StateChart`` does; a
        ``StateMachine`` raises them instead). Empty if there were none."""
        machine = self.__dict__.get(self.state_machine_attr)
        return tuple(getattr(getattr(machine, "_engine", None), "caught", ()))

    def _raise_caught(self, raise_errors: bool) -> None:
        """With ``raise_errors`` on: raise the first error the machine caught as an event
        (inside the transaction, so atomic saving rolls back)."""
        if raise_errors:
            errors = self.statemachine_errors
            if errors:
                raise errors[0]

    def _reread_for_update(self, field: Any, using: str) -> None:
        """Pessimistic locking: lock the row and take its current state."""
        manager = type(self)._base_manager.using(using)  # type: ignore[attr-defined]
        raw = manager.select_for_update().values_list(field.attname, flat=True).get(pk=self.pk)
        value = field.to_python(raw) if isinstance(field, StateField) else raw
        self.__dict__[field.attname] = value
        self._statemachine_loaded = self._current_raw()
        self._statemachine_resync()

    async def _around_async(
        self,
        event: str,
        kwargs: dict[str, Any],
        proceed: Callable[[], Any],
        lock: str | None,
        atomic: bool,
        raise_errors: bool,
    ) -> Any:
        """The asyncio engine. The ORM is only used from a thread (``sync_to_async``): the
        permission check, and for atomic saving the whole transaction, whose thread hands
        the event back to the loop (``async_to_sync``); the callbacks' async ORM calls then
        run in that thread, inside the transaction."""
        from asgiref.sync import async_to_sync, sync_to_async

        if "by" in kwargs:
            await sync_to_async(self.check_permission)(event, kwargs["by"])
        if not atomic:
            return await self._run_async(proceed, raise_errors)
        run = async_to_sync(self._run_async)
        return await sync_to_async(self._atomically)(lambda: run(proceed, raise_errors), lock)

    async def _run_async(self, proceed: Callable[[], Any], raise_errors: bool) -> Any:
        listener = self._statemachine_signals
        try:
            with unprotected(self):
                result = proceed()
                if hasattr(result, "__await__"):
                    result = await result
        except BaseException as exc:
            sent = listener.failed(exc)
            if sent is not None:
                await sent
            self._raise_stored_state_error(exc)
            raise
        self._raise_caught(raise_errors)
        return _without_ours(result)

    # --- permissions and "why not?" ----------------------------------------------------------
    def has_event_permission(self, event: str, user: Any) -> bool:
        """May ``user`` send ``event``? True when the event requires no permission. A
        permission string is checked for this object first, then globally."""
        required = self.statemachine_permissions.get(event)
        if required is None:
            return True
        if callable(required):
            return bool(required(self, user))
        return bool(user.has_perm(required, self) or user.has_perm(required))

    def check_permission(self, event: str, user: Any) -> None:
        """Raise :class:`TransitionPermissionDenied` unless ``user`` may send ``event``."""
        if not self.has_event_permission(event, user):
            raise TransitionPermissionDenied(
                event,
                user,
                f"{user} may not send {event!r} to {type(self).__name__} pk={self.pk!r}: "
                f"{_permission_text(self.statemachine_permissions[event])} is required.",
            )

    def available_events(self, user: Any = None, *args: Any, **kwargs: Any) -> list[Any]:
        """The events that would fire now (their conditions pass) and, with ``user``, that
        the user may send."""
        machine = getattr(self, self.state_machine_attr)
        events = machine.enabled_events(*args, **kwargs)
        if user is None:
            return list(events)
        return [e for e in events if self.has_event_permission(e.id, user)]

    def why_not(self, event: str, user: Any = None, *args: Any, **kwargs: Any) -> list[Any]:
        """Why ``event`` cannot be sent now (by ``user``): the machine's refusals (see
        :meth:`~statemachine.StateChart.why_not`) plus a refusal for a missing permission;
        empty if it can."""
        from statemachine import Refusal

        machine = getattr(self, self.state_machine_attr)
        refusals = list(machine.why_not(event, *args, **kwargs))
        if user is not None and not self.has_event_permission(event, user):
            required = self.statemachine_permissions[event]
            refusals.append(
                Refusal(
                    event,
                    None,
                    None,
                    None,
                    f"{user} lacks the permission {_permission_text(required)}.",
                )
            )
        return refusals

    def repair_state(
        self, state: Any, *, by: Any = None, description: str = "", using: str | None = None
    ) -> None:
        """Store ``state`` without a transition: the repair of a row whose stored value is not
        a state of its machine (see :class:`InvalidStoredState`).

        No callback runs and no transition signal is sent; ``state_repaired`` is, and the
        audit log (if installed) records a repair. A saved row gets its state field saved
        (only that field), in a transaction on ``using`` (default: the row's write database).
        A state with children is stored with its default entry (the initial child of each
        compound state, every region of a parallel one).

        Args:
            state: a state of the machine, or its id.
            by: who repairs it (the audit log keeps it when it is a user).
            description: why (the audit log keeps it).

        Raises:
            ValueError: ``state`` is not a state of the machine.
        """
        cls = type(self)
        machine_cls = _machine_class(cls)
        target = _state_by_id(machine_cls, state)
        configuration = _default_configuration(target)
        value = (
            configuration[0].value
            if len(configuration) == 1
            else OrderedSet(s.value for s in configuration)
        )
        field = _state_field(cls)
        key = field.attname if field is not None else self.state_field_name
        getattr(self, self.state_field_name)  # loads a deferred state: the source to record
        missing = object()
        before = self.__dict__.get(key, missing)
        source = self._current_raw()
        using = using or router.db_for_write(cls, instance=self)
        try:
            with transaction.atomic(using=using):
                with unprotected(self):
                    setattr(self, self.state_field_name, value)
                if field is not None and field.is_relation and field.is_cached(self):
                    field.delete_cached_value(self)  # the related row of the old key
                if self.pk is not None and field is not None:
                    self.save(update_fields=[field.attname], using=using)
                signals.state_repaired.send(
                    sender=cls,
                    instance=self,
                    source=source,
                    target=target,
                    by=by,
                    description=description,
                )
        except BaseException:  # the database rolled back: so does the instance
            if before is missing:
                self.__dict__.pop(key, None)
            else:
                self.__dict__[key] = before
            raise
        self._statemachine_forget()  # the next use builds it from the repaired state

    def send_event(
        self,
        event: str,
        *args: Any,
        atomic: bool | None = None,
        lock: str | bool | None = False,
        raise_errors: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send ``event`` with saving options for this call only (see
        :meth:`statemachine_options`); ``by=user`` checks the permission."""
        machine = getattr(self, self.state_machine_attr)
        with self.statemachine_options(atomic=atomic, lock=lock, raise_errors=raise_errors):
            return machine.send(event, *args, **kwargs)


def _timers_installed() -> bool:
    from django.apps import apps

    return bool(apps.is_installed("statemachine.contrib.django.timers"))


def _permission_text(required: Any) -> str:
    if callable(required):
        return f"the check {getattr(required, '__name__', repr(required))}()"
    return repr(required)


def _whole_row_with_state(model: Any, values: Any) -> bool:
    """Whether ``values`` are a value for each concrete field, in order, with a state (not
    None) where the state field is: what ``from_db`` passes for a row loaded whole."""
    count, index, _, _ = _row_shape(model)
    return len(values) == count and values[index] is not None


def _row_shape(model: Any) -> tuple[int, int, bool, Any]:
    """(number of concrete fields, index of the state field among them, whether creating an
    instance runs no ``__init__`` but ours and ``Model.__init__``, the model), computed once
    per model and kept on it (a subclass, which inherits it, has fields of its own: it
    computes its own); (-1, 0, False, model) when the model has no machine or no such field
    (no row then matches)."""
    cached = model._statemachine_row_shape
    if cached[3] is model:
        return cached  # type: ignore[no-any-return]
    shape: tuple[int, int, bool] = (-1, 0, False)
    names = [f.attname for f in model._meta.concrete_fields]
    if model.state_machine_name:
        field = _state_field(model)
        attname = field.attname if field is not None else model.state_field_name
        if attname in names:
            inits = [c for c in model.__mro__ if "__init__" in c.__dict__ and c is not MachineMixin]
            direct = inits[:2] == [StateMachineModelMixin, models.Model]
            shape = (len(names), names.index(attname), direct)
    model._statemachine_row_shape = (*shape, model)
    return model._statemachine_row_shape  # type: ignore[no-any-return]


def _state_given(model: Any, field: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Did the constructor call pass the state field's value (by name or by position)?"""
    if field.name in kwargs or field.attname in kwargs:
        return True
    return bool(args) and len(args) > model._meta.fields.index(field)


def _is_state_value(machine_cls: Any, value: Any) -> bool:
    try:
        return value in machine_cls.states_map
    except TypeError:  # unhashable
        return False


def _state_by_id(machine_cls: Any, state: Any) -> Any:
    """The state of ``machine_cls`` that ``state`` (a state or an id) names."""
    by_id = {s.id: s for s in machine_cls.states_map.values()}
    found = by_id.get(state if isinstance(state, str) else getattr(state, "id", None))
    if found is None:
        raise ValueError(
            f"{state!r} is not a state of {machine_cls.__name__}; use one of its state ids: "
            f"{', '.join(map(repr, by_id))}."
        )
    return found


def _default_configuration(state: Any) -> list[Any]:
    """What entering ``state`` from outside makes active, in document order: ``state``, its
    ancestors, the default entry below it (each compound's initial child, every region of a
    parallel state) and the default entry of the other regions of its parallel ancestors."""
    active: dict[int, Any] = {}

    def enter(s: Any) -> None:
        active[id(s)] = s
        children = s.states
        # A parallel state enters every region; a compound one its initial child.
        initial = [c for c in children if c.initial][:1] or children[:1]
        for child in children if s.parallel else initial:
            enter(child)

    path = [state, *state.ancestors()]
    on_path = {id(s) for s in path}
    for ancestor in reversed(path[1:]):  # outermost first
        active[id(ancestor)] = ancestor
        if ancestor.parallel:
            for region in ancestor.states:
                if id(region) not in on_path:
                    enter(region)
    enter(state)
    return sorted(active.values(), key=lambda s: s.document_order)


def _event_ids(model: Any) -> frozenset[str]:
    """The events ``bind_events_as_methods`` binds as methods of ``model``'s instances."""
    cached: frozenset[str] | None = model.__dict__.get("_statemachine_event_ids")
    if cached is None:
        events = _machine_class(model).events
        cached = frozenset(e.id for e in events if e.id.isidentifier())
        model._statemachine_event_ids = cached
    return cached


def _machine_class(model: type) -> Any:
    cls = model.__dict__.get("_statemachine_class")
    if cls is None:
        cls = registry.get_machine_cls(model.state_machine_name)  # type: ignore[attr-defined]
        model._statemachine_class = cls  # type: ignore[attr-defined]
    return cls


def _state_field(model: Any) -> Any:
    """The model's StateField/StateForeignKey the machine writes to, or None."""
    cached = model.__dict__.get("_statemachine_field", False)
    if cached is not False:
        return cached
    name = model.state_field_name
    found = None
    for f in model._meta.concrete_fields:
        if isinstance(f, (StateField, StateForeignKey)) and name in (f.name, f.attname):
            found = f
            break
    if found is None:
        with contextlib.suppress(Exception):
            f = model._meta.get_field(name)
            if isinstance(f, models.Field) and f.concrete:
                found = f
    model._statemachine_field = found
    return found
