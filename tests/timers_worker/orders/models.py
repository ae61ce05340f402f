from django.db import models

from statemachine import State, StateChart
from statemachine.contrib.django import StateField, StateMachineModelMixin


class OrderMachine(StateChart):
    awaiting_payment = State(initial=True)
    paid = State(final=True)
    expired = State(final=True)

    pay = awaiting_payment.to(paid)
    expire = awaiting_payment.to(expired, on="count_firing")

    def count_firing(self):
        # In the event's transaction: a second firing would show as 2.
        type(self.model).objects.filter(pk=self.model.pk).update(firings=models.F("firings") + 1)


class Order(StateMachineModelMixin, models.Model):
    state_machine_name = "tests.timers_worker.orders.models.OrderMachine"
    statemachine_atomic = True

    state = StateField()
    firings = models.IntegerField(default=0)
