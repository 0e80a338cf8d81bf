"""Every reader's tool reads the site right: Firefox's Reader View (Mozilla's
Readability), a screen reader (Guidepup's virtual screen reader and Chromium's
accessibility tree), and the offline copy opened from file://.

Tests taking `engine` or `desktop_tab` run in Chromium, Firefox and WebKit and
report under their `feature` in the browser matrix; tests taking `chromium` or
`chromium_tab` need Chromium's driver (the accessibility tree over CDP) or judge
the site rather than an engine (epub.js).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import PAGES, ROOT, SITE_URL, TEXT_PAGES, VIEWPORTS, serving

READABILITY_SCRIPT = ROOT / "tests" / "readers" / "readability.mjs"
READABILITY_SOURCE = ROOT / "node_modules" / "@mozilla" / "readability" / "Readability.js"
SCREEN_READER_BUNDLE = (
    ROOT
    / "node_modules"
    / "@guidepup"
    / "virtual-screen-reader"
    / "lib"
    / "esm"
    / "index.browser.js"
)
CHAPTERS = [path for path in PAGES if path != "glossary/"]
"""Pages with the essay's text or prose of their own (the glossary is a list)."""

CONTROLS = ("Download PDF", "Download EPUB", "Copy link", "Share")
"""Text of the page's controls, which a reader mode leaves out of the article."""

MOST_SPOKEN_PER_CHARACTER = 1.3
"""A paragraph read on is spoken in at most this many characters per character of text."""


def words(text: str) -> str:
    return " ".join(text.split())


def essay_paragraphs(html, path: str) -> list[str]:
    return [words(p.get_text()) for p in html(path).select("article .essay p")]


# Reader View: Readability over the built pages -------------------------------------


@pytest.fixture(scope="module")
def reader_view(site: Path) -> dict[str, dict]:
    """Readability's article for every page, as Firefox Reader View parses it."""
    files = [str(site / path / "index.html") for path in PAGES]
    result = subprocess.run(
        ["node", str(READABILITY_SCRIPT), *files],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    return dict(zip(PAGES, json.loads(result.stdout), strict=True))


@pytest.mark.parametrize("path", PAGES)
def test_reader_view_finds_an_article(reader_view, path):
    assert reader_view[path]["readerable"], f"/{path}: Firefox would offer no Reader View"
    assert words(reader_view[path]["text"]), f"/{path}: Readability found no article"


@pytest.mark.parametrize("path", CHAPTERS)
def test_reader_view_keeps_every_essay_paragraph(reader_view, html, path):
    kept = [words(p) for p in reader_view[path]["paragraphs"]]
    lost = [p[:60] for p in essay_paragraphs(html, path) if p not in kept]
    assert not lost, f"/{path}: Reader View drops essay paragraphs: {lost}"


def test_reader_view_keeps_the_whole_essay_in_order(reader_view, html):
    """Joined over the chapters in navigation order, the article text holds the essay."""
    essay = (ROOT / "tests" / "data" / "essay.txt").read_text(encoding="utf-8").split("\n\n")
    read = [words(p) for path in PAGES for p in reader_view[path]["paragraphs"]]
    assert [p for p in read if p in map(words, essay)] == [words(p) for p in essay]


@pytest.mark.parametrize("path", PAGES)
def test_reader_view_leaves_out_the_download_buttons(reader_view, path):
    links = [words(text) for text, _ in reader_view[path]["links"]]
    assert not [text for text in links if text in CONTROLS], f"/{path}: {links}"
    assert not words(reader_view[path]["text"]).startswith("Download")


def readability_source() -> str:
    """Readability.js as a script that publishes `window.Readability`."""
    source = READABILITY_SOURCE.read_text(encoding="utf-8")
    return f"{source}\nwindow.Readability = Readability;"


READER_VIEW_IN_PAGE_JS = """
() => {
  // Readability as Firefox runs it: over a copy of the live page, after its scripts.
  const article = new Readability(document.cloneNode(true)).parse();
  const content = new DOMParser().parseFromString(article.content, "text/html");
  return {
    paragraphs: [...content.querySelectorAll("p")].map((p) => p.textContent),
    buttons: [...content.querySelectorAll("button, [role=button]")].length,
    links: [...content.querySelectorAll("a")].map((a) => a.textContent),
  };
}
"""


@pytest.mark.browser
@pytest.mark.feature("Reader View")
def test_reader_view_of_the_live_page_keeps_the_essay_and_drops_the_controls(engine, server, html):
    """Firefox parses the page as it is when the reader asks: the copy buttons are there."""
    tab = engine.new_page(*VIEWPORTS["desktop"])
    try:
        problems = []
        for path in CHAPTERS:
            tab.goto(server + path)
            tab.wait_for("() => document.querySelector('.bb-share__button') !== null")
            tab.run_script(readability_source())
            read = tab.evaluate(READER_VIEW_IN_PAGE_JS)
            kept = [words(p) for p in read["paragraphs"]]
            problems += [
                f"/{path}: drops {p[:50]!r}" for p in essay_paragraphs(html, path) if p not in kept
            ]
            if read["buttons"]:
                problems.append(f"/{path}: keeps {read['buttons']} buttons")
            problems += [
                f"/{path}: keeps the control {words(text)!r}"
                for text in read["links"]
                if words(text) in CONTROLS
            ]
        assert not problems, "\n".join(problems)
    finally:
        tab.close()


# Screen readers --------------------------------------------------------------------


def screen_reader_source() -> str:
    """Guidepup's browser bundle as a classic script: its one ES module export
    becomes `window.__bbScreenReader`, so it runs under the page's policy from
    the driver, as axe-core does, in every engine."""
    source = SCREEN_READER_BUNDLE.read_text(encoding="utf-8")
    exports = re.search(r"export\s*\{([^}]*)\}", source)
    local = next(
        name.split(" as ")[0].strip()
        for name in exports.group(1).split(",")
        if name.split(" as ")[-1].strip() == "virtual"
    )
    body = source[: exports.start()] + source[exports.end() :]
    return f"(() => {{\n{body}\nwindow.__bbScreenReader = {local};\n}})();"


READ_EACH_JS = """
async (selector) => {
  const reader = window.__bbScreenReader;
  const read = [];
  for (const element of document.querySelectorAll(selector)) {
    // Reading on, from entering the element to leaving it.
    await reader.start({ container: element });
    for (let step = 0; step < 1000; step++) {
      await reader.next();
      if ((await reader.lastSpokenPhrase()).startsWith("end of")) break;
    }
    const spoken = await reader.spokenPhraseLog();
    read.push({ id: element.id, text: element.textContent, spoken });
    await reader.stop();
  }
  return read;
}
"""


def read_each(tab, selector: str) -> list[dict]:
    if not tab.evaluate("() => Boolean(window.__bbScreenReader)"):
        tab.run_script(screen_reader_source())
    return tab.evaluate(READ_EACH_JS, selector)


@pytest.mark.browser
@pytest.mark.feature("spoken length")
def test_an_essay_paragraph_is_spoken_without_the_definitions(engine, server):
    """Reading on, a paragraph is its text with its roles ("link", "paragraph") and
    its copy button, not every definition: at most 1.3 characters per character."""
    tab = engine.new_page(*VIEWPORTS["desktop"])
    try:
        too_long = []
        for path in TEXT_PAGES:
            tab.goto(server + path)
            tab.wait_for("() => document.querySelector('.bb-share__button') !== null")
            for paragraph in read_each(tab, "article .essay p"):
                spoken = sum(map(len, paragraph["spoken"]))
                if spoken > MOST_SPOKEN_PER_CHARACTER * len(paragraph["text"]):
                    too_long.append(
                        f"/{path}#{paragraph['id']}: {spoken} spoken for "
                        f"{len(paragraph['text'])}: {paragraph['spoken'][:3]}"
                    )
        assert not too_long, "\n".join(too_long)
    finally:
        tab.close()


@pytest.mark.browser
@pytest.mark.feature("heading names")
def test_every_heading_is_spoken_with_its_own_text(engine, server):
    tab = engine.new_page(*VIEWPORTS["desktop"])
    try:
        wrong = []
        for path in PAGES:
            tab.goto(server + path)
            tab.wait_for("() => document.querySelector('.bb-share__button') !== null")
            for heading in read_each(tab, "article :is(h1, h2, h3, h4)"):
                first = heading["spoken"][0] if heading["spoken"] else ""
                named = re.fullmatch(r"heading, (.*), level \d", first)
                if not named or named.group(1) != words(heading["text"]):
                    wrong.append(f"/{path}#{heading['id']}: {first!r}")
        assert not wrong, "\n".join(wrong)
    finally:
        tab.close()


def nodes_with_role(tree: list[dict], role: str) -> list[dict]:
    return [n for n in tree if not n.get("ignored") and n.get("role", {}).get("value") == role]


def name_of(node: dict) -> str:
    return words(node.get("name", {}).get("value", ""))


def ready(tab, url: str) -> None:
    tab.goto(url)
    assert tab.wait_for("() => document.querySelector('.bb-share__button') !== null"), (
        f"{url}: the site's script added no share buttons"
    )


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_accessibility_tree_names_each_heading_by_its_text(chromium_tab, server, path):
    ready(chromium_tab, server + path)
    texts = chromium_tab.evaluate(
        "() => [...document.querySelectorAll('article :is(h1, h2, h3, h4)')]"
        ".map((h) => h.textContent)"
    )
    tree = chromium_tab.accessibility_tree()
    names = [name_of(n) for n in nodes_with_role(tree, "heading")]
    assert names == [words(t) for t in texts]


@pytest.mark.browser
def test_related_landmark_is_named_related(chromium_tab, server):
    ready(chromium_tab, server + "conclusion/")
    tree = chromium_tab.accessibility_tree()
    navigation = [name_of(n) for n in nodes_with_role(tree, "navigation")]
    assert "Related" in navigation, navigation


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_page_has_at_most_four_navigation_landmarks(chromium_tab, server, path):
    ready(chromium_tab, server + path)
    tree = chromium_tab.accessibility_tree()
    navigation = [name_of(n) for n in nodes_with_role(tree, "navigation")]
    assert len(navigation) <= 4, navigation


def description_of(tab, selector: str) -> str:
    tree = tab.accessibility_tree()
    link = tab.evaluate("(selector) => document.querySelector(selector).textContent", selector)
    found = [n for n in nodes_with_role(tree, "link") if name_of(n) == words(link)]
    return words(found[0].get("description", {}).get("value", "")) if found else ""


@pytest.mark.browser
def test_a_term_is_described_by_its_definition_only_while_focused(chromium_tab, server):
    ready(chromium_tab, server + "allyship/")
    term = "article .essay a.bb-term[data-term=allyship]"
    definition = chromium_tab.evaluate(
        "(selector) => document.getElementById("
        "document.querySelector(selector).dataset.bbDefinition).textContent",
        term,
    )
    assert description_of(chromium_tab, term) == "", "described while reading on"
    chromium_tab.focus(term)
    assert description_of(chromium_tab, term) == words(definition)
    chromium_tab.press("Tab")
    assert description_of(chromium_tab, term) == "", "still described after focus moved on"


# The offline copy ------------------------------------------------------------------


@pytest.fixture(scope="module")
def offline_copy(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline zip, unzipped as a reader would."""
    folder = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(site / "building-bridges-offline.zip") as bundle:
        bundle.extractall(folder)
    return folder / "building-bridges"


def published_url(path: str) -> str:
    return SITE_URL + path


@pytest.mark.parametrize("path", PAGES)
def test_offline_pages_name_the_published_directory_url(offline_copy, path):
    from bs4 import BeautifulSoup

    file = offline_copy / (path.removesuffix("/") + ".html" if path else "index.html")
    soup = BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")
    assert soup.select_one("link[rel=canonical]")["href"] == published_url(path)
    assert soup.select_one("meta[property='og:url']")["content"] == published_url(path)


@pytest.mark.browser
@pytest.mark.feature("offline copy link")
def test_copy_link_in_the_offline_copy_gives_the_published_address(engine, offline_copy):
    tab = engine.new_page(*VIEWPORTS["desktop"])
    try:
        tab.goto((offline_copy / "allyship.html").as_uri())
        tab.wait_for("() => document.querySelector('.bb-share__button') !== null")
        tab.click("#paragraph-2 .bb-share__button--copy")
        status = tab.wait_for(
            "() => document.querySelector('.bb-status[role=status]')?.textContent || ''"
        )
        expected = published_url("allyship/") + "#paragraph-2"
        assert status.endswith(expected), status
        if engine.name == "chromium":
            assert tab.evaluate("() => navigator.clipboard.readText()") == expected
    finally:
        tab.close()


# The copy confirmation -------------------------------------------------------------

UNCOVERED_JS = """
(selector) => [...document.querySelectorAll(selector)].every((item) => {
  const box = item.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return hit !== null && item.contains(hit);
})
"""
"""Whether every element matched is the one painted at its own centre."""


@pytest.mark.browser
@pytest.mark.feature("copy notice covers nothing")
def test_link_copied_notice_covers_nothing(engine, server):
    """The confirmation is spoken, and shown beside the button, not over the text:
    the box at the foot of the window covered the Key ideas list on a phone."""
    tab = engine.new_page(*VIEWPORTS["phone"])
    try:
        tab.goto(server + "conclusion/")
        tab.wait_for("() => document.querySelector('.bb-share__button') !== null")
        tab.evaluate("() => document.querySelector('.admonition').scrollIntoView({block: 'end'})")
        tab.click("#paragraph-7 .bb-share__button--copy")
        status = tab.wait_for(
            "() => document.querySelector('.bb-status[role=status]')?.textContent || ''"
        )
        if status.startswith("Copy this link"):
            pytest.skip(f"{engine.name} refused the copy: the box shows the link to copy by hand")
        assert tab.evaluate("() => document.querySelector('.bb-share__done') !== null")
        assert tab.evaluate(UNCOVERED_JS, ".admonition li")
    finally:
        tab.close()


# The EPUB in epub.js -----------------------------------------------------------------

EPUBJS = ROOT / "node_modules" / "epubjs" / "dist" / "epub.min.js"
JSZIP = ROOT / "node_modules" / "jszip" / "dist" / "jszip.min.js"
SHOWN_FILE_JS = """() => {
  const shown = window.reader.rendition.currentLocation();
  return shown && shown.start ? shown.start.href : null;
}"""
ON_SCREEN_JS = """(id) => {
  const frame = document.querySelector("#viewer iframe");
  const box = frame.contentDocument.getElementById(id).getBoundingClientRect();
  const left = frame.getBoundingClientRect().left + box.left;
  return left >= 0 && left < innerWidth && box.top >= 0 && box.bottom <= innerHeight;
}"""


@pytest.fixture(scope="module")
def epub_reader(site: Path, tmp_path_factory: pytest.TempPathFactory):
    """epub.js (a web reading system) with the built book, served locally."""
    folder = tmp_path_factory.mktemp("epubjs")
    shutil.copy(ROOT / "tests" / "readers" / "epubjs.html", folder / "index.html")
    shutil.copy(EPUBJS, folder)
    shutil.copy(JSZIP, folder)
    shutil.copy(site / "building-bridges.epub", folder / "book.epub")
    with serving(folder) as url:
        yield url


FRAME_POINT_JS = """(selector) => {
  // Where a click on the element lands, in the reader's window: the centre of its
  // first box (a link may wrap), scrolled into the book's page only if it is off it.
  const frame = document.querySelector("#viewer iframe");
  const element = frame.contentDocument.querySelector(selector);
  if (!element) throw new Error(`no element in the book's page matches ${selector}`);
  const point = () => {
    const outer = frame.getBoundingClientRect();
    const box = element.getClientRects()[0];
    return [outer.left + box.left + box.width / 2, outer.top + box.top + box.height / 2];
  };
  const [x, y] = point();
  if (x < 0 || x >= innerWidth || y < 0 || y >= innerHeight) element.scrollIntoView();
  return point();
}"""
IN_FRAME_JS = """(selector, name) => document.querySelector("#viewer iframe")
  .contentDocument.querySelector(selector).getAttribute(name)"""


@pytest.fixture
def book_tab(chromium, epub_reader):
    """The book open in epub.js in a phone-sized window, its first page shown."""
    tab = chromium.new_page(400, 640)
    try:
        tab.goto(epub_reader)
        assert tab.wait_for(
            "() => Boolean(window.reader && document.querySelector('#viewer iframe'))"
        )
        tab.evaluate("() => window.reader.shown.then(() => true)")
        yield tab
    finally:
        tab.close()


def click_in_book(tab, selector: str) -> None:
    tab.click_at(*tab.evaluate(FRAME_POINT_JS, selector))


def shown_file(tab, name: str) -> bool:
    return tab.wait_for(f"() => ({SHOWN_FILE_JS})() === {name!r}")


@pytest.mark.browser
def test_epubjs_shows_the_cover_as_a_portrait_page(book_tab):
    width, height = book_tab.evaluate(
        """() => {
          const box = document.querySelector("#viewer iframe").contentDocument
            .querySelector("img").getBoundingClientRect();
          return [box.width, box.height];
        }"""
    )
    assert height > width > 300, (width, height)


@pytest.mark.browser
def test_epubjs_follows_a_term_to_the_glossary_and_back_to_the_term(book_tab):
    book_tab.evaluate("() => window.reader.rendition.display('coalitions.xhtml').then(() => true)")
    term = "a.bb-term:not(.bb-crosslink)"
    term_id = book_tab.evaluate(IN_FRAME_JS, term, "id")
    entry = book_tab.evaluate(IN_FRAME_JS, term, "href").split("#")[1]
    click_in_book(book_tab, term)
    assert shown_file(book_tab, "glossary.xhtml"), "the term did not lead to the glossary"
    assert book_tab.evaluate(ON_SCREEN_JS, entry), "the glossary entry is not on screen"
    click_in_book(book_tab, f"#{entry} li.bb-used-in a[href^='coalitions.xhtml']")
    assert shown_file(book_tab, "coalitions.xhtml"), "the entry did not lead back to the chapter"
    assert book_tab.evaluate(ON_SCREEN_JS, term_id), "back in the chapter, but not at the term"


# The glossary's introduction, per medium -----------------------------------------


INTRODUCTION_TEXT_JS = "() => document.querySelector('article h1 + p').innerText"


@pytest.mark.browser
@pytest.mark.feature("glossary introduction per medium")
def test_glossary_introduction_on_screen_speaks_of_pointing_and_tapping(desktop_tab, server):
    desktop_tab.goto(server + "glossary/")
    shown = desktop_tab.evaluate(INTRODUCTION_TEXT_JS)
    assert "pointing at or tapping the term shows this definition" in shown
    assert "dotted underline" not in shown and "links to this definition" not in shown
    desktop_tab.print_media()
    printed = desktop_tab.evaluate(INTRODUCTION_TEXT_JS)
    assert "a dotted underline marks the term" in printed and "pointing" not in printed
