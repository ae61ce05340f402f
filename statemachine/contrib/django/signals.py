"""Django signals sent around each transition of a model's machine.

Both are sent with ``sender`` (the model class), ``instance``, ``event`` (the event id),
``source`` and ``target`` (:class:`~statemachine.State` objects), ``args`` and ``kwargs``
(what the event was sent with). ``post_transition`` also gets ``exception``: None after a
successful transition, the error when a callback of the transition raised. A transition that
is refused (no transition, a failing guard, a denied permission) sends nothing.

``pre_transition`` is sent once the transition is chosen, before its callbacks run;
``post_transition`` after the new state is set. With atomic saving both run inside the
transaction, so what a receiver writes is rolled back with a failed transition.

Both are model signals: ``sender`` may also be given as an ``"app_label.Model"`` string when
connecting, as for Django's own ``post_save``.

``state_repaired`` is sent by
:meth:`~statemachine.contrib.django.StateMachineModelMixin.repair_state` (and so by the admin's
repair form), once the forced state is saved: a repair, not a transition, so the transition
signals are not sent. It gets ``sender``, ``instance``, ``source`` (the raw value the field
held, which may be no state at all), ``target`` (the :class:`~statemachine.State` now stored),
``by`` (who repaired it, if given) and ``description``.
"""

from __future__ import annotations

from django.db.models.signals import ModelSignal

__all__ = ["post_transition", "pre_transition", "state_repaired"]

pre_transition = ModelSignal(use_caching=True)
post_transition = ModelSignal(use_caching=True)
state_repaired = ModelSignal(use_caching=True)
