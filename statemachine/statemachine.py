"""Public path for the machine classes (python-statemachine's documented import location)."""

from ._machine import StateChart, StateMachine, StateMachineMetaclass

__all__ = ["StateChart", "StateMachine", "StateMachineMetaclass"]
