"""``manage.py graph_statemachines``: draw the state machines of the project's models.

Usage::

    manage.py graph_statemachines [app_label | app_label.Model | app_label.Model.field ...]
                                  [-o FILE] [--format FORMAT] [-e/--exclude EV1,EV2]
                                  [-l/--layout ENGINE]

``manage.py graph_transitions`` (django-fsm's name for it) is the same command.

A *state-machine model* uses :class:`~statemachine.mixins.MachineMixin` (so also
:class:`~statemachine.contrib.django.StateMachineModelMixin`) with a ``state_machine_name``,
or has a :class:`~statemachine.contrib.django.StateField` /
:class:`~statemachine.contrib.django.StateForeignKey`, or a django-fsm field
(:mod:`statemachine.contrib.django.fsm`: its ``@transition`` methods compile into a machine).
Each of its state fields is one diagram, labelled ``app_label.Model.field``:

* no target: every state-machine model of every installed app (a proxy model is skipped when
  it draws exactly what its concrete model draws; name it to draw it anyway);
* ``app_label``: the state-machine models of that app (an error if it has none);
* ``app_label.Model``: every state field of that model;
* ``app_label.Model.field``: that field only (its name or its column attribute, such as
  ``status_id`` for a :class:`~statemachine.contrib.django.StateForeignKey`).

Output: the format comes from the extension of ``-o FILE``, read in the one table of output
formats that the diagram command line and ``format()`` read too
(:mod:`statemachine.contrib.diagram._formats`; ``docs/diagrams.md`` shows it), or from
``--format`` (its name or an alias there), which must then agree with the extension. Without
``-o``, it goes to standard output, as DOT source unless ``--format`` says otherwise (binary
images need ``-o``). Several diagrams make:

========================  ==================================================================
``dot``                    one Graphviz graph with one cluster per diagram (its source)
``svg``, ``png``, ...      that graph, drawn by Graphviz (needs the ``dot`` program)
``mermaid``                one ``stateDiagram-v2`` per diagram, each introduced by a
                           ``%% app_label.Model.field`` comment line, separated by a blank line
``md``, ``rst``            a heading ``app_label.Model.field`` and the transition table of
                           each diagram
========================  ==================================================================

The initial state of every diagram is marked (a point and an arrow in DOT, ``[*] -->`` in
Mermaid). ``-l``/``--layout`` names the Graphviz layout engine (``dot``, the default,
``neato``, ``circo``, ``fdp``, ``sfdp``, ``twopi``, ``osage``, ``patchwork``): it is written into
the DOT source as the graph's ``layout`` and used to draw images.
``-e``/``--exclude`` (comma-separated, repeatable) hides the transitions of those events:
a transition is dropped once all its events are excluded, otherwise only the excluded names
leave its label. Naming an event that none of the drawn machines has is an error (a typo
would otherwise silently draw everything).

Every problem (an unknown app, model or field, a model without a machine, a field that is
not its state, an unknown format or extension, a ``--format`` that the extension contradicts,
a binary image without ``-o``, an unknown event, Graphviz missing or failing) raises
:class:`~django.core.management.base.CommandError` naming the offending argument, before
anything is written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.management.base import BaseCommand, CommandError

from statemachine.contrib.diagram import (
    DiagramGraph,
    DiagramState,
    DotGraphMachine,
    GraphvizError,
    MermaidGraphMachine,
    PydotNotInstalled,
    extract,
)
from statemachine.contrib.diagram._formats import (
    OUTPUT_FORMATS,
    OutputFormat,
    find_format,
    unsupported_format,
)
from statemachine.contrib.diagram._notes import one_line
from statemachine.contrib.diagram.graphviz import run_graphviz
from statemachine.contrib.diagram.renderers.dot import DotRenderer, _pydot, quote
from statemachine.contrib.diagram.renderers.table import TransitionTableRenderer

__all__ = ["Command", "DiagramTarget", "machine_fields", "resolve_targets"]


@dataclass(frozen=True)
class DiagramTarget:
    """One diagram to draw: the state field ``field`` of ``model``, run by ``machine``."""

    model: Any
    field: str
    machine: Any

    @property
    def label(self) -> str:
        """``app_label.Model.field``."""
        return f"{self.model._meta.label}.{self.field}"


def machine_fields(model: Any) -> list[tuple[str, Any]]:
    """``(field name, machine class)`` for each state field of ``model``, in declaration order
    (empty when ``model`` is not a state-machine model).

    Raises:
        CommandError: a machine class cannot be loaded.
    """
    from statemachine import registry
    from statemachine.contrib.django.fields import StateField, StateForeignKey
    from statemachine.contrib.django.fsm import FSMFieldMixin, machine_class
    from statemachine.mixins import MachineMixin

    label = model._meta.label
    found: list[tuple[str, Any]] = []
    uses_mixin = issubclass(model, MachineMixin) and bool(model.state_machine_name)
    mixin_field = model.state_field_name if uses_mixin else None
    mixin_covered = False
    for field in model._meta.fields:
        if isinstance(field, FSMFieldMixin):
            found.append((field.name, machine_class(model, field.name)))
            continue
        if not isinstance(field, (StateField, StateForeignKey)):
            continue
        try:
            machine = field.machine
        except ImportError as err:
            raise CommandError(f"{label}.{field.name}: {err}") from None
        found.append((field.name, machine))
        if mixin_field in (field.name, field.attname):
            mixin_covered = True
    if uses_mixin and not mixin_covered:
        name = str(mixin_field)  # a plain attribute is still the state the machine keeps
        with contextlib.suppress(FieldDoesNotExist):
            name = model._meta.get_field(mixin_field).name
        try:
            machine = registry.get_machine_cls(model.state_machine_name)
        except KeyError as err:
            raise CommandError(f"{label}: {err.args[0]}") from None
        found.insert(0, (name, machine))
    return found


def _model_targets(model: Any) -> list[DiagramTarget]:
    return [DiagramTarget(model, name, machine) for name, machine in machine_fields(model)]


def _all_targets(models: list[Any]) -> list[DiagramTarget]:
    """The diagrams of ``models``, skipping proxies that draw what their concrete model does."""
    targets: list[DiagramTarget] = []
    for model in models:
        fields = machine_fields(model)
        concrete = model._meta.concrete_model
        if (
            model._meta.proxy
            and concrete in models
            and fields == machine_fields(concrete)  # same fields, same machines
        ):
            continue
        targets.extend(DiagramTarget(model, name, machine) for name, machine in fields)
    return targets


def _get_model(app_label: str, model_name: str, arg: str) -> Any:
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        raise CommandError(f"{arg!r}: there is no installed app {app_label!r}.") from None
    try:
        return config.get_model(model_name)
    except LookupError:
        names = ", ".join(sorted(m.__name__ for m in config.get_models())) or "none"
        raise CommandError(
            f"{arg!r}: app {app_label!r} has no model {model_name!r} (its models: {names})."
        ) from None


def resolve_targets(args: list[str]) -> list[DiagramTarget]:
    """The diagrams that ``args`` (``app_label``, ``app_label.Model`` or
    ``app_label.Model.field``; none: every state-machine model) name, in order, once each.

    Raises:
        CommandError: an argument names nothing drawable (see the module docstring).
    """
    if not args:
        targets = _all_targets(list(apps.get_models()))
        if not targets:
            raise CommandError("No installed app has a state-machine model.")
        return targets
    targets = []
    for arg in args:
        parts = arg.split(".")
        if len(parts) == 1:
            try:
                config = apps.get_app_config(arg)
            except LookupError:
                raise CommandError(f"{arg!r}: there is no installed app {arg!r}.") from None
            found = _all_targets(list(config.get_models()))
            if not found:
                raise CommandError(f"{arg!r}: app {arg!r} has no state-machine model.")
        elif len(parts) == 2:
            model = _get_model(parts[0], parts[1], arg)
            found = _model_targets(model)
            if not found:
                raise CommandError(
                    f"{arg!r}: {model._meta.label} is not a state-machine model (it neither "
                    "uses MachineMixin/StateMachineModelMixin with a state_machine_name nor "
                    "has a StateField, StateForeignKey or django-fsm field)."
                )
        elif len(parts) == 3:
            model = _get_model(parts[0], parts[1], arg)
            try:
                field = model._meta.get_field(parts[2])
            except FieldDoesNotExist:
                field = None
            names = {parts[2]}
            if field is not None:
                names |= {field.name, getattr(field, "attname", field.name)}
            mixin_field = getattr(model, "state_field_name", None)
            found = [
                t
                for t in _model_targets(model)
                if t.field in names or (field is None and t.field == mixin_field == parts[2])
            ]
            if not found:
                state_fields = ", ".join(t.field for t in _model_targets(model)) or "none"
                what = "has no field" if field is None else "has no state field"
                raise CommandError(
                    f"{arg!r}: {model._meta.label} {what} {parts[2]!r} "
                    f"(its state fields: {state_fields})."
                )
        else:
            raise CommandError(
                f"{arg!r}: expected app_label, app_label.Model or app_label.Model.field."
            )
        targets.extend(t for t in found if t not in targets)
    return targets


def _events(machine: Any, graph: DiagramGraph) -> set[str]:
    names = {e.id for e in machine.events}
    names.update(e for t in graph.transitions for e in t.event_ids)
    return names


def without_events(
    graph: DiagramGraph, excluded: set[str], names: dict[str, str] | None = None
) -> DiagramGraph:
    """``graph`` without the transitions of the ``excluded`` events (see the module
    docstring); eventless transitions stay. ``names`` maps event ids to display names (for
    the labels of transitions that keep some of their events)."""
    if not excluded:
        return graph
    names = names or {}
    kept = []
    for t in graph.transitions:
        ids = [e for e in t.event_ids if e not in excluded]
        if t.event_ids and not ids:
            continue
        if len(ids) != len(t.event_ids):
            label = " ".join(names.get(e, e) for e in ids)
            t = dataclasses.replace(t, event_ids=ids, event=label)
        kept.append(t)
    return dataclasses.replace(graph, transitions=kept)


class ClusterRenderer(DotRenderer):
    """Draws a machine as a cluster of a larger graph: its node ids get ``prefix``, so
    several machines can share one graph."""

    def __init__(self, prefix: str) -> None:
        super().__init__(DotGraphMachine(None)._config())
        self.prefix = prefix

    def _node_id(self, state_id: str) -> str:
        return f"{self.prefix}_{state_id}"

    def _scope_id(self, owner: DiagramState | None) -> str:
        # The top level too: every machine has its own initial point and atomic group.
        return super()._scope_id(owner) if owner else self.prefix

    def add_to(self, graph: DiagramGraph, parent: Any, label: str, tooltip: str = "") -> None:
        """Add the cluster ``cluster_<prefix>`` labelled ``label`` to ``parent``."""
        pydot = _pydot()
        cluster = pydot.Cluster(
            self.prefix,
            label=quote(label),
            tooltip=quote(tooltip or label),
            fontname=quote(self.config.font_name),
            fontsize=self.config.state_font_size,
            style="rounded",
            labeljust="l",
        )
        self._draw(pydot, graph, cluster)
        parent.add_subgraph(cluster)


# Graphviz's layout engines (``-l``/``--layout``).
LAYOUTS = ("dot", "neato", "circo", "fdp", "sfdp", "twopi", "osage", "patchwork")


def dot_graph(diagrams: list[tuple[DiagramTarget, DiagramGraph]], layout: str = "dot") -> Any:
    """One ``pydot.Dot`` holding a cluster per diagram, laid out by ``layout``."""
    pydot = _pydot()
    extra = {} if layout == "dot" else {"layout": layout}
    graph = pydot.Dot(
        "statemachines",
        graph_type="digraph",
        rankdir=DotGraphMachine.graph_rankdir,
        compound="true",
        fontname=quote(DotGraphMachine.font_name),
        fontsize=DotGraphMachine.state_font_size,
        **extra,
    )
    for i, (target, diagram) in enumerate(diagrams):
        ClusterRenderer(prefix=f"m{i}").add_to(
            diagram, graph, target.label, tooltip=f"{target.label}: {target.machine.__name__}"
        )
    return graph


def mermaid_text(diagrams: list[tuple[DiagramTarget, DiagramGraph]]) -> str:
    """The Mermaid diagrams, each after a ``%% label`` comment line."""
    parts = []
    for target, diagram in diagrams:
        parts.append(f"%% {target.label}\n{MermaidGraphMachine(diagram).get_mermaid()}")
    return "\n".join(parts)


def table_text(diagrams: list[tuple[DiagramTarget, DiagramGraph]], fmt: str) -> str:
    """The transition table of each diagram under a heading: Markdown, or with ``fmt``
    ``"rst"`` reStructuredText."""
    renderer = TransitionTableRenderer()
    parts = []
    for target, diagram in diagrams:
        table = renderer.render(diagram, fmt)
        if fmt == "rst":
            heading = f"{target.label}\n{'=' * len(target.label)}"
        else:
            heading = f"## {target.label}"
        parts.append(f"{heading}\n\n{table}")
    return "\n".join(parts)


class Command(BaseCommand):
    help = (
        "Draw the state machines of models (all state-machine models by default) as one "
        "Graphviz graph or as Mermaid diagrams, to standard output or to a file."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "targets",
            nargs="*",
            metavar="app_label[.Model[.field]]",
            help="what to draw (default: every state-machine model)",
        )
        parser.add_argument(
            "-o",
            "--output",
            default=None,
            help="write to this file; its extension picks the format ("
            + ", ".join(ext for f in OUTPUT_FORMATS for ext in f.extensions)
            + "; default: standard output)",
        )
        parser.add_argument(
            "--format",
            default=None,
            help="the format ("
            + ", ".join(f.name for f in OUTPUT_FORMATS)
            + "; default: from the output extension, else dot)",
        )
        parser.add_argument(
            "-e",
            "--exclude",
            action="append",
            default=[],
            metavar="EVENT[,EVENT...]",
            help="hide the transitions of these events (repeatable)",
        )
        parser.add_argument(
            "-l",
            "--layout",
            default="dot",
            help=f"the Graphviz layout engine ({', '.join(LAYOUTS)}; default: dot)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: str | None = options["output"]
        fmt = self._output_format(output, options["format"])
        layout = options["layout"]
        if layout not in LAYOUTS:
            raise CommandError(
                f"--layout {layout!r}: not a Graphviz layout engine; use one of "
                f"{', '.join(LAYOUTS)}."
            )
        targets = resolve_targets(list(options["targets"]))
        excluded = {e.strip() for value in options["exclude"] for e in value.split(",")}
        excluded.discard("")
        diagrams = [(t, extract(t.machine)) for t in targets]
        known = set().union(*(_events(t.machine, d) for t, d in diagrams))
        unknown = sorted(excluded - known)
        if unknown:
            raise CommandError(
                f"--exclude: no drawn machine has the event(s) {', '.join(map(repr, unknown))} "
                f"(their events: {', '.join(sorted(known)) or 'none'})."
            )
        diagrams = [
            (t, without_events(d, excluded, {e.id: e.name for e in t.machine.events}))
            for t, d in diagrams
        ]
        data = self._render(diagrams, fmt, layout)
        if output is None:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            with open(output, "wb") as handle:
                handle.write(data)
        except OSError as err:
            raise CommandError(f"-o {output!r}: cannot write the file: {err}") from None
        if options["verbosity"] >= 1:
            labels = ", ".join(t.label for t in targets)
            self.stdout.write(f"Wrote {len(targets)} diagram(s) to {output}: {labels}")

    @staticmethod
    def _output_format(output: str | None, fmt: str | None) -> OutputFormat:
        """The format from ``-o``'s extension and ``--format``."""
        chosen = None
        if fmt is not None:
            chosen = find_format(fmt)
            if chosen is None:
                names = (f.name for f in OUTPUT_FORMATS)
                raise CommandError(f"--format {fmt!r}: {unsupported_format(fmt, names)}")
        if output is None:
            chosen = chosen or find_format("dot")
            assert chosen is not None
            if chosen.binary:
                raise CommandError(
                    f"--format {fmt!r}: {chosen.name} is a binary image, which standard "
                    f"output does not take; write it to a file: -o machines.{chosen.name}"
                )
            return chosen
        ext = os.path.splitext(output)[1].lower()
        implied = find_format(ext) if ext else None
        if implied is None:
            extensions = ", ".join(e for f in OUTPUT_FORMATS for e in f.extensions)
            raise CommandError(
                f"-o {output!r}: unsupported extension {ext or '(none)'!r}; use one of "
                f"{extensions}."
            )
        if chosen is not None and chosen != implied:
            raise CommandError(
                f"-o {output!r}: a {ext} file holds {implied.name} output, not --format {fmt} "
                f"(for {chosen.name}, use {', '.join(chosen.extensions)})."
            )
        return implied

    @staticmethod
    def _render(
        diagrams: list[tuple[DiagramTarget, DiagramGraph]], fmt: OutputFormat, layout: str
    ) -> bytes:
        if fmt.name == "mermaid":
            return mermaid_text(diagrams).encode("utf-8")
        if fmt.name in ("md", "rst"):
            return table_text(diagrams, fmt.name).encode("utf-8")
        try:
            graph = dot_graph(diagrams, layout)
        except PydotNotInstalled as err:
            raise CommandError(one_line(err)) from None
        if fmt.name == "dot":
            return str(graph.to_string()).encode("utf-8")
        try:
            return run_graphviz(graph.to_string(), fmt.name)
        except GraphvizError as err:
            raise CommandError(one_line(err)) from None
