"""S5: traced memory per instance (default model), 3 and 50 states, 2000 instances kept alive."""

from __future__ import annotations

from typing import Any

from ._timing import bytes_per_instance, run_variant


def ours() -> dict[str, Any]:
    from ._machines import TrafficLight, big_namespace, define

    big = define("Big50", big_namespace(50))
    return {"mem3": bytes_per_instance(TrafficLight), "mem50": bytes_per_instance(big)}


def baseline() -> dict[str, Any]:
    from ._baseline import TrafficLight

    return {"mem3": bytes_per_instance(TrafficLight)}


if __name__ == "__main__":
    run_variant({"ours": ours, "baseline": baseline})
