"""The seed's model, verbatim below the imports."""

from django.db import models

from statemachine.mixins import MachineMixin


# fmt: off
class Campaign(models.Model, MachineMixin):
    state_machine_name = 'campaign.statemachines.CampaignMachineWithKeys'
    state_machine_attr = 'sm'
    state_field_name = 'step'
    name = models.CharField(max_length=30)
    step = models.IntegerField()
# fmt: on
