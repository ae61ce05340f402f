"""The django-fsm admin mixin (``statemachine.contrib.django.fsm.admin.FSMAdminMixin``) on the
fsm_blog models, through Django's test client, and ``manage.py graph_transitions``."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from fsm_blog.admin import BlogPostAdmin
from fsm_blog.models import BlogPost, TwoFields

from statemachine.contrib.django.audit.models import TransitionLog
from statemachine.contrib.django.fsm import Transition

pytestmark = pytest.mark.django_db

_LOG_PREFIX = "statemachine_audit-transitionlog-content_type-object_id"
# The change form's data for a post: its fields and the audit log inline's management form.
FORM = {
    "title": "Hi",
    "reviews": "0",
    f"{_LOG_PREFIX}-TOTAL_FORMS": "0",
    f"{_LOG_PREFIX}-INITIAL_FORMS": "0",
    f"{_LOG_PREFIX}-MIN_NUM_FORMS": "0",
    f"{_LOG_PREFIX}-MAX_NUM_FORMS": "0",
}


def change_url(obj):
    return reverse(f"admin:fsm_blog_{obj._meta.model_name}_change", args=(obj.pk,))


def transition_url(obj, name):
    return reverse(f"admin:fsm_blog_{obj._meta.model_name}_fsm_transition", args=(obj.pk, name))


def rows(response):
    """{field: [(transition, label, tooltip, has form)]} of the change page's buttons."""
    page = response.content.decode()
    found = {}
    for field, block in re.findall(
        r'<div class="submit-row fsm-transitions" data-field="([^"]+)">(.*?)</div>', page, re.S
    ):
        found[field] = [
            (name, label.strip(), title, tag == "a")
            for tag, name, title, label in re.findall(
                r'<(button|a) [^>]*?class="button fsm-transition"[^>]*?'
                r'(?:value|data-transition)="([^"]+)"[^>]*?title="([^"]*)"[^>]*>([^<]*)<',
                block,
            )
        ]
    return found


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def state_of(post):
    return BlogPost.objects.values_list("state", flat=True).get(pk=post.pk)


def press(client, post, name, **form):
    """Submit the change form with the button of transition ``name``."""
    return client.post(change_url(post), {**FORM, **form, "_fsm_transition_to": name}, follow=True)


@pytest.fixture
def editor(django_user_model):
    """Staff who may change posts but holds no transition permission."""
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    perms = Permission.objects.filter(
        content_type__app_label="fsm_blog", codename__in=["view_blogpost", "change_blogpost"]
    )
    user.user_permissions.add(*perms)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer(django_user_model):
    """Staff who may only view posts."""
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="fsm_blog", codename="view_blogpost")
    )
    client = Client()
    client.force_login(user)
    return client


# --- the change page ------------------------------------------------------------------------
def test_the_change_page_offers_the_transitions_the_user_may_run_now(admin_client):
    post = BlogPost.objects.create(title="Hi")
    response = admin_client.get(change_url(post))
    assert response.status_code == 200
    offered = rows(response)
    assert list(offered) == ["state"]
    names = [name for name, *_ in offered["state"]]
    # "review" has custom={"admin": False}; "moderate" and "hide" do not start from "new".
    assert names == [
        "publish",
        "remove",
        "publish_or_fail",
        "decide",
        "relabel",
        "advance",
        "schedule",
        "rename",
    ]
    rename = next(b for b in offered["state"] if b[0] == "rename")
    assert rename == ("rename", "Rename&hellip;", "Give the post a new title", True)
    assert f'href="{transition_url(post, "rename")}?_fsm_state=new"' in response.content.decode()
    decide = next(b for b in offered["state"] if b[0] == "decide")
    assert decide[3]  # fsm_forms gives it a form
    assert ("publish", "publish", "", False) in offered["state"]
    assert "Transition (state)" in response.content.decode()
    # The FSM field is read-only: not an input of the form.
    assert 'name="state"' not in response.content.decode()


def test_no_transition_is_offered_without_change_permission(viewer):
    client = viewer
    post = BlogPost.objects.create(title="Hi")
    page = client.get(change_url(post))
    assert page.status_code == 200
    assert rows(page) == {}
    response = press(client, post, "publish")
    assert response.status_code == 403
    assert state_of(post) == "new"


def test_a_transition_needing_a_permission_is_offered_only_to_who_has_it(editor):
    post = BlogPost.objects.create(title="Hi", state="published")
    names = [name for name, *_ in rows(editor.get(change_url(post)))["state"]]
    assert "remove" not in names  # permission="fsm_blog.can_remove_post"
    assert "moderate" in names  # permission=lambda instance, user: user.is_staff
    response = press(editor, post, "remove")
    assert messages_of(response) == [("error", "FSM transition 'remove' is not allowed.")]
    assert state_of(post) == "published"


def test_a_button_saves_the_form_then_runs_the_transition_and_saves_again(admin_client, admin_user):
    post = BlogPost.objects.create(title="Hi")
    response = press(admin_client, post, "publish", title="Edited")
    assert messages_of(response)[-1] == ("success", "FSM transition 'publish' succeeded.")
    post.refresh_from_db()
    assert (post.title, post.state) == ("Edited", "published")
    log = TransitionLog.objects.for_object(post).get()
    assert (log.event, log.source, log.target, log.user) == (
        "publish",
        "new",
        "published",
        admin_user,
    )
    entry = LogEntry.objects.filter(object_id=str(post.pk)).order_by("-pk").first()
    assert entry.get_change_message() == "Ran the transition 'publish'; state is now 'published'."


def test_a_transition_not_allowed_from_the_state_changes_nothing(admin_client):
    post = BlogPost.objects.create(title="Hi", state="removed")
    response = press(admin_client, post, "publish")
    assert ("error", "FSM transition 'publish' is not allowed.") in messages_of(response)
    assert state_of(post) == "removed"
    assert not TransitionLog.objects.for_object(post).exists()


def test_a_failing_condition_is_not_offered_nor_run(admin_client):
    post = BlogPost.objects.create(title="a title much too long to publish")
    names = [name for name, *_ in rows(admin_client.get(change_url(post)))["state"]]
    assert "publish" not in names
    press(admin_client, post, "publish", title="a title much too long to publish")
    assert state_of(post) == "new"


def test_a_method_that_raises_saves_only_its_on_error_state(admin_client):
    post = BlogPost.objects.create(title="Hi")

    def failing(self, fail=False):
        raise RuntimeError("the search index is down")

    original = BlogPost.publish_or_fail._fsm_meta.method
    BlogPost.publish_or_fail._fsm_meta.method = failing
    try:
        response = press(admin_client, post, "publish_or_fail")
    finally:
        BlogPost.publish_or_fail._fsm_meta.method = original
    assert (
        "error",
        "FSM transition 'publish_or_fail' failed: the search index is down.",
    ) in messages_of(response)
    assert state_of(post) == "failed"  # on_error="failed": saved
    assert not TransitionLog.objects.for_object(post).filter(target="published").exists()


def test_a_method_that_raises_without_on_error_saves_nothing_of_the_transition(admin_client):
    post = BlogPost.objects.create(title="Hi")
    response = press(admin_client, post, "decide")  # needs "choice": a TypeError
    [(_, text)] = [m for m in messages_of(response) if m[0] == "error"]
    assert text.startswith("FSM transition 'decide' failed:")
    assert "choice" in text
    assert state_of(post) == "new"


# --- transitions with a form ----------------------------------------------------------------
def test_a_transition_with_a_form_asks_for_it_first(admin_client):
    post = BlogPost.objects.create(title="Hi", state="published")
    response = admin_client.get(transition_url(post, "rename"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="new_title"' in page
    assert "Give the post a new title" in page
    assert state_of(post) == "published"


def test_a_form_page_of_a_state_that_changed_since_runs_nothing(admin_client):
    post = BlogPost.objects.create(title="Hi", state="published")
    page = admin_client.get(transition_url(post, "rename") + "?_fsm_state=published")
    assert 'name="_fsm_state" value="published"' in page.content.decode()
    BlogPost.objects.filter(pk=post.pk).update(state="hidden")  # someone else, meanwhile
    response = admin_client.post(
        transition_url(post, "rename"),
        {"new_title": "Renamed", "_fsm_state": "published"},
        follow=True,
    )
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "changed since the page was loaded: its state is now 'hidden'" in text
    post.refresh_from_db()
    assert (post.title, post.state) == ("Hi", "hidden")


def test_an_invalid_form_is_shown_again_and_nothing_runs(admin_client):
    post = BlogPost.objects.create(title="Hi", state="published")
    response = admin_client.post(transition_url(post, "rename"), {"new_title": ""})
    assert response.status_code == 200
    assert "Please correct the errors below." in response.content.decode()
    assert state_of(post) == "published"


def test_the_forms_data_are_the_methods_keyword_arguments(admin_client, admin_user):
    post = BlogPost.objects.create(title="Hi", state="published")
    response = admin_client.post(
        transition_url(post, "rename"),
        {"new_title": "Renamed", "description": "a better title"},
        follow=True,
    )
    assert messages_of(response)[-1] == ("success", "FSM transition 'rename' succeeded.")
    post.refresh_from_db()
    assert (post.title, post.state) == ("Renamed", "new")
    log = TransitionLog.objects.for_object(post).get()
    assert (log.event, log.user, log.description) == ("rename", admin_user, "a better title")


def test_fsm_forms_on_the_admin_gives_a_form_too(admin_client):
    post = BlogPost.objects.create(title="Hi")
    admin_client.post(transition_url(post, "decide"), {"choice": "hidden"}, follow=True)
    assert state_of(post) == "hidden"


def test_the_form_page_refuses_what_is_not_offered(admin_client, editor):
    post = BlogPost.objects.create(title="Hi", state="published")
    response = editor.get(transition_url(post, "remove"), follow=True)
    assert ("error", "FSM transition 'remove' is not allowed.") in messages_of(response)
    assert admin_client.put(transition_url(post, "rename")).status_code == 405
    missing = reverse("admin:fsm_blog_blogpost_fsm_transition", args=(999999, "rename"))
    assert admin_client.get(missing).status_code == 404


def test_a_transition_without_a_form_runs_from_its_url_on_post_only(admin_client):
    post = BlogPost.objects.create(title="Hi")
    assert admin_client.get(transition_url(post, "publish")).status_code == 405
    admin_client.post(transition_url(post, "publish"))
    assert state_of(post) == "published"


# --- options ----------------------------------------------------------------------------------
def test_force_permit_shows_only_transitions_marked_for_the_admin(admin_client, settings):
    settings.FSM_ADMIN_FORCE_PERMIT = True
    post = BlogPost.objects.create(title="Hi", state="published")
    assert [n for n, *_ in rows(admin_client.get(change_url(post)))["state"]] == ["moderate"]


def test_the_admin_attribute_overrides_the_setting():
    site = admin.AdminSite()
    hidden = type("Hidden", (BlogPostAdmin,), {"fsm_default_disallow_transition": False})
    model_admin = hidden(BlogPost, site)
    [publish, *_] = BlogPost().get_all_state_transitions()
    assert not model_admin.is_fsm_transition_visible(publish)
    shown = Transition(publish.method, "new", "published", None, [], None, {"admin": True})
    assert model_admin.is_fsm_transition_visible(shown)


def test_labels_and_help_texts_can_come_from_the_admin(admin_client):
    class Labelled(BlogPostAdmin):
        def get_fsm_label(self, transition):
            return transition.name.upper()

        def get_help_text(self, transition):
            return f"runs {transition.name}"

    site = admin.AdminSite()
    model_admin = Labelled(BlogPost, site)
    [publish] = [t for t in BlogPost().get_all_state_transitions() if t.name == "publish"]
    assert model_admin.get_fsm_label(publish) == "PUBLISH"
    assert model_admin.get_help_text(publish) == "runs publish"
    assert BlogPostAdmin(BlogPost, site).get_help_text(publish) is None


def test_every_fsm_field_is_managed_when_fsm_fields_is_empty(admin_client):
    item = TwoFields.objects.create()
    offered = rows(admin_client.get(change_url(item)))
    assert offered == {
        "state": [("finish", "finish", "", False)],
        "review": [("approve", "approve", "", False)],
    }
    admin_client.post(
        change_url(item),
        {"_fsm_transition_to": "approve"},
        follow=True,
    )
    item.refresh_from_db()
    assert (item.state, item.review) == ("draft", "approved")


def test_fsm_fields_naming_no_fsm_field_says_so():
    broken = type("Broken", (BlogPostAdmin,), {"fsm_fields": ["title"]})
    with pytest.raises(ImproperlyConfigured, match=r"names \['title'\], which is not"):
        broken(BlogPost, admin.AdminSite()).get_fsm_field_names()
    [error] = broken(BlogPost, admin.AdminSite()).check()
    assert error.id == "statemachine.E105"
    assert "its FSM fields: ['state']" in error.msg


def test_the_system_checks_find_admin_mistakes_at_startup(monkeypatch):
    site = admin.AdminSite()
    assert BlogPostAdmin(BlogPost, site).check() == []
    typo = type("Typo", (BlogPostAdmin,), {"fsm_forms": {"renmae": "fsm_blog.forms.RenameForm"}})
    [error] = typo(BlogPost, site).check()
    assert error.id == "statemachine.E106"
    assert "a form for 'renmae', which is not a transition" in error.msg
    gone = type("Gone", (BlogPostAdmin,), {"fsm_forms": {"rename": "nowhere.Form"}})
    [error] = gone(BlogPost, site).check()
    assert error.id == "statemachine.E107"
    assert "'nowhere.Form', which cannot be imported" in error.msg
    from django.apps import apps

    installed = apps.is_installed
    monkeypatch.setattr(
        apps, "is_installed", lambda name: name != "statemachine.contrib.django" and installed(name)
    )
    [error] = BlogPostAdmin(BlogPost, site).check()
    assert error.id == "statemachine.E104"
    assert "in place of 'django_fsm'" in error.hint


def test_a_form_path_that_cannot_be_imported_says_so():
    broken = type("Broken", (BlogPostAdmin,), {"fsm_forms": {"rename": "nowhere.Form"}})
    [rename] = [t for t in BlogPost().get_all_state_transitions() if t.name == "rename"]
    with pytest.raises(ImproperlyConfigured, match=r"'nowhere\.Form', which cannot be imported"):
        broken(BlogPost, admin.AdminSite()).get_fsm_transition_form(rename)


# --- graph_transitions ------------------------------------------------------------------------
def graph(*args):
    out = io.StringIO()
    call_command("graph_transitions", *args, stdout=out)
    return out.getvalue()


def test_graph_transitions_draws_the_fsm_models_of_an_app():
    text = graph("fsm_blog")
    labels = re.findall(r'subgraph cluster_m\d+ \{\s*label="([^"]+)"', text)
    assert labels[:3] == [
        "fsm_blog.BlogPost.state",
        "fsm_blog.ProxyPost.state",
        "fsm_blog.Counter.level",
    ]
    assert "fsm_blog.SameProxyPost.state" not in labels  # it draws what BlogPost draws
    assert {"fsm_blog.TwoFields.state", "fsm_blog.TwoFields.review"} <= set(labels)
    assert "fsm_blog.NotFSM.status" not in " ".join(labels)


def test_graph_transitions_excludes_transitions_and_picks_a_layout():
    full = graph("fsm_blog.BlogPost")
    assert "Publish" in full
    text = graph("-e", "publish,publish_or_fail", "-l", "neato", "fsm_blog.BlogPost")
    assert "layout=neato" in text
    assert "Publish" not in text
    assert "Hide" in text
    with pytest.raises(CommandError, match="--layout 'nope': not a Graphviz layout engine"):
        graph("-l", "nope", "fsm_blog.BlogPost")


def test_graph_transitions_writes_an_image(tmp_path):
    target = tmp_path / "blog.png"
    out = io.StringIO()
    call_command("graph_transitions", "-o", str(target), "fsm_blog.BlogPost.state", stdout=out)
    assert target.read_bytes().startswith(b"\x89PNG")
    assert "Wrote 1 diagram(s)" in out.getvalue()


def test_saving_the_change_form_without_a_button_saves_as_usual(admin_client):
    post = BlogPost.objects.create(title="Hi")
    response = admin_client.post(change_url(post), {**FORM, "title": "Edited"}, follow=True)
    assert response.status_code == 200
    post.refresh_from_db()
    assert (post.title, post.state) == ("Edited", "new")
    assert not TransitionLog.objects.for_object(post).exists()


def test_the_form_page_needs_the_change_permission(viewer):
    post = BlogPost.objects.create(title="Hi")
    assert viewer.get(transition_url(post, "rename")).status_code == 403
