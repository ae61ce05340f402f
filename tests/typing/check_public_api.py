"""Static checks of the user-facing types (the core, the diagram package and statemachine.io),
run by mypy in CI (not collected by pytest)."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from statemachine import Event, State, StateMachine
from statemachine.event import BoundEvent
from statemachine.orderedset import OrderedSet
from statemachine.state import InstanceState


class Light(StateMachine):
    green = State(initial=True)
    red = State()
    cycle = green.to(red) | red.to(green)
    stop = Event(green.to(red))


class Lamp(StateMachine):
    off = State(initial=True)
    on = State()

    @off.to(on)  # the decorator returns the function, so the method keeps its type
    def switch_on(self, level: int = 1) -> str:
        return f"lit at {level}"

    switch_off = on.to(off)


def check(sm: Light) -> None:
    assert_type(Light.green, State)
    assert_type(sm.green, InstanceState)
    assert_type(sm.green.is_active, bool)
    assert_type(sm.cycle, BoundEvent)
    assert_type(sm.stop, BoundEvent)
    assert_type(sm.cycle(), Any)
    assert_type(sm.send("cycle"), Any)
    assert_type(sm.configuration, OrderedSet[State])
    assert_type(sm.is_terminated, bool)


def check_decorated(lamp: Lamp) -> None:
    assert_type(lamp.switch_on(2), str)
    assert_type(lamp.switch_off, BoundEvent)


def check_diagrams(sm: Light) -> None:
    import pydot

    from statemachine.contrib.diagram import DotGraphMachine, MermaidGraphMachine, formatter
    from statemachine.contrib.diagram.extract import extract
    from statemachine.contrib.diagram.formatter import Formatter
    from statemachine.contrib.diagram.graphviz import run_graphviz
    from statemachine.contrib.diagram.model import DiagramGraph, DiagramState, DiagramTransition
    from statemachine.contrib.diagram.renderers.dot import DotRenderer, DotRendererConfig
    from statemachine.contrib.diagram.renderers.mermaid import (
        MermaidRenderer,
        MermaidRendererConfig,
    )
    from statemachine.contrib.diagram.renderers.table import TransitionTableRenderer

    graph = extract(sm)
    assert_type(graph, DiagramGraph)
    assert_type(extract(Light), DiagramGraph)
    assert_type(graph.walk(), list[DiagramState])
    assert_type(graph.transitions, list[DiagramTransition])
    assert_type(graph.active, frozenset[str])
    assert_type(formatter, Formatter)
    assert_type(formatter.render(sm, "md"), str)
    assert_type(formatter.supported_formats(), list[str])
    assert_type(DotRenderer(DotRendererConfig()).render(graph), pydot.Dot)
    assert_type(DotGraphMachine(Light)(), pydot.Dot)
    assert_type(DotGraphMachine(sm).create("svg"), bytes)
    assert_type(MermaidRenderer(MermaidRendererConfig()).render(graph), str)
    assert_type(MermaidGraphMachine(sm)(), str)
    assert_type(TransitionTableRenderer(highlight_active=True).render(graph, "rst"), str)
    assert_type(run_graphviz("digraph {}", "svg"), bytes)


def check_io() -> None:
    from statemachine import StateChart
    from statemachine.io import (
        StateDefinition,
        TransitionDict,
        build_processor,
        create_machine_class_from_definition,
        load,
    )

    go: TransitionDict = {"target": "b", "cond": ["ready", lambda: True], "on": "log"}
    states: dict[str, StateDefinition] = {
        "a": {"initial": True, "on": {"go": [go]}, "enter": print},
        "b": {"final": True, "history": {"h": {"type": "deep"}}},
    }
    assert_type(create_machine_class_from_definition("M", states), type[StateChart[Any]])
    assert_type(load("machine.yaml", validate=True), type[StateChart[Any]])
    assert_type(build_processor("machine.json").start(), StateChart[Any])
