"""The processes of ``python -m benchmarks --peers``: one module per library API.

``with_statemachine`` (our library, and python-statemachine: the same API under the same import
name), ``with_transitions`` and ``with_django_fsm``. Each is run as
``python -m benchmarks.peers.with_<api> <scenario> --expect <library> --project-root <root>`` and
prints one JSON line. Ours runs from the repository with the project's Python; a peer runs with
the peers venv's Python from a temporary copy of this package (plus ``benchmarks/__init__.py``,
``_timing.py``, ``_machines.py`` and ``_charts.py``), so that the repository is not on its
``sys.path``. Hence the rule: these modules import nothing from ``benchmarks`` but those files.
"""
