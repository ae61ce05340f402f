"""The seed's machine, verbatim below the imports; autodiscovered on startup."""

from statemachine import State, StateMachine


# fmt: off
class CampaignMachineWithKeys(StateMachine):
    draft = State('Draft', initial=True, value=1)
    producing = State('Being produced', value=2)
    closed = State('Closed', value=3)
    cancelled = State('Cancelled', value=4)
    add_job = draft.to.itself() | producing.to.itself()
    produce = draft.to(producing)
    deliver = producing.to(closed)
    cancel = cancelled.from_(draft, producing)
# fmt: on
