"""Models written as django-fsm-2's README writes them, with only the import line changed."""

from django.db import models

from statemachine.contrib.django import StateField, StateMachineModelMixin
from statemachine.contrib.django.fsm import (
    GET_STATE,
    RETURN_VALUE,
    ConcurrentTransitionMixin,
    FSMField,
    FSMIntegerField,
    FSMKeyField,
    FSMModelMixin,
    transition,
)


def is_short(instance):
    return len(instance.title) <= 20


class BlogPost(FSMModelMixin, models.Model):
    title = models.CharField(max_length=50, default="")
    state = FSMField(default="new", protected=True)
    reviews = models.IntegerField(default=0)

    class Meta:
        permissions = [("can_remove_post", "Can remove posts")]

    def has_title(self):
        return bool(self.title)

    @transition(field=state, source="new", target="published", conditions=[has_title, is_short])
    def publish(self, **kwargs):
        return "published!"

    @transition(field="state", source=["published", "hidden"], target="hidden")
    def hide(self):
        pass

    @transition(field=state, source="*", target="removed", permission="fsm_blog.can_remove_post")
    def remove(self):
        pass

    @transition(field=state, source="+", target="new")
    def restore(self):
        pass

    @transition(field=state, source="new", target="published", on_error="failed")
    def publish_or_fail(self, fail=False):
        if fail:
            raise RuntimeError("the search index is down")

    @transition(field=state, source=["new", "published"], target=None, custom={"admin": False})
    def review(self):
        self.reviews += 1
        return self.reviews

    @transition(field=state, source="new", target=RETURN_VALUE("published", "hidden"))
    def decide(self, choice):
        return choice

    @transition(
        field=state,
        source="published",
        target=GET_STATE(
            lambda self, allowed: "new" if allowed else "hidden", states=["new", "hidden"]
        ),
        permission=lambda instance, user: user.is_staff,
        custom={"label": "Moderate", "admin": True},
    )
    def moderate(self, allowed):
        pass

    @transition(field=state, source="new", target=RETURN_VALUE())
    def relabel(self, label):
        return label

    @transition(field=state, source="new", target="scheduled")
    @transition(field=state, source="scheduled", target="published")
    def advance(self):
        pass

    @transition(field=state, source="new", target="scheduled")
    def schedule(self, at, delay=0, by=None, description=""):
        return (at, delay)

    @transition(
        field=state,
        source="*",
        target="new",
        custom={
            "label": "Rename",
            "help_text": "Give the post a new title",
            "form": "fsm_blog.forms.RenameForm",
        },
    )
    def rename(self, new_title, **kwargs):
        self.title = new_title


class SameProxyPost(BlogPost):
    """A proxy that adds no transition: it has its concrete model's machine."""

    class Meta:
        proxy = True


class ProxyPost(BlogPost):
    class Meta:
        proxy = True

    @transition(field="state", source="hidden", target="archived")
    def archive(self):
        pass


class Level:
    DRAFT = 10
    LIVE = 20


class Counter(models.Model):
    level = FSMIntegerField(default=Level.DRAFT)

    @transition(field=level, source=Level.DRAFT, target=Level.LIVE)
    def go_live(self):
        pass


class DbState(models.Model):
    id = models.CharField(primary_key=True, max_length=20)
    label = models.CharField(max_length=50)


class KeyedPost(FSMModelMixin, models.Model):
    state = FSMKeyField(DbState, default="new", protected=True)

    @transition(field=state, source="new", target="published")
    def publish(self):
        pass


class LockedPost(ConcurrentTransitionMixin, models.Model):
    state = FSMField(default="new")

    @transition(field=state, source="new", target="published")
    def publish(self):
        pass


class TwoFields(models.Model):
    state = FSMField(default="draft", state_choices=[("draft", "Draft"), ("done", "Done")])
    review = FSMField(default="pending")

    @transition(field=state, source="draft", target="done")
    def finish(self):
        pass

    @transition(field=review, source="pending", target="approved")
    def approve(self):
        pass


class NotFSM(models.Model):
    status = models.CharField(max_length=10, default="a")

    @transition(field="status", source="a", target="b")
    def step(self):
        pass


class Ticket(models.Model):
    """django-fsm's proxy switching: state_choices' third item is the model in that state."""

    state = FSMField(
        default="open",
        state_choices=[
            ("open", "Open", "Ticket"),
            ("closed", "Closed", "fsm_blog.ClosedTicket"),
            ("archived", "Archived"),  # no proxy: the instance stays what it is
        ],
    )

    @transition(field=state, source="open", target="closed")
    def close(self):
        pass

    @transition(field=state, source="closed", target="open")
    def reopen(self):
        pass

    @transition(field=state, source="closed", target="archived")
    def archive(self):
        pass


class ClosedTicket(Ticket):
    class Meta:
        proxy = True


class BadProxyTicket(models.Model):
    state = FSMField(default="open", state_choices=[("open", "Open", "BlogPost")])


class MovedPost(StateMachineModelMixin, models.Model):
    """BlogPost moved to a machine class (statemachines.PostWorkflow), step by step as
    docs/coming-from-django-fsm.md shows."""

    state_machine_name = "fsm_blog.statemachines.PostWorkflow"
    statemachine_permissions = {"remove": "fsm_blog.can_remove_post"}

    title = models.CharField(max_length=50, default="")
    state = StateField(protected=True)  # was FSMField(default="new", protected=True)
    reviews = models.IntegerField(default=0)

    def has_title(self):
        return bool(self.title)

    is_short = is_short  # a condition function becomes a method the machine finds

    def on_review(self):  # was the body of the @transition method review()
        self.reviews += 1
        return self.reviews


class AbstractReview(models.Model):
    """An abstract model with the field and a transition; its subclasses inherit both."""

    state = FSMField(default="draft")

    class Meta:
        abstract = True

    @transition(field=state, source="draft", target="submitted")
    def submit(self):
        pass

    @transition(field=state, source="submitted", target="accepted")
    def accept(self):
        pass


class PeerReview(AbstractReview):
    @transition(field="state", source="submitted", target="rejected")
    def reject(self):
        pass

    def accept(self):  # a plain method replaces the inherited transition
        return "accepting is done by the editor"
