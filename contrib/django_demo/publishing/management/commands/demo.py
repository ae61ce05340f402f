"""``python manage.py demo``: the publishing workflow, scripted.

It migrates the database, replaces the demo's sample data (users and articles) with fresh
ones, so it can run any number of times, walks two articles through the workflow, printing
every transition as it happens, shows what is refused and why, lets a durable timer archive a
third article a few seconds after it is published, prints the audit log and draws the
machine. Drawing is optional: without Graphviz's ``dot`` program (or pydot) the demo prints a
one-line warning, skips the diagram and still succeeds.
"""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from publishing.models import Article
from statemachine.contrib.django import ProtectedStateError, TransitionPermissionDenied
from statemachine.contrib.django.audit.models import TransitionLog
from statemachine.contrib.django.signals import post_transition
from statemachine.contrib.django.timers.models import Timer
from statemachine.exceptions import TransitionNotAllowed

USERS = ("alice", "erin", "admin")


class Command(BaseCommand):
    help = "Reset the sample data and run the publishing workflow demo."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--diagram",
            default=str(Path(settings.BASE_DIR) / "article.svg"),
            help="where to write the diagram of the workflow (default: article.svg here)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.section("Database")
        call_command("migrate", interactive=False, verbosity=0)
        self.say(f"migrated {settings.DATABASES['default']['NAME']}")

        self.section("Sample data")
        self.reset()
        alice, erin = self.create_users()

        post_transition.connect(self.print_transition, sender=Article, dispatch_uid="demo")
        try:
            self.happy_path(alice, erin)
            self.refusals(alice, erin)
            self.auto_archive(alice, erin)
        finally:
            post_transition.disconnect(sender=Article, dispatch_uid="demo")

        self.print_audit_log()
        self.draw(Path(options["diagram"]))

        self.section("Admin")
        self.say("python manage.py runserver, then open http://127.0.0.1:8000/admin/")
        self.say("and log in as admin / admin (alice / alice and erin / erin work too).")
        self.say("An article's page lists its timers; publish one there, then fire its timer")
        self.say("when due with: python manage.py statemachine_timers --run-due")

    # --- output --------------------------------------------------------------------------
    def section(self, title: str) -> None:
        self.stdout.write(f"\n== {title}")

    def say(self, text: str) -> None:
        self.stdout.write(f"  {text}")

    def print_transition(self, sender: Any, instance: Article, **kwargs: Any) -> None:
        """A post_transition receiver: one line per transition, while it happens."""
        if kwargs.get("exception") is not None:
            return
        by = kwargs["kwargs"].get("by")
        self.say(
            f"{instance.title!r}: {kwargs['event']}: {kwargs['source'].id} -> "
            f"{kwargs['target'].id} (by {by or 'nobody'})"
        )

    def run_command(self, *args: str) -> None:
        """Run another management command, its output indented under the demo's."""
        out = io.StringIO()
        call_command(*args, stdout=out)
        for line in out.getvalue().splitlines():
            self.say(f"  {line}")

    # --- data ----------------------------------------------------------------------------
    def reset(self) -> None:
        for article in Article.objects.all():
            TransitionLog.objects.for_object(article).delete()
            Timer.objects.for_object(article).delete()
            article.delete()
        User.objects.filter(username__in=USERS).delete()
        self.say(
            "removed the previous run's articles, their audit log and timers, and the demo users"
        )

    def create_users(self) -> tuple[User, User]:
        alice = User.objects.create_user("alice", password="alice", is_staff=True)
        erin = User.objects.create_user("erin", password="erin", is_staff=True)
        User.objects.create_superuser("admin", password="admin")
        editors, _ = Group.objects.get_or_create(name="Editors")
        editors.permissions.set(
            [
                Permission.objects.get(
                    codename="publish_article", content_type__app_label="publishing"
                )
            ]
        )
        erin.groups.add(editors)
        # Authors may add and change articles in the admin; only editors publish.
        authors, _ = Group.objects.get_or_create(name="Authors")
        authors.permissions.set(
            Permission.objects.filter(
                content_type__app_label="publishing",
                codename__in=["add_article", "change_article", "view_article"],
            )
        )
        # Everyone may read the audit log and the timers (the inlines on the article's page).
        authors.permissions.add(
            Permission.objects.get(codename="view_transitionlog"),
            Permission.objects.get(codename="view_timer"),
        )
        alice.groups.add(authors)
        erin.groups.add(authors)
        self.say("users: alice (author), erin (editor: publishing.publish_article), admin")
        return alice, erin

    # --- the workflow --------------------------------------------------------------------
    def happy_path(self, alice: User, erin: User) -> None:
        self.section("An article from draft to archive")
        article = Article.objects.create(
            title="State machines in Django",
            body="Keep the workflow in one class, and let the model store the state.",
            author=alice,
        )
        self.say(f"created {article.title!r} in state {article.state!r}")
        article.send_event("submit", by=alice)
        editor_events = [e.id for e in article.available_events(erin)]
        author_events = [e.id for e in article.available_events(alice)]
        self.say(f"erin may now send {editor_events}; alice may send {author_events}")
        article.send_event("publish", by=erin, description="Ready for the front page")
        article.refresh_from_db()
        self.say(
            f"stored state: {article.state!r}, published at {article.published_at:%Y-%m-%d %H:%M}"
        )
        article.send_event("archive", by=alice, description="Superseded by a newer post")

    def refusals(self, alice: User, erin: User) -> None:
        self.section("What is refused, and why")
        article = Article.objects.create(title="Untitled thoughts", author=alice)
        self.say(f"created {article.title!r} without a body")
        for refusal in article.why_not("submit", alice):
            self.say(f"why not submit? {refusal}")
        try:
            article.send_event("submit", by=alice)
        except TransitionNotAllowed as err:
            self.say(f"submit refused: {err}")

        try:
            article.state = "published"
        except ProtectedStateError:
            self.say("article.state = 'published' refused: the field is protected")

        article.body = "A first paragraph, at last."
        article.save()
        article.send_event("submit", by=alice)

        for refusal in article.why_not("publish", alice):
            self.say(f"why not publish (alice)? {refusal}")
        try:
            article.send_event("publish", by=alice)
        except TransitionPermissionDenied as err:
            self.say(f"publish refused: {err}")

        article.send_event("reject", by=erin, description="Needs a conclusion")
        article.send_event("revise", by=alice)
        article.body += " And a conclusion."
        article.save()
        article.send_event("submit", by=alice)
        self.say(f"{article.title!r} waits in {article.state!r} for an editor (try the admin)")

    def auto_archive(self, alice: User, erin: User) -> None:
        self.section("Archived by itself: a durable timer")
        article = Article.objects.create(
            title="Timers in Django",
            body="A delayed event is a row of the database, fired by a task.",
            author=alice,
        )
        article.send_event("submit", by=alice)
        article.send_event("publish", by=erin)
        timer = Timer.objects.for_object(article).get(status=Timer.PENDING)
        self.say(f"entering 'published' scheduled a timer that sends {timer.event!r} when due;")
        self.say("python manage.py statemachine_timers lists the pending timers:")
        self.run_command("statemachine_timers", "--model", "publishing.Article")
        wait = max(0.0, (timer.due_at - timezone.now()).total_seconds())
        self.say(f"waiting {wait:.0f} s until it is due")
        time.sleep(wait)
        # A task worker would run it now; the demo's task backend runs nothing.
        self.say("statemachine_timers --run-due fires the due timers, as a worker would:")
        self.run_command("statemachine_timers", "--run-due")
        article.refresh_from_db()
        self.say(f"stored state: {article.state!r}")
        self.say("every article's timers (alice archived the first one before its timer):")
        self.run_command("statemachine_timers", "--status", "all", "--model", "publishing.Article")

    def print_audit_log(self) -> None:
        self.section("Audit log (TransitionLog)")
        for article in Article.objects.all():
            self.say(f"{article}:")
            for row in TransitionLog.objects.for_object(article):
                note = f" - {row.description}" if row.description else ""
                self.say(
                    f"  {row.timestamp:%H:%M:%S} {row.event}: {row.source} -> {row.target} "
                    f"by {row.user or 'nobody'}{note}"
                )

    def draw(self, path: Path) -> None:
        self.section("Diagram")
        if shutil.which("dot") is None:
            self.warn(
                "skipped the diagram: Graphviz's `dot` program is not on the PATH. Install "
                "Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
                "graphviz; others: https://graphviz.org/download/) and run the demo again."
            )
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # The same as `python manage.py graph_statemachines publishing.Article -o article.svg`.
        try:
            call_command("graph_statemachines", "publishing.Article", "-o", str(path), verbosity=0)
        except CommandError as err:  # pydot missing, say: the diagram is optional
            self.warn(f"skipped the diagram: {err}")
            return
        self.say(f"wrote {path}")

    def warn(self, text: str) -> None:
        self.stderr.write(f"warning: {text}", style_func=self.style.WARNING)
