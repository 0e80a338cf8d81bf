"""The same sources on Zensical (`./scripts/build --engine zensical`): the site's
promises hold when Material's successor renders the pages and our pipeline
publishes them. What differs on Zensical is listed in CONTRIBUTING.md."""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_essay_fidelity import essay_text, sentences
from test_security import policy_of

from bridges.pipeline.publish import meta_policy
from conftest import GLOSSARY_PAGE, ROOT, load_nav, load_terms, run_build, url_of


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("zensical") / "site"
    result = run_build(ROOT, site_dir, "--engine", "zensical")
    assert result.returncode == 0, result.output
    return site_dir


@pytest.fixture(scope="module")
def zensical_page(zensical_site: Path):
    """A page of the Zensical build, parsed, by its site path."""

    @functools.cache
    def parse(path: str) -> BeautifulSoup:
        return BeautifulSoup((zensical_site / path / "index.html").read_text("utf-8"), "lxml")

    return parse


def test_every_essay_sentence_is_published_in_order_once(zensical_page):
    paragraphs = [
        p.get_text()
        for _, source in load_nav()
        for container in zensical_page(url_of(source)).select("article .essay")
        for p in container.find_all("p")
    ]
    built = "\n\n".join(paragraphs)
    position = 0
    for sentence in sentences(essay_text()):
        assert built.count(sentence) == 1, f"not exactly once: {sentence!r}"
        position = built.index(sentence, position) + len(sentence)


def test_terms_link_to_their_definitions_on_the_glossary_page(zensical_page):
    glossary = zensical_page(url_of(GLOSSARY_PAGE))
    linked = set()
    for _, source in load_nav():
        for link in zensical_page(url_of(source)).select("a.bb-term[href]"):
            target, _, term_id = link["href"].partition("#")
            if not target.rstrip("/").endswith("glossary"):
                continue  # a topic term links to its own chapter
            linked.add(term_id)
            assert glossary.find(id=term_id) is not None, f"{source}: {link['href']}"
    assert linked, "no glossary link on any page"
    for term in load_terms():
        entry = glossary.find(id=term["id"])
        assert entry is not None, term["id"]
        assert term["term"] in entry.get_text(), term["id"]


def test_every_published_anchor_lands_on_its_id(zensical_page):
    registry = (ROOT / "docs" / "published-anchors.txt").read_text(encoding="utf-8-sig")
    links = [line.strip() for line in registry.splitlines() if line.strip().startswith("/")]
    assert links
    for link in links:
        path, _, anchor = link.lstrip("/").partition("#")
        built = zensical_page(path)
        if anchor:
            assert built.find(id=anchor) is not None, link


def test_every_page_carries_the_policy_first_in_its_head(zensical_site):
    expected = meta_policy(policy_of(zensical_site))
    for file in sorted(zensical_site.rglob("*.html")):
        head = BeautifulSoup(file.read_text("utf-8"), "lxml").head
        if head.find("meta", attrs={"http-equiv": "refresh"}):
            continue  # redirect pages: the headers cover them
        elements = head.find_all(True)
        metas = [e for e in elements if e.get("http-equiv") == "Content-Security-Policy"]
        assert [m["content"] for m in metas] == [expected], file
        assert not [e for e in elements[: elements.index(metas[0])] if e.name == "script"], file


def test_search_loads_the_bundle_zensical_ships(zensical_site, zensical_page):
    """bridges.js loads the theme's bundle when search opens: Zensical's, by its name."""
    for _, source in load_nav():
        (bridges,) = zensical_page(url_of(source)).select("script[data-material-bundle]")
        bundle = zensical_site / url_of(source) / bridges["data-material-bundle"]
        assert bundle.resolve().is_file(), bridges["data-material-bundle"]


def test_no_python_file_is_published(zensical_site):
    assert not [path for path in zensical_site.rglob("*") if path.suffix in (".py", ".pyc")]


def test_the_pdf_and_the_epub_are_made_from_the_zensical_pages(zensical_site):
    pdf = zensical_site / "building-bridges.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    with zipfile.ZipFile(zensical_site / "building-bridges.epub") as epub:
        assert epub.read("mimetype") == b"application/epub+zip"
        chapters = [name for name in epub.namelist() if name.endswith(".xhtml")]
    assert len(chapters) >= len(load_nav())


def test_hostile_markup_that_slips_past_the_source_check_is_refused_with_its_page(
    project_copy, tmp_path
):
    """A `<script>` the source check cannot see (written by a template, as a
    careless override would) still stops the build: the pipeline's output check
    judges what Zensical wrote."""
    template = project_copy / "overrides" / "main.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("{% block content %}\n",
                                      "{% block content %}\n<img src=x onerror=alert(1)>\n", 1),
                        encoding="utf-8")  # fmt: skip
    result = run_build(project_copy, tmp_path / "site", "--engine", "zensical")
    assert result.returncode == 1, result.output
    assert "allyship/index.html" in result.output and "onerror" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


def test_hostile_content_is_refused_at_its_file_and_line(project_copy, tmp_path):
    page = project_copy / "docs" / "about.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    page.write_text("\n".join([*lines, "", 'Before. <script>alert("page")</script>', ""]),
                    encoding="utf-8")  # fmt: skip
    result = run_build(project_copy, tmp_path / "site", "--engine", "zensical")
    assert result.returncode == 1, result.output
    assert f"docs/about.md, line {len(lines) + 2}: a <script> element" in result.output
    assert "Traceback" not in result.output
