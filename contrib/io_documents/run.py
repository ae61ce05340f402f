"""A runnable demo: an order workflow loaded from documents (SCXML and YAML).

``order.scxml`` and ``order.yaml`` describe the same order: a cart, then payment and packing
at the same time (a parallel state), then shipping. Both invoke ``payment.scxml``, a second
document in this folder, to charge the order. This script loads each document with
``statemachine.io.load``, sends it the same events and prints the active states after each.

Run it from the repository root with ``python contrib/io_documents/run.py`` (the YAML document
needs PyYAML: ``pip install -e '.[yaml]'``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from statemachine.io import load

HERE = Path(__file__).resolve().parent
TIMEOUT = 5.0  # seconds to wait for what runs on its own (the payment, a delayed event)


def active(machine: Any) -> str:
    """The active states, in document order."""
    ids = {state.id for state in machine.configuration}
    return ", ".join(state_id for state_id in type(machine).states_map if state_id in ids)


def wait_until(condition: Callable[[], bool]) -> None:
    """Wait for the invoked payment or a delayed event: they run in the background."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the machine")
        time.sleep(0.01)


def run(document: str) -> bool:
    """Drive one order through its life; True if it ends completed."""
    order_class = load(HERE / document)
    order: Any = order_class()  # its states are attributes named by the document
    print(f"{document} ({order_class.__name__})")
    print(f"  start:               {active(order)}")

    order.send("checkout")  # refused by its guard: the cart is empty
    print(f"  checkout (empty):    {active(order)}")

    order.send("add", item="book", price=12)
    order.send("add", item="lamp", price=30)
    print(f"  add x2:              {active(order)}  (total {order.model.total})")

    order.send("pack")  # not in `processing` yet: nothing happens
    order.send("checkout")
    # The payment document runs as a child session; `paid` follows its done.invoke event.
    wait_until(lambda: order.paid.is_active)
    print(f"  checkout, paid:      {active(order)}  (receipt {order.model.receipt})")

    order.send("pack")  # allowed now: In('paid') holds
    print(f"  pack:                {active(order)}")
    # `boxed` is a delayed event (100 ms); then both regions are final, and the order ships.
    wait_until(lambda: order.in_transit.is_active)
    print(f"  boxed, shipping:     {active(order)}")

    order.send("deliver")
    print(f"  deliver:             {active(order)}  (terminated: {order.is_terminated})")
    print(f"  heard from payment:  {order.model.heard}")
    return bool(order.completed.is_active and order.is_terminated)


def run_refused(document: str) -> bool:
    """An order over the payment's limit: the payment declines it; True if it ends refused."""
    order: Any = load(HERE / document)()
    order.send("add", item="piano", price=900)
    order.send("checkout")
    wait_until(lambda: order.is_terminated)
    print(f"{document}, a 900 order:  {active(order)}  (receipt {order.model.receipt})")
    return bool(order.refused.is_active)


def main() -> int:
    results = [run("order.scxml"), run("order.yaml")]
    results += [run_refused("order.scxml"), run_refused("order.yaml")]
    print("all orders ended as expected" if all(results) else "an order went wrong")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
