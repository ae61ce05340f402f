"""The seed's ``campaign`` app: its machine and model exactly as the seed documents them.

It is importable as the top-level package ``campaign`` (the settings put
``tests/django_project`` on ``sys.path``), so ``state_machine_name`` keeps the seed's dotted
path ``campaign.statemachines.CampaignMachineWithKeys``.
"""
