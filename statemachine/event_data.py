"""Public path for EventData,TriggerData (documented import location)."""

from ._event_data import EventData, TriggerData

__all__ = ["EventData", "TriggerData"]
