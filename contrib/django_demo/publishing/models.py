from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from statemachine.contrib.django import StateField, StateMachineModelMixin


def _may_archive(article: Article, user: Any) -> bool:
    """Authors archive their own articles; editors archive any."""
    return bool(user == article.author or user.has_perm("publishing.publish_article"))


class Article(StateMachineModelMixin, models.Model):
    state_machine_name = "publishing.statemachines.ArticleWorkflow"
    # Each event runs in a transaction that also saves the new state.
    statemachine_atomic = True
    # Events sent with `by=user` need these; the others are open to anyone.
    statemachine_permissions = {
        "publish": "publishing.publish_article",
        "reject": "publishing.publish_article",
        "archive": _may_archive,
    }

    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Choices, default and column come from ArticleWorkflow; only events change it.
    state = StateField(protected=True)

    class Meta:
        ordering = ["pk"]
        permissions = [("publish_article", "Can publish or reject articles")]

    def __str__(self) -> str:
        return self.title or f"Article #{self.pk}"

    def is_complete(self) -> bool:
        """The guard of `submit`."""
        return bool(self.title.strip() and self.body.strip())
