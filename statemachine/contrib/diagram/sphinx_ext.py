"""A Sphinx extension drawing state machines in the documentation.

Add ``"statemachine.contrib.diagram.sphinx_ext"`` to ``extensions`` in ``conf.py`` and write::

    .. statemachine-diagram:: mypackage.machines.TrafficLight
       :events: cycle, cycle
       :caption: The light after two cycles.
       :width: 60%

The argument is ``module.ClassName``, or a module path (its first machine class).

Options:

* ``:events:`` comma-separated events sent to a fresh instance first, so the diagram
  highlights the configuration they reach.
* ``:format:`` ``svg`` (the default: Graphviz draws an SVG file, written under the builder's
  image directory, ``_images`` for HTML, and shown through an ordinary image node) or
  ``mermaid`` (a ``mermaid`` node when ``sphinxcontrib.mermaid`` is loaded; otherwise the
  Mermaid source as a literal block, with a warning).
* The options of ``image`` / ``figure``: ``:alt:``, ``:width:``, ``:height:``, ``:scale:``,
  ``:align:``, ``:target:`` (empty: link to the full-size SVG), ``:class:``, ``:name:``, and
  ``:caption:`` (makes a figure) with ``:figclass:``.

Problems (a path that does not import, an unknown format, events the machine rejects,
Graphviz missing) are reported as warnings at the directive's location, of type
``statemachine.diagram`` (so ``suppress_warnings`` can silence them), and the diagram is left
out; the Mermaid fallback warns as ``statemachine.mermaid``.

The machine is imported and drawn while the document is read (the machine's source file
becomes a dependency of the document, so editing it rebuilds the page); the image file is
written when the document is written, once per output, under a stable name derived from
the class path and the events.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import posixpath
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes  # type: ignore[import-untyped]
from docutils.parsers.rst import directives  # type: ignore[import-untyped]
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = ["StateMachineDiagram", "setup"]

logger = logging.getLogger(__name__)

DIRECTIVE = "statemachine-diagram"
FORMATS = ("svg", "mermaid")
_ALIGN_VALUES = ("left", "center", "right", "top", "middle", "bottom")
_FIGURE_ALIGN_VALUES = ("left", "center", "right")
_MEASURE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z%]*)\s*$")


class DiagramProblem(Exception):
    """A problem reported as a warning at the directive, instead of the diagram."""


class statemachine_diagram(nodes.General, nodes.Inline, nodes.Element):  # type: ignore[misc]
    """A drawn diagram waiting for its output: replaced, when its document is written, by
    an ``image`` of the SVG file (written then) or by the Mermaid node / literal block."""


def _align(argument: str) -> str:
    return str(directives.choice(argument, _ALIGN_VALUES))


def _format(argument: str | None) -> str:
    return (argument or "").strip().lower()


class StateMachineDiagram(SphinxDirective):
    """``.. statemachine-diagram:: module.Class``: the diagram of a state machine."""

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    has_content = False
    option_spec = {
        "events": directives.unchanged,
        "format": _format,
        "caption": directives.unchanged,
        "alt": directives.unchanged,
        "width": directives.length_or_percentage_or_unitless,
        "height": directives.length_or_unitless,
        "scale": directives.percentage,
        "align": _align,
        "target": directives.unchanged,
        "class": directives.class_option,
        "figclass": directives.class_option,
        "name": directives.unchanged,
    }

    def run(self) -> list[Any]:
        qualname = self.arguments[0]
        try:
            return self._run(qualname)
        except DiagramProblem as problem:
            logger.warning(
                "%s %s: %s",
                DIRECTIVE,
                qualname,
                problem,
                location=self.get_location(),
                type="statemachine",
                subtype="diagram",
            )
            return []

    # --- drawing ----------------------------------------------------------------------------
    def _run(self, qualname: str) -> list[Any]:
        fmt = self.options.get("format") or "svg"
        if fmt not in FORMATS:
            raise DiagramProblem(
                f"unknown format {fmt!r}; use one of: {', '.join(repr(f) for f in FORMATS)}"
            )
        events = [e.strip() for e in self.options.get("events", "").split(",") if e.strip()]
        cls = self._import(qualname)
        target = self._instance(cls, events) if events else cls

        node = statemachine_diagram()
        self.set_source_info(node)
        node["format"] = fmt
        node["alt"] = self.options.get("alt", cls.__name__)
        if fmt == "svg":
            node["data"] = self._svg(target)
            node["filename"] = _file_name(qualname, events)
            self._image_options(node)
        else:
            from .renderers.mermaid import MermaidGraphMachine

            try:
                node["data"] = MermaidGraphMachine(target).get_mermaid()
            except Exception as err:
                raise DiagramProblem(f"cannot draw it: {_describe(err)}") from None
            if "align" in self.options:
                node["align"] = self.options["align"]
        node["classes"] += self.options.get("class", [])
        return [self._wrap(node)]

    def _import(self, qualname: str) -> type:
        from ._cli import import_sm

        try:
            cls = import_sm(qualname)
        except ValueError as err:
            raise DiagramProblem(str(err)) from None
        except Exception as err:  # the module itself failed while importing
            raise DiagramProblem(f"cannot import {qualname!r}: {_describe(err)}") from None
        source = getattr(sys.modules.get(cls.__module__), "__file__", None)
        if source:
            self.env.note_dependency(source)
        return cls

    @staticmethod
    def _instance(cls: type, events: list[str]) -> Any:
        try:
            machine = cls()
            for event in events:
                machine.send(event)
        except Exception as err:
            raise DiagramProblem(f"while sending {events!r}: {_describe(err)}") from None
        return machine

    @staticmethod
    def _svg(target: Any) -> str:
        from ._notes import one_line
        from .graphviz import GraphvizNotFoundError
        from .renderers.dot import DotGraphMachine, PydotNotInstalled

        try:
            return DotGraphMachine(target).create("svg").decode("utf-8")
        except (GraphvizNotFoundError, PydotNotInstalled) as err:
            raise DiagramProblem(one_line(err)) from None
        except Exception as err:
            raise DiagramProblem(f"Graphviz could not draw it: {_describe(err)}") from None

    def _image_options(self, node: Any) -> None:
        for key in ("width", "height", "scale"):
            if key in self.options:
                node[key] = self.options[key]
        if "scale" in node:
            # The HTML writers look for the image's size in the source directory, where this
            # one is not: give them the drawn size, so `:scale:` applies.
            natural = _svg_size(node["data"])
            if natural is not None:
                node.setdefault("width", natural[0])
                node.setdefault("height", natural[1])
        align = self.options.get("align")
        if align and not ("caption" in self.options and align in _FIGURE_ALIGN_VALUES):
            node["align"] = align

    # --- wrapping: link, figure, name ---------------------------------------------------------
    def _wrap(self, node: Any) -> Any:
        outer = node
        if node["format"] == "svg" and "target" in self.options:
            outer = self._reference(self.options["target"])
            outer += node
        caption = self.options.get("caption")
        if caption is None:
            self.add_name(node)
            return outer
        figure = nodes.figure("", outer)
        self.set_source_info(figure)
        figure["classes"] += self.options.get("figclass", [])
        align = self.options.get("align")
        if align in _FIGURE_ALIGN_VALUES:
            figure["align"] = align
        text_nodes, messages = self.state.inline_text(caption, self.lineno)
        caption_node = nodes.caption(caption, "", *text_nodes)
        caption_node.source, caption_node.line = self.get_source_info()
        figure += caption_node
        figure += messages
        self.add_name(figure)
        return figure

    def _reference(self, target: str) -> Any:
        if not target.strip():
            # Linked to the SVG file itself: the address is known when the page is written.
            return nodes.reference("", "", internal=True, statemachine_full_svg=True)
        block = target.split()
        target_type, data = self.state.parse_target(block, self.block_text, self.lineno)
        if target_type == "refuri":
            return nodes.reference("", "", refuri=data)
        if target_type == "refname":
            reference = nodes.reference(
                "",
                "",
                refname=nodes.fully_normalize_name(data),
                name=nodes.whitespace_normalize_name(data),
            )
            reference.indirect_reference_name = data
            self.state.document.note_refname(reference)
            return reference
        raise DiagramProblem(f"invalid :target: {target!r}")  # pragma: no cover


def _describe(err: BaseException) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _file_name(qualname: str, events: list[str]) -> str:
    """``statemachine-<path>-<digest>.svg``: the same path and events give the same name."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", qualname).strip("-.") or "machine"
    digest = hashlib.sha1(json.dumps([qualname, events]).encode("utf-8"), usedforsecurity=False)
    return f"statemachine-{slug[:80]}-{digest.hexdigest()[:10]}.svg"


def _svg_size(svg: str) -> tuple[str, str] | None:
    """The ``width`` and ``height`` of the SVG's root, as given (Graphviz: ``123pt``)."""
    try:
        root = ET.fromstring(svg.encode("utf-8"))
    except ET.ParseError:
        return None
    width, height = root.get("width"), root.get("height")
    if width and height and _MEASURE.match(width) and _MEASURE.match(height):
        return width.strip(), height.strip()
    return None


# --- at write time --------------------------------------------------------------------------
def _resolve(app: Sphinx, doctree: Any, docname: str) -> None:
    """Turn the diagrams of ``docname`` into nodes the builder writes."""
    for node in list(doctree.findall(statemachine_diagram)):
        if node["format"] == "svg":
            _replace_with_image(app, node, docname)
        else:
            _replace_with_mermaid(app, node)


def _replace_with_image(app: Sphinx, node: Any, docname: str) -> None:
    builder = app.builder
    imagedir = getattr(builder, "imagedir", "") or ""
    relpath = posixpath.join(imagedir, node["filename"]) if imagedir else node["filename"]
    out = Path(builder.outdir, *relpath.split("/"))
    data = node["data"].encode("utf-8")
    try:
        if not out.is_file() or out.read_bytes() != data:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
    except OSError as err:
        logger.warning(
            "%s: cannot write %s: %s",
            DIRECTIVE,
            out,
            err,
            location=node,
            type="statemachine",
            subtype="diagram",
        )
    if builder.format == "html":
        base = builder.get_target_uri(docname).partition("#")[0]
        uri = relative_uri(base, relpath)
    else:
        uri = relpath
    # The candidate `?` tells the builder the file is in place already: it is not copied.
    image = nodes.image(node.rawsource, uri=uri, candidates={"?": uri}, alt=node["alt"])
    for key in ("width", "height", "scale", "align", "ids", "names", "classes"):
        if key in node:
            image[key] = node[key]
    image.source, image.line = node.source, node.line
    parent = node.parent
    if isinstance(parent, nodes.reference) and parent.get("statemachine_full_svg"):
        parent["refuri"] = uri
        del parent["statemachine_full_svg"]
    node.replace_self(image)


def _replace_with_mermaid(app: Sphinx, node: Any) -> None:
    code = node["data"]
    if "sphinxcontrib.mermaid" in app.extensions:
        mermaid_node = importlib.import_module("sphinxcontrib.mermaid").mermaid
        new = mermaid_node()
        new["code"] = code
        new["options"] = {}
        new["alt"] = node["alt"]
        if "align" in node:
            new["align"] = node["align"]
    else:
        logger.warning(
            "%s: ':format: mermaid' needs the sphinxcontrib.mermaid extension (add "
            "'sphinxcontrib.mermaid' to extensions in conf.py); showing the Mermaid "
            "source instead",
            DIRECTIVE,
            location=node,
            type="statemachine",
            subtype="mermaid",
        )
        new = nodes.literal_block(code, code, language="text")
    for key in ("ids", "names", "classes"):
        new[key] = node[key]
    new.source, new.line = node.source, node.line
    node.replace_self(new)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``statemachine-diagram`` directive."""
    from statemachine import __version__

    app.add_node(statemachine_diagram)
    app.add_directive(DIRECTIVE, StateMachineDiagram)
    app.connect("doctree-resolved", _resolve)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
