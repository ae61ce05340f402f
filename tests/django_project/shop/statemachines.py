"""The test app's machines; autodiscovered by ``statemachine.contrib.django`` on startup."""

import functools
import itertools
import operator
from datetime import timedelta

from campaign.statemachines import CampaignMachineWithKeys
from django.db import models

from statemachine import State, StateChart, StateMachine
from statemachine.contrib.timeout import timeout
from statemachine.states import States


class CampaignMachineWithInit(CampaignMachineWithKeys):
    """A machine subclass with a custom __init__ (the seed allows it)."""

    def __init__(self, model=None, state_field="state"):
        self.created_for = model
        super().__init__(model, state_field=state_field)


class OrderMachine(StateMachine):
    created = State(initial=True)
    paid = State()
    shipped = State()
    cancelled = State(final=True)

    pay = created.to(paid, cond="has_items")
    ship = paid.to(shipped, cond="address_known")
    cancel = cancelled.from_(created, paid)
    restock = shipped.to(created, on="break_on_restock")

    def on_enter_created(self):
        self.model.entries = (self.model.entries or 0) + 1

    def break_on_restock(self):
        raise RuntimeError("the warehouse is closed")


class BlogPostMachine(StateMachine):
    """django-fsm's BlogPost: `new -> published` when the conditions pass."""

    new = State(initial=True)
    published = State(final=True)

    publish = new.to(published, cond=["can_publish", "has_title"])


class Priority(models.TextChoices):
    LOW = "low", "Low"
    HIGH = "high", "High"


PriorityStates = States.from_enum(Priority, initial=Priority.LOW)


class PriorityMachine(StateChart):
    low = PriorityStates.LOW
    high = PriorityStates.HIGH
    raise_ = low.to(high, event="escalate")
    lower = high.to(low)


class EditorialMachine(StateChart):
    """Several active states at once: a parallel state with two regions."""

    class review(State.Parallel, initial=True):
        class text(State.Compound):
            drafting = State(initial=True)
            proofread = State()
            proof = drafting.to(proofread)

        class images(State.Compound):
            missing = State(initial=True)
            ready = State()
            attach = missing.to(ready)

    done = State(final=True)
    publish = review.to(done, cond="In('proofread') and In('ready')")


class TicketMachine(StateMachine):
    """State values are primary keys of the TicketStatus lookup table."""

    open = State(initial=True, value="open")
    doing = State(value="doing")
    closed = State(value="closed")
    start = open.to(doing)
    finish = doing.to(closed)


LADDER_TOP = 40


def _ladder_machine():
    """``r0 -> r1 -> ... -> r40`` by the event ``climb``; integer state values (the rung).

    Concurrent workers climbing one row must never skip or repeat a rung."""
    states = [
        State(f"Rung {i}", value=i, initial=i == 0, final=i == LADDER_TOP)
        for i in range(LADDER_TOP + 1)
    ]
    namespace = {"__module__": __name__, "__doc__": _ladder_machine.__doc__}
    namespace.update({f"r{i}": state for i, state in enumerate(states)})
    namespace["climb"] = functools.reduce(
        operator.or_, (a.to(b) for a, b in itertools.pairwise(states))
    )
    return type("LadderMachine", (StateMachine,), namespace)


LadderMachine = _ladder_machine()


class AsyncJobMachine(StateChart):
    """A machine with ``async def`` callbacks: the asyncio engine runs it."""

    queued = State(initial=True)
    running = State()
    done = State(final=True)
    start = queued.to(running, on="announce")
    finish = running.to(done)
    crash = running.to(done, on="write_then_fail")
    requeue = running.to(queued)

    async def announce(self):
        self.model.announced = True

    async def write_then_fail(self):
        """A database side effect, then an error (a StateChart catches it as an event)."""
        await type(self.model).objects.filter(pk=self.model.pk).aupdate(name="side effect")
        raise RuntimeError("the report could not be written")


class StrictAsyncJobMachine(AsyncJobMachine):
    """Raises callback errors instead of catching them as events."""

    catch_errors_as_events = False


class ParcelMachine(StateChart):
    """``weigh`` is followed by an eventless transition to ``labelled``."""

    packed = State(initial=True)
    weighed = State()
    labelled = State(final=True)
    weigh = packed.to(weighed)
    weighed.to(labelled)


class ReportMachine(StateChart):
    """A sync StateChart whose ``publish`` callback writes to the database, then fails."""

    draft = State(initial=True)
    published = State()
    publish = draft.to(published, on="write_then_fail")
    touch = draft.to.itself(internal=True) | published.to.itself(internal=True)

    def write_then_fail(self):
        type(self.model).objects.filter(pk=self.model.pk).update(title="side effect")
        raise RuntimeError("the printer is on fire")

    def before_touch(self):
        return "touched"


class InvoiceMachine(StateMachine):
    """Reminders and expiry as delayed events (durable with the timers app)."""

    draft = State(initial=True)
    sent = State()
    paid = State(final=True)
    expired = State(final=True)
    waived = State(final=True)

    send_out = draft.to(sent, on="plan_expiry")
    remind = sent.to.itself(internal=True, on="count_reminder")
    pay = sent.to(paid)
    expire = sent.to(expired) | draft.to(expired)
    waive = sent.to(waived)
    resend = sent.to.itself(on="plan_expiry")
    break_down = sent.to(paid, on="fail_after_scheduling")
    snooze = sent.to.itself(internal=True, on="reschedule_reminder")

    def plan_expiry(self, days=None):
        if days:  # from a callback: written when the event ends, in its transaction
            self.send("expire", at=timedelta(days=days), send_id="expiry")

    def count_reminder(self, note=""):
        self.model.reminders += 1
        self.model.note = note
        self.model.save(update_fields=["reminders", "note"])  # atomic saving saves the state

    def reschedule_reminder(self):
        self.send("remind", delay=1000, send_id="nudge")
        self.cancel_event("nudge")  # dropped before it was ever written
        self.send("remind", delay=2000, send_id="nudge")

    def fail_after_scheduling(self):
        self.send("remind", delay=1000)
        raise RuntimeError("the payment provider is down")


class ReservationMachine(StateChart):
    """Held for 48 hours, then released unless confirmed; a quote expires on its own."""

    held = State(initial=True, invoke=timeout(timedelta(hours=48), on="release"))
    paused = State()
    quoted = State(invoke=timeout(30))
    confirmed = State(final=True)
    released = State(final=True)

    confirm = held.to(confirmed)
    release = held.to(released)
    pause = held.to(paused)
    resume = paused.to(held)
    quote = held.to(quoted)
    done_invoke_quoted = quoted.to(released)
