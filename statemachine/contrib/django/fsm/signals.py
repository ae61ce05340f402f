"""django-fsm's signals, sent by ``@transition`` methods (see ``statemachine.contrib.django.fsm``).

Both are sent with ``sender`` (the model class), ``instance``, ``name`` (the method's name),
``field`` (the state field), ``source``, ``target``, ``method_args`` and ``method_kwargs``;
``post_transition`` also with ``exception`` when the method raised and ``on_error`` set the
state. They are not this package's other signals
(``statemachine.contrib.django.signals``), which ``@transition`` methods send too, so that
the audit log records them.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["post_transition", "pre_transition"]

pre_transition = Signal()
post_transition = Signal()
