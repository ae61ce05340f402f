"""The documentation builds with Sphinx (MyST) and its diagrams page shows two drawn machines.

One in-process html build of ``docs/`` (as ``sphinx-build -b html docs OUT`` does, with a fresh
environment), written under ``tmp_path`` and shared by the tests of this module.
"""

from __future__ import annotations

import io
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.application import Sphinx  # the dev extra installs Sphinx (and myst-parser)
from sphinx.util.docutils import docutils_namespace

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(path.stem for path in DOCS.glob("*.md"))
ACTIVE_FILL = "turquoise"  # DotGraphMachine.state_active_fillcolor

# myst-parser (5.x) still reads `MystReferenceResolver.app`, deprecated by Sphinx 9: not ours.
pytestmark = pytest.mark.filterwarnings(
    r"ignore:'myst_parser\.sphinx_ext\.myst_refs\.MystReferenceResolver\.app' is deprecated"
)

# Every warning the build may print. None: the pages build cleanly, and must stay so.
ALLOWED_WARNINGS: tuple[str, ...] = ()


class _Images(HTMLParser):
    """The ``src`` and ``alt`` of a page's ``img`` tags, and its ``figcaption`` texts."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.captions: list[str] = []
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "figcaption":
            self._in_caption = True
            self.captions.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.captions[-1] += data


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory):
    """Build ``docs/`` to html once; undo what ``conf.py`` and the build did to imports."""
    root = tmp_path_factory.mktemp("docs-build")
    out = root / "html"
    warnings = io.StringIO()
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    before = sorted(p.relative_to(DOCS) for p in DOCS.rglob("*") if "__pycache__" not in p.parts)
    try:
        # As sphinx-build does: directives and nodes registered by this build are forgotten after.
        with docutils_namespace():
            app = Sphinx(
                str(DOCS),
                str(DOCS),
                str(out),
                str(root / "doctrees"),
                "html",
                status=io.StringIO(),
                warning=warnings,
                freshenv=True,
            )
            app.build()
    finally:
        sys.path[:] = saved_path
        # The example machines, imported from docs/ by the directive (leave what was there).
        if "_examples" not in saved_modules:
            sys.modules.pop("_examples", None)
    after = sorted(p.relative_to(DOCS) for p in DOCS.rglob("*") if "__pycache__" not in p.parts)
    return SimpleNamespace(
        app=app,
        out=out,
        warnings=re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue()),
        docs_before=before,
        docs_after=after,
    )


def _svg(page: Path, src: str) -> ET.Element:
    path = (page.parent / src).resolve()
    assert path.suffix == ".svg", src
    assert path.is_file(), path
    assert path.is_relative_to(page.parent.resolve()), path  # inside the output
    return ET.parse(path).getroot()  # parses as XML


def _texts(svg: ET.Element) -> list[str]:
    return [el.text or "" for el in svg.iter() if el.tag.endswith("}text")]


def _filled_nodes(svg: ET.Element, colour: str) -> list[str]:
    """The names (first label line) of the Graphviz nodes whose shape is filled with
    ``colour``."""
    labels = []
    for group in svg.iter():
        is_node = group.tag.endswith("}g") and group.get("class") == "node"
        if is_node and any(child.get("fill") == colour for child in group):
            labels.append(_texts(group)[0])
    return labels


def _diagrams(site) -> tuple[Path, _Images]:
    page = site.out / "diagrams.html"
    parser = _Images()
    parser.feed(page.read_text(encoding="utf-8"))
    return page, parser


def test_the_docs_build_without_warnings(docs_site):
    assert docs_site.app.statuscode == 0
    unexpected = [
        line
        for line in docs_site.warnings.splitlines()
        if line.strip() and not any(allowed in line for allowed in ALLOWED_WARNINGS)
    ]
    assert unexpected == []


def test_every_page_is_built_and_in_the_toctree(docs_site):
    assert "index" in PAGES
    assert "diagrams" in PAGES
    index = (docs_site.out / "index.html").read_text(encoding="utf-8")
    for name in PAGES:
        assert (docs_site.out / f"{name}.html").is_file(), name
        if name != "index":
            assert f'href="{name}.html"' in index, name


def test_the_build_writes_nothing_into_docs(docs_site):
    assert docs_site.docs_after == docs_site.docs_before


def test_the_diagrams_page_shows_two_svg_images(docs_site):
    page, parsed = _diagrams(docs_site)
    svgs = [img for img in parsed.images if (img.get("src") or "").endswith(".svg")]
    assert [img["alt"] for img in svgs] == ["Traffic light state diagram", "Checkout state diagram"]
    assert all(img["src"].startswith("_images/") for img in svgs)
    assert len({img["src"] for img in svgs}) == 2
    for img in svgs:
        assert _svg(page, img["src"]).tag == "{http://www.w3.org/2000/svg}svg"


def test_the_svgs_draw_the_example_machines(docs_site):
    page, parsed = _diagrams(docs_site)
    light, checkout = (_svg(page, img["src"]) for img in parsed.images[:2])

    light_texts = _texts(light)
    assert {"Green", "Yellow", "Red"} <= set(light_texts)
    # The event's display name labels the edge, the (negated `unless`) guard below it.
    assert ["Cycle", "[!crossing]"] in [light_texts[i : i + 2] for i in range(len(light_texts))]
    assert _filled_nodes(light, ACTIVE_FILL) == ["Red"]  # `:events: cycle, cycle`
    # Internal transitions are listed inside Red, with their actions.
    assert {"Press button / start_crossing", "Crossed / stop_crossing"} <= set(light_texts)

    checkout_texts = _texts(checkout)
    assert {"Shopping", "Paying", "Card details", "Authorising", "Shipped", "Cancelled"} <= set(
        checkout_texts
    )
    clusters = [
        text
        for group in checkout.iter()
        if group.tag.endswith("}g") and group.get("class") == "cluster"
        for text in _texts(group)
    ]
    assert clusters == ["Paying"]  # the compound state is a cluster
    assert _filled_nodes(checkout, ACTIVE_FILL) == ["Authorising"]  # `checkout, submit`


def test_the_diagrams_have_their_captions(docs_site):
    _, parsed = _diagrams(docs_site)
    captions = [" ".join(text.split()) for text in parsed.captions]
    assert len(captions) == 2
    assert captions[0].startswith("The traffic light after two cycles")
    assert captions[1].startswith("The checkout after checkout and submit")
