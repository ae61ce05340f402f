"""django-fsm's API (``statemachine.contrib.django.fsm``) on models written as django-fsm-2's
README writes them (tests/django_project/fsm_blog), checked against its documented behaviour."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import transaction
from fsm_blog.models import (
    AbstractReview,
    BadProxyTicket,
    BlogPost,
    ClosedTicket,
    Counter,
    DbState,
    KeyedPost,
    Level,
    LockedPost,
    NotFSM,
    PeerReview,
    ProxyPost,
    Ticket,
    TwoFields,
)

from statemachine.contrib.django import signals as our_signals
from statemachine.contrib.django.audit.models import TransitionLog
from statemachine.contrib.django.fields import ProtectedStateError
from statemachine.contrib.django.fsm import (
    ConcurrentTransition,
    InvalidResultState,
    TransitionNotAllowed,
    can_proceed,
    has_transition_perm,
    machine_class,
    machine_of,
    signals,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    """What django-fsm's signals sent (without sender, signal and instance)."""
    got = []

    def pre(**kwargs):
        got.append(("pre", _plain(kwargs)))

    def post(**kwargs):
        got.append(("post", _plain(kwargs)))

    signals.pre_transition.connect(pre)
    signals.post_transition.connect(post)
    yield got
    signals.pre_transition.disconnect(pre)
    signals.post_transition.disconnect(post)


@pytest.fixture(params=["machine", "direct"])
def path(request):
    """Run a test both ways a call changes the state: as an event of the compiled machine
    (what happens when the machine signals have receivers: the audit log's here), and written
    directly (no receivers: nothing would see the event)."""
    if request.param == "machine":
        yield request.param
        return
    ours = (our_signals.pre_transition, our_signals.post_transition)
    saved = [signal.receivers for signal in ours]
    for signal in ours:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    try:
        yield request.param
    finally:
        for signal, receivers in zip(ours, saved, strict=True):
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


def _plain(kwargs):
    shown = {k: v for k, v in kwargs.items() if k not in ("signal", "sender", "instance")}
    shown["field"] = shown["field"].name
    return shown


def test_a_transition_changes_the_state_in_memory_and_returns_the_methods_value(received, path):
    post = BlogPost(title="Hello")
    assert post.publish(kind="news") == "published!"
    assert post.state == "published"
    assert post.pk is None  # saving is the caller's job, as in django-fsm
    sent = {
        "name": "publish",
        "field": "state",
        "source": "new",
        "target": "published",
        "method_args": (),
        "method_kwargs": {"kind": "news"},
    }
    assert received == [("pre", sent), ("post", sent)]


def test_a_method_that_cannot_run_from_here_raises_and_sends_nothing(received):
    post = BlogPost(title="Hello", state="hidden")
    with pytest.raises(TransitionNotAllowed) as caught:
        post.publish()
    assert str(caught.value).startswith("Can't switch from state 'hidden' using method 'publish'")
    assert caught.value.object is post
    assert caught.value.method is BlogPost.publish.__wrapped__
    assert post.state == "hidden"
    assert received == []


def test_conditions_are_checked_before_the_method_runs():
    post = BlogPost(title="")
    assert not can_proceed(post.publish)
    assert can_proceed(post.publish, check_conditions=False)
    with pytest.raises(TransitionNotAllowed, match="has_title returned false"):
        post.publish()
    post.title = "a title that is much too long to publish"
    with pytest.raises(TransitionNotAllowed, match="is_short returned false"):
        post.publish()
    assert post.state == "new"


def test_every_source_form(path):
    post = BlogPost(title="Hi")
    post.publish()
    post.hide()  # a list of sources
    post.hide()  # ...the target among them
    post.remove()  # "*"
    assert post.state == "removed"
    post.restore()  # "+": any state but the target
    assert post.state == "new"
    with pytest.raises(TransitionNotAllowed):
        post.restore()  # not from the target itself


def test_a_target_of_none_changes_nothing_but_runs_the_method(received, path):
    post = BlogPost(title="Hi")
    assert post.review() == 1
    assert post.state == "new"
    assert [r[1]["target"] for r in received] == [None, None]


def test_on_error_sets_that_state_and_the_exception_goes_on(received, path):
    post = BlogPost(title="Hi")
    with pytest.raises(RuntimeError, match="search index"):
        post.publish_or_fail(fail=True)
    assert post.state == "failed"
    kind, sent = received[-1]
    assert kind == "post"
    assert sent["target"] == "failed"
    assert isinstance(sent["exception"], RuntimeError)


def test_an_exception_without_on_error_leaves_the_state():
    post = BlogPost(title="Hi")
    with pytest.raises(TypeError):
        post.decide()  # missing argument
    assert post.state == "new"


def test_return_value_and_get_state_targets(path):
    post = BlogPost(title="Hi")
    assert post.decide("hidden") == "hidden"
    assert post.state == "hidden"
    other = BlogPost(title="Hi")
    with pytest.raises(InvalidResultState, match="'gone' is not one of the allowed states"):
        other.decide("gone")
    assert other.state == "new"
    third = BlogPost(title="Hi", state="published")
    third.moderate(allowed=False)
    assert third.state == "hidden"


def test_stacked_decorators_make_one_method_with_both_transitions(path):
    post = BlogPost(title="Hi")
    post.advance()
    assert post.state == "scheduled"
    post.advance()
    assert post.state == "published"


def test_a_protected_field_refuses_assignment_but_refresh_from_db_works():
    post = BlogPost.objects.create(title="Hi")
    with pytest.raises(ProtectedStateError):
        post.state = "published"
    assert isinstance(ProtectedStateError("x"), AttributeError)  # as django-fsm raises
    BlogPost.objects.filter(pk=post.pk).update(state="hidden")
    post.refresh_from_db()  # FSMModelMixin
    assert post.state == "hidden"
    assert BlogPost(state="published").state == "published"  # the constructor may set it


def test_permissions():
    user = User.objects.create_user("u")
    staff = User.objects.create_user("s", is_staff=True)
    post = BlogPost.objects.create(title="Hi", state="published")
    assert not has_transition_perm(post.remove, user)
    user.user_permissions.add(Permission.objects.get(codename="can_remove_post"))
    user = User.objects.get(pk=user.pk)  # permissions are cached per user object
    assert has_transition_perm(post.remove, user)
    assert not has_transition_perm(post.moderate, user)
    assert has_transition_perm(post.moderate, staff)
    assert not has_transition_perm(post.publish, staff)  # not from "published"


def test_the_model_helpers():
    post = BlogPost(title="Hi")
    assert {t.name for t in post.get_all_state_transitions()} >= {
        "publish",
        "hide",
        "remove",
        "restore",
        "moderate",
        "advance",
    }
    available = {t.name for t in post.get_available_state_transitions()}
    assert available == {
        "publish",
        "remove",
        "publish_or_fail",
        "review",
        "decide",
        "advance",
        "relabel",
        "schedule",
        "rename",
    }
    user = User.objects.create_user("u")
    assert "remove" not in {t.name for t in post.get_available_user_state_transitions(user)}
    moderate = next(t for t in post.get_all_state_transitions() if t.name == "moderate")
    assert moderate.custom == {"label": "Moderate", "admin": True}


def test_a_proxy_model_adds_its_transitions(path):
    post = ProxyPost(title="Hi", state="hidden")
    post.archive()
    assert post.state == "archived"
    assert "archive" in {t.name for t in post.get_all_state_transitions()}
    assert "archive" not in {t.name for t in BlogPost().get_all_state_transitions()}


def test_integer_and_key_fields(path):
    counter = Counter()
    counter.go_live()
    assert counter.level == Level.LIVE
    DbState.objects.create(id="new", label="New")
    DbState.objects.create(id="published", label="Published")
    keyed = KeyedPost.objects.create()
    assert keyed.state.label == "New"  # the related row, now cached on the instance
    keyed.publish()
    assert keyed.state_id == "published"
    assert keyed.state.label == "Published"  # the cached row went with the old state
    keyed.save()
    assert KeyedPost.objects.get(pk=keyed.pk).state.label == "Published"


def test_concurrent_transition_mixin_refuses_a_stale_save():
    post = LockedPost.objects.create()
    stale = LockedPost.objects.get(pk=post.pk)
    post.publish()
    post.save()
    stale.publish()
    with pytest.raises(ConcurrentTransition, match="changed in the database"):
        with transaction.atomic():
            stale.save()
    assert LockedPost.objects.get(pk=post.pk).state == "published"


def test_the_state_change_is_an_event_of_our_machine_so_the_audit_log_records_it():
    seen = []

    def receiver(**kwargs):
        seen.append((kwargs["event"], kwargs["source"].id, kwargs["target"].id))

    our_signals.post_transition.connect(receiver)
    try:
        post = BlogPost.objects.create(title="Hi")
        post.publish()
    finally:
        our_signals.post_transition.disconnect(receiver)
    assert seen == [("publish", "new", "published")]
    log = TransitionLog.objects.for_object(post).get()
    assert (log.event, log.source, log.target) == ("publish", "new", "published")


def test_the_compiled_machine_draws_and_explains():
    compiled = machine_class(BlogPost)
    assert {"new", "published", "hidden", "removed", "failed", "scheduled"} <= {
        s.value for s in compiled.states_map.values()
    }
    mermaid = format(compiled, "mermaid")
    assert "new --> published : Publish [has_title, is_short]" in mermaid
    assert "published --> hidden : Moderate [target is 'hidden']" in mermaid
    post = BlogPost(title="")
    machine = compiled(post, state_field="state")
    [refusal] = machine.why_not("publish")
    assert "has_title" in str(refusal)


def test_machine_of_an_instance_draws_its_state_and_explains_but_refuses_direct_events():
    post = BlogPost(title="")
    machine = machine_of(post)
    assert machine is machine_of(post, "state")  # made once per instance
    assert machine.current_state_value == "new"
    [refusal] = machine.why_not("publish")
    assert "has_title" in str(refusal)
    assert "publish" not in {e.id for e in machine.enabled_events()}
    post.title = "Hi"
    assert machine.why_not("publish") == []
    with pytest.raises(TransitionNotAllowed, match=r"BlogPost\.publish\(\) changes this state"):
        machine.send("publish")
    assert post.state == "new"
    post.publish()
    assert machine.current_state_value == "published"
    drawn = format(machine, "mermaid")
    assert "new --> published : Publish [has_title, is_short]" in drawn
    assert drawn.rstrip().endswith("published:::active")  # the current state, highlighted


def test_a_state_no_transition_or_choice_names_is_left_by_star_transitions_directly(path):
    post = BlogPost(title="Hi", state="imported-from-elsewhere")
    post.remove()  # "*": allowed from anything, as in django-fsm
    assert post.state == "removed"


def test_one_method_changes_one_field():
    from statemachine.contrib.django.fsm import transition

    with pytest.raises(TypeError, match="already a transition of 'state': one method changes"):

        @transition(field="review", source="a", target="b")
        @transition(field="state", source="a", target="b")
        def both(self):
            pass


def test_a_transition_of_a_field_that_is_not_an_fsm_field_says_so():
    with pytest.raises(TypeError, match="'status', which is not an FSMField"):
        NotFSM().step()


def test_machine_class_needs_the_field_when_there_are_several():
    with pytest.raises(
        ValueError, match=r"name one of them \(machine_class\(TwoFields, 'state'\)\)"
    ):
        machine_class(TwoFields)
    with pytest.raises(ValueError, match="has no FSMField"):
        machine_class(NotFSM)
    states = {s.value for s in machine_class(TwoFields, "state").states_map.values()}
    assert states == {"draft", "done"}  # the other field's states are not there
    item = TwoFields()
    item.finish()
    item.approve()
    assert (item.state, item.review) == ("done", "approved")


def test_helpers_refuse_a_plain_method_and_say_no_from_a_wrong_state():
    post = BlogPost(title="Hi", state="removed")
    assert not can_proceed(post.publish)
    with pytest.raises(TypeError, match="is not a @transition method"):
        can_proceed(post.has_title)
    [publish] = [t for t in post.get_all_state_transitions() if t.name == "publish"]
    assert repr(publish) == "Transition('publish', source='new', target='published')"
    assert publish.has_perm(post, None) is True  # no permission declared


def test_the_concurrency_mixin_remembers_what_refresh_from_db_read():
    post = LockedPost.objects.create()
    stale = LockedPost.objects.get(pk=post.pk)
    post.publish()
    post.save()
    stale.refresh_from_db()
    assert stale.state == "published"
    stale.save()  # the state it read is the one in the database: saved


def test_a_deferred_state_is_read_when_a_transition_needs_it(path):
    post = BlogPost.objects.create(title="Hi")
    deferred = BlogPost.objects.only("title").get(pk=post.pk)
    assert "state" not in deferred.__dict__
    deferred.publish()
    assert deferred.state == "published"


def test_a_return_value_without_states_may_return_any_state(path):
    post = BlogPost.objects.create(title="Hi")
    post.relabel("somewhere-new")  # a value no choice or transition names
    assert post.state == "somewhere-new"
    # Our machine has no such state: the value is written directly, so no event of ours
    # (no audit row), as a known difference says.
    assert not TransitionLog.objects.for_object(post).exists()
    assert not can_proceed(post.relabel)  # it runs from "new" only


def test_the_machine_is_built_only_when_something_would_see_its_event(path):
    post = BlogPost(title="Hi")
    post.publish()
    assert post.state == "published"
    built = "_fsm_machine_state" in post.__dict__
    assert built is (path == "machine")


def test_a_method_gets_its_engine_like_arguments_and_the_audit_log_reads_by():
    user = User.objects.create_user("editor")
    post = BlogPost.objects.create(title="Hi")
    # "at" and "delay" are the method's own arguments here, not a delayed event.
    assert post.schedule("tomorrow", delay=5, by=user, description="for the morning") == (
        "tomorrow",
        5,
    )
    assert post.state == "scheduled"
    log = TransitionLog.objects.for_object(post).get()
    assert (log.event, log.target, log.user, log.description) == (
        "schedule",
        "scheduled",
        user,
        "for the morning",
    )


def test_a_receiver_of_the_machine_signals_that_raises_stops_the_call():
    def receiver(**kwargs):
        raise LookupError("refused by a receiver")

    our_signals.pre_transition.connect(receiver)
    post = BlogPost(title="Hi")
    try:
        with pytest.raises(LookupError, match="refused by a receiver"):
            post.publish()
    finally:
        our_signals.pre_transition.disconnect(receiver)
    assert post.state == "new"


def test_state_choices_switch_the_instance_to_the_proxy_of_its_state(path):
    ticket = Ticket.objects.create()
    assert type(ticket) is Ticket
    ticket.close()
    assert type(ticket) is ClosedTicket
    ticket.save()
    assert type(Ticket.objects.get(pk=ticket.pk)) is ClosedTicket  # loaded
    assert type(Ticket(state="closed")) is ClosedTicket  # constructed
    ticket.reopen()  # a transition of the concrete model, still there on the proxy
    assert type(ticket) is Ticket
    assert Ticket._meta.get_field("state").choices == [
        ("open", "Open"),
        ("closed", "Closed"),
        ("archived", "Archived"),
    ]
    deferred = Ticket.objects.only("pk").get(pk=ticket.pk)
    assert type(deferred) is Ticket  # a deferred state is not read just to switch


def test_state_choices_naming_a_model_that_is_no_proxy_says_so():
    with pytest.raises(ValueError, match="'BlogPost', which is not a proxy of BadProxyTicket"):
        BadProxyTicket()


def test_migrations_see_plain_django_fields_and_the_public_mixin_paths():
    """A migration of these models needs neither django-fsm nor a private module of ours."""
    out = io.StringIO()
    call_command("makemigrations", "fsm_blog", dry_run=True, verbosity=3, stdout=out)
    written = out.getvalue()
    assert "FSMField" not in written
    assert "fsm._" not in written
    assert "bases=(statemachine.contrib.django.fsm.FSMModelMixin, models.Model)" in written
    assert "statemachine.contrib.django.fsm.ConcurrentTransitionMixin" in written
    name, path, _args, kwargs = BlogPost._meta.get_field("state").deconstruct()
    assert (name, path, kwargs) == (
        "state",
        "django.db.models.CharField",
        {"max_length": 50, "default": "new"},
    )
    assert Counter._meta.get_field("level").deconstruct()[1] == "django.db.models.IntegerField"
    assert KeyedPost._meta.get_field("state").deconstruct()[1] == "django.db.models.ForeignKey"


def test_an_abstract_models_field_and_transitions_are_inherited(path):
    review = PeerReview()
    assert {t.name for t in review.get_all_state_transitions()} == {"submit", "reject"}
    review.submit()
    assert review.accept() == "accepting is done by the editor"  # a plain method now
    assert review.state == "submitted"
    review.reject()
    assert review.state == "rejected"
    events = {e.id for e in machine_class(PeerReview).events}
    assert events == {"submit", "reject"}
    assert not hasattr(AbstractReview, "get_all_state_transitions")


def test_a_state_without_a_proxy_keeps_the_instance_class():
    ticket = Ticket(state="closed")
    assert type(ticket) is ClosedTicket
    ticket.archive()
    assert type(ticket) is ClosedTicket  # "archived" names no proxy
    field = Ticket._meta.get_field("state")
    with pytest.raises(ValueError, match=r"'nowhere\.Ticket', which is not a proxy of Ticket"):
        field._proxy_class("nowhere.Ticket", "closed")


def test_what_a_field_names_as_its_states():
    from statemachine.contrib.django.fsm import FSMField, FSMKeyField

    grouped = FSMField(default="z", choices=[("Open", [("a", "A"), ("b", "B")]), ("c", "C")])
    assert grouped.known_states() == ["a", "b", "c", "z"]
    assert FSMField(default=lambda: "a").known_states() == []  # a callable default is not read
    assert FSMKeyField(DbState).known_states() == []
    assert FSMKeyField(DbState, default="new").known_states() == ["new"]


def test_a_callable_default_leaves_the_first_state_initial():
    from statemachine.contrib.django.fsm._transitions import _compile

    field = Counter._meta.get_field("level")
    saved = field.default
    field.default = lambda: Level.DRAFT
    try:
        compiled = _compile(Counter, field)
    finally:
        field.default = saved
    assert compiled.initial_state.value == Level.DRAFT  # the first state named: a source
    assert repr(Counter.go_live._fsm_meta) == (
        "FSMMeta('go_live', [Transition('go_live', source=10, target=20)])"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"field": "state", "conditions": ["has_title"]},
            "the condition 'has_title' is not callable",
        ),
        ({"field": "state", "permission": 42}, "permission=42 is neither a permission name"),
        ({"field": "state", "custom": ["label"]}, r"custom=\['label'\] is not a dict"),
        ({"field": 3}, "field=3 is not an FSMField"),
    ],
)
def test_transition_arguments_are_checked_when_the_class_is_made(options, message):
    from django.db import models

    from statemachine.contrib.django.fsm import transition

    with pytest.raises(TypeError, match=rf"@transition on publish\(\): {message}"):

        @transition(source="new", target="published", **options)
        def publish(self):
            pass

    plain = models.CharField(max_length=10)
    with pytest.raises(TypeError, match="is not an FSMField, FSMIntegerField or FSMKeyField"):
        transition(field=plain, source="a", target="b")(lambda self: None)


def test_an_instance_with_its_machine_pickles_and_copies(path):
    import copy
    import pickle

    post = BlogPost.objects.create(title="Hi")
    post.publish()
    machine_of(post)  # kept in the instance
    for clone in (pickle.loads(pickle.dumps(post)), copy.deepcopy(post), copy.copy(post)):
        assert clone.state == "published"
        assert machine_of(clone) is not machine_of(post)  # made again, for the clone
        assert machine_of(clone).current_state_value == "published"
        clone.hide()
        assert (clone.state, post.state) == ("hidden", "published")


def test_stacked_decorators_may_give_the_field_by_name_and_as_an_object():
    from django.db import models
    from django.test.utils import isolate_apps

    from statemachine.contrib.django.fsm import FSMField, transition

    with isolate_apps("fsm_blog"):

        class Mixed(models.Model):
            state = FSMField(default="a")
            other = FSMField(default="x")

            class Meta:
                app_label = "fsm_blog"

            @transition(field="state", source="b", target="c")
            @transition(field=state, source="a", target="b")
            def step(self):
                pass

            @transition(field="state", source="a", target="b")
            @transition(field=other, source="x", target="y")
            def wrong(self):
                pass

        item = Mixed()
        item.step()
        item.step()
        assert item.state == "c"
        with pytest.raises(TypeError, match=r"wrong\(\) is already a transition of 'other'"):
            item.wrong()


def test_an_exact_source_wins_over_star_and_plus_in_the_machine_too(path):
    from django.db import models
    from django.test.utils import isolate_apps

    from statemachine.contrib.django.fsm import FSMField, transition

    with isolate_apps("fsm_blog"):

        class Layered(models.Model):
            state = FSMField(default="new")

            class Meta:
                app_label = "fsm_blog"

            @transition(field=state, source="+", target="reset")
            @transition(field=state, source="new", target="published")
            @transition(field=state, source="*", target="removed")  # declared first
            def act(self):
                pass

            @transition(field=state, source="+", target="new")
            @transition(field=state, source="published", target="hidden")
            def back(self):
                pass

        item = Layered()
        item.act()
        assert item.state == "published"  # the exact source, not "*"
        item.act()
        assert item.state == "removed"  # "*" (it wins over "+")
        item.back()
        assert item.state == "new"  # "+"
        machine = machine_class(Layered)
        from_new = [
            t.target.value for t in machine.states_map["new"].transitions if t.event == "act"
        ]
        assert from_new == ["published"]
        assert not [
            t for t in machine.states_map["removed"].transitions if "reset" in str(t.target)
        ]


def test_format_of_the_model_class_draws_its_machine():
    from django.db.models.base import ModelBase

    assert isinstance(BlogPost, ModelBase)  # still a Django model class
    assert format(BlogPost, "") == str(BlogPost)
    assert format(BlogPost, "mermaid") == format(machine_class(BlogPost), "mermaid")
    assert "new --> published : Publish [has_title, is_short]" in f"{BlogPost:mermaid}"
    assert "Archive" in format(ProxyPost, "mermaid")  # the proxy's own transitions
    assert "Submit" in format(PeerReview, "mermaid")  # inherited from an abstract model
    with pytest.raises(ValueError, match=r"name one of them \(machine_class\(TwoFields"):
        format(TwoFields, "mermaid")
    import pickle

    assert pickle.loads(pickle.dumps(BlogPost)) is BlogPost
