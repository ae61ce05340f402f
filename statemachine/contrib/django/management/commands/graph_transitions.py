"""``manage.py graph_transitions``: django-fsm's name for :mod:`.graph_statemachines`.

The same command under the name django-fsm projects already use, with django-fsm's options
(``-o``, ``-e``, ``-l``, and ``app_label[.Model[.field]]`` arguments). It draws the models of
:mod:`statemachine.contrib.django.fsm` and the project's other state-machine models alike.
"""

from __future__ import annotations

from .graph_statemachines import Command as _GraphStatemachines

__all__ = ["Command"]


class Command(_GraphStatemachines):
    help = (
        "Draw the transitions of models (all state-machine models by default, django-fsm "
        "ones included) as one Graphviz graph or as Mermaid diagrams. The same as "
        "graph_statemachines."
    )
