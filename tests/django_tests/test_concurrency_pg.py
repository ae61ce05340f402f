"""Real races on PostgreSQL: K worker threads, each with its own connection, send events to
the same rows at the same moment (a barrier releases them together).

* optimistic locking, one event per row: exactly one worker wins each row, every other one
  gets ConcurrentTransition and writes nothing;
* optimistic locking with retries, and pessimistic locking: K workers climbing one ladder
  (LadderMachine, rungs 0..40) M times each make exactly K*M climbs, no rung skipped or
  climbed twice, and the database agrees with the log the post_transition receiver kept.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connections

from statemachine.contrib.django import ConcurrentTransition
from statemachine.contrib.django.signals import post_transition
from statemachine.exceptions import TransitionNotAllowed
from tests.django_project.shop.models import (
    Ladder,
    OptimisticLadder,
    OptimisticOrder,
    Order,
    PessimisticLadder,
    PessimisticOrder,
    TransitionRecord,
)
from tests.django_project.shop.statemachines import LADDER_TOP

K = 8  # worker threads
ROWS = 6  # orders raced for in the one-event test
CLIMBS = LADDER_TOP // K  # climbs per worker: K * CLIMBS == LADDER_TOP == 40

pytestmark = pytest.mark.django_db(databases=["default", "postgres"], transaction=True)

_worker = threading.local()


@pytest.fixture
def transition_log():
    """A post_transition receiver writing one TransitionRecord per transition, in the
    instance's database and (atomic saving) inside the event's transaction."""

    def record(sender, instance, event, source, target, exception, **kwargs):
        if exception is not None:
            return
        TransitionRecord.objects.using(instance._state.db).create(
            model=sender.__name__,
            object_pk=instance.pk,
            event=event,
            source=str(source.value),
            target=str(target.value),
            worker=getattr(_worker, "name", "main"),
        )

    post_transition.connect(record, dispatch_uid="test_concurrency_pg")
    yield
    post_transition.disconnect(dispatch_uid="test_concurrency_pg")


def run_workers(target, *args):
    """Run ``target(name, barrier, *args)`` in K threads; returns their results (re-raising
    any worker's unexpected error)."""
    barrier = threading.Barrier(K, timeout=60)
    results: dict[str, object] = {}
    errors: list[BaseException] = []

    def main(name):
        _worker.name = name
        try:
            results[name] = target(name, barrier, *args)
        except BaseException as exc:  # reported below, with the worker's name
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=main, args=(f"w{i}",)) for i in range(K)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    if errors:
        raise errors[0]
    assert len(results) == K
    return results


@pytest.mark.skipif(
    settings.TEST_DB == "postgres",
    reason="needs two databases: `default` is PostgreSQL itself here (runs on the SQLite pass)",
)
def test_instances_loaded_from_postgres_save_there(postgres, transition_log):
    """The database an event saves to is the instance's (router.db_for_write honours
    ``instance._state.db``); nothing reaches ``default``."""
    order = PessimisticOrder(items=1, address="x")
    order.save(using=postgres)
    order.pay()
    loaded = OptimisticOrder.objects.using(postgres).get(pk=order.pk)
    assert loaded._state.db == postgres
    loaded.ship()
    assert Order.objects.using(postgres).get(pk=order.pk).state == "shipped"
    assert not Order.objects.using("default").exists()
    assert TransitionRecord.objects.using(postgres).count() == 2
    assert not TransitionRecord.objects.using("default").exists()
    deferred = OptimisticLadder.objects.using(postgres).defer("state")
    assert deferred.count() == 0
    ladder = Ladder(label="d")
    ladder.save(using=postgres)
    only = OptimisticLadder.objects.using(postgres).only("label").get(pk=ladder.pk)
    assert only.state == 0  # the deferred state is read from postgres, not from default
    only.statemachine.climb()
    assert Ladder.objects.using(postgres).get(pk=ladder.pk).state == 1


def test_optimistic_one_winner_per_row(postgres, transition_log):
    """K workers pay the same ROWS orders at once: exactly one wins each row."""
    pks = []
    for _ in range(ROWS):
        order = OptimisticOrder(items=1)
        order.save(using=postgres)
        pks.append(order.pk)

    def worker(name, barrier):
        orders = [OptimisticOrder.objects.using(postgres).get(pk=pk) for pk in pks]
        outcome = {}
        barrier.wait()
        for order in orders:
            try:
                order.pay()
                outcome[order.pk] = "won"
            except ConcurrentTransition:
                assert order.state == "created"  # restored: the instance wrote nothing
                outcome[order.pk] = "lost"
        return outcome

    results = run_workers(worker)

    winners = {pk: [w for w, out in results.items() if out[pk] == "won"] for pk in pks}
    losers = {pk: [w for w, out in results.items() if out[pk] == "lost"] for pk in pks}
    summary = f"K={K} workers, {ROWS} rows, {ROWS} transitions expected"
    assert all(len(w) == 1 for w in winners.values()), f"{summary}: {winners}"
    assert all(len(lost) == K - 1 for lost in losers.values()), f"{summary}: {losers}"

    states = dict(Order.objects.using(postgres).values_list("pk", "state"))
    assert states == dict.fromkeys(pks, "paid")
    log = list(TransitionRecord.objects.using(postgres).values_list("object_pk", "worker"))
    assert sorted(log) == sorted((pk, winners[pk][0]) for pk in pks), summary
    if settings.TEST_DB != "postgres":  # else `default` is this very database
        assert not TransitionRecord.objects.using("default").exists()


def _climber(retry_on_conflict):
    def worker(name, barrier, alias, model, pk):
        ladder = model.objects.using(alias).get(pk=pk)
        climbed, conflicts, stale = 0, 0, 0
        barrier.wait()
        while climbed < CLIMBS:
            before = ladder.state
            try:
                ladder.statemachine.climb()
            except ConcurrentTransition:
                if not retry_on_conflict:
                    raise
                conflicts += 1
                assert ladder.state == before  # nothing changed on the instance
                ladder.refresh_from_db()
                continue
            climbed += 1
            if ladder.state != before + 1:
                stale += 1  # climbed from a rung this instance had not seen
        return {"climbed": climbed, "conflicts": conflicts, "stale": stale}

    return worker


def check_ladder(postgres, pk, model_name, results):
    total = sum(r["climbed"] for r in results.values())
    summary = f"K={K} workers x {CLIMBS} climbs = {K * CLIMBS} transitions"
    assert total == K * CLIMBS == LADDER_TOP, summary
    row = Ladder.objects.using(postgres).get(pk=pk)
    assert row.state == LADDER_TOP, f"{summary}; the row is at {row.state}"
    assert row.statemachine.is_terminated

    log = list(
        TransitionRecord.objects.using(postgres)
        .filter(object_pk=pk)
        .values_list("model", "source", "target", "worker")
    )
    assert len(log) == LADDER_TOP, f"{summary}; logged {len(log)}"
    assert {m for m, *_ in log} == {model_name}
    sources = sorted(int(s) for _, s, _, _ in log)
    targets = sorted(int(t) for _, _, t, _ in log)
    assert sources == list(range(LADDER_TOP)), "a rung was climbed twice or skipped"
    assert targets == list(range(1, LADDER_TOP + 1))
    assert all(int(t) == int(s) + 1 for _, s, t, _ in log)
    per_worker = Counter(w for *_, w in log)
    assert per_worker == {name: r["climbed"] for name, r in results.items()}
    return total


def test_optimistic_climbs_with_retries(postgres, transition_log):
    """Losers get ConcurrentTransition, reload and retry: K*M climbs, none lost or doubled."""
    ladder = OptimisticLadder(label="optimistic")
    ladder.save(using=postgres)

    results = run_workers(_climber(retry_on_conflict=True), postgres, OptimisticLadder, ladder.pk)

    check_ladder(postgres, ladder.pk, "OptimisticLadder", results)
    conflicts = sum(r["conflicts"] for r in results.values())
    # Every worker starts at rung 0 in memory and only one climb can start there.
    assert conflicts >= K - 1, f"K={K}: only {conflicts} conflicts"
    assert all(r["stale"] == 0 for r in results.values())  # optimistic never climbs blind


def test_pessimistic_climbs_see_the_new_state(postgres, transition_log):
    """Each climb locks and re-reads the row: stale instances climb from the real rung,
    never fail, and together make exactly K*M climbs."""
    ladder = PessimisticLadder(label="pessimistic")
    ladder.save(using=postgres)

    results = run_workers(_climber(retry_on_conflict=False), postgres, PessimisticLadder, ladder.pk)

    check_ladder(postgres, ladder.pk, "PessimisticLadder", results)
    stale = sum(r["stale"] for r in results.values())
    # All start at rung 0 in memory; at most one climbs from there, the others saw the row.
    assert stale >= K - 1, f"K={K}: only {stale} climbs started from a re-read rung"


def test_pessimistic_losers_see_a_final_state(postgres, transition_log):
    """K workers cancel the same order at once: one cancels, the others re-read the row, find
    it cancelled (final) and are refused without writing."""
    order = PessimisticOrder(items=1)
    order.save(using=postgres)

    def worker(name, barrier):
        mine = PessimisticOrder.objects.using(postgres).get(pk=order.pk)
        barrier.wait()
        try:
            mine.cancel()
        except TransitionNotAllowed:
            assert mine.state == "cancelled"
            assert mine.statemachine.is_terminated
            return "refused"
        return "cancelled"

    results = run_workers(worker)
    assert sorted(results.values()) == ["cancelled"] + ["refused"] * (K - 1), f"K={K}"
    log = list(TransitionRecord.objects.using(postgres).values_list("event", "worker"))
    winner = next(w for w, r in results.items() if r == "cancelled")
    assert log == [("cancel", winner)]
    assert Order.objects.using(postgres).get(pk=order.pk).state == "cancelled"


def test_django_fsm_concurrent_transition_mixin_one_winner_per_row(postgres):
    """django-fsm's API (statemachine.contrib.django.fsm): K workers publish the same rows
    of a ConcurrentTransitionMixin model and save inside a transaction; exactly one save
    wins each row, the others raise ConcurrentTransition and roll back."""
    from django.db import transaction
    from fsm_blog.models import LockedPost

    pks = []
    for _ in range(ROWS):
        post = LockedPost()
        post.save(using=postgres)
        pks.append(post.pk)

    def worker(name, barrier):
        posts = [LockedPost.objects.using(postgres).get(pk=pk) for pk in pks]
        outcome = {}
        barrier.wait()
        for post in posts:
            try:
                with transaction.atomic(using=postgres):
                    post.publish()
                    post.save(using=postgres)
                outcome[post.pk] = "won"
            except ConcurrentTransition:
                outcome[post.pk] = "lost"
        return outcome

    results = run_workers(worker)
    for pk in pks:
        won = [w for w, out in results.items() if out[pk] == "won"]
        assert len(won) == 1, f"row {pk}: {won} won"
    states = set(LockedPost.objects.using(postgres).values_list("state", flat=True))
    assert states == {"published"}
