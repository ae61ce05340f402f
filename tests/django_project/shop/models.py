from django.db import models

from statemachine.contrib.django import StateField, StateForeignKey, StateMachineModelMixin
from statemachine.mixins import MachineMixin


class CampaignWithInit(models.Model, MachineMixin):
    state_machine_name = "tests.django_project.shop.statemachines.CampaignMachineWithInit"
    state_machine_attr = "sm"
    state_field_name = "step"
    step = models.IntegerField()


class Order(StateMachineModelMixin, models.Model):
    state_machine_name = "tests.django_project.shop.statemachines.OrderMachine"
    bind_events_as_methods = True
    statemachine_permissions = {
        "ship": "shop.ship_order",
        "cancel": lambda order, user: user.is_staff,
    }

    state = StateField(protected=True)
    items = models.IntegerField(default=0)
    address = models.CharField(max_length=100, blank=True)
    entries = models.IntegerField(default=0)
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        permissions = [("ship_order", "Can ship orders")]

    def has_items(self):
        return self.items > 0

    def address_known(self):
        return bool(self.address)


class AtomicOrder(Order):
    """Saves each transition in a transaction."""

    statemachine_atomic = True

    class Meta:
        proxy = True


class OptimisticOrder(Order):
    statemachine_lock = "optimistic"

    class Meta:
        proxy = True


class PessimisticOrder(Order):
    statemachine_lock = "pessimistic"

    class Meta:
        proxy = True


class NotedOrder(Order):
    """An order whose own __init__ runs for every instance, loaded rows included."""

    class Meta:
        proxy = True

    def __init__(self, *args, **kwargs):
        self.made_by_init = True
        super().__init__(*args, **kwargs)


class BlogPost(StateMachineModelMixin, models.Model):
    state_machine_name = "tests.django_project.shop.statemachines.BlogPostMachine"
    state_machine_attr = "fsm"
    bind_events_as_methods = True

    title = models.CharField(max_length=100, blank=True)
    state = StateField()

    def can_publish(self):
        return True

    def has_title(self):
        return bool(self.title)


class Task(StateMachineModelMixin, models.Model):
    state_machine_name = "tests.django_project.shop.statemachines.PriorityMachine"
    state = StateField()


class Article(StateMachineModelMixin, models.Model):
    state_machine_name = "tests.django_project.shop.statemachines.EditorialMachine"
    state = StateField(protected=True)


class TicketStatus(models.Model):
    id = models.CharField(primary_key=True, max_length=10)
    label = models.CharField(max_length=30)


class Ticket(StateMachineModelMixin, models.Model):
    state_machine_name = "tests.django_project.shop.statemachines.TicketMachine"
    state_field_name = "status_id"
    status = StateForeignKey(TicketStatus, protected=True, default="open")


class Ladder(StateMachineModelMixin, models.Model):
    """Integer states 0..40 (see LadderMachine); the concurrency tests climb it."""

    state_machine_name = "tests.django_project.shop.statemachines.LadderMachine"
    state = StateField(protected=True)
    label = models.CharField(max_length=30, blank=True)


class OptimisticLadder(Ladder):
    statemachine_lock = "optimistic"

    class Meta:
        proxy = True


class PessimisticLadder(Ladder):
    statemachine_lock = "pessimistic"

    class Meta:
        proxy = True


class TransitionRecord(models.Model):
    """A log row per transition, written by tests' ``post_transition`` receivers."""

    model = models.CharField(max_length=50)
    object_pk = models.BigIntegerField()
    event = models.CharField(max_length=30)
    source = models.CharField(max_length=50)
    target = models.CharField(max_length=50)
    worker = models.CharField(max_length=30, blank=True)


class AsyncJob(StateMachineModelMixin, models.Model):
    state_machine_name = "tests.django_project.shop.statemachines.AsyncJobMachine"
    statemachine_atomic = True
    statemachine_permissions = {"requeue": "shop.requeue_job"}
    state = StateField()
    name = models.CharField(max_length=30, blank=True)
    announced = False

    class Meta:
        permissions = [("requeue_job", "Can requeue jobs")]


class PessimisticAsyncJob(AsyncJob):
    statemachine_lock = "pessimistic"

    class Meta:
        proxy = True


class OptimisticAsyncJob(AsyncJob):
    statemachine_lock = "optimistic"

    class Meta:
        proxy = True


class StrictAsyncJob(AsyncJob):
    state_machine_name = "tests.django_project.shop.statemachines.StrictAsyncJobMachine"

    class Meta:
        proxy = True


class Parcel(StateMachineModelMixin, models.Model):
    state_machine_name = "tests.django_project.shop.statemachines.ParcelMachine"
    statemachine_atomic = True
    state = StateField()


class Report(StateMachineModelMixin, models.Model):
    """A sync StateChart model (callback errors become error.execution events)."""

    state_machine_name = "tests.django_project.shop.statemachines.ReportMachine"
    statemachine_lock = "optimistic"
    state = StateField()
    title = models.CharField(max_length=30, blank=True)


class Invoice(StateMachineModelMixin, models.Model):
    """Durable timers (the timers app): reminders and expiry, saved atomically."""

    state_machine_name = "tests.django_project.shop.statemachines.InvoiceMachine"
    statemachine_atomic = True
    statemachine_permissions = {"waive": "shop.waive_invoice"}

    state = StateField()
    reminders = models.IntegerField(default=0)
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        permissions = [("waive_invoice", "Can waive invoices")]


class Reservation(StateMachineModelMixin, models.Model):
    """A declared timeout (``timeout(timedelta(hours=48), on="release")``) as a durable timer."""

    state_machine_name = "tests.django_project.shop.statemachines.ReservationMachine"
    statemachine_atomic = True

    state = StateField()


class MemoryInvoice(Invoice):
    """Opted out of durable timers: its delayed events stay in memory."""

    statemachine_timers = False

    class Meta:
        proxy = True


class LooseInvoice(Invoice):
    """No atomic saving: its callers save (the timers' worker saves what it fires)."""

    statemachine_atomic = False

    class Meta:
        proxy = True
