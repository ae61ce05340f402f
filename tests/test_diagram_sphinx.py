"""The Sphinx extension: ``.. statemachine-diagram:: module.Class`` in a real html build."""

from __future__ import annotations

import io
import re
import sys
import textwrap
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sphinx.application import Sphinx  # the dev extra installs Sphinx (and myst-parser)
from sphinx.util.docutils import docutils_namespace

MODULE = "sphinx_doc_machines"
MACHINES = textwrap.dedent(
    """
    from statemachine import State, StateChart, StateMachine


    class TrafficLight(StateChart):
        green = State(initial=True)
        yellow = State()
        red = State()
        cycle = green.to(yellow) | yellow.to(red) | red.to(green)


    class Lamp(StateMachine):
        off = State(initial=True)
        on = State()
        switch = off.to(on) | on.to(off)
    """
)

GOOD_INDEX = f"""\
Machines
========

.. toctree::

   sub/page

.. statemachine-diagram:: {MODULE}.TrafficLight

.. statemachine-diagram:: {MODULE}.TrafficLight
   :events: cycle

.. statemachine-diagram:: {MODULE}
   :events: cycle, cycle
   :alt: The light after two cycles
   :width: 300px
   :class: machine-diagram
   :target:

.. statemachine-diagram:: {MODULE}.Lamp
   :caption: A *lamp* diagram.
   :figclass: lamp-figure
   :name: lamp-figure
   :align: center
   :scale: 50

.. statemachine-diagram:: {MODULE}.Lamp
   :target: https://example.org/lamp
   :height: 80
   :align: right

See :ref:`the lamp <lamp-figure>`.
"""

SUB_PAGE = f"""\
Sub page
========

.. statemachine-diagram:: {MODULE}.TrafficLight
   :events: cycle
"""


class _Tags(HTMLParser):
    """The ``img`` tags of a page, each with the ``href`` of the link around it (if any)."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, Any]] = []
        self.figures: list[dict[str, Any]] = []
        self._links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a":
            self._links.append(found.get("href"))
        elif tag == "img":
            found["link"] = self._links[-1] if self._links else None
            self.images.append(found)
        elif tag == "figure":
            self.figures.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            self._links.pop()


def _parse(html: str) -> _Tags:
    tags = _Tags()
    tags.feed(html)
    return tags


def _write_project(root: Path, pages: dict[str, str], extensions: tuple[str, ...] = ()) -> Path:
    src = root / "src"
    src.mkdir()
    (root / f"{MODULE}.py").write_text(MACHINES)
    names = ["statemachine.contrib.diagram.sphinx_ext", *extensions]
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(root)!r})\n"
        f"project = 'machines'\nextensions = {names!r}\n"
    )
    for name, text in pages.items():
        path = src / f"{name}.rst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return src


def _build(src: Path) -> tuple[Sphinx, Path, str]:
    """An html build of ``src`` (no ``-W``): the app, the output directory and the warnings."""
    out = src.parent / "out"
    warnings = io.StringIO()
    # As sphinx-build does: directives and nodes registered by this build are forgotten after.
    with docutils_namespace():
        app = Sphinx(
            str(src),
            str(src),
            str(out),
            str(src.parent / "doctrees"),
            "html",
            status=io.StringIO(),
            warning=warnings,
            freshenv=True,
        )
        app.build()
    return app, out, re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue())


@pytest.fixture(autouse=True)
def _isolated_imports():
    """conf.py puts the project on sys.path and the build imports the machines: undo both."""
    saved_path = list(sys.path)
    yield
    sys.path[:] = saved_path
    for name in (MODULE, "sphinxcontrib.mermaid"):
        sys.modules.pop(name, None)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One build of a good two-page project, shared by the tests that read it."""
    saved_path = list(sys.path)
    sys.modules.pop(MODULE, None)
    try:
        src = _write_project(
            tmp_path_factory.mktemp("site"), {"index": GOOD_INDEX, "sub/page": SUB_PAGE}
        )
        app, out, warnings = _build(src)
    finally:
        sys.path[:] = saved_path
        sys.modules.pop(MODULE, None)
    index = (out / "index.html").read_text(encoding="utf-8")
    sub = (out / "sub" / "page.html").read_text(encoding="utf-8")
    return SimpleNamespace(
        app=app, out=out, warnings=warnings, index=index, tags=_parse(index), sub=sub
    )


def _svg_of(page: Path, src: str) -> ET.Element:
    path = (page.parent / src).resolve()
    assert path.is_file(), path
    assert path.suffix == ".svg"
    return ET.parse(path).getroot()


def _texts(svg: ET.Element) -> list[str]:
    return [el.text or "" for el in svg.iter() if el.tag.endswith("}text")]


def _filled_nodes(svg: ET.Element, colour: str) -> list[str]:
    """The labels of the Graphviz nodes whose shape is filled with ``colour``."""
    labels = []
    for group in svg.iter():
        if not (group.tag.endswith("}g") and group.get("class") == "node"):
            continue
        if any(child.get("fill") == colour for child in group):
            labels.extend(_texts(group))
    return labels


# --- a good document ------------------------------------------------------------------------
def test_a_good_document_builds_without_warnings(site):
    assert site.app.statuscode == 0
    assert site.warnings.strip() == ""


def test_images_point_at_svg_files_in_the_output(site):
    """Each directive gives an ``<img>`` whose SVG exists under ``_images``, parses as XML and
    names the machine's states."""
    images = site.tags.images
    assert len(images) == 5
    for img in images:
        assert img["src"].startswith("_images/statemachine-")
        svg = _svg_of(site.out / "index.html", img["src"])
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    light = _texts(_svg_of(site.out / "index.html", images[0]["src"]))
    assert {"Green", "Yellow", "Red"} <= set(light)
    lamp = _texts(_svg_of(site.out / "index.html", images[3]["src"]))
    assert {"Off", "On"} <= set(lamp)
    assert images[0]["alt"] == "TrafficLight"  # the default alternative text


def test_events_highlight_the_reached_state(site):
    """``:events:`` draws an instance: the reached state's node is filled with turquoise."""
    plain, once, twice = (_svg_of(site.out / "index.html", i["src"]) for i in site.tags.images[:3])
    assert _filled_nodes(plain, "turquoise") == []
    assert _filled_nodes(once, "turquoise") == ["Yellow"]
    assert _filled_nodes(twice, "turquoise") == ["Red"]
    assert ET.tostring(plain) != ET.tostring(once)


def test_file_names_are_stable_per_path_and_events(site):
    """The same class path and events give one file, wherever the directive is; other
    events or another path give another file."""
    srcs = [img["src"] for img in site.tags.images]
    assert len(set(srcs[:4])) == 4
    assert srcs[4] == srcs[3]  # Lamp again, other image options but the same drawing
    sub = _parse(site.sub).images
    assert [img["src"] for img in sub] == ["../" + srcs[1]]
    assert _svg_of(site.out / "sub" / "page.html", sub[0]["src"]) is not None


def test_image_options_reach_the_html(site):
    """``:alt:``, ``:width:`` and ``:class:`` land on the ``<img>``; an empty ``:target:``
    links to the SVG itself and a URL target to that URL."""
    img = site.tags.images[2]
    assert img["alt"] == "The light after two cycles"
    assert "width: 300px" in img["style"]
    assert "machine-diagram" in img["class"].split()
    assert img["link"] == img["src"]
    linked = site.tags.images[4]
    assert linked["link"] == "https://example.org/lamp"
    assert linked["height"] == "80"
    assert "align-right" in linked["class"].split()


def test_a_caption_makes_a_figure(site):
    """``:caption:`` wraps the image in a figure with its classes, alignment and name; the
    name is a label for ``:ref:``; ``:scale:`` scales the drawn size."""
    figure = next(f for f in site.tags.figures if "lamp-figure" in f["class"].split())
    assert "align-center" in figure["class"].split()
    assert figure["id"] == "lamp-figure"
    assert "<figcaption>" in site.index
    assert "A <em>lamp</em> diagram." in site.index
    assert 'href="#lamp-figure"' in site.index
    scaled = site.tags.images[3]
    natural = _svg_of(site.out / "index.html", scaled["src"]).get("width")
    assert natural is not None
    assert f"width: {float(natural.removesuffix('pt')) / 2:g}pt" in scaled["style"]


# --- problems ---------------------------------------------------------------------------------
def test_problems_become_warnings_naming_the_directive(tmp_path):
    """A path that does not import, an unknown format and rejected events each give one
    warning at the directive (no traceback), and the build goes on."""
    index = f"""\
Problems
========

.. statemachine-diagram:: no_such_module.Machine

.. statemachine-diagram:: {MODULE}.TrafficLight
   :format: png

.. statemachine-diagram:: {MODULE}.Lamp
   :events: explode

.. statemachine-diagram:: {MODULE}.Lamp
"""
    app, out, warnings = _build(_write_project(tmp_path, {"index": index}))
    assert app.statuscode == 0
    lines = [line for line in warnings.splitlines() if "WARNING" in line]
    assert len(lines) == 3, warnings
    assert "index.rst:4" in lines[0]
    assert "statemachine-diagram no_such_module.Machine" in lines[0]
    assert "no_such_module" in lines[0]
    assert "index.rst:6" in lines[1]
    assert "unknown format 'png'" in lines[1]
    assert "index.rst:9" in lines[2]
    assert "explode" in lines[2]
    assert "Traceback" not in warnings
    assert len(_parse((out / "index.html").read_text(encoding="utf-8")).images) == 1


def test_missing_graphviz_is_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    index = f"Title\n=====\n\n.. statemachine-diagram:: {MODULE}.Lamp\n"
    app, _, warnings = _build(_write_project(tmp_path, {"index": index}))
    assert app.statuscode == 0
    assert "statemachine-diagram" in warnings
    assert "Graphviz" in warnings
    assert "Traceback" not in warnings


# --- mermaid ----------------------------------------------------------------------------------
MERMAID_INDEX = f"""\
Mermaid
=======

.. statemachine-diagram:: {MODULE}.TrafficLight
   :format: mermaid
   :events: cycle
   :caption: Mermaid light.
"""


def test_mermaid_without_the_extension_is_a_literal_block_and_a_warning(tmp_path):
    app, out, warnings = _build(_write_project(tmp_path, {"index": MERMAID_INDEX}))
    assert app.statuscode == 0
    assert "sphinxcontrib.mermaid" in warnings
    assert "index.rst:4" in warnings
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "stateDiagram-v2" in html
    assert "<figcaption>" in html
    assert not list(out.glob("_images/*.svg"))  # no image for a Mermaid diagram


FAKE_MERMAID = textwrap.dedent(
    """
    from docutils import nodes


    class mermaid(nodes.General, nodes.Inline, nodes.Element):
        pass


    def visit(self, node):
        self.body.append('<pre class="fake-mermaid">' + self.encode(node["code"]) + "</pre>")
        raise nodes.SkipNode


    def setup(app):
        app.add_node(mermaid, html=(visit, None))
        return {"parallel_read_safe": True}
    """
)


def test_mermaid_with_the_extension_is_a_mermaid_node(tmp_path):
    """With ``sphinxcontrib.mermaid`` loaded (a stand-in here), the Mermaid source goes into
    its ``mermaid`` node, with the reached state marked active."""
    (tmp_path / "sphinxcontrib").mkdir()
    (tmp_path / "sphinxcontrib" / "mermaid.py").write_text(FAKE_MERMAID)
    src = _write_project(tmp_path, {"index": MERMAID_INDEX}, ("sphinxcontrib.mermaid",))
    app, out, warnings = _build(src)
    assert app.statuscode == 0
    assert warnings.strip() == ""
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<pre class="fake-mermaid">stateDiagram-v2' in html
    assert "yellow:::active" in html
