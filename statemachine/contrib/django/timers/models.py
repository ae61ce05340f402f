"""The timers table: :class:`Timer`, one row per durable delayed event of a model row."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

__all__ = ["Timer", "TimerQuerySet"]


class TimerQuerySet(models.QuerySet):
    """The timers' queries."""

    def for_object(self, obj: Any) -> Any:
        """The timers of ``obj`` (a model instance), oldest due first."""
        content_type = ContentType.objects.db_manager(self.db).get_for_model(obj)
        return self.filter(content_type=content_type, object_id=str(obj.pk))

    def pending(self) -> Any:
        return self.filter(status=Timer.PENDING)


class Timer(models.Model):
    """A delayed event of one row: sent to the row's machine when due, at most once, if still
    valid then.

    Attributes:
        key: the idempotency key, given to the task; a delivery of a timer that is no longer
            pending does nothing.
        content_type, object_id, content_object: the row (``object_id`` is ``str(pk)``).
        event: the event to send; ``args``/``kwargs``: its arguments (JSON).
        send_id: the id ``cancel_event()`` cancels it by.
        states: the ids of the states it belongs to; leaving any of them cancels it.
        run_as: the id of the user the event is sent ``by=`` (permissions are checked for
            that user), or None (no permission check).
        due_at: when it is due. ``created_at``, ``finished_at``: when it was scheduled and
            when it fired or was dropped.
        status: pending, fired, failed (the event raised), or dropped (cancelled, or no
            longer valid when due); ``outcome`` says what happened, in words.
        task_id: the id of the task the backend gave it, if any.
    """

    PENDING = "pending"
    FIRED = "fired"
    FAILED = "failed"
    DROPPED = "dropped"
    STATUSES = [(PENDING, "Pending"), (FIRED, "Fired"), (FAILED, "Failed"), (DROPPED, "Dropped")]

    key = models.UUIDField("idempotency key", default=uuid.uuid4, unique=True, editable=False)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name="content type"
    )
    object_id = models.CharField("object id", max_length=255)
    content_object = GenericForeignKey("content_type", "object_id")
    event = models.CharField("event", max_length=255)
    args = models.JSONField("arguments", default=list, blank=True)
    kwargs = models.JSONField("keyword arguments", default=dict, blank=True)
    send_id = models.CharField("send id", max_length=255, blank=True, db_index=True)
    states = models.JSONField("states", default=list, blank=True)
    run_as = models.CharField("run as user id", max_length=255, blank=True)
    due_at = models.DateTimeField("due at", db_index=True)
    created_at = models.DateTimeField("created at")
    finished_at = models.DateTimeField("finished at", null=True, blank=True)
    status = models.CharField(
        "status", max_length=10, choices=STATUSES, default=PENDING, db_index=True
    )
    outcome = models.TextField("outcome", blank=True)
    task_id = models.CharField("task id", max_length=255, blank=True)

    objects = TimerQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "status"])]
        verbose_name = "timer"
        verbose_name_plural = "timers"

    def __str__(self) -> str:
        due = f"{self.due_at:%Y-%m-%d %H:%M:%S}"
        return f"{self.content_type.model} {self.object_id}: {self.event} at {due} ({self.status})"
