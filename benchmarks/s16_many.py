"""S16: 10,000 machines, each on its own plain model object, each sent one event.

What a list view that loads rows and acts on each one pays: creating the machine on a model
that holds no state yet, then one ``send("cycle")``. Against the dict FSM doing the same. Each
batch is timed as one operation (best of several batches, see ``_timing.once_ns``); the
models are made beforehand, outside the timing, and checked after it.
"""

from __future__ import annotations

from typing import Any

from ._timing import once_ns, run_variant

INSTANCES = 10_000
REPEATS = 15
WARMUP = 2


class PlainModel:
    """A model object of the user's own: a plain class with a ``state`` attribute."""

    def __init__(self) -> None:
        self.state = None


def _batch(cls: Any) -> dict[str, Any]:
    batches: list[list[PlainModel]] = []

    # Fresh models for every batch, made here, outside the timed calls.
    pending = [[PlainModel() for _ in range(INSTANCES)] for _ in range(WARMUP + REPEATS)]

    def next_batch() -> None:
        models = pending.pop()
        batches.append(models)
        for model in models:
            cls(model).send("cycle")

    result = once_ns(next_batch, repeats=REPEATS, warmup=WARMUP)
    for models in batches:
        assert all(m.state == "yellow" for m in models), "every model must be at yellow"
    result["per_instance"] = result["best"] / INSTANCES
    return result


def ours() -> dict[str, Any]:
    from ._machines import TrafficLight

    return {"many": _batch(TrafficLight)}


def baseline() -> dict[str, Any]:
    from ._baseline import TrafficLight

    return {"many": _batch(TrafficLight)}


if __name__ == "__main__":
    run_variant({"ours": ours, "baseline": baseline})
