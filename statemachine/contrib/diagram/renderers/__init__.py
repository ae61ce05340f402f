"""The renderers of the diagram model: ``dot`` (Graphviz, through pydot), ``mermaid``
(``stateDiagram-v2`` text) and ``table`` (Markdown and reStructuredText tables). Each takes
a :class:`~statemachine.contrib.diagram.model.DiagramGraph` and nothing else."""

__all__: list[str] = []
