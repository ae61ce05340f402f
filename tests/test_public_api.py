"""The public surface: exported names, import paths, and what importing costs."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import statemachine


def test_top_level_exports_are_pinned():
    """`statemachine.__all__` lists exactly the documented names."""
    assert sorted(statemachine.__all__) == [
        "Event",
        "HistoryState",
        "HistoryType",
        "Refusal",
        "State",
        "StateChart",
        "StateMachine",
        "TModel",
    ]
    for name in statemachine.__all__:
        assert getattr(statemachine, name) is not None


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (
            "statemachine.exceptions",
            [
                "AttrNotFound",
                "InvalidDefinition",
                "InvalidExpression",
                "InvalidStateValue",
                "StateMachineError",
                "TransitionNotAllowed",
            ],
        ),
        ("statemachine.states", ["States"]),
        ("statemachine.invoke", ["IInvoke", "InvokeContext", "invoke_group"]),
        ("statemachine.contrib.timeout", ["timeout"]),
        (
            "statemachine.contrib.diagram",
            [
                "DiagramGraph",
                "DiagramState",
                "DiagramTransition",
                "DotGraphMachine",
                "Formatter",
                "GraphvizError",
                "GraphvizNotFound",
                "GraphvizNotFoundError",
                "MermaidGraphMachine",
                "PydotNotInstalled",
                "StateType",
                "extract",
                "formatter",
                "import_sm",
                "main",
                "model",
                "quickchart_write_svg",
                "run_graphviz",
                "write_image",
            ],
        ),
        (
            "statemachine.contrib.diagram.model",
            [
                "ActionType",
                "DiagramAction",
                "DiagramGraph",
                "DiagramState",
                "DiagramTransition",
                "StateType",
            ],
        ),
        ("statemachine.contrib.diagram.extract", ["extract"]),
        ("statemachine.contrib.diagram.formatter", ["Formatter", "formatter"]),
        (
            "statemachine.contrib.diagram.graphviz",
            ["GRAPHVIZ_DOWNLOAD_URL", "GraphvizError", "GraphvizNotFoundError", "run_graphviz"],
        ),
        ("statemachine.contrib.diagram.renderers", []),
        (
            "statemachine.contrib.diagram.renderers.dot",
            ["DotGraphMachine", "DotRenderer", "DotRendererConfig", "PydotNotInstalled", "quote"],
        ),
        (
            "statemachine.contrib.diagram.renderers.mermaid",
            ["MermaidGraphMachine", "MermaidRenderer", "MermaidRendererConfig"],
        ),
        ("statemachine.contrib.diagram.renderers.table", ["TransitionTableRenderer"]),
        ("statemachine.mixins", ["MachineMixin"]),
        ("statemachine.registry", ["get_machine_cls", "init_registry", "load_modules", "register"]),
        ("statemachine.model", ["Model"]),
        ("statemachine.state", ["HistoryState", "InstanceState", "State"]),
        ("statemachine.statemachine", ["StateChart", "StateMachine", "StateMachineMetaclass"]),
        ("statemachine.transition", ["Transition"]),
        ("statemachine.transition_list", ["TransitionList"]),
        ("statemachine.event", ["BoundEvent", "Event"]),
        ("statemachine.event_data", ["EventData", "TriggerData"]),
        ("statemachine.orderedset", ["OrderedSet"]),
        (
            "statemachine.io",
            [
                "ActionProtocol",
                "ExportError",
                "HistoryDefinition",
                "StateDefinition",
                "TransitionDict",
                "build_processor",
                "create_machine_class_from_definition",
                "dump",
                "load",
            ],
        ),
    ],
)
def test_public_modules_export_their_names(module, names):
    """Each documented public module has an `__all__` with its documented names."""
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == sorted(names)
    for name in names:
        assert hasattr(mod, name)


def test_the_diagram_package_reexports_its_modules_objects():
    """What the diagram package exports is the very object its public module defines; its
    ``formatter`` is the registry instance, and ``model`` the module."""
    import statemachine.contrib.diagram as diagram
    from statemachine.contrib.diagram import graphviz, model
    from statemachine.contrib.diagram.renderers import dot, mermaid

    # The package's `extract` and `formatter` are the function and the registry, not the
    # modules of those names.
    extract = importlib.import_module("statemachine.contrib.diagram.extract")
    formatter = importlib.import_module("statemachine.contrib.diagram.formatter")
    assert diagram.DotGraphMachine is dot.DotGraphMachine
    assert diagram.PydotNotInstalled is dot.PydotNotInstalled
    assert diagram.MermaidGraphMachine is mermaid.MermaidGraphMachine
    assert diagram.extract is extract.extract
    assert diagram.formatter is formatter.formatter
    assert isinstance(diagram.formatter, formatter.Formatter)
    assert diagram.model is model
    assert diagram.DiagramGraph is model.DiagramGraph
    assert diagram.GraphvizNotFound is graphviz.GraphvizNotFoundError
    assert diagram.run_graphviz is graphviz.run_graphviz


def test_exception_hierarchy():
    """Every library exception derives from StateMachineError, as documented."""
    from statemachine import exceptions as ex

    assert issubclass(ex.InvalidDefinition, ex.StateMachineError)
    assert issubclass(ex.InvalidStateValue, ex.InvalidDefinition)
    assert issubclass(ex.AttrNotFound, ex.InvalidDefinition)
    assert issubclass(ex.InvalidExpression, ex.InvalidDefinition)
    assert issubclass(ex.InvalidExpression, ValueError)
    assert issubclass(ex.TransitionNotAllowed, ex.StateMachineError)


def test_diagram_exception_hierarchy():
    """Graphviz errors are library errors, a missing program also a FileNotFoundError; a
    missing pydot is a ModuleNotFoundError, as a failed import would be."""
    from statemachine.contrib.diagram import graphviz
    from statemachine.contrib.diagram.renderers.dot import PydotNotInstalled
    from statemachine.exceptions import StateMachineError

    assert issubclass(graphviz.GraphvizError, StateMachineError)
    assert issubclass(graphviz.GraphvizNotFoundError, graphviz.GraphvizError)
    assert issubclass(graphviz.GraphvizNotFoundError, FileNotFoundError)
    assert issubclass(PydotNotInstalled, ModuleNotFoundError)


@pytest.mark.parametrize("module", ["statemachine", "statemachine.io"])
def test_import_pulls_in_neither_django_nor_pydot(module):
    """`import statemachine` (or `statemachine.io`) in a fresh interpreter imports no optional
    dependency: PyYAML and jsonschema only when a YAML document is read or one validated."""
    code = (
        f"import sys, {module}\n"
        "optional = ('django', 'pydot', 'graphviz', 'yaml', 'jsonschema')\n"
        "print(','.join(m for m in optional if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_statemachine_skips_slow_standard_modules():
    """`import statemachine` stays cheap: the standard modules that are slow to import
    (`typing`, `enum`, `inspect`, `logging`, `threading`) come only when a feature needs them,
    as the CHANGELOG says."""
    code = (
        "import sys, statemachine\n"
        "slow = ('typing', 'enum', 'inspect', 'logging', 'threading')\n"
        "print(','.join(m for m in slow if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_core_modules_do_not_import_optional_layers():
    """The core never imports the registry's Django helpers or contrib packages at import."""
    code = (
        "import sys, statemachine\n"
        "print(','.join(m for m in sys.modules if m.startswith('statemachine.contrib')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_package_is_typed():
    """The package ships a py.typed marker."""
    from importlib.resources import files

    assert files("statemachine").joinpath("py.typed").is_file()


def test_version_is_a_string():
    """`__version__` is a PEP 440 version string."""
    assert isinstance(statemachine.__version__, str)
    assert statemachine.__version__.count(".") >= 2


def test_the_reference_module_paths_give_the_same_classes():
    """`statemachine.statemachine` and `statemachine.state` (python-statemachine's import
    paths) give the very classes the package exports."""
    import statemachine
    from statemachine.state import HistoryState, State
    from statemachine.statemachine import StateChart, StateMachine

    assert StateChart is statemachine.StateChart
    assert StateMachine is statemachine.StateMachine
    assert State is statemachine.State
    assert HistoryState is statemachine.HistoryState
