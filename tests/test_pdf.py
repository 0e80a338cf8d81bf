"""The offline PDF: complete, navigable, tagged, reproducible, linked from every page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from conftest import ESSAY, PAGES, ROOT, run_build

PDF_NAME = "building-bridges.pdf"


@pytest.fixture(scope="module")
def pdf_path(site: Path) -> Path:
    return site / PDF_NAME


@pytest.fixture(scope="module")
def reader(pdf_path: Path) -> PdfReader:
    return PdfReader(pdf_path)


def outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        titles += outline_titles(item) if isinstance(item, list) else [item.title]
    return titles


def essay_sentences() -> list[str]:
    text = ESSAY.read_text(encoding="utf-8").strip()
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def line_break_tolerant(sentence: str) -> re.Pattern[str]:
    """The sentence, letting a line end at any space, hyphen or dash.

    pdftotext drops a hyphen that ends a line ("coalition-" + "building" comes
    out as "coalitionbuilding"), so at a hyphen the hyphen itself is optional.
    """
    pattern = ""
    for char in sentence:
        if char == " ":
            pattern += r"\s+"
        elif char == "-":
            pattern += r"-?\s*"
        elif char == "—":
            pattern += r"—\s*"
        else:
            pattern += re.escape(char)
    return re.compile(pattern)


def test_pdf_opens_with_a_plausible_page_count(reader):
    assert 8 <= len(reader.pages) <= 60


def test_outline_holds_every_page_and_section_title(reader, html):
    titles = outline_titles(reader.outline)
    for path in PAGES:
        for heading in html(path).select("article h1, article h2"):
            if "bb-letter" in heading.get("class", []) or heading.get("id") == "bb-related-title":
                continue
            assert heading.get_text(strip=True) in titles, f"{path}: {heading.get_text()}"


def test_catalog_declares_language_tags_and_structure(reader):
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_pdf_claims_pdf_ua_1(reader):
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part[^0-9]*1", xmp)


def test_structure_tree_has_headings_paragraphs_and_links(reader):
    found: set[str] = set()

    def walk(node, depth=0):
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if depth > 60:
            return
        if isinstance(node, dict):
            if "/S" in node:
                found.add(str(node["/S"]))
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    walk(kid, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert {"/H1", "/H2", "/H3", "/P", "/Link"} <= found


def test_metadata_names_title_author_subject_keywords(reader):
    meta = reader.metadata
    assert meta.title.startswith("Building Bridges")
    assert meta.author and meta.subject and "intersectionality" in meta.keywords
    assert meta.creation_date is not None


def test_fonts_are_embedded_and_subset(reader):
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        assert re.match(r"/[A-Z]{6}\+", name), f"{name} is not a subset"
        descendant = (
            font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        )
        descriptor = descendant["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{name} not embedded"


def test_every_essay_sentence_is_in_the_pdf_text_in_order(pdf_path):
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    position = 0
    for sentence in essay_sentences():
        match = line_break_tolerant(sentence).search(text, position)
        assert match, f"missing or out of order in the PDF: {sentence!r}"
        position = match.end()


def test_every_internal_link_has_a_destination(reader):
    destinations = set(reader.named_destinations)
    internal = 0
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annotation:
                internal += 1
                assert str(annotation["/Dest"]) in destinations, annotation["/Dest"]
            else:
                assert annotation["/A"]["/URI"].startswith("https://")
    assert internal > 50, "TOC, cross-links and glossary terms should link inside the PDF"


def test_glossary_terms_link_to_the_glossary_appendix(reader):
    destinations = set(reader.named_destinations)
    assert {"glossary--intersectionality", "glossary--privilege", "page-glossary"} <= destinations


def test_two_builds_give_identical_pdfs(project_copy, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for site in (first, second):
        assert run_build(project_copy, site).returncode == 0
    assert (first / PDF_NAME).read_bytes() == (second / PDF_NAME).read_bytes()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_to_the_pdf(html, site, path):
    link = html(path).select_one("a.bb-pdf-link")
    assert link is not None and "Download PDF" in link.get_text()
    target = (site / path / link["href"]).resolve()
    assert target == (site / PDF_NAME).resolve() and target.exists()


def test_pdf_problem_fails_the_build(project_copy, tmp_path):
    template = project_copy / "overrides" / "pdf" / "book.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace('alt="Logo: a bridge"', 'alt=""'),
        encoding="utf-8",
    )
    result = run_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert "PDF" in result.output and "alt" in result.output


def test_glossary_entries_are_never_split_across_pages(reader):
    glossary = yaml.safe_load((ROOT / "docs" / "glossary.yml").read_text(encoding="utf-8"))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    appendix = [i for i, text in enumerate(pages) if "Used in:" in text]
    for term in glossary["terms"]:
        definition = " ".join(term["definition"].split())
        starts, ends = definition[:40], definition[-30:]
        holding = [i for i in appendix if starts in pages[i] and ends in pages[i]]
        assert holding, f"the entry for {term['term']} is split across pages"


def test_no_page_ends_with_a_heading(reader, html):
    headings = {
        h.get_text(strip=True)
        for path in PAGES
        for h in html(path).select("article h2, article h3")
        if h.get("id") != "bb-related-title"
    }
    for number, page in enumerate(reader.pages, start=1):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"\d+ / \d+", line)]
        assert body and body[-1] not in headings, f"page {number} ends with '{body[-1]}'"
