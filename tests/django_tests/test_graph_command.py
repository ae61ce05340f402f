"""``manage.py graph_statemachines``: targets, formats, ``--exclude`` and its errors."""

from __future__ import annotations

import html
import io
import re
import shutil
import warnings

import pydot
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from statemachine.contrib.diagram import main as diagram_main
from statemachine.contrib.diagram._formats import OUTPUT_FORMATS, find_format
from tests.django_project.shop.statemachines import OrderMachine, TicketMachine

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is missing")


def run(*args, **options):
    out = io.StringIO()
    call_command("graph_statemachines", *args, stdout=out, **options)
    return out.getvalue()


def parse(dot_text):
    with warnings.catch_warnings():  # pydot's parser uses deprecated pyparsing names
        warnings.simplefilter("ignore", DeprecationWarning)
        (graph,) = pydot.graph_from_dot_data(dot_text)
    return graph


def clusters(graph):
    """{cluster label: subgraph} of the top-level clusters."""
    return {sg.get_label().strip('"'): sg for sg in graph.get_subgraphs()}


def text_lines(label):
    """The lines of text of a label: a quoted one, or an HTML-like one without its markup."""
    label = (label or "").strip('"')
    if label.startswith("<") and label.endswith(">"):
        label = re.sub(r"<br/>|<hr/>|</tr>", "\n", label[1:-1])
        label = html.unescape(re.sub(r"<[^>]*>", "", label))
    return [line.strip() for line in re.split(r"\n|\\n", label) if line.strip()]


def all_nodes(subgraph):
    """{name: node} of the nodes of ``subgraph`` and of the subgraphs nested in it."""
    found = {
        n.get_name(): n
        for n in subgraph.get_nodes()
        if n.get_name() not in ("node", "edge", "graph")
    }
    for nested in subgraph.get_subgraphs():
        found.update(all_nodes(nested))
    return found


def subgraph_names(subgraph):
    """The names of the subgraphs nested in ``subgraph``, at any depth."""
    names = []
    for nested in subgraph.get_subgraphs():
        names += [nested.get_name(), *subgraph_names(nested)]
    return names


def node_labels(subgraph):
    """{node name: first line of its label} of the states drawn in ``subgraph``."""
    return {
        name: text_lines(node.get_label())[0]
        for name, node in all_nodes(subgraph).items()
        if text_lines(node.get_label())
    }


def edge_labels(subgraph):
    """The labels of the edges of ``subgraph``, their lines joined by a space."""
    labels = []
    for e in subgraph.get_edges():
        lines = text_lines(e.get_label())
        if lines:
            labels.append(" ".join(lines))
    return labels


def initial_target(subgraph):
    """The name of the state the top level's initial point (a small black circle) points at."""
    nodes = all_nodes(subgraph)
    points = {
        name
        for name, n in nodes.items()
        if n.get("shape") == "circle" and n.get("fillcolor") == "black"
    }
    (edge,) = [e for e in subgraph.get_edges() if e.get_source() in points]
    return node_labels(subgraph)[edge.get_destination()]


# --- what is drawn -------------------------------------------------------------------------
def test_no_target_draws_every_state_machine_model():
    found = clusters(parse(run()))
    assert {
        "campaign.Campaign.step",  # MachineMixin on a plain IntegerField
        "shop.Order.state",  # StateMachineModelMixin + StateField
        "shop.Ticket.status",  # StateForeignKey
        "shop.Article.state",  # a parallel statechart
    } <= set(found)
    # Proxies drawing exactly what their concrete model draws are left out.
    assert not {"shop.AtomicOrder.state", "shop.OptimisticOrder.state"} & set(found)
    # Models without a machine are not drawn.
    assert not any(label.startswith(("auth.", "shop.TicketStatus")) for label in found)


def test_app_label_draws_its_models_only():
    found = clusters(parse(run("shop")))
    assert "shop.Order.state" in found
    assert all(label.startswith("shop.") for label in found)


def test_model_cluster_has_the_states_transitions_and_initial_marker():
    graph = parse(run("shop.Order"))
    (label,) = clusters(graph)
    assert label == "shop.Order.state"
    cluster = clusters(graph)[label]
    assert set(node_labels(cluster).values()) == {s.name for s in OrderMachine.states}
    # Edges are labelled with the events' display names, guards below them.
    assert sorted(edge_labels(cluster)) == [
        "Cancel",
        "Cancel",
        "Pay [has_items]",
        "Restock",
        "Ship [address_known]",
    ]
    assert initial_target(cluster) == OrderMachine.initial_state.name


def test_several_models_share_one_graph_without_clashing_node_names():
    graph = parse(run("shop.Order", "shop.Ticket", "shop.Order"))  # a repeat is drawn once
    found = clusters(graph)
    assert list(found) == ["shop.Order.state", "shop.Ticket.status"]
    order, ticket = (set(all_nodes(found[k])) for k in found)
    assert {"m0_created", "m0_paid"} <= order
    assert {"m1_open", "m1_doing"} <= ticket
    assert not order & ticket  # the initial points and anchors too
    order_groups, ticket_groups = (set(subgraph_names(found[k])) for k in found)
    assert order_groups
    assert ticket_groups
    assert not order_groups & ticket_groups
    assert initial_target(found["shop.Order.state"]) == OrderMachine.initial_state.name
    assert initial_target(found["shop.Ticket.status"]) == TicketMachine.initial_state.name


@pytest.mark.parametrize("arg", ["shop.Ticket.status", "shop.Ticket.status_id"])
def test_field_target(arg):
    assert list(clusters(parse(run(arg)))) == ["shop.Ticket.status"]


def test_a_named_proxy_is_drawn():
    assert list(clusters(parse(run("shop.AtomicOrder")))) == ["shop.AtomicOrder.state"]


def test_machine_mixin_field_target():
    assert list(clusters(parse(run("campaign.Campaign.step")))) == ["campaign.Campaign.step"]


# --- --exclude -----------------------------------------------------------------------------
def test_exclude_drops_the_transitions_of_those_events():
    cluster = clusters(parse(run("shop.Order", exclude=["cancel,restock"])))["shop.Order.state"]
    assert sorted(edge_labels(cluster)) == ["Pay [has_items]", "Ship [address_known]"]
    # The states stay, and so does the initial marker.
    assert initial_target(cluster) == "Created"


def test_exclude_is_repeatable_and_keeps_the_other_events_of_a_transition():
    # PriorityMachine's LOW -> HIGH transition fires on `escalate` and on `raise_`.
    text = run("shop.Task", "--exclude", "escalate", "--exclude", "lower")
    labels = edge_labels(clusters(parse(text))["shop.Task.state"])
    assert labels == ["Raise"]


def test_exclude_unknown_event_is_an_error():
    with pytest.raises(CommandError, match=r"--exclude.*'nope'"):
        run("shop.Order", exclude=["pay,nope"])


def test_exclude_checks_only_the_drawn_machines():
    with pytest.raises(CommandError, match="'start'"):  # a TicketMachine event
        run("shop.Order", exclude=["start"])


# --- Mermaid -------------------------------------------------------------------------------
def test_mermaid_to_stdout_one_diagram_per_model():
    text = run("shop.Order", "shop.Ticket", format="mermaid")
    sections = text.split("\n\n")
    assert [s.splitlines()[0] for s in sections] == ["%% shop.Order.state", "%% shop.Ticket.status"]
    order = sections[0].splitlines()
    assert order[1] == "stateDiagram-v2"
    assert "    [*] --> created" in order
    assert "    created --> paid : Pay [has_items]" in order
    assert "    [*] --> open" in sections[1].splitlines()


def test_mermaid_file_and_exclude(tmp_path):
    out = tmp_path / "orders.mmd"
    message = run("shop.Order", "-o", str(out), "--exclude", "pay")  # .mmd implies mermaid
    text = out.read_text(encoding="utf-8")
    assert text.startswith("%% shop.Order.state\nstateDiagram-v2\n")
    assert ": Pay" not in text
    assert "created --> cancelled : Cancel" in text
    assert str(out) in message


def test_markdown_file_has_a_transition_table_per_model(tmp_path):
    """`.md` is the Markdown transition table, as everywhere else: one per diagram, each
    under a heading naming it."""
    out = tmp_path / "machines.md"
    run("shop.Order", "shop.Ticket", output=str(out))
    text = out.read_text(encoding="utf-8")
    order, ticket = text.split("\n\n## ")
    assert order.startswith("## shop.Order.state\n\n| State ")
    assert "| Created | Pay     | has_items     | Paid      |" in order
    assert ticket.startswith("shop.Ticket.status\n\n| State ")
    assert sum(line.startswith("| ---") for line in text.splitlines()) == 2


def test_rst_to_stdout_has_a_titled_table_per_model():
    """`--format rst` writes each diagram's reStructuredText table under a title."""
    text = run("shop.Order", "shop.Ticket", format="rst")
    lines = text.splitlines()
    assert lines[:3] == ["shop.Order.state", "================", ""]
    assert lines[3].startswith("+---")
    assert "shop.Ticket.status" in lines
    assert sum(line.startswith("+=") for line in lines) == 2


def test_a_format_alias_agrees_with_its_extensions(tmp_path):
    """`--format gv` is `dot`, so it goes with `.dot`; `--format mmd` to stdout is Mermaid."""
    out = tmp_path / "machines.dot"
    run("shop.Order", "-o", str(out), "--format", "gv", verbosity=0)
    assert list(clusters(parse(out.read_text(encoding="utf-8")))) == ["shop.Order.state"]
    assert run("shop.Order", format="mmd").startswith("%% shop.Order.state\nstateDiagram-v2\n")


def test_svg_format_to_stdout():
    """SVG is text, so it may go to standard output."""
    svg = run("shop.Order", format="svg")
    assert "<svg" in svg
    assert "shop.Order.state" in svg


def test_a_binary_format_needs_a_file():
    with pytest.raises(
        CommandError, match=r"--format 'pdf': pdf is a binary image.*-o machines\.pdf"
    ):
        run("shop.Order", format="pdf")


def test_unknown_format_lists_each_format_once_sorted():
    with pytest.raises(CommandError) as caught:
        run("shop.Order", format="plantuml")
    message = str(caught.value)
    assert message.startswith("--format 'plantuml': Unsupported format: 'plantuml'. Use ")
    listed = re.findall(r"'([^']*)'", message.split(". Use ", 1)[1])
    assert listed == sorted(f.name for f in OUTPUT_FORMATS)


# --- files ---------------------------------------------------------------------------------
def test_dot_file(tmp_path):
    out = tmp_path / "machines.dot"
    run("shop.Order", output=str(out), verbosity=0)
    assert list(clusters(parse(out.read_text(encoding="utf-8")))) == ["shop.Order.state"]


@needs_graphviz
def test_svg_rendered_by_graphviz(tmp_path):
    out = tmp_path / "machines.svg"
    run("shop.Order", "shop.Ticket", "-o", str(out))
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    for name in ("shop.Order.state", "shop.Ticket.status", "Created", "Shipped", "Doing"):
        assert name in svg


@needs_graphviz
def test_png_rendered_by_graphviz(tmp_path):
    out = tmp_path / "machines.png"
    run("shop", "-o", str(out), "--exclude", "add_job", verbosity=0)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_graphviz_missing_is_a_command_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without Graphviz's `dot`
    out = tmp_path / "machines.svg"
    with pytest.raises(CommandError, match=r"'dot' not found in PATH\. Install Graphviz"):
        run("shop.Order", "-o", str(out))
    assert not out.exists()


# --- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["nosuchapp"], r"'nosuchapp'.*no installed app"),
        (["nosuchapp.Order"], r"'nosuchapp.Order'.*no installed app"),
        (["shop.Nope"], r"'shop.Nope'.*no model 'Nope'"),
        (["auth"], r"'auth'.*no state-machine model"),
        (["shop.TicketStatus"], r"'shop.TicketStatus'.*not a state-machine model"),
        (["shop.Order.items"], r"'shop.Order.items'.*no state field 'items'"),
        (["shop.Order.nope"], r"'shop.Order.nope'.*no field 'nope'"),
        (["shop.Order.state.x"], r"'shop.Order.state.x'.*expected app_label"),
    ],
)
def test_bad_targets(args, match):
    with pytest.raises(CommandError, match=match):
        run(*args)


def test_bad_target_writes_nothing(tmp_path):
    out = tmp_path / "machines.svg"
    with pytest.raises(CommandError, match=r"shop\.Nope"):
        run("shop.Order", "shop.Nope", "-o", str(out))
    assert not out.exists()


@pytest.mark.parametrize("name", ["machines.txt", "machines"])
def test_unsupported_extension(tmp_path, name):
    out = tmp_path / name
    with pytest.raises(CommandError, match=r"-o .*unsupported extension"):
        run("shop.Order", "-o", str(out))
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "fmt"), [("machines.svg", "mermaid"), ("machines.mmd", "dot"), ("m.dot", "mermaid")]
)
def test_format_conflicting_with_the_extension(tmp_path, name, fmt):
    out = tmp_path / name
    with pytest.raises(CommandError, match=f"not --format {fmt}"):
        run("shop.Order", "-o", str(out), "--format", fmt)
    assert not out.exists()


def test_unwritable_output(tmp_path):
    with pytest.raises(CommandError, match="cannot write"):
        run("shop.Order", "-o", str(tmp_path / "missing" / "machines.dot"))


# --- one table of output formats ------------------------------------------------------------
EXTENSIONS = [ext for f in OUTPUT_FORMATS for ext in f.extensions]
# What a file of each format starts with, as this command writes it.
STARTS = {
    "dot": b"digraph statemachines {",
    "eps": b"%!PS-Adobe-",
    "gif": b"GIF8",
    "jpg": b"\xff\xd8\xff",
    "md": b"## shop.Order.state\n\n| State",
    "mermaid": b"%% shop.Order.state\nstateDiagram-v2\n",
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "ps": b"%!PS-Adobe-",
    "rst": b"shop.Order.state\n================\n\n+-",
    "svg": b"<?xml",
}


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_every_extension_of_the_table_is_written(tmp_path, ext):
    out = tmp_path / f"machines{ext}"
    run("shop.Order", "-o", str(out), verbosity=0)
    fmt = find_format(ext)
    assert fmt is not None
    assert out.read_bytes().startswith(STARTS[fmt.name])


def test_the_three_entry_points_accept_the_same_extensions(tmp_path):
    """The diagram command line, format() and this command accept exactly the extensions of
    the one table (.mmd and .pdf included), and refuse the same others as unsupported."""
    candidates = [*EXTENSIONS, ".txt", ".puml", ".html", ".xdot", ".tiff", ".jpe", ".json"]
    machine = f"{OrderMachine.__module__}.OrderMachine"

    def outcome(call, *args, **kwargs):
        """ "ok", or the message of the error the call raised."""
        try:
            call(*args, **kwargs)
        except (ValueError, CommandError) as err:
            return str(err)
        return "ok"

    outcomes = {
        ext: (
            outcome(diagram_main, [machine, str(tmp_path / f"cli{ext}")]),
            outcome(format, OrderMachine, ext[1:]),
            outcome(run, "shop.Order", "-o", str(tmp_path / f"django{ext}"), verbosity=0),
        )
        for ext in candidates
    }
    refusals = ("Unsupported format:", "Unsupported format:", "-o ")
    for results in outcomes.values():
        for result, refusal in zip(results, refusals, strict=True):
            # Either written (a binary image is known to format() but cannot be a string),
            # or refused as unsupported.
            assert result == "ok" or "is a binary image" in result or result.startswith(refusal)
            assert not result.startswith("-o ") or "unsupported extension" in result
    accepted = [
        {ext for ext, results in outcomes.items() if not results[i].startswith(refusals[i])}
        for i in range(3)
    ]
    assert accepted == [set(EXTENSIONS)] * 3
