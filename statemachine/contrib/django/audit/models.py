"""The audit log: :class:`TransitionLog`, one row per successful transition."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

__all__ = ["TransitionLog", "TransitionLogQuerySet"]


class TransitionLogQuerySet(models.QuerySet):
    """The log's queries."""

    def for_object(self, obj: Any) -> Any:
        """The transitions of ``obj`` (any model instance; a proxy instance finds the rows of
        its concrete model), oldest first."""
        content_type = ContentType.objects.db_manager(self.db).get_for_model(obj)
        return self.filter(content_type=content_type, object_id=str(obj.pk))


class TransitionLog(models.Model):
    """One transition of one object, or one repair of its stored state.

    Attributes:
        content_type, object_id, content_object: the object (``object_id`` is ``str(pk)``).
        kind: ``"transition"``, or ``"repair"`` for a state forced by
            :meth:`~statemachine.contrib.django.StateMachineModelMixin.repair_state` (the
            admin's repair form), which has no event.
        event: the event id (empty for a repair, and for an eventless transition).
        source, target: the state ids before and after (for a repair, ``source`` is the raw
            value the field held, which was no state).
        user: who sent the event (its ``by=`` keyword), if it was a user.
        timestamp: when it happened.
        description: the event's ``description=`` keyword, if any.
    """

    TRANSITION = "transition"
    REPAIR = "repair"
    KINDS = [(TRANSITION, "Transition"), (REPAIR, "Repair")]

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name="content type"
    )
    object_id = models.CharField("object id", max_length=255)
    content_object = GenericForeignKey("content_type", "object_id")
    kind = models.CharField("kind", max_length=10, choices=KINDS, default=TRANSITION)
    event = models.CharField("event", max_length=255, blank=True)
    source = models.CharField("source state", max_length=255)
    target = models.CharField("target state", max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="user",
    )
    timestamp = models.DateTimeField("timestamp", default=timezone.now, db_index=True)
    description = models.TextField("description", blank=True)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        ordering = ["timestamp", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = "transition log entry"
        verbose_name_plural = "transition log entries"

    def __str__(self) -> str:
        who = f"{self.content_type.model} {self.object_id}"
        if self.kind == self.REPAIR:
            return f"{who}: {self.source} repaired to {self.target}"
        return f"{who}: {self.source} -{self.event}-> {self.target}"
