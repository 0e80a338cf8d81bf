"""Content can never run code: hostile text is escaped wherever it is written,
markup that runs code is refused, and the policy allows only the templates' own
inline scripts, in the headers and in every page's <meta>.

The hostile fixtures are in tests/data/hostile/: a page and two glossary terms
that build (their markup must show as text), and refused.yml, input the build
must refuse with a message naming the file, the line and the fix.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import jinja2
import lxml.html
import pytest
import yaml
from bs4 import BeautifulSoup
from markupsafe import Markup
from mkdocs.config import load_config
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from pypdf import PdfReader
from test_build_errors import (
    TRACEBACK_FRAME,
    assert_previous_site_intact,
    error_lines,
    previous_site,
)
from test_links import html_validation_problems

from bridges.engine import hooks
from bridges.pipeline.cards import make_card
from bridges.pipeline.epub import Cover, epub_chapter, render_publication
from bridges.pipeline.pdf import Chapter
from bridges.pipeline.publish import hash_source, meta_policy
from conftest import ROOT, run_build, serving

HOSTILE = ROOT / "tests" / "data" / "hostile"
REFUSED = yaml.safe_load((HOSTILE / "refused.yml").read_text(encoding="utf-8"))
PAGE_META = yaml.safe_load((HOSTILE / "hostile.md").read_text(encoding="utf-8").split("---")[1])
TITLE, DESCRIPTION = PAGE_META["title"], PAGE_META["description"]
TERMS = {
    term["id"]: term
    for term in yaml.safe_load(
        "terms:\n" + (HOSTILE / "glossary-terms.yml").read_text(encoding="utf-8")
    )["terms"]
}
ZEBRA, RTL = TERMS["zebra-crossing"], TERMS["right-to-left"]
NAV_SECTION = '"><img src=x onerror=alert("nav")> Section & co'
COPYRIGHT = '<script>alert("copyright")</script> Tom & "Jerry"'
SITE_DESCRIPTION = 'A "site" & <script>alert("site")</script>'
SOCIAL_NAME = '"><script>alert("extra")</script> & co'
CODE_URL = re.compile(r"^\s*(java|vb)script:", re.IGNORECASE)


def copy_project(target: Path) -> Path:
    for name in ("docs", "overrides", "src"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_hostile_content(project: Path) -> None:
    """The hostile page in a nav section with a hostile name, named as related by
    Allyship, its terms in the glossary, hostile copyright and site description."""
    shutil.copy(HOSTILE / "hostile.md", project / "docs" / "hostile.md")
    glossary = project / "docs" / "glossary.yml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8").rstrip("\n")
        + "\n\n"
        + (HOSTILE / "glossary-terms.yml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    config = project / "mkdocs.yml"
    edit(
        config,
        "  - About: about.md\n",
        f"  - About: about.md\n  - {json.dumps(NAV_SECTION)}:\n    - hostile.md\n",
    )
    edit(
        config,
        "copyright: Building Bridges · essay text reproduced verbatim",
        f"copyright: {json.dumps(COPYRIGHT)}",
    )
    text = config.read_text(encoding="utf-8")
    description = re.search(r"^site_description: >-\n(  .*\n)+", text, re.MULTILINE).group(0)
    edit(config, description, f"site_description: {json.dumps(SITE_DESCRIPTION)}\n")
    social = {"icon": "material/web", "link": "https://example.org/?a=1&b=2", "name": SOCIAL_NAME}
    edit(config, "extra:\n", f"extra:\n  social: [{json.dumps(social)}]\n")
    edit(project / "docs" / "allyship.md", "related:\n", "related:\n  - hostile.md\n")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    add_hostile_content(project)
    site = project.parent / "site"
    result = run_build(project, site)
    assert result.returncode == 0, result.output
    return site


@pytest.fixture(scope="module")
def hostile(hostile_site: Path):
    def parse(path: str) -> BeautifulSoup:
        file = hostile_site / (path if path.endswith(".html") else path + "index.html")
        return BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")

    return parse


def policy_of(site: Path) -> str:
    for line in (site / "_headers").read_text(encoding="utf-8").splitlines():
        name, _, value = line.strip().partition(": ")
        if name == "Content-Security-Policy":
            return value
    raise AssertionError("no Content-Security-Policy in _headers")


def script_sources(policy: str) -> set[str]:
    directive = next(d for d in policy.split(";") if d.split()[0] == "script-src")
    return set(directive.split()[1:])


def plain(text: str) -> str:
    return " ".join(text.split())


# Hostile text is written as text ---------------------------------------------


def test_no_injected_markup_can_run_on_any_page(hostile_site):
    allowed = script_sources(policy_of(hostile_site))
    for file in sorted(hostile_site.rglob("*.html")):
        root = lxml.html.parse(str(file)).getroot()
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            name = file.relative_to(hostile_site)
            assert not [a for a in element.attrib if a.startswith("on")], (name, element.tag)
            for attribute in ("href", "src", "action", "formaction", "data"):
                assert not CODE_URL.match(element.get(attribute, "")), (name, element.tag)
            assert element.tag not in {"iframe", "object", "embed", "base"}, name
            assert not (element.tag == "img" and element.get("src") == "x"), name
            runs = element.get("src") is None and element.get("type") != "application/json"
            if element.tag == "script" and runs:
                assert hash_source(element.text or "") in allowed, name


def test_title_shows_literally_in_head_header_and_previews(hostile):
    page = hostile("hostile/")
    assert page.title.string == f"{TITLE} - Building Bridges"
    assert page.find("meta", property="og:title")["content"] == f"{TITLE} · Building Bridges"
    assert (
        page.find("meta", attrs={"name": "twitter:title"})["content"]
        == f"{TITLE} · Building Bridges"
    )
    assert page.find("meta", property="og:image:alt")["content"] == f"{TITLE}: {DESCRIPTION}"
    assert plain(page.select_one(".md-header__topic:last-child").get_text()) == plain(TITLE)


def test_description_shows_literally_in_meta_and_previews(hostile):
    page = hostile("hostile/")
    assert page.find("meta", attrs={"name": "description"})["content"] == DESCRIPTION
    assert page.find("meta", property="og:description")["content"] == DESCRIPTION
    assert page.find("meta", attrs={"name": "twitter:description"})["content"] == DESCRIPTION


def test_related_list_shows_title_and_description_literally(hostile):
    related = hostile("allyship/").select_one(".bb-related")
    link = related.find("a", href="../hostile/")
    assert link.get_text() == TITLE
    assert link.find_next_sibling("span").get_text() == DESCRIPTION


def test_404_page_lists_the_title_literally(hostile):
    page = hostile("404.html")
    link = next(a for a in page.select(".bb-page-list a") if a["href"].endswith("hostile/"))
    assert link.get_text() == TITLE
    assert page.find("meta", attrs={"name": "description"})["content"] == SITE_DESCRIPTION


def test_navigation_footer_and_copyright_show_literally(hostile):
    page = hostile("about/")
    nav_texts = [plain(label.get_text()) for label in page.select(".md-nav__item label")]
    assert plain(NAV_SECTION) in nav_texts
    assert plain(TITLE) in [plain(a.get_text()) for a in page.select(".md-nav a")]
    assert COPYRIGHT in page.select_one(".md-copyright__highlight").get_text()
    following = page.select_one(".md-footer__link--next")
    assert following["aria-label"] == f"Next: {TITLE}"
    assert plain(following.select_one(".md-ellipsis").get_text()) == plain(TITLE)


def test_extra_values_show_literally(hostile):
    link = hostile("about/").select_one(".md-social__link")
    assert link["title"] == SOCIAL_NAME and link["href"] == "https://example.org/?a=1&b=2"


def test_preview_card_is_drawn_from_the_plain_title(hostile_site, tmp_path):
    expected = tmp_path / "card.png"
    make_card(TITLE, DESCRIPTION, "Building Bridges", expected)
    assert (hostile_site / "assets/cards/hostile.png").read_bytes() == expected.read_bytes()


def test_glossary_entry_shows_editor_text_literally(hostile):
    entry = hostile("glossary/").find(id="zebra-crossing").find_parent(class_="bb-entry")
    assert plain(entry.find("h3").get_text()) == plain(ZEBRA["term"])
    definition = entry.find("p")
    assert definition.find("em").get_text() == "stripes"
    link = definition.find("a")
    assert link["href"] == "https://example.org/?a=1&b=2" and link["title"] == 'a "quoted" title'
    assert "raw <b>bold</b> and </title> stay as typed" in definition.get_text()
    assert definition.find("b") is None
    facts = {plain(li.get_text()).split(":")[0]: li for li in entry.select(".bb-entry__facts li")}
    assert plain(facts["Chapter"].a.get_text()) == plain(TITLE)
    assert plain(facts["See also"].a.get_text()) == plain(RTL["term"])
    assert plain(TITLE) in [plain(a.get_text()) for a in facts["Used in"].find_all("a")]
    assert plain(facts["Source"].get_text()) == plain("Source: " + ZEBRA["source"])


def test_glossary_letter_index_takes_non_latin_first_letters(hostile):
    index = hostile("glossary/").select_one(".bb-letter-index")
    assert "م" in [a.get_text() for a in index.find_all("a")]
    assert hostile("glossary/").find(id="letter-u0645").get_text().strip() == "م"


def test_hidden_definition_for_the_tooltip_is_text(hostile):
    definitions = hostile("hostile/").select_one(".bb-definitions")
    assert plain(definitions.find("dt").get_text()) == plain(ZEBRA["term"])
    text = plain(definitions.find("dd", id="bb-def-zebra-crossing").get_text())
    assert "raw <b>bold</b> and </title> stay as typed" in text
    assert definitions.find("script") is None and definitions.find("b") is None


def test_page_text_stays_text(hostile):
    article = hostile("hostile/").select_one("article")
    text = article.get_text()
    assert '<script>alert("entity")</script>' in text
    assert '"><script>alert("code")</script>' in article.find("code").get_text()
    assert "مرحبا بالعالم" in text and "שלום עולם" in text
    assert article.find("script", type=lambda kind: kind != "application/json") is None


def test_moved_anchors_reach_the_script_as_json(hostile):
    data = hostile("hostile/").find("script", id="bb-moved-anchors")
    assert json.loads(data.string) == PAGE_META["moved_anchors"]


def test_search_index_holds_text_as_escaped_html(hostile_site):
    # Material's search shows titles and text as HTML: markup must arrive escaped.
    index = json.loads((hostile_site / "search" / "search_index.json").read_text())
    for doc in index["docs"]:
        for field in ("title", "text"):
            assert not re.search(r"<(script|img|iframe)", doc[field], re.IGNORECASE), doc
    titles = [doc["title"] for doc in index["docs"]]
    assert any("&lt;script&gt;alert(\"term\")" in t or "&lt;script&gt;alert(&quot;term" in t
               for t in titles), titles  # fmt: skip


def test_sitemap_is_well_formed_xml(hostile_site):
    urls = ElementTree.parse(hostile_site / "sitemap.xml").getroot()
    assert any(u[0].text.endswith("/hostile/") for u in urls)


def test_pdf_shows_hostile_text_literally(hostile_site):
    text = plain(
        " ".join(p.extract_text() for p in PdfReader(hostile_site / "building-bridges.pdf").pages)
    )
    assert 'alert("entity")' in text
    assert 'alert("term")' in text.replace(" ", "")


def test_hostile_pages_are_valid_html(hostile_site):
    pages = [str(hostile_site / p) for p in ("hostile/index.html", "allyship/index.html",
                                             "glossary/index.html", "404.html")]  # fmt: skip
    messages = html_validation_problems(*pages)
    assert not messages, "\n".join(messages)


# The policy ------------------------------------------------------------------


def test_content_does_not_change_the_policy(site, hostile_site):
    assert policy_of(hostile_site) == policy_of(site)


def test_an_injected_inline_script_is_not_allowed_by_the_policy(hostile_site):
    allowed = script_sources(policy_of(hostile_site))
    assert "'unsafe-inline'" not in allowed
    for injected in ('alert("title")', 'alert("code")', 'alert("term")', "alert(1)"):
        assert hash_source(injected) not in allowed


def test_every_page_carries_the_policy_in_a_meta_element_before_any_script(hostile_site):
    expected = meta_policy(policy_of(hostile_site))
    assert "frame-ancestors" not in expected and "script-src" in expected
    for file in sorted(hostile_site.rglob("*.html")):
        root = lxml.html.parse(str(file)).getroot()
        if root.find("head/meta[@http-equiv='refresh']") is not None:
            continue  # mkdocs-redirects' pages: covered by the headers only
        head = list(root.find("head"))
        metas = [e for e in head if e.get("http-equiv") == "Content-Security-Policy"]
        assert [m.get("content") for m in metas] == [expected], file
        assert not [e for e in head[: head.index(metas[0])] if e.tag == "script"], file


def test_an_inline_style_a_template_emits_is_hashed_into_style_src(fixture_site, tmp_path):
    style = ".bb-note { color: teal }"
    edit(fixture_site / "overrides" / "main.html", "{% block extrahead %}\n",
         f"{{% block extrahead %}}\n  <style>{style}</style>\n")  # fmt: skip
    result = run_build(fixture_site, tmp_path / "site")
    assert result.returncode == 0, result.output
    style_src = next(d for d in policy_of(tmp_path / "site").split(";") if "style-src" in d)
    assert style_src.split()[1:] == ["'self'", hash_source(style)]


def test_inline_code_that_depends_on_the_page_depth_is_allowed_at_every_depth(
    fixture_site, tmp_path
):
    # The policy is found from one stand-in page per depth: a page two folders
    # down brings a depth no other page has, and its own base URL into the script.
    edit(fixture_site / "overrides" / "main.html", "{% block extrahead %}\n",
         '{% block extrahead %}\n  <script>var bbBase = "{{ base_url }}";</script>\n')  # fmt: skip
    deep = fixture_site / "docs" / "notes" / "field" / "deep.md"
    deep.parent.mkdir(parents=True)
    deep.write_text("---\ntitle: Deep\ndescription: A page two folders down.\n---\n\n"
                    "# Deep {#deep}\n\nText.\n", encoding="utf-8")  # fmt: skip
    edit(fixture_site / "mkdocs.yml", "  - About: about.md\n",
         "  - About: about.md\n  - Deep: notes/field/deep.md\n")  # fmt: skip
    result = run_build(fixture_site, tmp_path / "site", "--site-only")
    assert result.returncode == 0, result.output
    script_src = next(d for d in policy_of(tmp_path / "site").split(";") if "script-src" in d)
    for base in (".", "..", "../../.."):
        assert hash_source(f'var bbBase = "{base}";') in script_src.split(), base


# Refused input -----------------------------------------------------------------
# Each case of refused.yml is also an in-process test of the safety extension
# (tests/extensions/test_safety.py); here the build reports them all in one run.


def build_refused(project: Path, tmp_path: Path) -> str:
    """Builds `project` over an earlier site; the build must fail in one plain message
    per problem, no traceback, and leave that site as it was."""
    site = previous_site(tmp_path)
    result = run_build(project, site)
    assert result.returncode != 0, result.output
    assert "Traceback" not in result.output, result.output
    assert not TRACEBACK_FRAME.search(result.output), result.output
    assert_previous_site_intact(site)
    return result.output


REFUSED_PAGE_START = (
    "---\ntitle: Refused {number}\ndescription: A page holding one refused case.\n---\n\n"
    "# Refused {{#refused}}\n\n"
)
REFUSED_PAGE_LINE = REFUSED_PAGE_START.count("\n")
"""The line before a case's first line on its page."""


def test_every_refused_case_in_a_page_is_reported_at_its_page_and_line_in_one_build(
    fixture_site, tmp_path
):
    nav = []
    for number, case in enumerate(REFUSED["pages"], start=1):
        page = fixture_site / "docs" / "refused" / f"case-{number}.md"
        page.parent.mkdir(exist_ok=True)
        start = REFUSED_PAGE_START.format(number=number)
        page.write_text(f"{start}{case['text']}\n", encoding="utf-8")
        nav.append(f"  - refused/case-{number}.md\n")
    with (fixture_site / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write("".join(nav))
    problems = error_lines(build_refused(fixture_site, tmp_path))
    for number, case in enumerate(REFUSED["pages"], start=1):
        line = case.get("line", 1)
        where = f"docs/refused/case-{number}.md"
        where += ": " if line == "none" else f", line {REFUSED_PAGE_LINE + line}: "
        reported = [p for p in problems if p.startswith(where)]
        assert any(all(words in p for words in case["says"]) for p in reported), (
            case["name"],
            where,
            problems,
        )


def test_every_refused_definition_is_reported_at_its_term_and_line_in_one_build(
    fixture_site, tmp_path
):
    glossary = fixture_site / "docs" / "glossary.yml"
    lines = glossary.read_text(encoding="utf-8").rstrip("\n").splitlines()
    where = {}
    for number, case in enumerate(REFUSED["glossary"], start=1):
        lines += ["", f"  - id: refused-{number}", f"    term: Refused {number}",
                  "    definition: >-", f"      {case['definition']}"]  # fmt: skip
        where[case["name"]] = f"docs/glossary.yml, term 'refused-{number}', line {len(lines)}: "
    glossary.write_text("\n".join([*lines, ""]), encoding="utf-8")
    problems = error_lines(build_refused(fixture_site, tmp_path))
    for case in REFUSED["glossary"]:
        reported = [p for p in problems if p.startswith(where[case["name"]])]
        assert any(all(words in p for words in case["says"]) for p in reported), (
            case["name"],
            problems,
        )


def test_a_moved_anchor_cannot_be_a_script_url(fixture_site, tmp_path):
    edit(
        fixture_site / "docs" / "coalitions.md",
        "---\n",
        "---\nmoved_anchors:\n  old: 'javascript:alert(1)'\n",
    )
    output = build_refused(fixture_site, tmp_path)
    assert (
        "docs/coalitions.md" in output
        and "moved_anchors entry 'old: javascript:alert(1)'" in output
    )


def test_a_moved_anchor_cannot_carry_markup_in_its_old_id(fixture_site, tmp_path):
    edit(
        fixture_site / "docs" / "coalitions.md",
        "---\n",
        "---\nmoved_anchors:\n  'old</script><script>alert(1)</script>': solidarity\n",
    )
    output = build_refused(fixture_site, tmp_path)
    assert "docs/coalitions.md, line 2: 'moved_anchors': map each old id to its new one" in output


def test_a_script_url_in_mkdocs_extra_fails_the_build(fixture_site, tmp_path):
    social = '[{icon: material/web, link: "javascript:alert(1)", name: Web}]'
    edit(fixture_site / "mkdocs.yml", "extra:\n", f"extra:\n  social: {social}\n")
    output = build_refused(fixture_site, tmp_path)
    said = "the site does not publish a javascript: address in href= on <a>"
    assert f"(published as index.html): {said}" in output


def test_a_template_that_puts_page_text_into_a_script_fails_the_build(fixture_site, tmp_path):
    edit(fixture_site / "overrides" / "main.html", "{% block content %}\n",
         '{% block content %}\n  <script>var title = "{{ page.title }}";</script>\n')  # fmt: skip
    output = build_refused(fixture_site, tmp_path)
    said = "the site does not publish an inline script that no template emits"
    assert f"(published as allyship/index.html): {said}" in output


def test_an_event_attribute_a_template_adds_to_a_page_fails_the_build(fixture_site, tmp_path):
    # Pages are scanned in a worker process as they are written: its findings
    # reach the build's message, named by page.
    edit(fixture_site / "overrides" / "main.html", "{% block content %}\n",
         '{% block content %}\n  <span onmouseover="go()">{{ page.title }}</span>\n')  # fmt: skip
    output = build_refused(fixture_site, tmp_path)
    for page in ("index.html", "allyship/index.html", "glossary/index.html"):
        said = "the site does not publish an onmouseover= event attribute on <span>"
        assert f"(published as {page}): {said}" in output, page


# Nav titles are text everywhere ------------------------------------------------------

NAV_TITLE = '<a href="https://evil.example/">x</a> & co'
MKDOCS_PAGE_SETTINGS = {"site_url": None, "repo_url": None, "edit_uri": None,
                        "edit_uri_template": None}  # fmt: skip


def nav_page(title: str | None, source: str) -> Page:
    """A page as MkDocs makes it from `nav:` (`- Title: source.md`, or `- source.md`)."""
    return Page(title, File(source, "docs", "site", True), MKDOCS_PAGE_SETTINGS)


def test_a_nav_title_is_stored_escaped_and_a_front_matter_title_is_left_to_its_hook():
    titled, untitled = nav_page(NAV_TITLE, "about.md"), nav_page(None, "allyship.md")
    hooks.escape_nav_titles(SimpleNamespace(pages=[titled, untitled]))
    assert titled.title == Markup.escape(NAV_TITLE) and isinstance(titled.title, Markup)
    assert "title" not in vars(untitled)


@pytest.mark.parametrize("escaped_first", [True, False], ids=["as built", "template alone"])
def test_used_in_lists_show_a_nav_title_as_text(monkeypatch, escaped_first):
    # The theme's environment, as MkDocs makes it, does not escape.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "overrides"))
    about = nav_page(NAV_TITLE, "about.md")
    if escaped_first:
        hooks.escape_nav_titles(SimpleNamespace(pages=[about]))
    glossary_page = nav_page("Glossary", "glossary.md")
    glossary_page.content = (
        '<ul class="bb-entry__facts"><li><span data-bb-used-in="ally"></span></li></ul>'
    )
    nav = SimpleNamespace(pages=[about, glossary_page])
    html = hooks._fill_used_in(glossary_page, nav, env, {"ally": {"about.md"}})
    links = BeautifulSoup(html, "lxml").select("li a")
    assert [(a.get_text(), a["href"]) for a in links] == [(NAV_TITLE, "../about/")]


def test_the_epub_shows_a_nav_title_as_text(tmp_path):
    # The book is made from the built pages: the glossary's "Used in" list as
    # written, and the home page's nav title in the cover's text alternative.
    used_in = f'<a href="#page-about">{Markup.escape(NAV_TITLE)}</a>'
    body = (f'<h1 id="glossary--glossary">Glossary</h1><div class="bb-entry"><h3 id="ally">Ally'
            f'</h3><ul class="bb-entry__facts"><li>Used in: {used_in}</li></ul></div>')  # fmt: skip
    chapter = epub_chapter(Chapter("glossary", "Glossary", body, True), {"glossary", "about"})
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    files = render_publication(ROOT / "src/bridges/templates/epub", config, [chapter],
                               Cover("cover.png", f"Building Bridges: {NAV_TITLE}"),
                               datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    book = {name: ElementTree.fromstring(text) for name, text in files.items()
            if name.endswith(".xhtml")}  # fmt: skip
    xhtml = "{http://www.w3.org/1999/xhtml}"
    links = [a for a in book["EPUB/glossary.xhtml"].iter(f"{xhtml}a")]
    assert [(a.text, a.get("href")) for a in links] == [(NAV_TITLE, "about.xhtml")]
    cover = next(book["EPUB/cover.xhtml"].iter(f"{xhtml}img"))
    assert cover.get("alt") == f"Building Bridges: {NAV_TITLE}"


# In the browser ----------------------------------------------------------------

HOSTILE_PATHS = ["hostile/", "allyship/", "glossary/", "404.html"]


def visit_recording_dialogs(tab, url: str) -> list[str]:
    """Loads `url`, hovers a term and searches for hostile text; returns any dialog."""
    tab.goto(url, idle=True)
    if tab.evaluate("() => document.querySelector('a.bb-term') !== null"):
        tab.hover("a.bb-term")
    tab.click("input.md-search__input")
    tab.type("zebra")
    assert tab.wait_for(
        "() => document.querySelector('.md-search-result__item') !== null", timeout=15
    ), f"{url}: searching for 'zebra' found nothing"
    tab.hover_at(10, 10)
    return tab.dialogs()


@pytest.mark.browser
@pytest.mark.parametrize("delivery", ["header", "meta"])
@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_pages_open_no_dialog(chromium_tab, hostile_site, delivery, path):
    with serving(hostile_site, with_host_headers=delivery == "header") as base:
        assert visit_recording_dialogs(chromium_tab, base + path) == []


@pytest.mark.browser
@pytest.mark.parametrize("delivery", ["header", "meta"])
def test_an_injected_inline_script_is_blocked_in_the_browser(
    chromium_tab, site, tmp_path, delivery
):
    """Were a script to slip into a page after the build, the policy stops it."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    target = copy / "allyship" / "index.html"
    html = target.read_text(encoding="utf-8")
    target.write_text(html.replace("</body>", '<script>alert("injected")</script></body>'))
    with serving(copy, with_host_headers=delivery == "header") as base:
        chromium_tab.goto(base + "allyship/", idle=True)
    assert chromium_tab.dialogs() == []
    refused = [m for m in chromium_tab.console_errors() if "Content Security Policy" in m]
    assert any("inline script" in message for message in refused), refused


def test_a_refused_page_ends_with_one_plain_closing_line(fixture_site, tmp_path):
    about = fixture_site / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n<script>alert(1)</script>\n", "utf-8")
    output = build_refused(fixture_site, tmp_path)
    assert output.rstrip().endswith("Build failed: fix the problems above; "
                                    f"{tmp_path / 'site'}/ was left as it was.")  # fmt: skip
    assert "BuildError" not in output
