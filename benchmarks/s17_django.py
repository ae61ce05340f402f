"""S17: Django rows with a state machine, against the same rows without one.

Two models with the same table (``_django_app.models``): ``Tracked`` uses
``StateMachineModelMixin`` with a ``StateField``, ``Plain`` a ``CharField``. 10,000 rows of each
live in an in-memory SQLite database.

- ``load``: ``list(Model.objects.all())`` for each model, timed alternately (best of 15
  single loads each, after 2 warm-ups). A row only listed never builds its machine.
- ``send``: each loaded ``Tracked`` row sends ``publish`` through its machine, then saves its
  state (``save(update_fields=["state"])``), inside one transaction; against ``Plain`` rows
  whose state is set by hand and saved the same way, plus the per-event cost of S1's flat
  dispatch (timed in this process). Between repeats the rows go back to ``draft`` and are
  loaded again, outside the timed calls (best of 5 after 1 warm-up).
"""

from __future__ import annotations

from typing import Any

from ._timing import once_ns, per_op_ns, run_variant

ROWS = 10_000
REPEATS = 15  # loads
WARMUP = 2
SEND_REPEATS = 5  # each takes a second or two: 10,000 saves


def _setup_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            INSTALLED_APPS=[
                "django.contrib.contenttypes",
                "django.contrib.auth",
                "statemachine.contrib.django",
                "benchmarks._django_app",
            ],
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            USE_TZ=True,
        )
    django.setup()


def _create_tables() -> tuple[Any, Any]:
    from django.db import connection

    from ._django_app.models import Plain, Tracked

    with connection.schema_editor() as editor:
        editor.create_model(Plain)
        editor.create_model(Tracked)
    Plain.objects.bulk_create(Plain(title=f"p{i}") for i in range(ROWS))
    Tracked.objects.bulk_create(Tracked(title=f"t{i}", state="draft") for i in range(ROWS))
    return Plain, Tracked


def _load_rows(plain: Any, tracked: Any) -> dict[str, Any]:
    """Both loads, repeats alternating: each figure is the best single ``list(qs)``."""
    samples: dict[str, list[int]] = {"plain": [], "tracked": []}
    for i in range(WARMUP + REPEATS):
        for key, model in (("plain", plain), ("tracked", tracked)):
            result = once_ns(lambda m=model: list(m.objects.all()), repeats=1, warmup=0)
            if i >= WARMUP:
                samples[key].append(result["best"])
    rows = list(tracked.objects.all())
    assert len(rows) == ROWS
    assert "statemachine" not in rows[0].__dict__, "listing a row must not build its machine"
    return {key: {"best": min(v), "median": sorted(v)[len(v) // 2]} for key, v in samples.items()}


def _send_rows(plain: Any, tracked: Any) -> dict[str, Any]:
    from django.db import transaction

    def publish_tracked(rows: list[Any]) -> None:
        with transaction.atomic():
            for row in rows:
                row.statemachine.send("publish")
                row.save(update_fields=["state"])

    def publish_plain(rows: list[Any]) -> None:
        with transaction.atomic():
            for row in rows:
                row.state = "published"
                row.save(update_fields=["state"])

    samples: dict[str, list[int]] = {"plain": [], "tracked": []}
    for i in range(1 + SEND_REPEATS):
        for key, model, publish in (
            ("plain", plain, publish_plain),
            ("tracked", tracked, publish_tracked),
        ):
            model.objects.update(state="draft")
            rows = list(model.objects.all())
            result = once_ns(lambda r=rows, p=publish: p(r), repeats=1, warmup=0)
            assert model.objects.filter(state="published").count() == ROWS
            if i >= 1:
                samples[key].append(result["best"])
    return {key: {"best": min(v), "median": sorted(v)[len(v) // 2]} for key, v in samples.items()}


def ours() -> dict[str, Any]:
    _setup_django()
    plain, tracked = _create_tables()
    from ._machines import TrafficLight

    flat = per_op_ns("send('cycle')", {"send": TrafficLight().send})
    return {"load": _load_rows(plain, tracked), "send": _send_rows(plain, tracked), "flat": flat}


if __name__ == "__main__":
    run_variant({"ours": ours})
