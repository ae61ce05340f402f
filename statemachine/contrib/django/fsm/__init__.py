"""django-fsm's API on this library: change the import line, keep the models.

``from statemachine.contrib.django.fsm import FSMField, transition`` (instead of
``from django_fsm import ...``) gives the fields, the ``@transition`` decorator, the helpers
(``can_proceed``, ``has_transition_perm``, ``get_available_FIELD_transitions()``...), the
exceptions and the signals of django-fsm-2. Each model's ``@transition`` methods compile into a
``StateMachine`` of ours (:func:`machine_class`): the state changes are events of that machine,
so the audit log records them and the model has diagrams and ``why_not()``. See
``docs/coming-from-django-fsm.md``.
"""

from __future__ import annotations

from statemachine.contrib.django.mixins import ConcurrentTransition

from . import signals
from ._concurrency import ConcurrentTransitionMixin
from ._fields import FSMField, FSMFieldMixin, FSMIntegerField, FSMKeyField, FSMModelMixin
from ._transitions import (
    ANY_OTHER_STATE,
    ANY_STATE,
    GET_STATE,
    RETURN_VALUE,
    FSMMeta,
    InvalidResultState,
    State,
    Transition,
    TransitionNotAllowed,
    can_proceed,
    has_transition_perm,
    machine_class,
    machine_of,
    performed_by,
    transition,
)

__all__ = [
    "ANY_OTHER_STATE",
    "ANY_STATE",
    "GET_STATE",
    "RETURN_VALUE",
    "ConcurrentTransition",
    "ConcurrentTransitionMixin",
    "FSMField",
    "FSMFieldMixin",
    "FSMIntegerField",
    "FSMKeyField",
    "FSMMeta",
    "FSMModelMixin",
    "InvalidResultState",
    "State",
    "Transition",
    "TransitionNotAllowed",
    "can_proceed",
    "has_transition_perm",
    "machine_class",
    "machine_of",
    "performed_by",
    "signals",
    "transition",
]
