"""The asyncio engine with a model, from async view-like coroutines (no
SynchronousOnlyOperation): ``async def`` callbacks, atomic saving in a real transaction
(rolled back with the instance's state on failure, callbacks' async ORM writes included),
optimistic and pessimistic locking, and the ``by=`` permission check."""

from __future__ import annotations

import asyncio

import django
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import Permission
from django.db import connections

from statemachine.contrib.django import ConcurrentTransition, TransitionPermissionDenied
from statemachine.contrib.django.signals import post_transition, pre_transition
from tests.django_project.shop.models import (
    AsyncJob,
    OptimisticAsyncJob,
    PessimisticAsyncJob,
    StrictAsyncJob,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Signal.asend, which the asyncio engine's signals need, is new in Django 5.0; on older
    # releases creating such a model raises (test_async_machines_need_django_5_on_older_ones).
    pytest.mark.skipif(django.VERSION < (5, 0), reason="async model machines need Django 5.0+"),
]


@pytest.fixture(autouse=True)
def _close_thread_connections():
    """Under asyncio.run() the ORM runs in asgiref's worker thread: close its connection
    after each test (the test database cannot be dropped while it is open)."""
    yield
    asyncio.run(sync_to_async(connections.close_all)())


def row(pk):
    return AsyncJob.objects.values("state", "name").get(pk=pk)


async def start_job_view(pk):
    """What an async view would do: load, send, answer; never touching the sync ORM."""
    job = await AsyncJob.objects.aget(pk=pk)
    await job.statemachine.start()
    return {"state": job.state, "announced": job.announced}


def test_an_async_view_sends_and_the_row_is_saved_with_asave():
    job = AsyncJob.objects.create(name="report")
    assert job.state == "queued"

    answer = async_to_sync(start_job_view)(job.pk)

    assert answer == {"state": "running", "announced": True}  # the async callback ran
    assert AsyncJob.objects.get(pk=job.pk).state == "running"  # saved without save()


def test_under_asyncio_run_the_whole_life():
    async def scenario():
        job = await AsyncJob.objects.acreate(name="nightly")
        await job.statemachine.start()
        await job.statemachine.finish()
        reloaded = await AsyncJob.objects.aget(pk=job.pk)
        return job, reloaded

    job, reloaded = asyncio.run(scenario())
    assert job.state == "done"
    assert reloaded.state == "done"
    assert reloaded.statemachine.is_terminated


def test_only_the_state_column_is_written():
    job = AsyncJob.objects.create(name="before")

    async def scenario():
        mine = await AsyncJob.objects.aget(pk=job.pk)
        mine.name = "changed in memory"
        await mine.statemachine.start()

    asyncio.run(scenario())
    row = AsyncJob.objects.get(pk=job.pk)
    assert (row.state, row.name) == ("running", "before")


def test_signals_in_the_async_path_reach_receivers_that_use_the_orm():
    """Sync receivers run in a thread (Signal.asend), so they may query: no
    SynchronousOnlyOperation, and every receiver is called."""
    job = AsyncJob.objects.create()
    seen = []

    def pre(sender, instance, event, **kwargs):
        seen.append(("pre", event, AsyncJob.objects.get(pk=instance.pk).state))

    def post(sender, instance, event, exception, **kwargs):
        AsyncJob.objects.filter(pk=instance.pk).update(name="noted by a receiver")
        seen.append(("post", event, exception))

    async def apost(sender, instance, event, **kwargs):
        seen.append(("async post", event, (await AsyncJob.objects.aget(pk=instance.pk)).state))

    pre_transition.connect(pre, sender=AsyncJob)
    post_transition.connect(post, sender=AsyncJob)
    post_transition.connect(apost, sender=AsyncJob)
    try:
        async_to_sync(start_job_view)(job.pk)
    finally:
        pre_transition.disconnect(pre, sender=AsyncJob)
        post_transition.disconnect(post, sender=AsyncJob)
        post_transition.disconnect(apost, sender=AsyncJob)
    assert seen[0] == ("pre", "start", "queued")
    # Django runs the sync and the async receivers of one send concurrently: any order.
    assert sorted(seen[1:], key=str) == [("async post", "start", "queued"), ("post", "start", None)]
    row = AsyncJob.objects.get(pk=job.pk)
    assert (row.state, row.name) == ("running", "noted by a receiver")


def test_an_event_without_transition_changes_nothing():
    """A StateChart ignores an event with no transition from the current state."""
    job = AsyncJob.objects.create()

    async def scenario():
        mine = await AsyncJob.objects.aget(pk=job.pk)
        mine.name = "unsaved"
        await mine.statemachine.finish()  # not from "queued"
        return mine

    mine = asyncio.run(scenario())
    assert mine.state == "queued"
    row = AsyncJob.objects.get(pk=job.pk)
    assert (row.state, row.name) == ("queued", "")


def test_a_caught_callback_error_is_listed_and_the_transition_saved():
    job = AsyncJob.objects.create(state="running")

    async def scenario():
        mine = await AsyncJob.objects.aget(pk=job.pk)
        await mine.statemachine.crash()
        return mine

    mine = asyncio.run(scenario())
    assert mine.state == "done"
    assert [str(e) for e in mine.statemachine_errors] == ["the report could not be written"]
    assert row(job.pk) == {"state": "done", "name": "side effect"}


def test_a_failed_event_rolls_back_the_callbacks_writes_and_the_instance():
    """The event runs inside a real transaction: the callback's ``aupdate()`` is undone."""
    job = AsyncJob.objects.create(state="running")

    async def scenario():
        mine = await AsyncJob.objects.aget(pk=job.pk)
        with pytest.raises(RuntimeError, match="could not be written"):
            await mine.send_event("crash", raise_errors=True)
        return mine

    mine = asyncio.run(scenario())
    assert mine.state == "running"
    assert mine.statemachine.running.is_active
    assert row(job.pk) == {"state": "running", "name": ""}


def test_a_failed_event_sends_post_transition_with_the_exception():
    job = AsyncJob.objects.create(state="running")
    seen = []

    def post(sender, instance, event, exception, **kwargs):
        seen.append((event, type(exception).__name__ if exception else None))

    post_transition.connect(post, sender=AsyncJob)
    try:

        async def scenario():
            mine = await AsyncJob.objects.aget(pk=job.pk)
            await mine.statemachine.crash()

        asyncio.run(scenario())
    finally:
        post_transition.disconnect(post, sender=AsyncJob)
    assert seen == [("crash", None)]  # the chart handled the error: the transition completed


def test_pessimistic_locking_rereads_the_row_first():
    job = PessimisticAsyncJob.objects.create()
    AsyncJob.objects.filter(pk=job.pk).update(state="running")  # behind the instance's back

    async def scenario():
        await job.statemachine.finish()  # from "running", as the row now says

    asyncio.run(scenario())
    assert job.state == "done"
    assert row(job.pk)["state"] == "done"


def test_optimistic_locking_refuses_a_stale_instance_and_restores_it():
    job = OptimisticAsyncJob.objects.create()
    AsyncJob.objects.filter(pk=job.pk).update(state="running", name="moved on")

    async def scenario():
        with pytest.raises(ConcurrentTransition, match="changed in the database"):
            await job.statemachine.start()

    asyncio.run(scenario())
    assert job.state == "queued"
    assert row(job.pk) == {"state": "running", "name": "moved on"}


def test_the_permission_of_by_is_checked_without_the_sync_orm_on_the_loop(django_user_model):
    """``user.has_perm()`` queries the database: it runs in a thread, not on the loop."""
    job = AsyncJob.objects.create(state="running")
    django_user_model.objects.create_user("clerk")
    boss = django_user_model.objects.create_user("boss")
    boss.user_permissions.add(Permission.objects.get(codename="requeue_job"))

    async def scenario(username):
        user = await django_user_model.objects.aget(username=username)
        mine = await AsyncJob.objects.aget(pk=job.pk)
        await mine.statemachine.requeue(by=user)
        return mine.state

    with pytest.raises(TransitionPermissionDenied, match=r"'shop\.requeue_job' is required"):
        asyncio.run(scenario("clerk"))
    assert row(job.pk)["state"] == "running"
    assert asyncio.run(scenario("boss")) == "queued"
    assert row(job.pk)["state"] == "queued"


def test_from_sync_code_the_event_runs_to_completion_in_the_callers_transaction():
    """No loop running: the send returns the result, not an awaitable, and its ORM work
    uses this thread's connection, so it joins (and rolls back with) the caller's
    transaction."""
    from django.db import transaction

    job = AsyncJob.objects.create(state="running")
    with transaction.atomic():
        assert job.statemachine.finish() is None  # the event's result, not a coroutine
        assert row(job.pk)["state"] == "done"  # visible inside the transaction
        transaction.set_rollback(True)
    assert row(job.pk)["state"] == "running"


def test_signals_do_not_change_the_events_result():
    job = AsyncJob.objects.create()

    async def scenario():
        mine = await AsyncJob.objects.aget(pk=job.pk)
        return await mine.statemachine.send("start")

    assert asyncio.run(scenario()) is None  # `announce` returns None; receivers' [] are dropped


def test_without_atomic_saving_the_event_only_changes_the_instance():
    job = AsyncJob.objects.create()

    async def scenario():
        mine = await AsyncJob.objects.aget(pk=job.pk)
        await mine.send_event("start", atomic=False)
        return mine

    mine = asyncio.run(scenario())
    assert (mine.state, mine.announced) == ("running", True)
    assert row(job.pk)["state"] == "queued"  # saving is the caller's job then


@pytest.mark.parametrize("atomic", [True, False])
def test_an_error_raised_by_a_callback_is_signalled_and_reaches_the_caller(atomic):
    job = StrictAsyncJob.objects.create(state="running")
    seen = []

    async def post(sender, instance, event, exception, **kwargs):
        seen.append((event, type(exception).__name__))

    post_transition.connect(post, sender=StrictAsyncJob)
    try:

        async def scenario():
            mine = await StrictAsyncJob.objects.aget(pk=job.pk)
            with pytest.raises(RuntimeError, match="could not be written"):
                await mine.send_event("crash", atomic=atomic)
            return mine

        mine = asyncio.run(scenario())
    finally:
        post_transition.disconnect(post, sender=StrictAsyncJob)
    assert seen == [("crash", "RuntimeError")]
    assert mine.state == "running"
    # Atomic saving rolls the callback's write back; without it, the write stands.
    assert row(job.pk) == {"state": "running", "name": "" if atomic else "side effect"}


def test_the_audit_log_is_written_in_the_events_transaction(django_user_model):
    """The audit app's receiver is sync: asend() runs it in the transaction's thread, so its
    row commits with a transition and rolls back with a failed one."""
    from statemachine.contrib.django.audit.models import TransitionLog

    job = AsyncJob.objects.create(state="running")
    django_user_model.objects.create_user("clerk")

    async def scenario():
        user = await django_user_model.objects.aget(username="clerk")
        mine = await AsyncJob.objects.aget(pk=job.pk)
        with pytest.raises(RuntimeError):
            await mine.send_event("crash", raise_errors=True, by=user)
        await mine.statemachine.finish(by=user)

    asyncio.run(scenario())
    rows = TransitionLog.objects.for_object(job)
    assert [(r.event, r.source, r.target, r.user.username) for r in rows] == [
        ("finish", "running", "done", "clerk")
    ]
