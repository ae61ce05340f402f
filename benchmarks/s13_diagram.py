"""S13: building the DOT source of a 200-state, 400-transition machine.

One variant, ``ours``: ``DotGraphMachine(Cls).get_graph().to_string()`` (the headline: the
diagram model, the pydot graph and its DOT text) and ``extract(Cls)`` alone (the model only),
each timed as single calls. The class is S3's generated machine at 200 states; it is drawn
from a subclass whose ``__init__`` raises, so building the diagram never instantiates it.
"""

from __future__ import annotations

from typing import Any

from ._timing import once_ns, run_variant

N_STATES = 200
N_TRANSITIONS = 400
REPEATS = 15
WARMUP = 2


def _machine() -> type:
    from ._machines import big_namespace, define

    base = define(f"Big{N_STATES}", big_namespace(N_STATES))

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("building the diagram instantiated the machine")

    drawn = define(f"Drawn{N_STATES}", {"__init__": refuse}, base)
    try:
        drawn()
    except AssertionError:
        return drawn
    raise AssertionError("the guard against instantiation does not fire")


def _check(cls: type, source: str) -> None:
    """The model and the DOT text hold every state and transition."""
    from statemachine.contrib.diagram import extract

    model = extract(cls)
    assert len(model.walk()) == N_STATES, len(model.walk())
    assert len(model.transitions) == N_TRANSITIONS, len(model.transitions)
    lines = source.splitlines()
    nodes = [line for line in lines if line.startswith("s") and " [" in line and "->" not in line]
    edges = [line for line in lines if " -> " in line and not line.startswith("__initial")]
    assert len(nodes) == N_STATES, len(nodes)
    assert len(edges) == N_TRANSITIONS, len(edges)


def ours() -> dict[str, Any]:
    from statemachine.contrib.diagram import DotGraphMachine, extract

    cls = _machine()

    def dot() -> None:
        DotGraphMachine(cls).get_graph().to_string()

    def model() -> None:
        extract(cls)

    _check(cls, DotGraphMachine(cls).get_graph().to_string())
    result = {
        "dot": once_ns(dot, repeats=REPEATS, warmup=WARMUP),
        "extract": once_ns(model, repeats=REPEATS, warmup=WARMUP),
    }
    _check(cls, DotGraphMachine(cls).get_graph().to_string())
    return result


if __name__ == "__main__":
    run_variant({"ours": ours})
