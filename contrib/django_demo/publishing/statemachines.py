"""The editorial workflow of an article.

``statemachine.contrib.django`` imports this module on startup (it autodiscovers every app's
``statemachines.py``), so ``Article.state_machine_name`` finds the class in the registry.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from statemachine import State, StateMachine
from statemachine.contrib.timeout import timeout

#: How long an article stays published before it is archived by itself.
ARCHIVE_AFTER = timedelta(seconds=getattr(settings, "DEMO_ARCHIVE_AFTER_SECONDS", 3))


class ArticleWorkflow(StateMachine):
    """Draft -> in review -> published, or rejected and back to draft; any settled article
    can be archived, and a published one is archived by itself ARCHIVE_AFTER later."""

    draft = State("Draft", initial=True)
    in_review = State("In review")
    # With the timers app installed, entering `published` writes a durable timer (a Timer
    # row) that sends `archive` when due; leaving `published` first drops it.
    published = State("Published", invoke=timeout(ARCHIVE_AFTER, on="archive"))
    rejected = State("Rejected")
    archived = State("Archived", final=True)

    # An article needs a title and a body before anyone reviews it (Article.is_complete).
    submit = draft.to(in_review, cond="is_complete")
    publish = in_review.to(published)
    reject = in_review.to(rejected)
    revise = rejected.to(draft)
    archive = archived.from_(draft, published, rejected)

    def on_enter_published(self) -> None:
        # Runs inside the transition's transaction (Article.statemachine_atomic), so this
        # write is rolled back together with the state if anything later fails.
        self.model.published_at = timezone.now()
        self.model.save(update_fields=["published_at"])
