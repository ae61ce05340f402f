"""The asyncio engine with a model: an ``async def`` callback, atomic saving through
``asave()``, from an async view-like coroutine (no SynchronousOnlyOperation)."""

from __future__ import annotations

import asyncio

import django
import pytest
from asgiref.sync import async_to_sync

from statemachine.contrib.django.signals import post_transition, pre_transition
from tests.django_project.shop.models import AsyncJob

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Signal.asend, which the asyncio engine's signals need, is new in Django 5.0; on older
    # releases creating such a model raises (test_async_machines_need_django_5_on_older_ones).
    pytest.mark.skipif(django.VERSION < (5, 0), reason="async model machines need Django 5.0+"),
]


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
