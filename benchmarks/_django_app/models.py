"""S17's models: ``Tracked`` carries a machine (``StateMachineModelMixin`` and a
``StateField``); ``Plain`` is the same table without it."""

from __future__ import annotations

from django.db import models

from statemachine.contrib.django import StateField, StateMachineModelMixin


class Plain(models.Model):
    title = models.CharField(max_length=50)
    state = models.CharField(max_length=50, default="draft")

    class Meta:
        app_label = "smbench"


class Tracked(StateMachineModelMixin, models.Model):
    state_machine_name = "benchmarks._django_app.statemachines.DocumentMachine"

    title = models.CharField(max_length=50)
    state = StateField()

    class Meta:
        app_label = "smbench"
