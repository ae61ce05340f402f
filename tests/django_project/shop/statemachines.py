"""The test app's machines; autodiscovered by ``statemachine.contrib.django`` on startup."""

from django.db import models

from statemachine import State, StateChart, StateMachine
from statemachine.states import States


# The seed's example, verbatim.
class CampaignMachineWithKeys(StateMachine):
    draft = State("Draft", initial=True, value=1)
    producing = State("Being produced", value=2)
    closed = State("Closed", value=3)
    cancelled = State("Cancelled", value=4)
    add_job = draft.to.itself() | producing.to.itself()
    produce = draft.to(producing)
    deliver = producing.to(closed)
    cancel = cancelled.from_(draft, producing)


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
