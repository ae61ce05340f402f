"""An audit log of transitions: add ``"statemachine.contrib.django.audit"`` to
``INSTALLED_APPS`` (with ``django.contrib.contenttypes`` and ``django.contrib.auth``) and run
``migrate``.

Every successful transition of a :class:`~statemachine.contrib.django.StateMachineModelMixin`
model is then written as a :class:`~statemachine.contrib.django.audit.models.TransitionLog`
row: the object (a generic relation), the event, the source and target state ids, the user
(the event's ``by=`` keyword, when it is a user) and a description (the event's
``description=`` keyword)::

    order.statemachine.send("ship", by=request.user, description="two parcels")
    TransitionLog.objects.for_object(order)        # its history, oldest first

The row is written by a ``post_transition`` receiver, on the database of the instance and
inside the transaction of the transition: with ``statemachine_atomic`` (or locking) a
transition that fails after the row was written rolls the row back with the state. Without
atomic saving the row is written at once (in autocommit, or in your own ``atomic()`` block).
Refused transitions and transitions whose callbacks raise write nothing, and neither does a
transition of an unsaved instance (it has no primary key to point at). A state forced by
``repair_state()`` (the admin's repair form) is written too, as a row of ``kind="repair"``.

``STATEMACHINE_AUDIT_IGNORED_MODELS = ["app_label.Model", ...]`` skips models (ignoring a
concrete model also ignores its proxies; labels are case-insensitive, and a system check
warns about a label that names no installed model).

:mod:`.admin` registers a read-only admin for the log and offers
:class:`~statemachine.contrib.django.audit.admin.TransitionLogInline` for the audited models'
admins.
"""
