"""``python -m statemachine.contrib.diagram``: see :mod:`statemachine.contrib.diagram._cli`."""

from ._cli import run

raise SystemExit(run())
