"""The documentation as a reader meets it: every page listed in the contents and reachable
from a toctree, install lines that work, no test suite clean-up and no internal names in the
pages, and, built with ``sphinx-build -W`` and opened in Chromium at 1280 px, code blocks
that scroll instead of being cut off.

Doctest lines that only clean up after an example (removing a log handler, unregistering a
format, disconnecting a receiver) live in HTML comments: pytest's ``--doctest-glob`` still
runs them, MyST keeps them out of the page, and ``docs/conf.py`` drops the comments from the
HTML.
"""

from __future__ import annotations

import doctest
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import statemachine

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))
# What a user reads: the README, every page, the runnable projects' READMEs.
READ = [ROOT / "README.md", *(DOCS / page for page in PAGES), *ROOT.glob("contrib/*/README.md")]
CHROMIUM = os.environ.get("STATEMACHINE_CHROMIUM", "/usr/bin/chromium")

COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
FENCE = re.compile(r"^```\{toctree\}\n(.*?)^```", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")

# Statements that only undo what an example set up, for the next example or test.
HOUSEKEEPING = [
    re.compile(pattern)
    for pattern in (
        r"\.removeHandler\(",
        r"\.disconnect\(",
        r"^del\s",
        r"\.setLevel\(logging\.NOTSET\)",
        r"\b(?:from|import)\s+tests\b",
        r"\._(?:formats|registry|instances)\b",
        r"\bsys\.modules\b",
    )
]
# Names for things that mean something only to the people who wrote the library.
JARGON = re.compile(
    r"\bthe seed\b|\bseed's\b|\bthe oracle\b|\bdemo app\b|\bissue \d+|\bS\d{1,2}\b"
    r"|\bthe reference\b|\bhousekeeping\b"
)
WHEEL = re.compile(r"statemachine_kit-([^-\s'\"]+)-py3-none-any\.whl")


# --- contents and toctrees --------------------------------------------------------------------


def contents_links(index_text: str) -> set[str]:
    """The pages that the "Contents" section of ``index.md`` links to."""
    section = index_text.split("\n## Contents\n", 1)[1].split("\n## ", 1)[0]
    section = FENCE.split(section, 1)[0]  # the list, not the toctree after it
    return set(LINK.findall(section))


def toctree_entries(page: str, text: str) -> set[str]:
    """The pages listed in the toctrees of ``page`` (a path under docs/), as paths."""
    folder = Path(page).parent
    entries = set()
    for body in FENCE.findall(text):
        for line in body.splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                entries.add((folder / f"{line}.md").as_posix())
    return entries


def unreachable(pages: list[str], toctrees: dict[str, set[str]]) -> list[str]:
    """The pages that no chain of toctrees leads to from ``index.md``."""
    seen, todo = {"index.md"}, ["index.md"]
    while todo:
        for entry in toctrees.get(todo.pop(), set()):
            if entry not in seen:
                seen.add(entry)
                todo.append(entry)
    return [page for page in pages if page not in seen]


def _toctrees() -> dict[str, set[str]]:
    return {page: toctree_entries(page, (DOCS / page).read_text()) for page in PAGES}


def test_the_contents_list_every_page():
    listed = contents_links((DOCS / "index.md").read_text())
    assert "django.md" in listed
    assert [page for page in PAGES if page != "index.md" and page not in listed] == []
    assert [link for link in sorted(listed) if not (DOCS / link).is_file()] == []


def test_every_page_is_reached_from_the_root_toctree():
    toctrees = _toctrees()
    assert unreachable(PAGES, toctrees) == []
    every_entry = [entry for entries in toctrees.values() for entry in entries]
    assert [entry for entry in every_entry if entry not in PAGES] == []


def test_a_page_missing_from_the_contents_is_found():
    index = "# Docs\n\n## Contents\n\n1. [Guards](guards.md#refusals): guards.\n\n```{toctree}\n"
    index += "django\n```\n"
    assert contents_links(index) == {"guards.md"}  # the toctree's django is not a link


def test_a_page_missing_from_every_toctree_is_found():
    toctrees = {
        "index.md": toctree_entries("index.md", "```{toctree}\n:hidden:\n\nguards\nio/index\n```"),
        "io/index.md": toctree_entries("io/index.md", "```{toctree}\n:maxdepth: 2\n\nscxml\n```"),
    }
    assert toctrees["io/index.md"] == {"io/scxml.md"}
    pages = ["guards.md", "index.md", "io/index.md", "io/scxml.md", "io/export.md", "django.md"]
    assert unreachable(pages, toctrees) == ["io/export.md", "django.md"]


# --- install lines ----------------------------------------------------------------------------


def test_no_install_line_asks_pypi_for_the_unpublished_package():
    asked = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in READ
        for line in path.read_text().splitlines()
        if re.search(r"pip install\s+['\"]?statemachine-kit\b", line)
    ]
    assert asked == []


def test_the_wheel_the_docs_name_is_this_version():
    named = {(path.name, version) for path in READ for version in WHEEL.findall(path.read_text())}
    assert {"README.md", "getting-started.md", "django.md"} <= {name for name, _ in named}
    assert {version for _, version in named} == {statemachine.__version__}


# --- clean-up lines and jargon ----------------------------------------------------------------


def _visible(text: str) -> str:
    return COMMENT.sub("", text)


def _statements(text: str) -> list[str]:
    return [line[4:] for line in text.splitlines() if line.startswith(">>> ")]


def test_no_clean_up_statement_is_shown():
    shown = [
        f"{path.relative_to(ROOT)}: {statement}"
        for path in READ
        for statement in _statements(_visible(path.read_text()))
        if any(pattern.search(statement) for pattern in HOUSEKEEPING)
    ]
    assert shown == []


def test_the_hidden_clean_up_lines_are_doctests_that_run():
    """Each comment with doctest lines holds only clean-up, parsed as examples whose expected
    output ends before ``-->`` (a blank line must separate them)."""
    parser = doctest.DocTestParser()
    hidden = []
    for path in READ:
        for body in COMMENT.findall(path.read_text()):
            if ">>>" not in body:
                continue
            examples = parser.get_examples(body + "-->")
            assert examples, path
            for example in examples:
                assert "-->" not in example.want, (path, example.source)
                assert any(p.search(example.source) for p in HOUSEKEEPING), (path, example.source)
                hidden.append(example.source)
    assert len(hidden) >= 7  # errors (2), statecharts, compatibility, scxml (2), diagrams, django


def test_the_clean_up_check_recognises_clean_up():
    assert all(
        any(pattern.search(statement) for pattern in HOUSEKEEPING)
        for statement in (
            'logging.getLogger("statemachine").removeHandler(handler)',
            "post_transition.disconnect(announce, sender=Article)",
            'del formatter._formats["states"]',
            "from tests.conftest import engine",
        )
    )
    assert not any(pattern.search("sm.send('go')  # del is not here") for pattern in HOUSEKEEPING)
    visible = _visible("text\n<!-- note:\n>>> del x\n\n-->\n>>> shown()\n")
    assert _statements(visible) == ["shown()"]


def test_no_internal_names_in_what_users_read():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r} in {line.strip()!r}"
        for path in READ
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for match in JARGON.finditer(line)
    ]
    assert found == []


# --- the built site ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """``sphinx-build -W -b html docs OUT``, as the README says, warnings being errors."""
    out = tmp_path_factory.mktemp("docs-site") / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", DOCS, out],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_every_page_is_built_and_listed_on_the_index(site):
    index = (site / "index.html").read_text()
    for page in PAGES:
        built = page.removesuffix(".md") + ".html"
        assert (site / built).is_file(), built
        if page != "index.md":
            assert f'href="{built}"' in index, built


def test_the_theme_is_furo(site):
    index = (site / "index.html").read_text()
    assert 'href="_static/styles/furo.css' in index
    assert (site / "_static" / "styles" / "furo.css").is_file()


def test_the_built_pages_show_no_clean_up_line(site):
    hidden = [
        example.source.strip()
        for path in READ
        for body in COMMENT.findall(path.read_text())
        for example in doctest.DocTestParser().get_examples(body + "-->")
    ]
    assert hidden
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert "Clean-up for the test suite" not in text, page
        words = html.unescape(re.sub(r"<[^>]+>", "", text))
        assert [source for source in hidden if source in words] == [], page


# --- in a browser, 1280 px wide ----------------------------------------------------------------

_LAYOUT = """() => {
  const width = window.innerWidth;
  const blocks = [...document.querySelectorAll('pre')].map((pre) => ({
    text: pre.textContent.slice(0, 60),
    overflowing: pre.scrollWidth > pre.clientWidth,
    overflowX: getComputedStyle(pre).overflowX,
    right: pre.getBoundingClientRect().right,
  }));
  const tables = [...document.querySelectorAll('table')].map((table) => {
    const box = table.parentElement;
    return {
      text: table.textContent.trim().slice(0, 60),
      overflowing: box.scrollWidth > box.clientWidth,
      overflowX: getComputedStyle(box).overflowX,
      right: Math.min(table.getBoundingClientRect().right, box.getBoundingClientRect().right),
    };
  });
  return {width, pageWidth: document.scrollingElement.scrollWidth, blocks, tables};
}"""


def _unavailable(message: str) -> None:
    if os.environ.get("STATEMACHINE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} STATEMACHINE_REQUIRE_BROWSER=1 requires the browser test to run.")
    pytest.skip(message)


def test_code_blocks_and_tables_scroll_instead_of_being_cut_off_at_1280px(site):
    """A code block (or a table) wider than the text column scrolls sideways: its box has
    ``overflow-x: auto`` and ends inside the window, and the page itself is no wider."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright's Python package is not installed (pip install playwright).")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium was not found at {CHROMIUM} (Debian: apt-get install chromium).")

    problems, overflowing = [], 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for name in PAGES:
                page.goto((site / (name.removesuffix(".md") + ".html")).as_uri())
                layout = page.evaluate(_LAYOUT)
                if layout["pageWidth"] > layout["width"]:
                    problems.append(f"{name}: the page is {layout['pageWidth']} px wide")
                for block in layout["blocks"] + layout["tables"]:
                    overflowing += block["overflowing"]
                    if block["overflowing"] and block["overflowX"] not in ("auto", "scroll"):
                        problems.append(
                            f"{name}: cut off ({block['overflowX']}): {block['text']!r}"
                        )
                    if block["right"] > layout["width"]:
                        problems.append(f"{name}: past the window's edge: {block['text']!r}")
        finally:
            browser.close()
    assert problems == []
    assert overflowing > 0  # long lines exist (django.md, io/scxml.md): they were checked
